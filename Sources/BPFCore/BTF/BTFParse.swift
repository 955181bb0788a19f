import CBPF

/// Building a BTF from raw bytes (`btf__new`, `btf__new_split` and the parse_*
/// functions after reading a file): the reference's checks, in its order, with its
/// messages. libbpf 1.1 validates the header, the string section and the size of
/// every type record; it does not check type ids or name offsets.
extension BTF {
    static let magic: UInt16 = 0xeB9F

    /// Parses `size` bytes at `data` (copied).
    public static func parse(_ data: UnsafeRawPointer?, size: Int, base: BTF?) throws(BPFError) -> BTF {
        let buffer = try BTFBuffer(copying: data, count: size)
        return try parse(adopting: buffer, base: base)
    }

    /// Parses bytes already in a buffer the BTF may own (no copy; used when the
    /// library read the file itself).
    public static func parse(adopting buffer: BTFBuffer, base: BTF?) throws(BPFError) -> BTF {
        let btf = BTF(base: base)
        btf.raw = buffer
        try btf.parseHeader()
        try btf.checkStringSection()
        try btf.indexTypes()
        return btf
    }

    /// Checks the header (swapping it to host order if needed) and that the sections
    /// fit the data.
    func parseHeader() throws(BPFError) {
        let size = raw!.count
        if size < MemoryLayout<btf_header>.size {
            Log.debug("libbpf: BTF header not found\n")
            throw .EINVAL
        }
        let h = header
        if h.pointee.magic == BTF.magic.byteSwapped {
            swappedEndian = true
            let length = h.pointee.hdr_len.byteSwapped
            if length != UInt32(MemoryLayout<btf_header>.size) {
                Log.warn("libbpf: Can't load BTF with non-native endianness due to unsupported header length \(length)\n")
                throw .ENOTSUP
            }
            h.pointee.magic = h.pointee.magic.byteSwapped
            h.pointee.hdr_len = h.pointee.hdr_len.byteSwapped
            h.pointee.type_off = h.pointee.type_off.byteSwapped
            h.pointee.type_len = h.pointee.type_len.byteSwapped
            h.pointee.str_off = h.pointee.str_off.byteSwapped
            h.pointee.str_len = h.pointee.str_len.byteSwapped
        } else if h.pointee.magic != BTF.magic {
            Log.debug("libbpf: Invalid BTF magic: \(hex(UInt32(h.pointee.magic)))\n")
            throw .EINVAL
        }
        let hdr = h.pointee
        if UInt64(size) < UInt64(hdr.hdr_len) {
            Log.debug("libbpf: BTF header len \(hdr.hdr_len) larger than data size \(size)\n")
            throw .EINVAL
        }
        let metaLeft = UInt64(size) - UInt64(hdr.hdr_len)
        if metaLeft < UInt64(hdr.str_off) + UInt64(hdr.str_len) {
            Log.debug("libbpf: Invalid BTF total size: \(size)\n")
            throw .EINVAL
        }
        if UInt64(hdr.type_off) + UInt64(hdr.type_len) > UInt64(hdr.str_off) {
            Log.debug("libbpf: Invalid BTF data sections layout: type data at \(hdr.type_off) + \(hdr.type_len), strings data at \(hdr.str_off) + \(hdr.str_len)\n")
            throw .EINVAL
        }
        if hdr.type_off % 4 != 0 {
            Log.debug("libbpf: BTF type section is not aligned to 4 bytes\n")
            throw .EINVAL
        }
    }

    /// The string section must end with NUL and, in a base BTF, start with the
    /// empty string. A split BTF may have no strings of its own.
    func checkStringSection() throws(BPFError) {
        let length = header.pointee.str_len
        if base != nil && length == 0 { return }
        let bytes = stringData!.assumingMemoryBound(to: UInt8.self)
        if length == 0 || length - 1 > 0x7fff_ffff || bytes[Int(length) - 1] != 0 {
            Log.debug("libbpf: Invalid BTF string section\n")
            throw .EINVAL
        }
        if base == nil && bytes[0] != 0 {
            Log.debug("libbpf: Invalid BTF string section\n")
            throw .EINVAL
        }
    }

    /// Walks the type records, swapping them to host order if needed, and records
    /// each record's offset.
    func indexTypes() throws(BPFError) {
        let start = typeData!
        let length = Int(header.pointee.type_len)
        var offset = 0
        // vmlinux has ~16 bytes per type on average: reserve once.
        typeOffsets.reserveCapacity(length / 16 + 1)
        while offset + 12 <= length {
            let record = start + offset
            if swappedEndian { BTF.swapBase(record) }
            let info = record.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
            let kind = (info >> 24) & 0x1f
            guard let size = BTFKind.recordSize(kind: kind, vlen: info & 0xffff) else {
                Log.debug("libbpf: Unsupported BTF_KIND:\(kind)\n")
                throw .EINVAL
            }
            if offset + size > length {
                Log.warn("libbpf: BTF type [\(startID + UInt32(typeOffsets.count))] is malformed\n")
                throw .EINVAL
            }
            if swappedEndian { BTF.swapWords(record + 12, count: (size - 12) / 4) }
            typeOffsets.append(UInt32(offset))
            offset += size
        }
        if offset != length {
            Log.warn("libbpf: BTF types data is malformed\n")
            throw .EINVAL
        }
    }

    /// Swaps the 12-byte `btf_type` header in place.
    static func swapBase(_ record: UnsafeMutableRawPointer) {
        swapWords(record, count: 3)
    }

    /// Swaps `count` 32-bit words in place (all BTF record data is 32-bit words).
    static func swapWords(_ start: UnsafeMutableRawPointer, count: Int) {
        let words = start.assumingMemoryBound(to: UInt32.self)
        for i in 0..<count { words[i] = words[i].byteSwapped }
    }
}

/// Lowercase hex without prefix, as printf's %x.
func hex(_ value: UInt32) -> String {
    if value == 0 { return "0" }
    let digits: StaticString = "0123456789abcdef"
    var out: [UInt8] = []
    var v = value
    while v != 0 {
        out.append(digits.utf8Start[Int(v & 0xf)])
        v >>= 4
    }
    return String(decoding: out.reversed(), as: UTF8.self)
}

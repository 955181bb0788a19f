import CBPF

/// An ELF relocatable BPF object opened through libelf, with the reference's
/// validation (`bpf_object__elf_init` and the endianness check) and messages.
/// Section data, names and symbols point into libelf's memory: everything the
/// object keeps after opening must be copied before `close()`.
public final class ELFFile {
    let elf: OpaquePointer
    let fd: Int32
    /// Index of the section-name string table.
    public let sectionNamesIndex: Int
    public let header: UnsafeMutablePointer<Elf64_Ehdr>
    /// The path (or object name for a memory buffer) used in messages.
    let displayName: RawName
    /// The names of sections 1..n once all were read (collectSections), else nil.
    var sectionNames: [UnsafePointer<CChar>]? = nil
    /// String tables checked once (type STRTAB, all data present, last byte NUL):
    /// then every offset below the size is a valid string, as elf_strptr would
    /// find it, without a libelf call per name. base nil: not such a table.
    /// (Two slots: the section-name and the symbol-name tables.)
    private var checkedTables: ((table: Int, base: UnsafePointer<CChar>?, size: Int),
                                (table: Int, base: UnsafePointer<CChar>?, size: Int)) = ((-1, nil, 0), (-1, nil, 0))

    private init(elf: OpaquePointer, fd: Int32, sectionNamesIndex: Int, header: UnsafeMutablePointer<Elf64_Ehdr>, displayName: RawName) {
        self.elf = elf
        self.fd = fd
        self.sectionNamesIndex = sectionNamesIndex
        self.header = header
        self.displayName = displayName
    }

    deinit {
        elf_end(elf)
        if fd >= 0 { _ = close(fd) }
    }

    /// Opens `path`, or the `size` bytes at `buffer` when given (named `displayName`).
    public static func open(path: UnsafePointer<CChar>, buffer: UnsafeRawPointer?, size: Int, displayName: RawName) throws(BPFError) -> ELFFile {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        var fd: Int32 = -1
        let elf: OpaquePointer?
        if size > 0, let buffer {
            elf = elf_memory(UnsafeMutablePointer(mutating: buffer.assumingMemoryBound(to: CChar.self)), size)
        } else {
            fd = sbpf_open(path, O_RDONLY | O_CLOEXEC, 0)
            if fd < 0 {
                let error = BPFError.lastErrno()
                Log.warn("libbpf: elf: failed to open \(displayName): \(cString: strerror(error.code))\n")
                throw error
            }
            elf = elf_begin(fd, ELF_C_READ, nil)
        }
        func fail(_ error: BPFError) -> BPFError {
            if let elf { elf_end(elf) }
            if fd >= 0 { _ = close(fd) }
            return error
        }
        guard let elf else {
            Log.warn("libbpf: elf: failed to open \(displayName) as ELF file: \(cString: elf_errmsg(-1))\n")
            throw fail(BPFError(Int32(LIBBPF_ERRNO__LIBELF.rawValue)))
        }
        if elf_kind(elf) != ELF_K_ELF {
            Log.warn("libbpf: elf: '\(displayName)' is not a proper ELF object\n")
            throw fail(format)
        }
        if gelf_getclass(elf) != Int32(ELFCLASS64) {
            Log.warn("libbpf: elf: '\(displayName)' is not a 64-bit ELF object\n")
            throw fail(format)
        }
        guard let ehdr = elf64_getehdr(elf) else {
            Log.warn("libbpf: elf: failed to get ELF header from \(displayName): \(cString: elf_errmsg(-1))\n")
            throw fail(format)
        }
        var namesIndex = 0
        if elf_getshdrstrndx(elf, &namesIndex) != 0 {
            Log.warn("libbpf: elf: failed to get section names section index for \(displayName): \(cString: elf_errmsg(-1))\n")
            throw fail(format)
        }
        // A corrupted or truncated file: check before any elf_strptr.
        if elf_rawdata(elf_getscn(elf, namesIndex), nil) == nil {
            Log.warn("libbpf: elf: failed to get section names strings from \(displayName): \(cString: elf_errmsg(-1))\n")
            throw fail(format)
        }
        // Old LLVM wrote e_machine EM_NONE.
        if ehdr.pointee.e_type != UInt16(ET_REL) || (ehdr.pointee.e_machine != 0 && ehdr.pointee.e_machine != UInt16(EM_BPF)) {
            Log.warn("libbpf: elf: \(displayName) is not a valid eBPF object file\n")
            throw fail(format)
        }
        let file = ELFFile(elf: elf, fd: fd, sectionNamesIndex: namesIndex, header: ehdr, displayName: displayName)
        // The object must be in host byte order.
        let hostLittle = UInt16(1).littleEndian == 1
        let dataEncoding = withUnsafeBytes(of: ehdr.pointee.e_ident) { $0[Int(EI_DATA)] }
        if dataEncoding != UInt8(hostLittle ? ELFDATA2LSB : ELFDATA2MSB) {
            Log.warn("libbpf: elf: endianness mismatch in \(displayName).\n")
            throw BPFError(Int32(LIBBPF_ERRNO__ENDIAN.rawValue))
        }
        return file
    }

    /// Number of sections including the null section 0.
    public func sectionCount() throws(BPFError) -> Int {
        var count = 0
        if elf_getshdrnum(elf, &count) != 0 {
            Log.warn("libbpf: elf: failed to get the number of sections for \(displayName): \(cString: elf_errmsg(-1))\n")
            throw BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        }
        return count
    }

    /// A section's header, or a logged format error.
    public func sectionHeader(_ scn: OpaquePointer) throws(BPFError) -> UnsafeMutablePointer<Elf64_Shdr> {
        guard let sh = elf64_getshdr(scn) else {
            Log.warn("libbpf: elf: failed to get section(\(elf_ndxscn(scn))) header from \(displayName): \(cString: elf_errmsg(-1))\n")
            throw BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        }
        return sh
    }

    /// A string of the section-name table (a failure is logged as the reference does).
    public func sectionName(_ offset: UInt32, section index: Int) throws(BPFError) -> UnsafePointer<CChar> {
        guard let name = loggedString(table: sectionNamesIndex, offset: offset) else {
            throw BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        }
        return name
    }

    /// A string of string table `table`; a failure is logged with the one message
    /// the reference uses for section and symbol names alike.
    public func loggedString(table: Int, offset: UInt32) -> UnsafePointer<CChar>? {
        if let name = checkedString(table: table, offset: offset) { return name }
        guard let name = elf_strptr(elf, table, Int(offset)) else {
            Log.warn("libbpf: elf: failed to get section name string at offset \(offset) from \(displayName): \(cString: elf_errmsg(-1))\n")
            return nil
        }
        return UnsafePointer(name)
    }

    /// A section's data, or a logged format error.
    public func sectionData(_ scn: OpaquePointer, name: UnsafePointer<CChar>?) throws(BPFError) -> UnsafeMutablePointer<Elf_Data> {
        guard let data = elf_getdata(scn, nil) else {
            let index = elf_ndxscn(scn)
            let message = elf_errmsg(-1)
            // The name only matters for the message (the symbol table's is looked up here).
            let name = name ?? elf64_getshdr(scn).flatMap { loggedString(table: sectionNamesIndex, offset: $0.pointee.sh_name) }
            Log.warn("libbpf: elf: failed to get section(\(index)) \(cString: name) data from \(displayName): \(cString: message)\n")
            throw BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        }
        return data
    }

    /// Iterates sections 1..n in index order.
    public func nextSection(after scn: OpaquePointer?) -> OpaquePointer? { elf_nextscn(elf, scn) }

    public func section(at index: Int) -> OpaquePointer? { elf_getscn(elf, index) }

    /// A string of string table `table`.
    public func string(table: Int, offset: UInt32) -> UnsafePointer<CChar>? {
        if let name = checkedString(table: table, offset: offset) { return name }
        return elf_strptr(elf, table, Int(offset)).map { UnsafePointer($0) }
    }

    /// The string at `offset` of a checked table; nil when the table or the offset
    /// is not known good (the caller then asks libelf, for its exact error).
    @inline(__always)
    func checkedString(table: Int, offset: UInt32) -> UnsafePointer<CChar>? {
        let entry: (table: Int, base: UnsafePointer<CChar>?, size: Int)
        if checkedTables.0.table == table {
            entry = checkedTables.0
        } else if checkedTables.1.table == table {
            entry = checkedTables.1
        } else {
            entry = checkTable(table)
        }
        guard let base = entry.base, Int(offset) < entry.size else { return nil }
        return base + Int(offset)
    }

    private func checkTable(_ table: Int) -> (table: Int, base: UnsafePointer<CChar>?, size: Int) {
        var base: UnsafePointer<CChar>? = nil
        var size = 0
        if let scn = elf_getscn(elf, table), let sh = elf64_getshdr(scn), sh.pointee.sh_type == UInt32(SHT_STRTAB),
           let data = elf_getdata(scn, nil), let buffer = data.pointee.d_buf, data.pointee.d_size > 0,
           UInt64(data.pointee.d_size) == sh.pointee.sh_size,
           buffer.load(fromByteOffset: data.pointee.d_size - 1, as: UInt8.self) == 0 {
            base = UnsafePointer(buffer.assumingMemoryBound(to: CChar.self))
            size = data.pointee.d_size
        }
        // the first two tables asked for are kept (others are checked each time)
        if checkedTables.0.table < 0 {
            checkedTables.0 = (table, base, size)
        } else if checkedTables.1.table < 0 {
            checkedTables.1 = (table, base, size)
        }
        return (table, base, size)
    }
}

import CBPF

// SystemTap SDT notes: every probe site of a binary has one ELF note in the
// ".note.stapsdt" section, owner "stapsdt", type 3, whose descriptor is
//     location (the probe's address), base (the address of .stapsdt.base at link
//     time), semaphore (address of the probe's counter, 0 for none)
// as three 64-bit addresses in the ELF's byte order, then three NUL-terminated
// strings: provider, name, argument specs. When the binary was relocated after
// linking (prelink), .stapsdt.base moved and the location moves with it: the
// reference adds (address of .stapsdt.base) - (note's base) to the location, but
// not to the semaphore (measured).

/// One probe site as its note describes it.
public struct USDTNote: Equatable {
    public var location: UInt64
    public var base: UInt64
    public var semaphore: UInt64
    /// NUL-terminated.
    public var provider: [CChar]
    public var name: [CChar]
    public var arguments: [CChar]

    /// NT_STAPSDT and the owner name of SDT notes.
    public static let noteType: UInt32 = 3

    /// Parses a note descriptor of a 64-bit little-endian binary; nil when it is
    /// too short or a string is not terminated inside it.
    public static func parse(descriptor: UnsafeRawBufferPointer) -> USDTNote? {
        if descriptor.count < 24 { return nil }
        func address(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(descriptor[index * 8 + i]) << (8 * UInt64(i)) }
            return value
        }
        var position = 24
        func string() -> [CChar]? {
            var result: [CChar] = []
            while position < descriptor.count {
                let c = descriptor[position]
                position += 1
                result.append(CChar(bitPattern: c))
                if c == 0 { return result }
            }
            return nil
        }
        guard let provider = string(), let name = string(), let arguments = string() else { return nil }
        return USDTNote(location: address(0), base: address(1), semaphore: address(2),
                        provider: provider, name: name, arguments: arguments)
    }

    /// Whether the note is for `provider:name`.
    public func matches(provider wanted: UnsafePointer<CChar>, name wantedName: UnsafePointer<CChar>) -> Bool {
        provider.withUnsafeBufferPointer { strcmp($0.baseAddress!, wanted) == 0 }
            && name.withUnsafeBufferPointer { strcmp($0.baseAddress!, wantedName) == 0 }
    }

    /// The probe address after the prelink adjustment (`baseSection`: the address
    /// of .stapsdt.base when the binary has one).
    public func adjustedLocation(baseSection: UInt64?) -> UInt64 {
        guard let baseSection else { return location }
        return location &+ (baseSection &- base)
    }
}

/// A PT_LOAD program header: virtual range [start, end), where it is in the file.
public struct USDTSegment: Equatable {
    public var start: UInt64
    public var end: UInt64
    public var fileOffset: UInt64
    public var isExecutable: Bool

    public init(start: UInt64, end: UInt64, fileOffset: UInt64, isExecutable: Bool) {
        self.start = start
        self.end = end
        self.fileOffset = fileOffset
        self.isExecutable = isExecutable
    }

    /// The first segment whose range holds `address`.
    public static func find(_ segments: [USDTSegment], containing address: UInt64) -> USDTSegment? {
        for segment in segments where address >= segment.start && address < segment.end { return segment }
        return nil
    }

    /// The file offset of `address`, which must be inside the segment.
    public func fileOffset(of address: UInt64) -> UInt64 { address &- start &+ fileOffset }
}

/// What attaching needs from a binary: its kind, loadable segments, the
/// .stapsdt.base address and its SDT notes. Reading it logs the reference's
/// messages; failures throw the reference's errno.
struct USDTBinary {
    var isSharedLibrary: Bool
    var segments: [USDTSegment] = []
    var baseSection: UInt64?
    var notes: [USDTNote] = []

    static let notesSection: StaticString = ".note.stapsdt"

    static func load(_ path: UnsafePointer<CChar>) throws(BPFError) -> USDTBinary {
        let fd = sbpf_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            let code = -sbpf_errno()
            Log.warn("libbpf: usdt: failed to open ELF binary '\(cString: path)': \(code)\n")
            throw BPFError(-code)
        }
        defer { _ = close(fd) }
        _ = elf_version(UInt32(EV_CURRENT))
        guard let elf = elf_begin(fd, ELF_C_READ, nil) else {
            Log.warn("libbpf: usdt: failed to parse ELF binary '\(cString: path)': \(cString: elf_errmsg(-1))\n")
            throw .EBADF
        }
        defer { elf_end(elf) }
        let kind = elf_kind(elf)
        if kind != ELF_K_ELF {
            Log.warn("libbpf: usdt: unrecognized ELF kind \(kind.rawValue) for '\(cString: path)'\n")
            throw .EBADF
        }
        switch gelf_getclass(elf) {
        case ELFCLASS64:
            break
        case ELFCLASS32:
            Log.warn("libbpf: usdt: attaching to 32-bit ELF binary '\(cString: path)' is not supported\n")
            throw .EBADF
        default:
            Log.warn("libbpf: usdt: unsupported ELF class for '\(cString: path)'\n")
            throw .EBADF
        }
        var header = GElf_Ehdr()
        if gelf_getehdr(elf, &header) == nil {
            Log.warn("libbpf: usdt: failed to parse ELF binary '\(cString: path)': \(cString: elf_errmsg(-1))\n")
            throw .EINVAL
        }
        if header.e_type != UInt16(ET_EXEC) && header.e_type != UInt16(ET_DYN) {
            Log.warn("libbpf: usdt: unsupported type of ELF binary '\(cString: path)' (\(header.e_type)), only ET_EXEC and ET_DYN are supported\n")
            throw .EBADF
        }
        if header.e_ident.5 != UInt8(ELFDATA2LSB) {
            Log.warn("libbpf: usdt: ELF endianness mismatch for '\(cString: path)'\n")
            throw .EBADF
        }
        var binary = USDTBinary(isSharedLibrary: header.e_type == UInt16(ET_DYN))

        guard let notes = section(named: notesSection.cString, in: elf) else {
            Log.warn("libbpf: usdt: no USDT notes section (\(notesSection)) found in '\(cString: path)'\n")
            throw .ENOENT
        }
        if notes.header.sh_type != UInt32(SHT_NOTE) {
            Log.warn("libbpf: usdt: invalid USDT notes section (\(notesSection)) in '\(cString: path)'\n")
            throw .EINVAL
        }

        // Program headers: every one is logged, the PT_LOAD ones kept.
        var count = 0
        if elf_getphdrnum(elf, &count) != 0 { count = 0 }
        for index in 0..<count {
            var phdr = GElf_Phdr()
            if gelf_getphdr(elf, Int32(index), &phdr) == nil { continue }
            Log.debug("libbpf: usdt: discovered PHDR #\(index) in '\(cString: path)': vaddr 0x\(hex: phdr.p_vaddr) memsz 0x\(hex: phdr.p_memsz) offset 0x\(hex: phdr.p_offset) type 0x\(hex: UInt64(phdr.p_type)) flags 0x\(hex: UInt64(phdr.p_flags))\n")
            if phdr.p_type != UInt32(PT_LOAD) { continue }
            binary.segments.append(USDTSegment(start: phdr.p_vaddr, end: phdr.p_vaddr &+ phdr.p_memsz, fileOffset: phdr.p_offset,
                                               isExecutable: phdr.p_flags & UInt32(PF_X) != 0))
        }
        if binary.segments.isEmpty {
            Log.warn("libbpf: usdt: failed to find PT_LOAD program headers in '\(cString: path)'\n")
            Log.warn("libbpf: usdt: failed to process ELF program segments for '\(cString: path)': \(-ENOENT)\n")
            throw .ENOENT
        }

        if let base = section(named: StaticString(".stapsdt.base").cString, in: elf) {
            binary.baseSection = base.header.sh_addr
        }

        guard let data = elf_getdata(notes.section, nil), let bytes = data.pointee.d_buf else {
            Log.warn("libbpf: usdt: invalid USDT notes section (\(notesSection)) in '\(cString: path)'\n")
            throw .EINVAL
        }
        var offset = 0
        while true {
            var noteHeader = GElf_Nhdr()
            var nameOffset = 0
            var descriptorOffset = 0
            let next = gelf_getnote(data, offset, &noteHeader, &nameOffset, &descriptorOffset)
            if next == 0 { break }
            offset = next
            if noteHeader.n_type != USDTNote.noteType || noteHeader.n_namesz != 8 { continue }
            if strcmp(bytes.advanced(by: nameOffset).assumingMemoryBound(to: CChar.self), "stapsdt") != 0 { continue }
            let descriptor = UnsafeRawBufferPointer(start: bytes.advanced(by: descriptorOffset), count: Int(noteHeader.n_descsz))
            guard let note = USDTNote.parse(descriptor: descriptor) else {
                Log.warn("libbpf: usdt: invalid USDT notes section (\(notesSection)) in '\(cString: path)'\n")
                throw .EINVAL
            }
            binary.notes.append(note)
        }
        return binary
    }

    /// The first section called `name`, with its header.
    private static func section(named name: UnsafePointer<CChar>, in elf: OpaquePointer) -> (section: OpaquePointer, header: GElf_Shdr)? {
        var stringsIndex = 0
        if elf_getshdrstrndx(elf, &stringsIndex) != 0 { return nil }
        var section = elf_nextscn(elf, nil)
        while let current = section {
            var header = GElf_Shdr()
            if gelf_getshdr(current, &header) != nil,
               let sectionName = elf_strptr(elf, stringsIndex, Int(header.sh_name)), strcmp(sectionName, name) == 0 {
                return (current, header)
            }
            section = elf_nextscn(elf, current)
        }
        return nil
    }
}

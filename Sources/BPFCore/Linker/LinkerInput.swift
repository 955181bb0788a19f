import CBPF

/// The static linker's model of one input object (`bpf_linker__add_file`): what
/// the merge steps need from a clang-built BPF ELF file, as value types, plus its
/// parsed .BTF / .BTF.ext. Section data points into libelf's memory, valid while
/// the input (and so its ELF handle) lives.

/// A NUL-terminated copy of a name (the terminator makes it a C string).
typealias LinkerName = [CChar]

func linkerName(_ p: UnsafePointer<CChar>) -> LinkerName {
    var out: LinkerName = []
    var q = p
    while q.pointee != 0 {
        out.append(q.pointee)
        q += 1
    }
    out.append(0)
    return out
}

func linkerNameEquals(_ name: LinkerName, _ p: UnsafePointer<CChar>?) -> Bool {
    guard let p else { return false }
    var i = 0
    while true {
        let c = p[i]
        if i >= name.count || name[i] != c { return false }
        if c == 0 { return true }
        i += 1
    }
}

func linkerHasPrefix(_ name: LinkerName, _ prefix: StaticString) -> Bool {
    var ok = true
    prefix.withUTF8Buffer { buffer in
        if buffer.count >= name.count { ok = false; return }
        for i in 0..<buffer.count where UInt8(bitPattern: name[i]) != buffer[i] {
            ok = false
            return
        }
    }
    return ok
}

func linkerNameIs(_ name: LinkerName, _ literal: StaticString) -> Bool {
    literal.withUTF8Buffer { buffer in
        if buffer.count + 1 != name.count { return false }
        for i in 0..<buffer.count where UInt8(bitPattern: name[i]) != buffer[i] { return false }
        return true
    }
}

/// What an input section is to the linker.
enum LinkerSectionRole {
    case skipped        // debug info, address-significance tables, empty sections, string tables
    case data           // code or data merged into an output section of the same name
    case symbols        // the one SYMTAB
    case relocations    // SHT_REL for a data section
    case btf            // .BTF
    case btfExt         // .BTF.ext
}

struct LinkerInputSection {
    var index: Int
    var name: LinkerName
    var type: UInt32
    var flags: UInt64
    var link: UInt32
    var info: UInt32
    var align: UInt64
    var entrySize: UInt64
    var size: UInt64
    var data: UnsafeRawPointer?
    var role: LinkerSectionRole
    /// sh_offset (the alignment check of the sanity pass).
    var offset: UInt64 = 0
    /// A BTF DATASEC without an ELF section (.kconfig, .ksyms, or extern-only .maps).
    var ephemeral = false
    /// Once merged: the output section (index into Linker.sections) and the offset there.
    var output = -1
    var outputOffset: UInt64 = 0
}

/// One input object, parsed and checked.
final class LinkerInput {
    let path: LinkerName
    let fd: Int32
    let elf: OpaquePointer
    var sections: [LinkerInputSection] = []
    var symbols: [Elf64_Sym] = []
    var symbolTable = -1
    var symbolStrings = -1
    var btf: BTF?
    var btfExt: BTFExt?
    /// Input symbol index → output symbol index.
    var symbolMap: [Int] = []
    /// Input BTF type id → output BTF type id.
    var typeMap: [UInt32] = []

    init(path: LinkerName, fd: Int32, elf: OpaquePointer) {
        self.path = path
        self.fd = fd
        self.elf = elf
    }

    deinit {
        elf_end(elf)
        _ = close(fd)
    }

    func symbolName(_ sym: Elf64_Sym) -> UnsafePointer<CChar>? {
        elf_strptr(elf, symbolStrings, Int(sym.st_name)).map { UnsafePointer($0) }
    }

    /// The input section with this name (first match), as an index into `sections`.
    func section(named name: UnsafePointer<CChar>) -> Int? {
        for (i, s) in sections.enumerated() where linkerNameEquals(s.name, name) { return i }
        return nil
    }

    /// The entry of `sections` for ELF section index `index`.
    func section(atELFIndex index: Int) -> Int? {
        for (i, s) in sections.enumerated() where s.index == index { return i }
        return nil
    }

    static let llvmAddrsig: UInt32 = 0x6fff4c03

    /// `linker_load_obj_file` and the sanity checks: every refusal with the
    /// reference's message and error.
    static func load(path: UnsafePointer<CChar>?) throws(BPFError) -> LinkerInput {
        // a NULL path fails in open(2) with EFAULT, logged as "(null)" like the reference
        let fd = sbpf_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to open file '\(cString: path)': \(-error.code)\n")
            throw error
        }
        guard let elf = elf_begin(fd, ELF_C_READ, nil) else {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to parse ELF file '\(cString: path)': \(cString: elf_errmsg(-1))\n")
            _ = close(fd)
            throw error
        }
        let input = LinkerInput(path: linkerName(path!), fd: fd, elf: elf)
        var ehdr = GElf_Ehdr()
        if gelf_getehdr(elf, &ehdr) == nil {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to get ELF header for \(cString: path): \(cString: elf_errmsg(-1))\n")
            throw error
        }
        let ident = withUnsafeBytes(of: ehdr.e_ident) { (b: UnsafeRawBufferPointer) -> (UInt8, UInt8) in (b[Int(EI_DATA)], b[Int(EI_CLASS)]) }
        if ident.0 != UInt8(ELFDATA2LSB) {
            Log.warn("libbpf: unsupported byte order of ELF file \(cString: path): \(cString: elf_errmsg(-1))\n")
            throw .EOPNOTSUPP
        }
        if ehdr.e_type != UInt16(ET_REL) || ehdr.e_machine != UInt16(EM_BPF) || ident.1 != UInt8(ELFCLASS64) {
            Log.warn("libbpf: unsupported kind of ELF file \(cString: path): \(cString: elf_errmsg(-1))\n")
            throw .EOPNOTSUPP
        }
        var namesIndex = 0
        if elf_getshdrstrndx(elf, &namesIndex) != 0 {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to get SHSTRTAB section index for \(cString: path): \(cString: elf_errmsg(-1))\n")
            throw error
        }
        var scn = elf_nextscn(elf, nil)
        while let s = scn {
            let index = elf_ndxscn(s)
            var sh = GElf_Shdr()
            if gelf_getshdr(s, &sh) == nil {
                Log.warn("libbpf: failed to get section #\(index) header for \(cString: path): \(cString: elf_errmsg(-1))\n")
                throw .EINVAL
            }
            guard let namePointer = elf_strptr(elf, namesIndex, Int(sh.sh_name)) else {
                Log.warn("libbpf: failed to get section #\(index) name for \(cString: path): \(cString: elf_errmsg(-1))\n")
                throw .EINVAL
            }
            guard let data = elf_getdata(s, nil) else {
                Log.warn("libbpf: failed to get section #\(index) (\(cString: namePointer)) data from \(cString: path): \(cString: elf_errmsg(-1))\n")
                throw .EINVAL
            }
            let name = linkerName(namePointer)
            var section = LinkerInputSection(index: index, name: name, type: sh.sh_type, flags: sh.sh_flags,
                                             link: sh.sh_link, info: sh.sh_info, align: sh.sh_addralign,
                                             entrySize: sh.sh_entsize, size: sh.sh_size,
                                             data: data.pointee.d_buf.map { UnsafeRawPointer($0) }, role: .skipped)
            section.offset = sh.sh_offset
            if sh.sh_type == LinkerInput.llvmAddrsig || (sh.sh_flags & UInt64(SHF_EXCLUDE)) != 0 ||
                linkerHasPrefix(name, ".debug_") {
                section.role = .skipped
            } else {
                switch Int32(bitPattern: sh.sh_type) {
                case SHT_SYMTAB:
                    if input.symbolTable >= 0 {
                        Log.warn("libbpf: multiple SYMTAB sections found, not supported\n")
                        throw .EOPNOTSUPP
                    }
                    input.symbolTable = index
                    input.symbolStrings = Int(sh.sh_link)
                    section.role = .symbols
                case SHT_STRTAB:
                    section.role = .skipped
                case SHT_PROGBITS:
                    if linkerNameIs(name, ".BTF") {
                        do throws(BPFError) {
                            input.btf = try BTF.parse(section.data, size: Int(sh.sh_size), base: nil)
                        } catch {
                            Log.warn("libbpf: failed to parse .BTF from \(cString: path): \(-error.code)\n")
                            throw error
                        }
                        section.role = .btf
                    } else if linkerNameIs(name, ".BTF.ext") {
                        do throws(BPFError) {
                            input.btfExt = try BTFExt.parse(section.data, size: Int(sh.sh_size))
                        } catch {
                            Log.warn("libbpf: failed to parse .BTF.ext from '\(cString: path)': \(-error.code)\n")
                            throw error
                        }
                        section.role = .btfExt
                    } else {
                        section.role = sh.sh_size == 0 ? .skipped : .data
                    }
                case SHT_NOBITS:
                    section.role = sh.sh_size == 0 ? .skipped : .data
                case SHT_REL:
                    section.role = .relocations
                default:
                    Log.warn("libbpf: unrecognized section #\(index) (\(cString: namePointer)) in \(cString: path)\n")
                    throw .EINVAL
                }
            }
            input.sections.append(section)
            scn = elf_nextscn(elf, s)
        }
        try input.checkELF(namesIndex: namesIndex)
        try input.fixUpBTF()
        return input
    }

    /// `linker_sanity_check_elf` (the checks our inputs can fail) and symbol loading.
    func checkELF(namesIndex: Int) throws(BPFError) {
        let path = self.path
        if symbolTable < 0 {
            Log.warn("libbpf: ELF is missing SYMTAB section in \(cChars: path)\n")
            throw .EINVAL
        }
        if section(atELFIndex: namesIndex) == nil {
            Log.warn("libbpf: ELF is missing section headers STRTAB section in \(cChars: path)\n")
            throw .EINVAL
        }
        for s in sections where s.name.count <= 1 {
            Log.warn("libbpf: ELF section #\(s.index) has empty name in \(cChars: path)\n")
            throw .EINVAL
        }
        // Refused without a message by the reference (measured): an alignment that
        // is 0, not a power of two or not dividing sh_offset; a SYMTAB or REL entry
        // size other than the record's.
        for s in sections {
            if s.align == 0 || s.align & (s.align &- 1) != 0 || s.offset % s.align != 0 { throw .EINVAL }
            if s.role == .symbols && s.entrySize != UInt64(MemoryLayout<Elf64_Sym>.size) { throw .EINVAL }
            if s.type == UInt32(SHT_REL) && s.entrySize != UInt64(MemoryLayout<Elf64_Rel>.size) { throw .EINVAL }
        }
        guard let strings = section(atELFIndex: symbolStrings) else {
            Log.warn("libbpf: ELF SYMTAB section #\(symbolTable) points to missing STRTAB section #\(symbolStrings) in \(cChars: path)\n")
            throw .EINVAL
        }
        if sections[strings].type != UInt32(SHT_STRTAB) {
            Log.warn("libbpf: ELF SYMTAB section #\(symbolTable) points to invalid STRTAB section #\(symbolStrings) in \(cChars: path)\n")
            throw .EINVAL
        }
        // Symbols.
        let symtab = sections[section(atELFIndex: symbolTable)!]
        let count = Int(symtab.size) / MemoryLayout<Elf64_Sym>.size
        symbols.reserveCapacity(count)
        for i in 0..<count {
            let sym = symtab.data!.loadUnaligned(fromByteOffset: i * MemoryLayout<Elf64_Sym>.size, as: Elf64_Sym.self)
            let bind = Int32(sym.st_info >> 4)
            let type = Int32(sym.st_info & 0xf)
            let visibility = Int32(sym.st_other & 0x3)
            if i == 0 {
                if sym.st_name != 0 || sym.st_info != 0 || sym.st_other != 0 || sym.st_shndx != 0 ||
                    sym.st_value != 0 || sym.st_size != 0 {
                    Log.warn("libbpf: ELF sym #0 is invalid in \(cChars: path)\n")
                    throw .EINVAL
                }
                symbols.append(sym)
                continue
            }
            if bind != STB_LOCAL && bind != STB_GLOBAL && bind != STB_WEAK {
                Log.warn("libbpf: ELF sym #\(i) in section #\(symbolTable) has unsupported symbol binding \(bind)\n")
                throw .EINVAL
            }
            if visibility != STV_DEFAULT && visibility != STV_HIDDEN {
                Log.warn("libbpf: ELF sym #\(i) in section #\(symbolTable) has unsupported symbol visibility \(visibility)\n")
                throw .EINVAL
            }
            if sym.st_shndx == UInt16(SHN_UNDEF) {
                if bind == STB_LOCAL || sym.st_value != 0 || sym.st_size != 0 ||
                    (type != STT_NOTYPE && type != STT_OBJECT && type != STT_FUNC) {
                    Log.warn("libbpf: ELF sym #\(i) is invalid extern symbol in \(cChars: path)\n")
                    throw .EINVAL
                }
            } else if sym.st_shndx < UInt16(SHN_LORESERVE) && section(atELFIndex: Int(sym.st_shndx)) == nil {
                Log.warn("libbpf: ELF sym #\(i) in section #\(symbolTable) points to missing section #\(sym.st_shndx) in \(cChars: path)\n")
                throw .EINVAL
            }
            symbols.append(sym)
        }
        symbolMap = [Int](repeating: 0, count: count)
        // Relocation sections: for a skipped (or BTF) target they are skipped too.
        for i in 0..<sections.count where sections[i].role == .relocations {
            let s = sections[i]
            if Int(s.link) != symbolTable {
                Log.warn("libbpf: ELF relo section #\(s.index) points to invalid SYMTAB section #\(s.link) in \(cChars: path)\n")
                throw .EINVAL
            }
            guard let target = section(atELFIndex: Int(s.info)) else {
                Log.warn("libbpf: ELF relo section #\(s.index) points to missing section #\(s.info) in \(cChars: path)\n")
                throw .EINVAL
            }
            if sections[target].role != .data {
                sections[i].role = .skipped
                continue
            }
            if !linkerHasPrefix(s.name, ".rel") || !linkerNameEquals(Array(s.name[4...]), sections[target].name.withUnsafeBufferPointer { $0.baseAddress! }) {
                Log.warn("libbpf: ELF relo section #\(s.index) name has invalid name in \(cChars: path)\n")
                throw .EINVAL
            }
            let entries = Int(s.size) / MemoryLayout<Elf64_Rel>.size
            for r in 0..<entries {
                let rel = s.data!.loadUnaligned(fromByteOffset: r * MemoryLayout<Elf64_Rel>.size, as: Elf64_Rel.self)
                let symIndex = Int(rel.r_info >> 32)
                let relType = rel.r_info & 0xffff_ffff
                // R_BPF_64_64, R_BPF_64_ABS64, R_BPF_64_ABS32, R_BPF_64_32 (measured)
                if relType != 1 && relType != 2 && relType != 3 && relType != 10 {
                    Log.warn("libbpf: ELF relo #\(r) in section #\(s.index) has unexpected type \(relType) in \(cChars: path)\n")
                    throw .EINVAL
                }
                if symIndex == 0 || symIndex >= symbols.count {
                    Log.warn("libbpf: ELF relo #\(r) in section #\(s.index) points to invalid symbol #\(symIndex) in \(cChars: path)\n")
                    throw .EINVAL
                }
            }
        }
    }

    /// Sets DATASEC sizes and VAR offsets from the ELF (the compiler leaves them 0);
    /// a DATASEC without an ELF section becomes an ephemeral section.
    func fixUpBTF() throws(BPFError) {
        guard let btf else { return }
        try btf.ensureModifiable()
        var id: UInt32 = 1
        while id < btf.typeCount {
            let t = btf.typeUnchecked(id)
            defer { id += 1 }
            if t.kind != BTFKind.dataSection { continue }
            guard let secName = btf.name(of: t) else { continue }
            let record = UnsafeMutableRawPointer(mutating: t)
            guard let si = section(named: secName), !sections[si].ephemeral else {
                if section(named: secName) == nil {
                    var shell = LinkerInputSection(index: 0, name: linkerName(secName), type: 0, flags: 0, link: 0, info: 0,
                                                   align: 0, entrySize: 0, size: 0, data: nil, role: .skipped)
                    shell.ephemeral = true
                    sections.append(shell)
                }
                record.storeBytes(of: UInt32(0), toByteOffset: 8, as: UInt32.self)
                continue
            }
            let s = sections[si]
            record.storeBytes(of: UInt32(truncatingIfNeeded: s.size), toByteOffset: 8, as: UInt32.self)
            for v in 0..<Int(t.vlen) {
                let entry = record + 12 + 12 * v
                let varID = entry.load(as: UInt32.self)
                guard let vt = btf.type(varID), vt.kind == BTFKind.variable else { continue }
                let linkage = UnsafeRawPointer(vt).load(fromByteOffset: 12, as: UInt32.self)
                if linkage == UInt32(BTF_VAR_GLOBAL_EXTERN) { continue }
                let varName = btf.name(of: vt)
                var found = false
                for sym in symbols where Int(sym.st_shndx) == s.index && (sym.st_info & 0xf) != UInt8(STT_SECTION) {
                    if let n = symbolName(sym), let varName, strcmp(n, varName) == 0 {
                        entry.storeBytes(of: UInt32(truncatingIfNeeded: sym.st_value), toByteOffset: 4, as: UInt32.self)
                        found = true
                        break
                    }
                }
                if !found {
                    Log.warn("libbpf: failed to find symbol for variable '\(cString: varName)' in section '\(cString: secName)'\n")
                    throw .ENOENT
                }
            }
        }
    }
}

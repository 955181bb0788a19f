import CBPF

/// One output section: ELF sections in creation order (their ELF index is their
/// position among non-ephemeral sections + 1), plus ephemeral ones that only
/// exist to carry a BTF DATASEC (.kconfig, .ksyms).
struct LinkerOutputSection {
    var name: LinkerName
    var elfIndex: Int          // 0 for ephemeral sections
    var nameOffset: UInt32
    var type: UInt32
    var flags: UInt64
    var link: UInt32 = 0
    var info: UInt32 = 0
    var align: UInt64
    var entrySize: UInt64
    var size: UInt64 = 0
    var bytes: [UInt8] = []
    var ephemeral = false
    /// The output symbol of type STT_SECTION, once an input had one.
    var sectionSymbol = 0
    /// Relocation section of this section (index into Linker.sections), or -1.
    var relocationSection = -1
    /// Whether an input described it with a DATASEC, and the VARs collected.
    var hasBTF = false
    var variables: [(type: UInt32, offset: UInt32, size: UInt32)] = []
    /// .BTF.ext records for this section, per kind: record size and raw records.
    var funcInfoSize: UInt32 = 0
    var funcInfo: [UInt8] = []
    var lineInfoSize: UInt32 = 0
    var lineInfo: [UInt8] = []
    var coreReloSize: UInt32 = 0
    var coreRelo: [UInt8] = []
}

/// A global (or weak, or extern) symbol, by name, across inputs.
struct LinkerGlobal {
    var name: LinkerName
    var symbol: Int
    var section: Int           // output section (index into sections), -1 for externs
    var isExtern: Bool
    var isWeak: Bool
    var btfID: UInt32 = 0
    /// 0: take the next input's type; < 0: an input type id to map; > 0: an output id.
    var underlying: Int64 = 0
    /// Index into the DATASEC variables of `section` once it has one, else -1.
    var variableIndex = -1
}

/// `struct bpf_linker`: the output being built.
public final class Linker {
    let path: LinkerName
    var fd: Int32
    public internal(set) var finalized = false
    var sections: [LinkerOutputSection] = []
    var symbols: [Elf64_Sym] = []
    var strings: BTFStringSet
    var globals: [LinkerGlobal] = []
    let btf: BTF
    var elfSectionCount = 3   // null, .strtab, .symtab

    init(path: LinkerName, fd: Int32, strings: BTFStringSet, btf: BTF) {
        self.path = path
        self.fd = fd
        self.strings = strings
        self.btf = btf
    }

    deinit {
        strings.free()
        if fd >= 0 { _ = close(fd) }
    }

    /// `bpf_linker__new`: creates (truncates) the output file at once.
    public static func create(path: UnsafePointer<CChar>) throws(BPFError) -> Linker {
        if elf_version(UInt32(EV_CURRENT)) == UInt32(EV_NONE) {
            Log.warn("libbpf: libelf initialization failed: \(cString: elf_errmsg(-1))\n")
            throw .EINVAL
        }
        let fd = sbpf_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to create '\(cString: path)': \(-error.code)\n")
            throw error
        }
        var empty: CChar = 0
        var set = try BTFStringSet(copying: &empty, count: 1)
        let btf: BTF
        do throws(BPFError) {
            _ = try set.add(".strtab")
            _ = try set.add(".symtab")
            btf = try BTF.empty(base: nil)
        } catch {
            set.free()
            _ = close(fd)
            throw error
        }
        let linker = Linker(path: linkerName(path), fd: fd, strings: set, btf: btf)
        linker.symbols.append(Elf64_Sym())
        return linker
    }

    func addString(_ name: LinkerName) throws(BPFError) -> UInt32 {
        var result: Int = -1
        var failure: BPFError? = nil
        name.withUnsafeBufferPointer { b in
            do throws(BPFError) { result = try strings.add(b.baseAddress!) } catch { failure = error }
        }
        if let failure { throw failure }
        return UInt32(result)
    }

    func addString(_ p: UnsafePointer<CChar>) throws(BPFError) -> UInt32 {
        UInt32(try strings.add(p))
    }

    func outputSection(named name: LinkerName) -> Int? {
        for (i, s) in sections.enumerated() where s.name == name { return i }
        return nil
    }

    func global(named p: UnsafePointer<CChar>) -> Int? {
        for (i, g) in globals.enumerated() where linkerNameEquals(g.name, p) { return i }
        return nil
    }

    // MARK: - add_file

    public func addFile(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        if finalized { throw .EINVAL }
        Log.debug("libbpf: linker: adding object file '\(cString: path)'...\n")
        let input = try LinkerInput.load(path: path)
        try appendSectionData(input)
        try appendSymbols(input)
        try appendRelocations(input)
        try appendBTF(input)
        try appendBTFExt(input)
    }

    // MARK: sections

    func appendSectionData(_ input: LinkerInput) throws(BPFError) {
        for i in 0..<input.sections.count {
            let src = input.sections[i]
            if src.role != .data { continue }
            var dstIndex = outputSection(named: src.name)
            if let d = dstIndex {
                let dst = sections[d]
                if dst.ephemeral {
                    // a DATASEC-only section (extern-only) gets its ELF section now
                    sections[d].ephemeral = false
                    sections[d].elfIndex = elfSectionCount
                    elfSectionCount += 1
                    sections[d].type = src.type
                    sections[d].flags = src.flags
                    sections[d].align = src.align
                    sections[d].entrySize = src.entrySize
                    sections[d].nameOffset = try addString(src.name)
                } else {
                    var compatible = true
                    if dst.type != src.type {
                        Log.debug("libbpf: sec \(cChars: src.name) types mismatch\n")
                        compatible = false
                    } else if dst.flags != src.flags {
                        Log.debug("libbpf: sec \(cChars: src.name) flags mismatch\n")
                        compatible = false
                    } else if dst.entrySize != src.entrySize {
                        Log.debug("libbpf: sec \(cChars: src.name) entsize mismatch\n")
                        compatible = false
                    }
                    if !compatible {
                        Log.warn("libbpf: sections \(cChars: src.name) are not compatible\n")
                        throw .EINVAL
                    }
                    // license and version are taken once; a second copy must be identical
                    if linkerNameIs(src.name, "license") || linkerNameIs(src.name, "version") {
                        var same = dst.size == src.size
                        if same, let data = src.data {
                            for k in 0..<Int(src.size) where dst.bytes[k] != data.load(fromByteOffset: k, as: UInt8.self) {
                                same = false
                                break
                            }
                        }
                        if !same {
                            Log.warn("libbpf: non-identical contents of section '\(cChars: src.name)' are not supported\n")
                            throw .EINVAL
                        }
                        input.sections[i].role = .skipped
                        continue
                    }
                }
            } else {
                let nameOffset = try addString(src.name)
                sections.append(LinkerOutputSection(name: src.name, elfIndex: elfSectionCount, nameOffset: nameOffset,
                                                    type: src.type, flags: src.flags, align: src.align,
                                                    entrySize: src.entrySize))
                elfSectionCount += 1
                dstIndex = sections.count - 1
            }
            let d = dstIndex!
            let align = max(src.align, 1)
            let offset = (sections[d].size + align - 1) / align * align
            if src.type != UInt32(SHT_NOBITS) {
                let pad = Int(offset - sections[d].size)
                if pad > 0 { sections[d].bytes.append(contentsOf: repeatElement(0, count: pad)) }
                if let data = src.data {
                    sections[d].bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: Int(src.size)))
                } else {
                    sections[d].bytes.append(contentsOf: repeatElement(0, count: Int(src.size)))
                }
            }
            sections[d].size = offset + src.size
            if src.align > sections[d].align { sections[d].align = src.align }
            input.sections[i].output = d
            input.sections[i].outputOffset = offset
        }
    }

    // MARK: symbols

    func appendSymbols(_ input: LinkerInput) throws(BPFError) {
        for i in 1..<max(input.symbols.count, 1) {
            try appendSymbol(input, i)
        }
    }

    /// The input's BTF VAR or FUNC (non-static) named like a global symbol.
    func findSymbolBTF(_ input: LinkerInput, _ name: UnsafePointer<CChar>) throws(BPFError) -> UInt32 {
        guard let btf = input.btf else { return 0 }
        var found: UInt32 = 0
        var id: UInt32 = 1
        while id < btf.typeCount {
            let t = btf.typeUnchecked(id)
            defer { id += 1 }
            let kind = t.kind
            if kind != BTFKind.variable && kind != BTFKind.function { continue }
            if linkerLinkage(t) == 0 { continue }  // static
            guard let n = btf.name(of: t), strcmp(n, name) == 0 else { continue }
            if found != 0 {
                Log.warn("libbpf: global/extern '\(cString: name)' BTF is ambiguous: both types #\(found) and #\(id) match\n")
                throw .EINVAL
            }
            found = id
        }
        if found == 0 {
            Log.warn("libbpf: failed to find BTF info for global/extern symbol '\(cString: name)'\n")
            throw .ENOENT
        }
        return found
    }

    func appendSymbol(_ input: LinkerInput, _ index: Int) throws(BPFError) {
        let sym = input.symbols[index]
        let bind = Int32(sym.st_info >> 4)
        let type = Int32(sym.st_info & 0xf)
        let visibility = sym.st_other & 0x3
        let isExtern = sym.st_shndx == UInt16(SHN_UNDEF)
        var srcSection: LinkerInputSection? = nil
        if !isExtern && sym.st_shndx < UInt16(SHN_LORESERVE) {
            guard let si = input.section(atELFIndex: Int(sym.st_shndx)) else { return }
            srcSection = input.sections[si]
            // symbols of skipped sections (debug info, a second license) are dropped
            if srcSection!.output < 0 { return }
        }
        if type == STT_SECTION {
            guard let src = srcSection else { return }
            let d = src.output
            if sections[d].sectionSymbol == 0 {
                var s = Elf64_Sym()
                s.st_info = UInt8(STB_LOCAL << 4) | UInt8(STT_SECTION)
                s.st_shndx = UInt16(sections[d].elfIndex)
                symbols.append(s)
                sections[d].sectionSymbol = symbols.count - 1
            }
            input.symbolMap[index] = sections[d].sectionSymbol
            return
        }
        guard let name = input.symbolName(sym) else {
            Log.warn("libbpf: can't fetch symbol name for symbol #\(index) in '\(cChars: input.path)'\n")
            throw .EINVAL
        }
        var btfID: UInt32 = 0
        if bind != STB_LOCAL {
            if isExtern && input.btf == nil {
                Log.warn("libbpf: externs without BTF info are not supported\n")
                throw .ENOTSUP
            }
            if input.btf != nil {
                btfID = try findSymbolBTF(input, name)
                if isExtern {
                    let kind = input.btf!.typeUnchecked(btfID).kind
                    if kind != BTFKind.variable && kind != BTFKind.function {
                        Log.warn("libbpf: only extern variables and functions are supported, but got '\(BTF.kindName(input.btf!.typeUnchecked(btfID)))' for '\(cString: name)'\n")
                        throw .ENOTSUP
                    }
                }
            }
            if let g = global(named: name) {
                input.symbolMap[index] = globals[g].symbol
                if !isExtern && !globals[g].isExtern && !globals[g].isWeak && bind != STB_WEAK {
                    Log.warn("libbpf: conflicting non-weak symbol #\(index) (\(cString: name)) definition in '\(cChars: input.path)'\n")
                    throw .EINVAL
                }
                if globals[g].btfID == 0 || btfID == 0 {
                    Log.warn("libbpf: BTF info is missing for global symbol '\(cString: name)'\n")
                    throw .EINVAL
                }
                if !LinkerTypeCheck(symbol: name, dst: btf, src: input.btf!).globalsMatch(globals[g].btfID, btfID) {
                    throw .EINVAL
                }
                let dst = globals[g].symbol
                if bind == STB_GLOBAL {
                    symbols[dst].st_info = (UInt8(STB_GLOBAL) << 4) | (symbols[dst].st_info & 0xf)
                    globals[g].isWeak = false
                }
                if visibility > (symbols[dst].st_other & 0x3) {
                    symbols[dst].st_other = (symbols[dst].st_other & ~0x3) | visibility
                }
                if isExtern { return }
                if !globals[g].isExtern && bind == STB_WEAK { return }
                // a definition replaces the extern or weak one
                let src = srcSection
                symbols[dst].st_info = (symbols[dst].st_info & 0xf0) | UInt8(type)
                symbols[dst].st_shndx = src.map { UInt16(sections[$0.output].elfIndex) } ?? sym.st_shndx
                symbols[dst].st_value = (src?.outputOffset ?? 0) + sym.st_value
                symbols[dst].st_size = sym.st_size
                globals[g].section = src?.output ?? -1
                globals[g].isExtern = false
                // the output's VAR/FUNC takes the definition's linkage and type
                let dt = UnsafeMutableRawPointer(mutating: btf.typeUnchecked(globals[g].btfID))
                let st = input.btf!.typeUnchecked(btfID)
                if st.kind == BTFKind.function {
                    let info = dt.load(fromByteOffset: 4, as: UInt32.self)
                    dt.storeBytes(of: (info & ~0xffff) | (st.pointee.info & 0xffff), toByteOffset: 4, as: UInt32.self)
                    // an extern's prototype lacks parameter names: take the definition's
                    let dstProto = dt.load(fromByteOffset: 8, as: UInt32.self)
                    if let dp = btf.type(dstProto), dp.kind == BTFKind.functionPrototype,
                       let sp = input.btf!.type(st.sizeOrType), sp.kind == BTFKind.functionPrototype, sp.vlen == dp.vlen {
                        for k in 0..<Int(sp.vlen) {
                            var nameOffset: UInt32 = 0
                            if let n = input.btf!.string(at: sp.word(2 * k)), n[0] != 0 { nameOffset = try btf.addString(n) }
                            let record = UnsafeMutableRawPointer(mutating: btf.typeUnchecked(dstProto))
                            record.storeBytes(of: nameOffset, toByteOffset: 12 + 8 * k, as: UInt32.self)
                        }
                    }
                } else if st.kind == BTFKind.variable {
                    dt.storeBytes(of: linkerLinkage(st), toByteOffset: 12, as: UInt32.self)
                }
                globals[g].underlying = 0
                return
            }
        }
        var s = sym
        s.st_name = try addString(name)
        if isExtern, btfID != 0, let btfSrc = input.btf, let secName = linkerDataSection(of: btfID, in: btfSrc),
           let si = input.section(named: secName) {
            // an extern VAR of a DATASEC (an extern map) points at that section when the input has it
            let src = input.sections[si]
            if !src.ephemeral && src.output >= 0 { s.st_shndx = UInt16(sections[src.output].elfIndex) }
        }
        if let src = srcSection {
            s.st_shndx = UInt16(sections[src.output].elfIndex)
            s.st_value = src.outputOffset + sym.st_value
        }
        symbols.append(s)
        input.symbolMap[index] = symbols.count - 1
        if bind != STB_LOCAL {
            globals.append(LinkerGlobal(name: linkerName(name), symbol: symbols.count - 1, section: srcSection?.output ?? -1,
                                        isExtern: isExtern, isWeak: bind == STB_WEAK))
        }
    }

    // MARK: relocations

    func appendRelocations(_ input: LinkerInput) throws(BPFError) {
        for src in input.sections where src.role == .relocations {
            let ti = input.section(atELFIndex: Int(src.info))!
            let target = input.sections[ti]
            if target.output < 0 { continue }
            let d = target.output
            var r = sections[d].relocationSection
            if r < 0 {
                var name: LinkerName = Array(".rel".utf8CString.dropLast())
                name.append(contentsOf: sections[d].name)
                let nameOffset = try addString(name)
                var out = LinkerOutputSection(name: name, elfIndex: elfSectionCount, nameOffset: nameOffset,
                                              type: UInt32(SHT_REL), flags: src.flags, align: src.align,
                                              entrySize: src.entrySize)
                out.link = 2
                out.info = UInt32(sections[d].elfIndex)
                sections.append(out)
                elfSectionCount += 1
                r = sections.count - 1
                sections[d].relocationSection = r
            }
            let size = MemoryLayout<Elf64_Rel>.size
            let count = Int(src.size) / size
            for k in 0..<count {
                var rel = src.data!.loadUnaligned(fromByteOffset: k * size, as: Elf64_Rel.self)
                let symIndex = Int(rel.r_info >> 32)
                let relType = rel.r_info & 0xffff_ffff
                let mapped = input.symbolMap[symIndex]
                rel.r_offset &+= target.outputOffset
                rel.r_info = (UInt64(mapped) << 32) | relType
                let srcSym = input.symbols[symIndex]
                if Int32(srcSym.st_info & 0xf) == STT_SECTION {
                    if target.flags & UInt64(SHF_EXECINSTR) != 0 {
                        // a section symbol of no kept section (SHN_ABS, ...): refused without a message, like the reference
                        guard let referencedIndex = input.section(atELFIndex: Int(srcSym.st_shndx)) else { throw .EINVAL }
                        let referenced = input.sections[referencedIndex]
                        // an instruction outside the section: refused rather than read out of bounds
                        guard rel.r_offset <= UInt64(sections[d].bytes.count), sections[d].bytes.count - Int(rel.r_offset) >= 8 else {
                            Log.warn("libbpf: ELF relo #\(k) in section #\(src.index) points outside its section in \(cChars: input.path)\n")
                            throw .EINVAL
                        }
                        let at = Int(rel.r_offset)
                        let code = sections[d].bytes[at]
                        var imm = sections[d].bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at + 4, as: Int32.self) }
                        if code == UInt8(BPF_JMP | BPF_CALL) {
                            imm &+= Int32(truncatingIfNeeded: referenced.outputOffset / 8)
                        } else {
                            imm &+= Int32(truncatingIfNeeded: referenced.outputOffset)
                        }
                        sections[d].bytes.withUnsafeMutableBytes { $0.storeBytes(of: imm, toByteOffset: at + 4, as: Int32.self) }
                    } else {
                        Log.warn("libbpf: relocation against STT_SECTION in non-exec section is not supported!\n")
                        throw .EINVAL
                    }
                }
                withUnsafeBytes(of: rel) { sections[r].bytes.append(contentsOf: $0) }
                sections[r].size += UInt64(size)
            }
        }
    }

    // MARK: BTF

    func appendBTF(_ input: LinkerInput) throws(BPFError) {
        guard let src = input.btf else { return }
        let count = src.typeCount
        input.typeMap = [UInt32](repeating: 0, count: Int(count))
        let firstNew = btf.typeCount
        var id: UInt32 = 1
        while id < count {
            let t = src.typeUnchecked(id)
            defer { id += 1 }
            if t.kind == BTFKind.dataSection { continue }
            var g: Int? = nil
            if (t.kind == BTFKind.variable || t.kind == BTFKind.function) && linkerLinkage(t) != 0 {
                guard let n = src.name(of: t), let found = global(named: n) else { continue }
                g = found
                if globals[found].underlying == 0 { globals[found].underlying = -Int64(t.sizeOrType) }
                if globals[found].btfID != 0 {
                    input.typeMap[Int(id)] = globals[found].btfID
                    continue
                }
            }
            let newID: UInt32
            do throws(BPFError) {
                newID = try btf.addType(from: src, t)
            } catch {
                Log.warn("libbpf: failed to append BTF type #\(id) from file '\(cChars: input.path)'\n")
                throw error
            }
            input.typeMap[Int(id)] = newID
            if let g {
                globals[g].btfID = newID
                globals[g].underlying = -Int64(t.sizeOrType)
            }
        }
        // type ids inside the appended types
        var fields: [Int] = []
        var newID = firstNew
        while newID < btf.typeCount {
            let record = UnsafeMutableRawPointer(mutating: btf.typeUnchecked(newID))
            BTF.typeFieldOffsets(of: UnsafeRawPointer(record), into: &fields)
            for f in fields {
                let old = record.load(fromByteOffset: f, as: UInt32.self)
                if old == 0 { continue }
                let mapped = Int(old) < input.typeMap.count ? input.typeMap[Int(old)] : 0
                if mapped == 0 {
                    Log.warn("libbpf: failed to find new ID mapping for original BTF type ID \(old)\n")
                    throw .EINVAL
                }
                record.storeBytes(of: mapped, toByteOffset: f, as: UInt32.self)
            }
            newID += 1
        }
        // VAR/FUNC types of globals follow their (possibly new) definition
        for g in 0..<globals.count where globals[g].underlying != 0 && globals[g].btfID != 0 {
            if globals[g].underlying < 0 {
                let old = Int(-globals[g].underlying)
                globals[g].underlying = Int64(old < input.typeMap.count ? input.typeMap[old] : 0)
            }
            let record = UnsafeMutableRawPointer(mutating: btf.typeUnchecked(globals[g].btfID))
            record.storeBytes(of: UInt32(truncatingIfNeeded: globals[g].underlying), toByteOffset: 8, as: UInt32.self)
        }
        // DATASEC variables, at their offsets in the output sections
        id = 1
        while id < count {
            let t = src.typeUnchecked(id)
            defer { id += 1 }
            if t.kind != BTFKind.dataSection { continue }
            guard let secName = src.name(of: t), let si = input.section(named: secName) else { continue }
            let srcSec = input.sections[si]
            var d: Int
            if srcSec.ephemeral {
                if let existing = outputSection(named: srcSec.name) {
                    d = existing
                } else {
                    sections.append(LinkerOutputSection(name: srcSec.name, elfIndex: 0, nameOffset: 0, type: 0, flags: 0,
                                                        align: 0, entrySize: 0, ephemeral: true))
                    d = sections.count - 1
                }
            } else {
                if srcSec.output < 0 { continue }
                d = srcSec.output
            }
            sections[d].hasBTF = true
            for v in 0..<Int(t.vlen) {
                let srcVar = t.word(3 * v)
                let offset = t.word(3 * v + 1)
                let size = t.word(3 * v + 2)
                // a variable id outside the input's BTF: refused without a message, like the reference
                guard Int(srcVar) < input.typeMap.count else { throw .EINVAL }
                let mapped = input.typeMap[Int(srcVar)]
                var g: Int? = nil
                if let vt = btf.type(mapped), (vt.kind == BTFKind.variable || vt.kind == BTFKind.function), linkerLinkage(vt) != 0,
                   let n = btf.name(of: vt) {
                    g = global(named: n)
                    if let g, globals[g].variableIndex >= 0 { continue }
                }
                sections[d].variables.append((mapped, offset &+ UInt32(truncatingIfNeeded: srcSec.outputOffset), size))
                if let g { globals[g].variableIndex = sections[d].variables.count - 1 }
            }
        }
    }

    // MARK: .BTF.ext

    func appendBTFExt(_ input: LinkerInput) throws(BPFError) {
        guard let ext = input.btfExt, let src = input.btf else { return }
        func target(_ nameOffset: UInt32) throws(BPFError) -> (Int, UInt64) {
            let name = src.string(at: nameOffset)
            guard let name, let si = input.section(named: name), input.sections[si].output >= 0 else {
                Log.warn("libbpf: can't find section '\(cString: name)' referenced from .BTF.ext\n")
                throw .EINVAL
            }
            return (input.sections[si].output, input.sections[si].outputOffset)
        }
        func checkSize(_ have: inout UInt32, _ size: UInt32, _ d: Int) throws(BPFError) {
            if have == 0 { have = size } else if have != size {
                Log.warn("libbpf: incompatible .BTF.ext record sizes for section '\(cChars: sections[d].name)'\n")
                throw .EINVAL
            }
        }
        let raw = UnsafeRawPointer(ext.data.base!)
        func copyString(_ offset: UInt32) throws(BPFError) -> UInt32 {
            guard let s = src.string(at: offset) else { throw .EINVAL }
            return try btf.addString(s)
        }
        func mapType(_ id: UInt32) -> UInt32 { Int(id) < input.typeMap.count ? input.typeMap[Int(id)] : 0 }
        let fsize = Int(ext.functionInfo.recordSize)
        for sec in ext.functionInfo.sections {
            let (d, off) = try target(sec.nameOffset)
            try checkSize(&sections[d].funcInfoSize, UInt32(fsize), d)
            for k in 0..<sec.records.count {
                var rec = Array(UnsafeRawBufferPointer(start: raw + Int(sec.recordsOffset) + k * fsize, count: fsize))
                rec.withUnsafeMutableBytes { b in
                    b.storeBytes(of: b.load(as: UInt32.self) &+ UInt32(truncatingIfNeeded: off), as: UInt32.self)
                    b.storeBytes(of: mapType(b.load(fromByteOffset: 4, as: UInt32.self)), toByteOffset: 4, as: UInt32.self)
                }
                sections[d].funcInfo.append(contentsOf: rec)
            }
        }
        let lsize = Int(ext.lineInfo.recordSize)
        for sec in ext.lineInfo.sections {
            let (d, off) = try target(sec.nameOffset)
            try checkSize(&sections[d].lineInfoSize, UInt32(lsize), d)
            for k in 0..<sec.records.count {
                var rec = Array(UnsafeRawBufferPointer(start: raw + Int(sec.recordsOffset) + k * lsize, count: lsize))
                let file = try copyString(rec.withUnsafeBytes { $0.load(fromByteOffset: 4, as: UInt32.self) })
                let line = try copyString(rec.withUnsafeBytes { $0.load(fromByteOffset: 8, as: UInt32.self) })
                rec.withUnsafeMutableBytes { b in
                    b.storeBytes(of: b.load(as: UInt32.self) &+ UInt32(truncatingIfNeeded: off), as: UInt32.self)
                    b.storeBytes(of: file, toByteOffset: 4, as: UInt32.self)
                    b.storeBytes(of: line, toByteOffset: 8, as: UInt32.self)
                }
                sections[d].lineInfo.append(contentsOf: rec)
            }
        }
        let csize = Int(ext.coreRelocations.recordSize)
        for sec in ext.coreRelocations.sections {
            let (d, off) = try target(sec.nameOffset)
            try checkSize(&sections[d].coreReloSize, UInt32(csize), d)
            for k in 0..<sec.records.count {
                var rec = Array(UnsafeRawBufferPointer(start: raw + Int(sec.recordsOffset) + k * csize, count: csize))
                let access = try copyString(rec.withUnsafeBytes { $0.load(fromByteOffset: 8, as: UInt32.self) })
                rec.withUnsafeMutableBytes { b in
                    b.storeBytes(of: b.load(as: UInt32.self) &+ UInt32(truncatingIfNeeded: off), as: UInt32.self)
                    b.storeBytes(of: mapType(b.load(fromByteOffset: 4, as: UInt32.self)), toByteOffset: 4, as: UInt32.self)
                    b.storeBytes(of: access, toByteOffset: 8, as: UInt32.self)
                }
                sections[d].coreRelo.append(contentsOf: rec)
            }
        }
    }
}

/// A VAR's linkage or a FUNC's (vlen bits); 0 is static.
func linkerLinkage(_ t: UnsafePointer<btf_type>) -> UInt32 {
    if t.kind == BTFKind.variable { return UnsafeRawPointer(t).load(fromByteOffset: 12, as: UInt32.self) }
    return t.vlen
}

/// The name of the DATASEC listing VAR `id`, if any.
func linkerDataSection(of id: UInt32, in btf: BTF) -> UnsafePointer<CChar>? {
    var i: UInt32 = 1
    while i < btf.typeCount {
        let t = btf.typeUnchecked(i)
        i += 1
        if t.kind != BTFKind.dataSection { continue }
        for v in 0..<Int(t.vlen) where t.word(3 * v) == id { return btf.name(of: t) }
    }
    return nil
}

import CBPF

/// `enum reloc_type`: what an instruction refers to, resolved at load.
public enum RelocationType: UInt8, Comparable {
    case ld64 = 0          // a BTF-defined map
    case call = 1          // a bpf-to-bpf call of a .text function
    case data = 2          // global data (an internal map plus an offset)
    case externVariable = 3
    case externFunction = 4
    case subprogramAddress = 5  // a callback: the address of a .text function
    case core = 6

    public static func < (a: RelocationType, b: RelocationType) -> Bool { a.rawValue < b.rawValue }
}

/// One relocation of a program (`struct reloc_desc`). `instructionIndex` is in
/// the program's own frame; `symbolOffset` holds the extern index for externs,
/// as in the reference. Stored as 32-bit ints like the reference's (16 bytes a
/// relocation: objects have tens of thousands).
public struct Relocation {
    public var type: RelocationType
    var storedInstructionIndex: Int32
    var storedMapIndex: Int32
    var storedSymbolOffset: Int32

    public init(type: RelocationType, instructionIndex: Int, mapIndex: Int = 0, symbolOffset: Int = 0) {
        self.type = type
        storedInstructionIndex = Int32(truncatingIfNeeded: instructionIndex)
        storedMapIndex = Int32(truncatingIfNeeded: mapIndex)
        storedSymbolOffset = Int32(truncatingIfNeeded: symbolOffset)
    }

    public var instructionIndex: Int {
        get { Int(storedInstructionIndex) }
        set { storedInstructionIndex = Int32(truncatingIfNeeded: newValue) }
    }
    public var mapIndex: Int {
        get { Int(storedMapIndex) }
        set { storedMapIndex = Int32(truncatingIfNeeded: newValue) }
    }
    public var symbolOffset: Int {
        get { Int(storedSymbolOffset) }
        set { storedSymbolOffset = Int32(truncatingIfNeeded: newValue) }
    }
}

/// The entries of a relocation section, read from libelf's data while the ELF
/// file is open (the object keeps no copy of them).
struct RelocationEntries {
    let base: UnsafeRawPointer?
    /// The data size libelf reported, and the bytes actually present.
    let size: Int
    let available: Int

    init(_ elf: ELFFile, _ index: Int, _ section: ObjectSection) {
        let data = elf.section(at: index).flatMap { elf_getdata($0, nil) }
        base = data.flatMap { UnsafeRawPointer($0.pointee.d_buf) }
        size = section.size
        available = base == nil ? 0 : (data?.pointee.d_size ?? 0)
    }

    /// The i-th Elf64_Rel, nil past the data.
    subscript(i: Int) -> Elf64_Rel? {
        let entry = MemoryLayout<Elf64_Rel>.size
        guard let base, i < size / entry, (i + 1) * entry <= available else { return nil }
        return base.loadUnaligned(fromByteOffset: i * entry, as: Elf64_Rel.self)
    }
}

extension BPFObject {
    /// `bpf_object__collect_relos`: every recorded relocation section, by target:
    /// `.struct_ops`, `.maps` (initial slots) or program code.
    func collectRelocations(_ elf: ELFFile) throws(BPFError) {
        var lookup = MapLookup()
        for i in 0..<sections.count where sections[i].kind == .relocations {
            let target = Int(sections[i].header.sh_info)
            let entries = RelocationEntries(elf, sections[i].index, sections[i])
            if target == structOpsSectionIndex {
                try collectStructOpsRelocations(elf, sections[i], entries)
            } else if target == mapsSectionIndex {
                try collectMapRelocations(elf, sections[i], entries)
            } else {
                if lookup.dataMapBySection.isEmpty { lookup = MapLookup(self) }
                try collectProgramRelocations(elf, sections[i], entries, lookup)
            }
        }
        for program in programs where program.relocations.count > 1 {
            // cmp_relocs: by instruction, then type (stable insertion sort); the
            // compiler's order usually is that already.
            var sorted = true
            program.relocations.withUnsafeBufferPointer { r in
                for k in 1..<r.count where r[k].instructionIndex < r[k - 1].instructionIndex
                    || (r[k].instructionIndex == r[k - 1].instructionIndex && r[k].type < r[k - 1].type) {
                    sorted = false
                    break
                }
            }
            if sorted { continue }
            var relocations = program.relocations
            program.relocations = []  // unique: sorted in place
            var i = 1
            while i < relocations.count {
                let item = relocations[i]
                var j = i
                while j > 0 && (item.instructionIndex < relocations[j - 1].instructionIndex
                    || (item.instructionIndex == relocations[j - 1].instructionIndex && item.type < relocations[j - 1].type)) {
                    relocations[j] = relocations[j - 1]
                    j -= 1
                }
                relocations[j] = item
                i += 1
            }
            program.relocations = relocations
        }
    }

    func symbolIfPresent(_ index: Int) -> Elf64_Sym? { index < symbolCount ? symbol(index) : nil }

    /// `find_prog_by_sec_insn`: binary search over programs sorted by section and
    /// offset, then a containment check.
    func program(section: Int, instruction: Int) -> BPFProgram? {
        if programs.isEmpty { return nil }
        var l = 0
        var r = programs.count - 1
        while l < r {
            let m = l + (r - l + 1) / 2
            let p = programs[m]
            if p.sectionIndex < section || (p.sectionIndex == section && p.sectionInstructionOffset <= instruction) {
                l = m
            } else {
                r = m - 1
            }
        }
        let p = programs[l]
        if p.sectionIndex == section && instruction >= p.sectionInstructionOffset
            && instruction < p.sectionInstructionOffset + p.sectionInstructionCount { return p }
        return nil
    }

    static func cString(_ s: UnsafePointer<CChar>?) -> RawName { RawName(s) }

    /// `bpf_object__collect_prog_relos`.
    func collectProgramRelocations(_ elf: ELFFile, _ relocationSection: ObjectSection, _ entries: RelocationEntries,
                                   _ lookup: MapLookup) throws(BPFError) {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        let sh = relocationSection.header
        let sectionIndex = Int(sh.sh_info)
        if sectionIndex >= elfSectionCount { throw .EINVAL }
        let scn = elf.section(at: sectionIndex)
        let targetData = scn.flatMap { elf_getdata($0, nil) }
        guard let relocationName = elf.string(table: elf.sectionNamesIndex, offset: sh.sh_name),
              let targetName = elf.sectionName(at: sectionIndex) else { throw .EINVAL }
        debugLog("libbpf: sec '\(cString: relocationName)': collecting relocation for section(\(sectionIndex)) '\(cString: targetName)'\n")
        let count = sh.sh_entsize == 0 ? 0 : Int(sh.sh_size / sh.sh_entsize)
        // Consecutive relocations usually belong to one program: they are gathered
        // in `run` and appended to it together (fewer reallocations).
        var run: [Relocation] = []
        run.reserveCapacity(min(count, entries.available / MemoryLayout<Elf64_Rel>.size))
        var runProgram: BPFProgram? = nil
        func flush() {
            guard let program = runProgram, !run.isEmpty else { return }
            if program.relocations.isEmpty { program.relocations.reserveCapacity(run.count) }
            program.relocations.append(contentsOf: run)
            run.removeAll(keepingCapacity: true)
        }
        defer { flush() }
        for i in 0..<count {
            guard let rel = entries[i] else {
                Log.warn("libbpf: sec '\(cString: relocationName)': failed to get relo #\(i)\n")
                throw format
            }
            let symbolIndex = Int(rel.r_info >> 32)
            guard let sym = symbolIfPresent(symbolIndex) else {
                Log.warn("libbpf: sec '\(cString: relocationName)': symbol #\(symbolIndex) not found for relo #\(i)\n")
                throw format
            }
            if Int(sym.st_shndx) >= elfSectionCount {
                Log.warn("libbpf: sec '\(cString: relocationName)': corrupted symbol #\(symbolIndex) pointing to invalid section #\(sym.st_shndx) for relo #\(i)\n")
                throw format
            }
            if rel.r_offset % 8 != 0 || rel.r_offset >= UInt64(targetData?.pointee.d_size ?? 0) {
                Log.warn("libbpf: sec '\(cString: relocationName)': invalid offset 0x\(hexString(UInt(rel.r_offset))) for relo #\(i)\n")
                throw format
            }
            var instruction = Int(rel.r_offset / 8)
            // Relocations against static functions name their section's symbol.
            var symbolName: UnsafePointer<CChar>?
            if sym.st_info & 0xf == UInt8(STT_SECTION) && sym.st_name == 0 {
                symbolName = elf.sectionName(at: Int(sym.st_shndx))
            } else {
                symbolName = elf.loggedString(table: stringTableIndex, offset: sym.st_name)
            }
            debugLog("libbpf: sec '\(cString: relocationName)': relo #\(i): insn #\(instruction) against '\(symbolName, orElse: "<?")'\n")  // sic: "<?"
            // find_prog_by_sec_insn, answered by the previous relocation's program
            // when it is the one the search would find.
            var found: BPFProgram? = nil
            if let last = runProgram, instruction >= last.sectionInstructionOffset,
               instruction < last.sectionInstructionOffset + last.sectionInstructionCount,
               last.index + 1 == programs.count || programs[last.index + 1].sectionIndex != sectionIndex
                || programs[last.index + 1].sectionInstructionOffset > instruction {
                found = last
            } else {
                found = program(section: sectionIndex, instruction: instruction)
            }
            guard let program = found else {
                debugLog("libbpf: sec '\(cString: relocationName)': relo #\(i): couldn't find program in section '\(cString: targetName)' for insn #\(instruction), probably overridden weak function, skipping...\n")
                continue
            }
            instruction -= program.sectionInstructionOffset
            let relocation = try recordRelocation(elf, program, instruction: instruction, symbolName: symbolName, sym, rel, lookup)
            if program !== runProgram {
                flush()
                runProgram = program
            }
            run.append(relocation)
        }
    }

    /// `bpf_program__record_reloc`: classifies one relocation of a program.
    func recordRelocation(_ elf: ELFFile, _ program: BPFProgram, instruction: Int, symbolName: UnsafePointer<CChar>?,
                          _ sym: Elf64_Sym, _ rel: Elf64_Rel, _ lookup: MapLookup) throws(BPFError) -> Relocation {
        let relocError = BPFError(Int32(LIBBPF_ERRNO__RELOC.rawValue))
        let insn = program.instructions[instruction]
        let programName = program.name
        let isCall = insn.code == UInt8(BPF_JMP | BPF_CALL)
        let isLoad64 = insn.code == UInt8(BPF_LD | BPF_IMM | BPF_DW)
        let sectionIndex = Int(sym.st_shndx)
        if !isCall && !isLoad64 {
            Log.warn("libbpf: prog '\(cString: programName)': invalid relo against '\(symbolName, orElse: "<?")' for insns[\(instruction)].code 0x\(hexString(UInt(insn.code)))\n")
            throw relocError
        }
        if BPFObject.isExtern(sym) {
            let symbolIndex = Int(rel.r_info >> 32)
            guard let index = externs.firstIndex(where: { $0.symbolIndex == symbolIndex }) else {
                Log.warn("libbpf: prog '\(cString: programName)': extern relo failed to find extern for '\(symbolName, orElse: "<?")' (\(symbolIndex))\n")
                throw relocError
            }
            debugLog("libbpf: prog '\(cString: programName)': found extern #\(index) '\(externs[index].logName)' (sym \(externs[index].symbolIndex)) for insn #\(instruction)\n")
            return Relocation(type: isCall ? .externFunction : .externVariable, instructionIndex: instruction, symbolOffset: index)
        }
        if isCall {
            if insn.src_reg != UInt8(BPF_PSEUDO_CALL) {
                Log.warn("libbpf: prog '\(cString: programName)': incorrect bpf_call opcode\n")
                throw relocError
            }
            if sectionIndex == 0 || sectionIndex != textSectionIndex {
                Log.warn("libbpf: prog '\(cString: programName)': bad call relo against '\(symbolName, orElse: "<?")' in section '\(BPFObject.cString(elf.sectionName(at: sectionIndex)))'\n")
                throw relocError
            }
            if sym.st_value % 8 != 0 {
                Log.warn("libbpf: prog '\(cString: programName)': bad call relo against '\(symbolName, orElse: "<?")' at offset \(sym.st_value)\n")
                throw relocError
            }
            return Relocation(type: .call, instructionIndex: instruction, symbolOffset: Int(Int32(truncatingIfNeeded: sym.st_value)))  // an int in the reference
        }
        if sectionIndex == 0 || sectionIndex >= Int(SHN_LORESERVE) {
            Log.warn("libbpf: prog '\(cString: programName)': invalid relo against '\(symbolName, orElse: "<?")' in special section 0x\(hexString(UInt(sectionIndex))); forgot to initialize global var?..\n")
            throw relocError
        }
        if isSubprogram(sym) {
            // global function: st_value is its offset, imm 0; static: st_value 0, imm its offset.
            if sym.st_value % 8 != 0 || insn.imm % 8 != 0 {
                Log.warn("libbpf: prog '\(cString: programName)': bad subprog addr relo against '\(symbolName, orElse: "<?")' at offset \(sym.st_value)+\(insn.imm)\n")
                throw relocError
            }
            return Relocation(type: .subprogramAddress, instructionIndex: instruction, symbolOffset: Int(Int32(truncatingIfNeeded: sym.st_value)))  // an int in the reference
        }
        let kind = internalMapKind(ofSection: sectionIndex)
        if kind == .none {
            if sectionIndex != mapsSectionIndex {
                Log.warn("libbpf: prog '\(cString: programName)': bad map relo against '\(symbolName, orElse: "<?")' in section '\(cString: elf.sectionName(at: sectionIndex))'\n")
                throw relocError
            }
            if let index = lookup.btfMap(self, at: sym.st_value) {
                let map = maps[index]
                debugLog("libbpf: prog '\(cString: programName)': found map \(index) (\(RawName(map.name)), sec \(map.sectionIndex), off \(map.sectionOffset)) for insn #\(instruction)\n")
                return Relocation(type: .ld64, instructionIndex: instruction, mapIndex: index, symbolOffset: 0)
            }
            Log.warn("libbpf: prog '\(cString: programName)': map relo failed to find map for section '\(cString: elf.sectionName(at: sectionIndex))', off \(sym.st_value)\n")
            throw relocError
        }
        let sectionKind = sectionKind(sectionIndex)
        if sectionKind != .data && sectionKind != .rodata && sectionKind != .bss {
            Log.warn("libbpf: prog '\(cString: programName)': bad data relo against section '\(cString: elf.sectionName(at: sectionIndex))'\n")
            throw relocError
        }
        if lookup.dataMapBySection[sectionIndex] >= 0 {
            let index = lookup.dataMapBySection[sectionIndex]
            let map = maps[index]
            debugLog("libbpf: prog '\(cString: programName)': found data map \(index) (\(RawName(map.name)), sec \(map.sectionIndex), off \(map.sectionOffset)) for insn \(instruction)\n")
            return Relocation(type: .data, instructionIndex: instruction, mapIndex: index, symbolOffset: Int(Int32(truncatingIfNeeded: sym.st_value)))  // an int in the reference
        }
        Log.warn("libbpf: prog '\(cString: programName)': data relo failed to find map for section '\(cString: elf.sectionName(at: sectionIndex))'\n")
        throw relocError
    }

    /// `sym_is_subprog`: a .text section symbol (static function) or global function.
    func isSubprogram(_ sym: Elf64_Sym) -> Bool {
        if Int(sym.st_shndx) != textSectionIndex { return false }
        let binding = sym.st_info >> 4
        let type = sym.st_info & 0xf
        if binding == UInt8(STB_LOCAL) && type == UInt8(STT_SECTION) { return true }
        return binding == UInt8(STB_GLOBAL) && type == UInt8(STT_FUNC)
    }

    /// `bpf_object__section_to_libbpf_map_type`.
    func internalMapKind(ofSection index: Int) -> InternalMapKind {
        if index == symbolsSectionIndex { return .kconfig }
        switch sectionKind(index) {
        case .bss: return .bss
        case .data: return .data
        case .rodata: return .rodata
        default: return .none
        }
    }

    /// `bpf_object__collect_map_relos`: `.values` initialisers of map-in-maps
    /// (other maps) and program arrays (entry-point programs).
    func collectMapRelocations(_ elf: ELFFile, _ relocationSection: ObjectSection, _ entries: RelocationEntries) throws(BPFError) {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        let relocError = BPFError(Int32(LIBBPF_ERRNO__RELOC.rawValue))
        guard mapsSectionBTFID != 0, let btf, let section = btf.type(mapsSectionBTFID) else { throw .EINVAL }
        let sh = relocationSection.header
        let count = sh.sh_entsize == 0 ? 0 : Int(sh.sh_size / sh.sh_entsize)
        for i in 0..<count {
            guard let rel = entries[i] else {
                Log.warn("libbpf: .maps relo #\(i): failed to get ELF relo\n")
                throw format
            }
            let symbolIndex = Int(rel.r_info >> 32)
            guard let sym = symbolIfPresent(symbolIndex) else {
                Log.warn("libbpf: .maps relo #\(i): symbol \(hexString(UInt(symbolIndex))) not found\n")
                throw format
            }
            let symbolName = elf.loggedString(table: stringTableIndex, offset: sym.st_name)
            let name = symbolName.map { RawName($0) } ?? "<?>"
            debugLog("libbpf: .maps relo #\(i): for \(symbolIndex) value \(Int(bitPattern: UInt(sym.st_value))) rel->r_offset \(rel.r_offset) name \(sym.st_name) ('\(name)')\n")

            var found: BPFMap? = nil
            var varInfo = (type: UInt32(0), offset: UInt32(0), size: UInt32(0))
            for map in maps where map.sectionIndex == mapsSectionIndex {
                let v = Int(map.btfVarIndex)
                varInfo = (section.word(3 * v), section.word(3 * v + 1), section.word(3 * v + 2))
                // u64 arithmetic as the reference's: an r_offset near 2^64 wraps
                if UInt64(varInfo.offset) <= rel.r_offset && rel.r_offset &+ 8 <= UInt64(varInfo.offset) + UInt64(varInfo.size) {
                    found = map
                    break
                }
            }
            guard let map = found else {
                Log.warn("libbpf: .maps relo #\(i): cannot find map '\(name)' at rel->r_offset \(rel.r_offset)\n")
                throw .EINVAL
            }
            let isMapInMap = map.isMapInMap
            let isProgArray = map.type == BPF_MAP_TYPE_PROG_ARRAY.rawValue
            var slot = MapInitSlot.empty
            if isMapInMap {
                if Int(sym.st_shndx) != mapsSectionIndex {
                    Log.warn("libbpf: .maps relo #\(i): '\(name)' isn't a BTF-defined map\n")
                    throw relocError
                }
                if map.type == BPF_MAP_TYPE_HASH_OF_MAPS.rawValue && map.keySize != 4 {
                    Log.warn("libbpf: .maps relo #\(i): hash-of-maps '\(RawName(map.name))' should have key size 4.\n")
                    throw .EINVAL
                }
                guard let symbolName, let target = self.map(named: symbolName), let index = index(of: target) else {
                    Log.warn("libbpf: .maps relo #\(i): '\(name)' isn't a valid map reference\n")
                    throw .ESRCH
                }
                slot = .map(index)
            } else if isProgArray {
                guard let symbolName, let target = program(named: symbolName) else {
                    Log.warn("libbpf: .maps relo #\(i): '\(name)' isn't a valid program reference\n")
                    throw .ESRCH
                }
                if target.sectionIndex != Int(sym.st_shndx) || UInt64(target.sectionInstructionOffset * 8) != sym.st_value
                    || target.isSubprogram {
                    Log.warn("libbpf: .maps relo #\(i): '\(name)' isn't an entry-point program\n")
                    throw relocError
                }
                slot = .program(target.index)
            } else {
                throw .EINVAL
            }
            guard let variable = btf.type(varInfo.type), let def = btf.skipModifiersAndTypedefs(variable.sizeOrType).type else {
                throw .EINVAL
            }
            let members = Int(def.vlen)
            if members == 0 { throw .EINVAL }
            guard let memberName = btf.string(at: def.word(3 * (members - 1))), strcmp(memberName, "values") == 0 else {
                throw .EINVAL
            }
            let rawOffset = def.word(3 * (members - 1) + 2)
            let bitOffset = def.kindFlag ? rawOffset & 0xffffff : rawOffset
            var memberOffset = UInt64(bitOffset / 8)
            if rel.r_offset - UInt64(varInfo.offset) < memberOffset { throw .EINVAL }
            memberOffset = rel.r_offset - UInt64(varInfo.offset) - memberOffset
            if memberOffset % 8 != 0 { throw .EINVAL }
            let slotIndex = Int(memberOffset / 8)
            while map.initSlots.count <= slotIndex { map.initSlots.append(.empty) }
            map.initSlots[slotIndex] = slot
            debugLog("libbpf: .maps relo #\(i): map '\(RawName(map.name))' slot [\(slotIndex)] points to \(isMapInMap ? "map" : "prog") '\(name)'\n")
        }
    }

    /// `bpf_object__collect_st_ops_relos`: the programs a struct_ops variable's
    /// function pointers name; each program gets the struct's type id as its
    /// attach BTF id and the member index as its expected attach type.
    func collectStructOpsRelocations(_ elf: ELFFile, _ relocationSection: ObjectSection, _ entries: RelocationEntries) throws(BPFError) {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        let relocError = BPFError(Int32(LIBBPF_ERRNO__RELOC.rawValue))
        let sh = relocationSection.header
        let count = sh.sh_entsize == 0 ? 0 : Int(sh.sh_size / sh.sh_entsize)
        for i in 0..<count {
            guard let rel = entries[i] else {
                Log.warn("libbpf: struct_ops reloc: failed to get \(i) reloc\n")
                throw format
            }
            let symbolIndex = Int(rel.r_info >> 32)
            guard let sym = symbolIfPresent(symbolIndex) else {
                Log.warn("libbpf: struct_ops reloc: symbol \(hexString(UInt(symbolIndex))) not found\n")
                throw format
            }
            let name = elf.loggedString(table: stringTableIndex, offset: sym.st_name).map { RawName($0) } ?? "<?>"
            var found: BPFMap? = nil
            for map in maps where map.isStructOps {
                if UInt64(map.sectionOffset) <= rel.r_offset && rel.r_offset - UInt64(map.sectionOffset) < UInt64(map.valueSize) {
                    found = map
                    break
                }
            }
            guard let map = found, let btf, let info = map.structOps else {
                Log.warn("libbpf: struct_ops reloc: cannot find map at rel->r_offset \(rel.r_offset)\n")
                throw .EINVAL
            }
            let mapName = RawName(map.name)
            let memberOffset = UInt32(truncatingIfNeeded: rel.r_offset - UInt64(map.sectionOffset))
            let sectionIndex = UInt32(sym.st_shndx)
            debugLog("libbpf: struct_ops reloc \(mapName): for \(Int64(bitPattern: rel.r_info >> 32)) value \(Int64(bitPattern: sym.st_value)) shdr_idx \(sectionIndex) rel->r_offset \(rel.r_offset) map->sec_offset \(map.sectionOffset) name \(sym.st_name) ('\(name)')\n")
            if sectionIndex >= UInt32(SHN_LORESERVE) {
                Log.warn("libbpf: struct_ops reloc \(mapName): rel->r_offset \(rel.r_offset) shdr_idx \(sectionIndex) unsupported non-static function\n")
                throw relocError
            }
            if sym.st_value % 8 != 0 {
                Log.warn("libbpf: struct_ops reloc \(mapName): invalid target program offset \(sym.st_value)\n")
                throw format
            }
            let instruction = Int(sym.st_value / 8)
            let type = btf.type(info.typeID)!
            var memberIndex = -1
            for m in 0..<Int(type.vlen) {
                let raw = type.word(3 * m + 2)
                let bitOffset = type.kindFlag ? raw & 0xffffff : raw
                if bitOffset == memberOffset &* 8 {
                    memberIndex = m
                    break
                }
            }
            if memberIndex < 0 {
                Log.warn("libbpf: struct_ops reloc \(mapName): cannot find member at moff \(memberOffset)\n")
                throw .EINVAL
            }
            let memberName = btf.nameString(type.word(3 * memberIndex))
            if !isFunctionPointer(btf, type.word(3 * memberIndex + 1)) {
                Log.warn("libbpf: struct_ops reloc \(mapName): cannot relocate non func ptr \(memberName)\n")
                throw .EINVAL
            }
            guard let program = program(section: Int(sectionIndex), instruction: instruction) else {
                Log.warn("libbpf: struct_ops reloc \(mapName): cannot find prog at shdr_idx \(sectionIndex) to relocate func ptr \(memberName)\n")
                throw .EINVAL
            }
            if program.type != BPF_PROG_TYPE_STRUCT_OPS.rawValue {
                Log.warn("libbpf: struct_ops reloc \(mapName): prog \(RawName(program.name)) is not struct_ops BPF program\n")
                throw .EINVAL
            }
            if program.attachBTFID == 0 {
                program.attachBTFID = info.typeID
                program.expectedAttachType = UInt32(memberIndex)
            }
            if program.attachBTFID != info.typeID || program.expectedAttachType != UInt32(memberIndex) {
                Log.warn("libbpf: struct_ops reloc \(mapName): cannot use prog \(RawName(program.name)) in sec \(RawName(program.sectionName)) with type \(program.type) attach_btf_id \(program.attachBTFID) expected_attach_type \(program.expectedAttachType) for func ptr \(memberName)\n")
                throw .EINVAL
            }
            map.structOps!.programs[memberIndex] = program.index
        }
    }

    /// `resolve_func_ptr` != NULL: a pointer (through modifiers/typedefs) to a FUNC_PROTO.
    func isFunctionPointer(_ btf: BTF, _ id: UInt32) -> Bool {
        guard let t = btf.skipModifiersAndTypedefs(id).type, t.kind == BTFKind.pointer else { return false }
        return btf.skipModifiersAndTypedefs(t.sizeOrType).type?.kind == BTFKind.functionPrototype
    }
}

/// Which map a relocation names, found without scanning every map per relocation:
/// the first internal map of each data section (and the .kconfig map under the
/// symbol table's index), and the first BTF-defined map at a `.maps` offset, by
/// binary search over the BTF-defined maps (first in `maps`, in DATASEC order,
/// which BTF finalisation sorted by offset; a linear scan when they are not in
/// order), as the reference's linear scans find them.
struct MapLookup {
    /// By ELF section index: an index in `maps`, or -1.
    var dataMapBySection: [Int] = []
    /// maps[0..<btfMapCount] are the BTF-defined maps of `.maps`.
    var btfMapCount = 0
    var btfMapsSorted = true

    init() {}

    init(_ object: BPFObject) {
        dataMapBySection = [Int](repeating: -1, count: object.elfSectionCount)
        let maps = object.maps
        while btfMapCount < maps.count && maps[btfMapCount].kind == .none
                && maps[btfMapCount].sectionIndex == object.mapsSectionIndex && object.mapsSectionIndex >= 0 {
            if btfMapCount > 0 && maps[btfMapCount].sectionOffset < maps[btfMapCount - 1].sectionOffset { btfMapsSorted = false }
            btfMapCount += 1
        }
        for (index, map) in maps.enumerated() where map.kind != .none {
            if map.sectionIndex >= 0 && map.sectionIndex < dataMapBySection.count
                && dataMapBySection[map.sectionIndex] < 0
                && object.internalMapKind(ofSection: map.sectionIndex) == map.kind {
                dataMapBySection[map.sectionIndex] = index
            }
        }
    }

    /// The first map of `.maps` at `offset` (kind none, in the `.maps` section).
    func btfMap(_ object: BPFObject, at offset: UInt64) -> Int? {
        let maps = object.maps
        if btfMapsSorted {
            var l = 0
            var r = btfMapCount
            while l < r {
                let m = (l + r) / 2
                if UInt64(maps[m].sectionOffset) < offset { l = m + 1 } else { r = m }
            }
            if l < btfMapCount && UInt64(maps[l].sectionOffset) == offset { return l }
        }
        // Out of order (or another map of that section elsewhere): the reference's scan.
        for (index, map) in maps.enumerated() {
            if map.kind != .none || map.sectionIndex != object.mapsSectionIndex || UInt64(map.sectionOffset) != offset { continue }
            return index
        }
        return nil
    }
}

extension LogText.Interpolation {
    /// A C string as raw bytes, or `fallback` for NULL.
    mutating func appendInterpolation(_ s: UnsafePointer<CChar>?, orElse fallback: StaticString) {
        if let s { appendInterpolation(cString: s) } else { appendLiteral(fallback) }
    }
}

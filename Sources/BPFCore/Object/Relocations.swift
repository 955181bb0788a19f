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
/// as in the reference.
public struct Relocation {
    public var type: RelocationType
    public var instructionIndex: Int
    public var mapIndex: Int = 0
    public var symbolOffset: Int = 0
}

extension BPFObject {
    /// `bpf_object__collect_relos`: every recorded relocation section, by target:
    /// `.struct_ops`, `.maps` (initial slots) or program code.
    func collectRelocations(_ elf: ELFFile) throws(BPFError) {
        for i in 0..<sections.count where sections[i].kind == .relocations {
            let target = Int(sections[i].header.sh_info)
            if target == structOpsSectionIndex {
                try collectStructOpsRelocations(elf, sections[i])
            } else if target == mapsSectionIndex {
                try collectMapRelocations(elf, sections[i])
            } else {
                try collectProgramRelocations(elf, sections[i])
            }
        }
        for program in programs where program.relocations.count > 1 {
            // cmp_relocs: by instruction, then type (stable insertion sort).
            var relocations = program.relocations
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

    /// The i-th Elf64_Rel of a recorded relocation section, nil past its end.
    static func relocation(_ section: ObjectSection, _ i: Int) -> Elf64_Rel? {
        let size = MemoryLayout<Elf64_Rel>.size
        if i >= section.size / size || (i + 1) * size > section.data.count { return nil }
        return section.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * size, as: Elf64_Rel.self) }
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

    static func cString(_ s: UnsafePointer<CChar>?) -> String { s.map { String(cString: $0) } ?? "(null)" }

    /// `bpf_object__collect_prog_relos`.
    func collectProgramRelocations(_ elf: ELFFile, _ relocationSection: ObjectSection) throws(BPFError) {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        let sh = relocationSection.header
        let sectionIndex = Int(sh.sh_info)
        if sectionIndex >= sections.count { throw .EINVAL }
        let scn = elf.section(at: sectionIndex)
        let targetData = scn.flatMap { elf_getdata($0, nil) }
        guard let relocationName = elf.string(table: elf.sectionNamesIndex, offset: sh.sh_name),
              let targetName = elf.sectionName(at: sectionIndex) else { throw .EINVAL }
        let relocationSectionName = String(cString: relocationName)
        let sectionName = String(cString: targetName)
        Log.debug("libbpf: sec '\(relocationSectionName)': collecting relocation for section(\(sectionIndex)) '\(sectionName)'\n")
        let count = sh.sh_entsize == 0 ? 0 : Int(sh.sh_size / sh.sh_entsize)
        for i in 0..<count {
            guard let rel = BPFObject.relocation(relocationSection, i) else {
                Log.warn("libbpf: sec '\(relocationSectionName)': failed to get relo #\(i)\n")
                throw format
            }
            let symbolIndex = Int(rel.r_info >> 32)
            guard let sym = symbolIfPresent(symbolIndex) else {
                Log.warn("libbpf: sec '\(relocationSectionName)': symbol #\(symbolIndex) not found for relo #\(i)\n")
                throw format
            }
            if Int(sym.st_shndx) >= sections.count {
                Log.warn("libbpf: sec '\(relocationSectionName)': corrupted symbol #\(symbolIndex) pointing to invalid section #\(sym.st_shndx) for relo #\(i)\n")
                throw format
            }
            if rel.r_offset % 8 != 0 || rel.r_offset >= UInt64(targetData?.pointee.d_size ?? 0) {
                Log.warn("libbpf: sec '\(relocationSectionName)': invalid offset 0x\(hexString(UInt(rel.r_offset))) for relo #\(i)\n")
                throw format
            }
            var instruction = Int(rel.r_offset / 8)
            // Relocations against static functions name their section's symbol.
            var symbolName: UnsafePointer<CChar>?
            if sym.st_info & 0xf == UInt8(STT_SECTION) && sym.st_name == 0 {
                symbolName = elf.sectionName(at: Int(sym.st_shndx))
            } else {
                symbolName = elf.string(table: stringTableIndex, offset: sym.st_name)
            }
            let name = symbolName.map { String(cString: $0) } ?? "<?"
            Log.debug("libbpf: sec '\(relocationSectionName)': relo #\(i): insn #\(instruction) against '\(name)'\n")
            guard let program = program(section: sectionIndex, instruction: instruction) else {
                Log.debug("libbpf: sec '\(relocationSectionName)': relo #\(i): couldn't find program in section '\(sectionName)' for insn #\(instruction), probably overridden weak function, skipping...\n")
                continue
            }
            instruction -= program.sectionInstructionOffset
            let relocation = try recordRelocation(elf, program, instruction: instruction, symbolName: name, sym, rel)
            program.relocations.append(relocation)
        }
    }

    /// `bpf_program__record_reloc`: classifies one relocation of a program.
    func recordRelocation(_ elf: ELFFile, _ program: BPFProgram, instruction: Int, symbolName: String,
                          _ sym: Elf64_Sym, _ rel: Elf64_Rel) throws(BPFError) -> Relocation {
        let relocError = BPFError(Int32(LIBBPF_ERRNO__RELOC.rawValue))
        let insn = program.instructions[instruction]
        let programName = String(cString: program.name)
        let isCall = insn.code == UInt8(BPF_JMP | BPF_CALL)
        let isLoad64 = insn.code == UInt8(BPF_LD | BPF_IMM | BPF_DW)
        let sectionIndex = Int(sym.st_shndx)
        if !isCall && !isLoad64 {
            Log.warn("libbpf: prog '\(programName)': invalid relo against '\(symbolName)' for insns[\(instruction)].code 0x\(hexString(UInt(insn.code)))\n")
            throw relocError
        }
        if BPFObject.isExtern(sym) {
            let symbolIndex = Int(rel.r_info >> 32)
            guard let index = externs.firstIndex(where: { $0.symbolIndex == symbolIndex }) else {
                Log.warn("libbpf: prog '\(programName)': extern relo failed to find extern for '\(symbolName)' (\(symbolIndex))\n")
                throw relocError
            }
            Log.debug("libbpf: prog '\(programName)': found extern #\(index) '\(externs[index].nameString)' (sym \(externs[index].symbolIndex)) for insn #\(instruction)\n")
            return Relocation(type: isCall ? .externFunction : .externVariable, instructionIndex: instruction, symbolOffset: index)
        }
        if isCall {
            if insn.src_reg != UInt8(BPF_PSEUDO_CALL) {
                Log.warn("libbpf: prog '\(programName)': incorrect bpf_call opcode\n")
                throw relocError
            }
            if sectionIndex == 0 || sectionIndex != textSectionIndex {
                Log.warn("libbpf: prog '\(programName)': bad call relo against '\(symbolName)' in section '\(BPFObject.cString(elf.sectionName(at: sectionIndex)))'\n")
                throw relocError
            }
            if sym.st_value % 8 != 0 {
                Log.warn("libbpf: prog '\(programName)': bad call relo against '\(symbolName)' at offset \(sym.st_value)\n")
                throw relocError
            }
            return Relocation(type: .call, instructionIndex: instruction, symbolOffset: Int(sym.st_value))
        }
        if sectionIndex == 0 || sectionIndex >= Int(SHN_LORESERVE) {
            Log.warn("libbpf: prog '\(programName)': invalid relo against '\(symbolName)' in special section 0x\(hexString(UInt(sectionIndex))); forgot to initialize global var?..\n")
            throw relocError
        }
        if isSubprogram(sym) {
            // global function: st_value is its offset, imm 0; static: st_value 0, imm its offset.
            if sym.st_value % 8 != 0 || insn.imm % 8 != 0 {
                Log.warn("libbpf: prog '\(programName)': bad subprog addr relo against '\(symbolName)' at offset \(sym.st_value)+\(insn.imm)\n")
                throw relocError
            }
            return Relocation(type: .subprogramAddress, instructionIndex: instruction, symbolOffset: Int(sym.st_value))
        }
        let kind = internalMapKind(ofSection: sectionIndex)
        let sectionName = BPFObject.cString(elf.sectionName(at: sectionIndex))
        if kind == .none {
            if sectionIndex != mapsSectionIndex {
                Log.warn("libbpf: prog '\(programName)': bad map relo against '\(symbolName)' in section '\(sectionName)'\n")
                throw relocError
            }
            for (index, map) in maps.enumerated() {
                if map.kind != kind || map.sectionIndex != sectionIndex || UInt64(map.sectionOffset) != sym.st_value { continue }
                Log.debug("libbpf: prog '\(programName)': found map \(index) (\(String(cString: map.name)), sec \(map.sectionIndex), off \(map.sectionOffset)) for insn #\(instruction)\n")
                return Relocation(type: .ld64, instructionIndex: instruction, mapIndex: index, symbolOffset: 0)
            }
            Log.warn("libbpf: prog '\(programName)': map relo failed to find map for section '\(sectionName)', off \(sym.st_value)\n")
            throw relocError
        }
        let sectionKind = sections[sectionIndex].kind
        if sectionKind != .data && sectionKind != .rodata && sectionKind != .bss {
            Log.warn("libbpf: prog '\(programName)': bad data relo against section '\(sectionName)'\n")
            throw relocError
        }
        for (index, map) in maps.enumerated() {
            if map.kind != kind || map.sectionIndex != sectionIndex { continue }
            Log.debug("libbpf: prog '\(programName)': found data map \(index) (\(String(cString: map.name)), sec \(map.sectionIndex), off \(map.sectionOffset)) for insn \(instruction)\n")
            return Relocation(type: .data, instructionIndex: instruction, mapIndex: index, symbolOffset: Int(sym.st_value))
        }
        Log.warn("libbpf: prog '\(programName)': data relo failed to find map for section '\(sectionName)'\n")
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
        switch sections[index].kind {
        case .bss: return .bss
        case .data: return .data
        case .rodata: return .rodata
        default: return .none
        }
    }

    /// `bpf_object__collect_map_relos`: `.values` initialisers of map-in-maps
    /// (other maps) and program arrays (entry-point programs).
    func collectMapRelocations(_ elf: ELFFile, _ relocationSection: ObjectSection) throws(BPFError) {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        let relocError = BPFError(Int32(LIBBPF_ERRNO__RELOC.rawValue))
        guard mapsSectionBTFID != 0, let btf, let section = btf.type(mapsSectionBTFID) else { throw .EINVAL }
        let sh = relocationSection.header
        let count = sh.sh_entsize == 0 ? 0 : Int(sh.sh_size / sh.sh_entsize)
        for i in 0..<count {
            guard let rel = BPFObject.relocation(relocationSection, i) else {
                Log.warn("libbpf: .maps relo #\(i): failed to get ELF relo\n")
                throw format
            }
            let symbolIndex = Int(rel.r_info >> 32)
            guard let sym = symbolIfPresent(symbolIndex) else {
                Log.warn("libbpf: .maps relo #\(i): symbol \(hexString(UInt(symbolIndex))) not found\n")
                throw format
            }
            let symbolName = elf.string(table: stringTableIndex, offset: sym.st_name)
            let name = symbolName.map { String(cString: $0) } ?? "<?>"
            Log.debug("libbpf: .maps relo #\(i): for \(symbolIndex) value \(Int(bitPattern: UInt(sym.st_value))) rel->r_offset \(rel.r_offset) name \(sym.st_name) ('\(name)')\n")

            var found: BPFMap? = nil
            var varInfo = (type: UInt32(0), offset: UInt32(0), size: UInt32(0))
            for map in maps where map.sectionIndex == mapsSectionIndex {
                let v = Int(map.btfVarIndex)
                varInfo = (section.word(3 * v), section.word(3 * v + 1), section.word(3 * v + 2))
                if UInt64(varInfo.offset) <= rel.r_offset && rel.r_offset + 8 <= UInt64(varInfo.offset) + UInt64(varInfo.size) {
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
                    Log.warn("libbpf: .maps relo #\(i): hash-of-maps '\(String(cString: map.name))' should have key size 4.\n")
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
            Log.debug("libbpf: .maps relo #\(i): map '\(String(cString: map.name))' slot [\(slotIndex)] points to \(isMapInMap ? "map" : "prog") '\(name)'\n")
        }
    }

    /// `bpf_object__collect_st_ops_relos`: the programs a struct_ops variable's
    /// function pointers name; each program gets the struct's type id as its
    /// attach BTF id and the member index as its expected attach type.
    func collectStructOpsRelocations(_ elf: ELFFile, _ relocationSection: ObjectSection) throws(BPFError) {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        let relocError = BPFError(Int32(LIBBPF_ERRNO__RELOC.rawValue))
        let sh = relocationSection.header
        let count = sh.sh_entsize == 0 ? 0 : Int(sh.sh_size / sh.sh_entsize)
        for i in 0..<count {
            guard let rel = BPFObject.relocation(relocationSection, i) else {
                Log.warn("libbpf: struct_ops reloc: failed to get \(i) reloc\n")
                throw format
            }
            let symbolIndex = Int(rel.r_info >> 32)
            guard let sym = symbolIfPresent(symbolIndex) else {
                Log.warn("libbpf: struct_ops reloc: symbol \(hexString(UInt(symbolIndex))) not found\n")
                throw format
            }
            let name = elf.string(table: stringTableIndex, offset: sym.st_name).map { String(cString: $0) } ?? "<?>"
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
            let mapName = String(cString: map.name)
            let memberOffset = UInt32(truncatingIfNeeded: rel.r_offset - UInt64(map.sectionOffset))
            let sectionIndex = UInt32(sym.st_shndx)
            Log.debug("libbpf: struct_ops reloc \(mapName): for \(Int64(bitPattern: rel.r_info >> 32)) value \(Int64(bitPattern: sym.st_value)) shdr_idx \(sectionIndex) rel->r_offset \(rel.r_offset) map->sec_offset \(map.sectionOffset) name \(sym.st_name) ('\(name)')\n")
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
                Log.warn("libbpf: struct_ops reloc \(mapName): prog \(String(cString: program.name)) is not struct_ops BPF program\n")
                throw .EINVAL
            }
            if program.attachBTFID == 0 {
                program.attachBTFID = info.typeID
                program.expectedAttachType = UInt32(memberIndex)
            }
            if program.attachBTFID != info.typeID || program.expectedAttachType != UInt32(memberIndex) {
                Log.warn("libbpf: struct_ops reloc \(mapName): cannot use prog \(String(cString: program.name)) in sec \(String(cString: program.sectionName)) with type \(program.type) attach_btf_id \(program.attachBTFID) expected_attach_type \(program.expectedAttachType) for func ptr \(memberName)\n")
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

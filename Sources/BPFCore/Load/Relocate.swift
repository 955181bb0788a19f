import CBPF

// `bpf_object__relocate`: CO-RE first (CORE/*), then every loadable program is
// linked with the `.text` subprograms it calls (appended in first-call order,
// depth first, with their func/line info and relocations), and finally map,
// global data and extern references are written into the linked code.

/// `BPF_PSEUDO_*` values of ld_imm64/call instructions.
enum PseudoSource {
    static let mapFD: UInt8 = 1        // BPF_PSEUDO_MAP_FD
    static let mapValue: UInt8 = 2     // BPF_PSEUDO_MAP_VALUE
    static let btfID: UInt8 = 3        // BPF_PSEUDO_BTF_ID
    static let function: UInt8 = 4     // BPF_PSEUDO_FUNC
    static let call: UInt8 = 1         // BPF_PSEUDO_CALL
    static let kfuncCall: UInt8 = 2    // BPF_PSEUDO_KFUNC_CALL
}

/// What an unused map's ld_imm64 becomes: calls to helper 2001000000 + map index,
/// which the verifier rejects only if the code is reachable.
let mapLoadPoisonBase: Int32 = 2_001_000_000

extension bpf_insn {
    var isLoadImm64: Bool { code == UInt8(BPF_LD | BPF_IMM | BPF_DW) }
    /// `insn_is_subprog_call`.
    var isSubprogramCall: Bool {
        code == UInt8(BPF_JMP | BPF_CALL | BPF_K) && src_reg == PseudoSource.call && dst_reg == 0 && off == 0
    }
    /// `insn_is_pseudo_func`.
    var isPseudoFunction: Bool { isLoadImm64 && src_reg == PseudoSource.function }
    /// `insn_is_helper_call`: the helper id, if this calls one.
    var helperCall: Int32? {
        code == UInt8(BPF_JMP | BPF_CALL | BPF_K) && src_reg == 0 && dst_reg == 0 ? imm : nil
    }
}

extension BPFObject {
    func relocate(targetBTFPath: UnsafePointer<CChar>?) throws(BPFError) {
        if let btfExt {
            do throws(BPFError) {
                // gen_loader: CO-RE records go to the kernel (GenLoader/GenLoader.swift)
                if let gen = genLoader { try collectCORERecords(gen) } else {
                try relocateCORE(btfExt, targetBTFPath: targetBTFPath)
                }
            } catch {
                Log.warn("libbpf: failed to perform CO-RE relocations: -\(error.code)\n")
                throw error
            }
        }
        // Callback references (ld_imm64 of a subprogram) are marked first, so
        // linking recognises them.
        for program in programs {
            for relocation in program.relocations where relocation.type == .subprogramAddress {
                program.instructions[relocation.instructionIndex].src_reg = PseudoSource.function
            }
        }
        for program in programs where !program.isSubprogram && program.autoload {
            do throws(BPFError) {
                try linkSubprograms(into: program)
            } catch {
                Log.warn("libbpf: prog '\(cString: program.name)': failed to relocate calls: -\(error.code)\n")
                throw error
            }
        }
        for program in programs where !program.isSubprogram && program.autoload {
            do throws(BPFError) {
                // gen_loader: maps by fd_array index (GenLoader/GenLoader.swift)
                if genLoader != nil { try relocateDataGenerating(program) } else {
                try relocateData(program)
                }
            } catch {
                Log.warn("libbpf: prog '\(cString: program.name)': failed to relocate data references: -\(error.code)\n")
                throw error
            }
        }
    }

    /// `bpf_object__relocate_core`'s setup: a custom target BTF (the open option,
    /// else the load argument) replaces the kernel's when given.
    func relocateCORE(_ ext: BTFExt, targetBTFPath: UnsafePointer<CChar>?) throws(BPFError) {
        if ext.coreRelocations.isEmpty { return }
        var target: BTF? = nil
        let path: [CChar]? = btfCustomPath ?? targetBTFPath.map(cStringArray)
        if let path {
            do throws(BPFError) {
                target = try path.withUnsafeBufferPointer { (p) throws(BPFError) -> BTF in
                    try BTF.parseFile(p.baseAddress!, base: nil, wantExtension: false).0
                }
            } catch {
                Log.warn("libbpf: failed to parse target BTF: -\(error.code)\n")
                throw error
            }
        }
        try applyCORERelocations(targetBTF: target)
    }

    /// `bpf_object__relocate_calls`: links `program` with its subprograms.
    func linkSubprograms(into program: BPFProgram) throws(BPFError) {
        for subprogram in programs where subprogram.isSubprogram { subprogram.subprogramOffset = 0 }
        program.funcInfo = nil
        program.lineInfo = nil
        try relocateCode(main: program, program)
    }

    /// `bpf_object__reloc_code`: for each call (or callback reference) in
    /// `program`'s part of `main`, appends the target subprogram on first use and
    /// points the instruction at its place in `main`.
    func relocateCode(main: BPFProgram, _ program: BPFProgram) throws(BPFError) {
        try relocateFunctionAndLineInfo(main: main, program)
        let relocError = BPFError(Int32(LIBBPF_ERRNO__RELOC.rawValue))
        var index = 0
        while index < program.sectionInstructionCount {
            defer { index += 1 }
            let position = program.subprogramOffset + index
            if position >= main.instructions.count { break }
            var insn = main.instructions[position]
            if !insn.isSubprogramCall && !insn.isPseudoFunction { continue }
            let relocation = program.relocation(at: index)
            if let relocation, relocation.type == .externFunction { continue }  // a kfunc: relocateData
            if let relocation, relocation.type != .call && relocation.type != .subprogramAddress {
                Log.warn("libbpf: prog '\(cString: program.name)': unexpected relo for insn #\(index), type \(relocation.type.rawValue)\n")
                throw relocError
            }
            let target: Int
            if let relocation {
                // A call's imm counts from the next instruction; a callback's is a byte offset.
                if relocation.type == .call {
                    target = relocation.symbolOffset / 8 + Int(insn.imm) + 1
                } else {
                    target = (relocation.symbolOffset + Int(insn.imm)) / 8
                }
            } else if insn.isPseudoFunction {
                Log.warn("libbpf: prog '\(cString: program.name)': missing subprog addr relo for insn #\(index)\n")
                throw relocError
            } else {
                // A static function of the same section: no relocation, imm is relative.
                target = program.sectionInstructionOffset + index + Int(insn.imm) + 1
            }
            guard let subprogram = self.program(section: textSectionIndex, instruction: target) else {
                Log.warn("libbpf: prog '\(cString: program.name)': no .text section found yet sub-program call exists\n")
                throw relocError
            }
            if subprogram.subprogramOffset == 0 {
                appendSubprogram(subprogram, to: main)
                try relocateCode(main: main, subprogram)
            }
            insn = main.instructions[position]
            insn.imm = Int32(truncatingIfNeeded: subprogram.subprogramOffset - position - 1)
            main.instructions[position] = insn
            Log.debug("libbpf: prog '\(cString: program.name)': insn #\(index) relocated, imm \(insn.imm) points to subprog '\(cString: subprogram.name)' (now at \(subprogram.subprogramOffset) offset)\n")
        }
    }

    /// `bpf_object__append_subprog_code`: the subprogram's code and relocations
    /// at the end of `main`.
    func appendSubprogram(_ subprogram: BPFProgram, to main: BPFProgram) {
        subprogram.subprogramOffset = main.instructions.count
        main.instructions.append(contentsOf: subprogram.instructions)
        Log.debug("libbpf: prog '\(cString: main.name)': added \(subprogram.instructions.count) insns from sub-prog '\(cString: subprogram.name)'\n")
        genLoader?.noteAppended(subprogram, to: main)  // gen_loader: CO-RE records follow
        if main === subprogram { return }
        for var relocation in subprogram.relocations {
            relocation.instructionIndex += subprogram.subprogramOffset
            main.relocations.append(relocation)
        }
    }

    /// `reloc_prog_func_and_line_info`: `program`'s `.BTF.ext` func and line
    /// records appended to `main`'s, at their linked positions. Func info is
    /// given up for the whole program when the main program has none; a
    /// subprogram without any after its main program had some is an error.
    func relocateFunctionAndLineInfo(main: BPFProgram, _ program: BPFProgram) throws(BPFError) {
        guard let ext = btfExt, KernelFeatures.supports(.btfFunction) else { return }
        if main === program || main.funcInfo != nil {
            var records = main.funcInfo
            var recordSize = main.funcInfoRecordSize
            let error = adjustExtensionInfo(program, ext, ext.functionInfo, &records, &recordSize)
            main.funcInfo = records
            main.funcInfoRecordSize = recordSize
            if let error {
                if error != .ENOENT {
                    Log.warn("libbpf: prog '\(cString: program.name)': error relocating .BTF.ext function info: -\(error.code)\n")
                    throw error
                }
                if main.funcInfo != nil {
                    Log.warn("libbpf: prog '\(cString: program.name)': missing .BTF.ext function info.\n")
                    throw error
                }
                Log.warn("libbpf: prog '\(cString: program.name)': missing .BTF.ext function info for the main program, skipping all of .BTF.ext func info.\n")
            }
        }
        if main !== program && main.lineInfo == nil { return }
        var records = main.lineInfo
        var recordSize = main.lineInfoRecordSize
        let error = adjustExtensionInfo(program, ext, ext.lineInfo, &records, &recordSize)
        main.lineInfo = records
        main.lineInfoRecordSize = recordSize
        if let error {
            if error != .ENOENT {
                Log.warn("libbpf: prog '\(cString: program.name)': error relocating .BTF.ext line info: -\(error.code)\n")
                throw error
            }
            if main.lineInfo != nil {
                Log.warn("libbpf: prog '\(cString: program.name)': missing .BTF.ext line info.\n")
                throw error
            }
            Log.warn("libbpf: prog '\(cString: program.name)': missing .BTF.ext line info for the main program, skipping all of .BTF.ext line info.\n")
        }
    }

    /// `adjust_prog_btf_ext_info`: copies the records of `program`'s instructions
    /// from its section's block, converting byte offsets in the section into
    /// instruction indices in the linked program. ENOENT when there are none.
    func adjustExtensionInfo<Record: BTFExtRecord>(_ program: BPFProgram, _ ext: BTFExt, _ info: BTFExtInfo<Record>,
                                                   _ records: inout [UInt8]?, _ recordSize: inout UInt32) -> BPFError? {
        let size = Int(info.recordSize)
        guard let base = ext.data.base, size > 0 else { return .ENOENT }
        for section in info.sections {
            guard let name = btf?.string(at: section.nameOffset), extensionSection(name, matches: program) else { continue }
            var first = -1
            var end = -1
            for i in 0..<section.records.count {
                let offset = Int(UnsafeRawPointer(base).loadUnaligned(fromByteOffset: Int(section.recordsOffset) + i * size,
                                                                        as: UInt32.self)) / 8
                if offset < program.sectionInstructionOffset { continue }
                if offset >= program.sectionInstructionOffset + program.sectionInstructionCount { break }
                if first < 0 { first = i }
                end = i + 1
            }
            if first < 0 { return .ENOENT }
            var out = records ?? []
            let oldCount = out.count
            let start = UnsafeRawPointer(base) + Int(section.recordsOffset) + first * size
            out.append(contentsOf: UnsafeRawBufferPointer(start: start, count: (end - first) * size))
            let adjustment = program.subprogramOffset - program.sectionInstructionOffset
            var p = oldCount
            while p < out.count {
                let byteOffset = out.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: p, as: UInt32.self) }
                let adjusted = UInt32(truncatingIfNeeded: Int(byteOffset / 8) + adjustment)
                out.withUnsafeMutableBytes { $0.storeBytes(of: adjusted, toByteOffset: p, as: UInt32.self) }
                p += size
            }
            records = out
            recordSize = info.recordSize
            return nil
        }
        return .ENOENT
    }

    /// Whether a `.BTF.ext` block (keyed by ELF section name, "?" included)
    /// describes `program`'s section.
    func extensionSection(_ name: UnsafePointer<CChar>, matches program: BPFProgram) -> Bool {
        if program.sectionNameHadQuestionMark {
            return name[0] == CChar(UInt8(ascii: "?")) && strcmp(name + 1, program.sectionName) == 0
        }
        return strcmp(name, program.sectionName) == 0
    }

    /// `bpf_object__relocate_data`: map fds, global data addresses and extern
    /// values written into the linked program.
    func relocateData(_ program: BPFProgram) throws(BPFError) {
        for (i, relocation) in program.relocations.enumerated() {
            let at = relocation.instructionIndex
            if at >= program.instructions.count { continue }
            switch relocation.type {
            case .ld64:
                let map = maps[relocation.mapIndex]
                if map.autocreate {
                    program.instructions[at].src_reg = PseudoSource.mapFD
                    program.instructions[at].imm = map.fd
                } else {
                    poisonMapLoad(program, relocationIndex: i, at: at, mapIndex: relocation.mapIndex)
                }
            case .data:
                let map = maps[relocation.mapIndex]
                program.instructions[at + 1].imm = program.instructions[at].imm &+ Int32(truncatingIfNeeded: relocation.symbolOffset)
                if map.autocreate {
                    program.instructions[at].src_reg = PseudoSource.mapValue
                    program.instructions[at].imm = map.fd
                } else {
                    poisonMapLoad(program, relocationIndex: i, at: at, mapIndex: relocation.mapIndex)
                }
            case .externVariable:
                let ext = externs[relocation.symbolOffset]
                if ext.kind == .kconfig {
                    program.instructions[at].src_reg = PseudoSource.mapValue
                    program.instructions[at].imm = kconfigMapIndex >= 0 ? maps[kconfigMapIndex].fd : -1
                    program.instructions[at + 1].imm = Int32(truncatingIfNeeded: ext.dataOffset)
                } else if ext.typeID != 0 && ext.isSet {
                    // a typed ksym: the kernel's BTF id (and its module's BTF fd)
                    program.instructions[at].src_reg = PseudoSource.btfID
                    program.instructions[at].imm = ext.kernelBTFID
                    program.instructions[at + 1].imm = ext.kernelBTFObjectFD
                } else {
                    // a typeless (or unresolved weak) ksym: its address
                    program.instructions[at].imm = Int32(truncatingIfNeeded: ext.address)
                    program.instructions[at + 1].imm = Int32(truncatingIfNeeded: ext.address >> 32)
                }
            case .externFunction:
                let ext = externs[relocation.symbolOffset]
                program.instructions[at].src_reg = PseudoSource.kfuncCall
                if ext.isSet {
                    program.instructions[at].imm = ext.kernelBTFID
                    program.instructions[at].off = ext.btfFDIndex
                } else {
                    program.instructions[at].imm = 0
                    program.instructions[at].off = 0
                }
            case .subprogramAddress:
                if program.instructions[at].src_reg != PseudoSource.function {
                    Log.warn("libbpf: prog '\(cString: program.name)': relo #\(i): bad insn\n")
                    throw .EINVAL
                }
            case .call, .core:
                break  // linked already; CO-RE applied already
            }
        }
    }

    /// `poison_map_ldimm64`: the ld_imm64 of a map that was not created becomes
    /// two calls to an invalid helper naming the map.
    func poisonMapLoad(_ program: BPFProgram, relocationIndex: Int, at: Int, mapIndex: Int) {
        Log.debug("libbpf: prog '\(cString: program.name)': relo #\(relocationIndex): poisoning insn #\(at) that loads map #\(mapIndex) '\(cString: maps[mapIndex].name)'\n")
        for k in 0..<2 where at + k < program.instructions.count {
            var insn = bpf_insn()
            insn.code = UInt8(BPF_JMP | BPF_CALL)
            insn.imm = mapLoadPoisonBase + Int32(mapIndex)
            program.instructions[at + k] = insn
        }
    }
}

extension BPFProgram {
    /// `find_prog_insn_relo`: glibc's bsearch over the relocations (sorted by
    /// instruction) for one at `instruction`.
    func relocation(at instruction: Int) -> Relocation? {
        var low = 0
        var high = relocations.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = relocations[middle].instructionIndex
            if instruction < candidate {
                high = middle
            } else if instruction > candidate {
                low = middle + 1
            } else {
                return relocations[middle]
            }
        }
        return nil
    }
}

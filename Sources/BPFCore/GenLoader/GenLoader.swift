import CBPF

/// `bpf_object__gen_loader`'s state on an object: when set, `bpf_object__load`
/// records every map, BTF and program operation into a loader program and data
/// blob (GenLoaderEmitter) instead of doing them, and hands both to the caller's
/// `gen_loader_opts` at the end.
public final class GenLoader {
    /// The caller's opts, written when generation finishes.
    let opts: UnsafeMutablePointer<gen_loader_opts>
    var emitter = GenLoaderEmitter()
    /// The buffers handed to the caller; they live as long as the object.
    var insnsBuffer: UnsafeMutableRawPointer? = nil
    var dataBuffer: UnsafeMutableRawPointer? = nil
    var loadedPrograms = 0
    var btfLoaded = false
    /// CO-RE records per program index: (instruction in the program, record).
    var coreRecords: [[(Int, BTFCoreRelocation)]] = []
    /// Subprograms appended while linking: (main index, subprogram index, offset).
    var appended: [(Int, Int, Int)] = []

    public init(opts: UnsafeMutablePointer<gen_loader_opts>) {
        self.opts = opts
    }

    deinit {
        free(insnsBuffer)
        free(dataBuffer)
    }

    func noteAppended(_ subprogram: BPFProgram, to main: BPFProgram) {
        appended.append((main.index, subprogram.index, subprogram.subprogramOffset))
    }

    /// The kernel-side CO-RE records (`struct bpf_core_relo`) of linked `main`.
    func coreRelocationBytes(_ main: BPFProgram) -> [UInt8] {
        var out: [UInt8] = []
        func add(_ programIndex: Int, _ offset: Int) {
            guard programIndex < coreRecords.count else { return }
            for (instruction, record) in coreRecords[programIndex] {
                var words: (UInt32, UInt32, UInt32, UInt32) = (UInt32(truncatingIfNeeded: (instruction + offset) * 8),
                                                              record.typeID, record.accessStringOffset, record.kind)
                withUnsafeBytes(of: &words) { out.append(contentsOf: $0) }
            }
        }
        add(main.index, 0)
        for (m, s, offset) in appended where m == main.index && s != main.index { add(s, offset) }
        return out
    }

    /// Copies the finished program and blob out to the caller's opts.
    func publish() {
        free(insnsBuffer)
        free(dataBuffer)
        let insnsSize = emitter.instructions.count * MemoryLayout<bpf_insn>.size
        let dataSize = emitter.data.count
        insnsBuffer = malloc(max(insnsSize, 1))
        dataBuffer = malloc(max(dataSize, 1))
        emitter.instructions.withUnsafeBytes { memcpy(insnsBuffer!, $0.baseAddress!, insnsSize) }
        emitter.data.withUnsafeBytes { memcpy(dataBuffer!, $0.baseAddress!, dataSize) }
        opts.pointee.insns = UnsafePointer(insnsBuffer!.assumingMemoryBound(to: CChar.self))
        opts.pointee.data = UnsafePointer(dataBuffer!.assumingMemoryBound(to: CChar.self))
        opts.pointee.insns_sz = UInt32(truncatingIfNeeded: insnsSize)
        opts.pointee.data_sz = UInt32(truncatingIfNeeded: dataSize)
    }
}

/// The first `count` bytes of a bpf_attr.
func genLoaderAttrBytes(_ attr: inout bpf_attr, _ count: Int) -> [UInt8] {
    withUnsafeBytes(of: &attr) { Array($0.prefix(count)) }
}

extension BPFObject {
    /// `bpf_object__load` in generation mode: the stages of ObjectLoad.swift,
    /// each recording into `gen` what it would have done.
    func loadGenerating(_ gen: GenLoader, extraLogLevel: UInt32) throws(BPFError) {
        if programs.count > GenLoaderLayout.maxPrograms || maps.count > 64 { throw .E2BIG }
        gen.emitter.begin(mapCount: maps.count, programCount: programs.count)
        gen.coreRecords = [[(Int, BTFCoreRelocation)]](repeating: [], count: programs.count)
        gen.appended = []
        gen.loadedPrograms = 0
        // The generator handles neither ksyms nor kfuncs (the loader would have
        // to look them up in the kernel's BTF at run time).
        for ext in externs where ext.kind == .ksym { throw generationUnsupported("ksym and kfunc externs") }
        try resolveExterns()
        try generateBTFLoad(gen)
        try sanitizeMaps()
        try generateMapCreation(gen)
        try relocate(targetBTFPath: nil)
        try generateProgramLoads(gen, extraLogLevel: extraLogLevel)
        for map in maps where !map.initSlots.isEmpty { throw generationUnsupported("initial map slots (prog arrays, map-in-maps)") }
        gen.emitter.end(mapCount: maps.count, loadedPrograms: gen.loadedPrograms, closeBTF: gen.btfLoaded)
        Log.debug("libbpf: gen: finish 0\n")
        gen.publish()
    }

    func generateBTFLoad(_ gen: GenLoader) throws(BPFError) {
        guard let btf else { return }
        markHiddenSubprogramsStatic(btf)
        let missing = MissingBTFKinds()
        var kernelBTF = btf
        if missing.any {
            let (data, size) = try btf.rawData()
            kernelBTF = try BTF.parse(data, size: size, base: nil)
            try? btf.setPointerSize(8)
            try BPFObject.sanitize(kernelBTF, missing)
        }
        let (raw, size) = try kernelBTF.rawData()
        Log.debug("libbpf: gen: load_btf: size \(size)\n")
        gen.emitter.loadBTF(raw, size)
        gen.btfLoaded = true
    }

    func generateMapCreation(_ gen: GenLoader) throws(BPFError) {
        for (i, map) in maps.enumerated() {
            if !map.autocreate {
                Log.debug("libbpf: map '\(cString: map.name)': skipped auto-creating...\n")
                continue
            }
            if map.isStructOps || map.isMapInMap || map.pinPath != nil { throw generationUnsupported("struct_ops, map-in-map and pinned maps") }
            if map.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY.rawValue && map.maxEntries == 0 {
                map.maxEntries = UInt32(try CPUs.possibleCount())
            }
            switch bpf_map_type(rawValue: map.type) {
            case BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_STACK_TRACE,
                 BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_DEVMAP,
                 BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP, BPF_MAP_TYPE_SOCKMAP,
                 BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK:
                map.btfKeyTypeID = 0
                map.btfValueTypeID = 0
            default:
                break
            }
            var attr = bpf_attr()
            attr.map_type = map.type
            attr.key_size = map.keySize
            attr.value_size = map.valueSize
            attr.max_entries = map.maxEntries
            attr.map_flags = map.mapFlags
            attr.numa_node = map.numaNode
            attr.map_ifindex = map.ifindex
            attr.map_extra = map.mapExtra
            if KernelFeatures.supports(.programName) { copyName(map.name, into: &attr.map_name) }
            if btf != nil {
                attr.btf_key_type_id = map.btfKeyTypeID
                attr.btf_value_type_id = map.btfValueTypeID
            }
            Log.debug("libbpf: gen: map_create: \(cString: map.name) idx \(i) type \(map.type) value_type_id \(attr.btf_value_type_id)\n")
            gen.emitter.createMap(genLoaderAttrBytes(&attr, 72), index: i)
            // The reference logs fd=0 and leaves the map without an fd.
            Log.debug("libbpf: map '\(cString: map.name)': created successfully, fd=0\n")
            if map.isInternal {
                Log.debug("libbpf: gen: map_update_elem: idx \(i)\n")
                gen.emitter.updateMap(index: i, value: UnsafeRawPointer(map.mmaped), size: Int(map.valueSize))
                if map.kind == .rodata || map.kind == .kconfig {
                    Log.debug("libbpf: gen: map_freeze: idx \(i)\n")
                    gen.emitter.freezeMap(index: i)
                }
            }
        }
    }

    /// Gen mode's CO-RE stage: the records are kept for the kernel to apply
    /// (core_relos of BPF_PROG_LOAD) instead of being applied here.
    func collectCORERecords(_ gen: GenLoader) throws(BPFError) {
        guard let ext = btfExt, ext.coreRelocations.length != 0, let btf else { return }
        for section in ext.coreRelocations.sections {
            let name = btf.string(at: section.nameOffset)
            if CORE.isEmpty(name) { throw .EINVAL }
            let sectionIndex = name.map { elfSectionIndex(named: $0) } ?? 0
            Log.debug("libbpf: sec '\(cString: name)': found \(section.records.count) CO-RE relocations\n")
            for (i, record) in section.records.enumerated() {
                if record.instructionOffset % 8 != 0 { throw .EINVAL }
                let sectionInstruction = Int(record.instructionOffset / 8)
                guard let program = program(inSection: sectionIndex, instruction: sectionInstruction) else {
                    Log.debug("libbpf: sec '\(cString: name)': skipping CO-RE relocation #\(i) for insn #\(sectionInstruction) belonging to eliminated weak subprogram\n")
                    continue
                }
                if !program.autoload { continue }
                let instruction = sectionInstruction - program.sectionInstructionOffset
                if program.index < gen.coreRecords.count { gen.coreRecords[program.index].append((instruction, record)) }
            }
        }
    }

    /// Gen mode's `relocateData` for maps and .kconfig: map references by index
    /// into the loader's fd_array (BPF_PSEUDO_MAP_IDX / _IDX_VALUE).
    func relocateDataGenerating(_ program: BPFProgram) throws(BPFError) {
        for (i, relocation) in program.relocations.enumerated() {
            let at = relocation.instructionIndex
            if at >= program.instructions.count { continue }
            switch relocation.type {
            case .ld64:
                if maps[relocation.mapIndex].autocreate {
                    program.instructions[at].src_reg = UInt8(BPF_PSEUDO_MAP_IDX)
                    program.instructions[at].imm = Int32(relocation.mapIndex)
                } else {
                    poisonMapLoad(program, relocationIndex: i, at: at, mapIndex: relocation.mapIndex)
                }
            case .data:
                program.instructions[at + 1].imm = program.instructions[at].imm &+ Int32(truncatingIfNeeded: relocation.symbolOffset)
                if maps[relocation.mapIndex].autocreate {
                    program.instructions[at].src_reg = UInt8(BPF_PSEUDO_MAP_IDX_VALUE)
                    program.instructions[at].imm = Int32(relocation.mapIndex)
                } else {
                    poisonMapLoad(program, relocationIndex: i, at: at, mapIndex: relocation.mapIndex)
                }
            case .externVariable:
                let ext = externs[relocation.symbolOffset]
                if ext.kind != .kconfig { throw generationUnsupported("ksym externs") }
                program.instructions[at].src_reg = UInt8(BPF_PSEUDO_MAP_IDX_VALUE)
                program.instructions[at].imm = Int32(kconfigMapIndex)
                program.instructions[at + 1].imm = Int32(truncatingIfNeeded: ext.dataOffset)
            case .externFunction:
                throw generationUnsupported("kfunc calls")
            case .subprogramAddress:
                if program.instructions[at].src_reg != PseudoSource.function {
                    Log.warn("libbpf: prog '\(cString: program.name)': relo #\(i): bad insn\n")
                    throw .EINVAL
                }
            case .call, .core:
                break
            }
        }
    }

    func generateProgramLoads(_ gen: GenLoader, extraLogLevel: UInt32) throws(BPFError) {
        for program in programs { sanitizeHelperCalls(program) }
        for program in programs where !program.isSubprogram {
            if !program.autoload {
                Log.debug("libbpf: prog '\(cString: program.name)': skipped loading\n")
                continue
            }
            program.logLevel |= extraLogLevel
            do throws(BPFError) {
                try generateProgramLoad(gen, program)
            } catch {
                Log.warn("libbpf: prog '\(cString: program.name)': failed to load: -\(error.code)\n")
                throw error
            }
        }
        for program in programs { program.relocations = [] }
    }

    func generateProgramLoad(_ gen: GenLoader, _ program: BPFProgram) throws(BPFError) {
        if program.type == BPF_PROG_TYPE_UNSPEC.rawValue {
            Log.warn("libbpf: prog '\(cString: program.name)': missing BPF prog type, check ELF section name '\(cString: program.sectionName)'\n")
            throw .EINVAL
        }
        if program.instructions.isEmpty { throw .EINVAL }
        var opts = bpf_prog_load_opts()
        opts.sz = MemoryLayout<bpf_prog_load_opts>.size
        opts.expected_attach_type = bpf_attach_type(rawValue: program.expectedAttachType)
        opts.attach_btf_id = program.attachBTFID
        opts.prog_flags = program.flags
        if let definition = program.sectionDefinition {
            if !definition.isBuiltin || (definition.flags.contains(.attachBTF) && program.attachBTFID == 0) {
                throw generationUnsupported("custom SEC() handlers and BTF-id attach targets")
            }
            let result = prepareBuiltinLoad(program, &opts, definition.flags)
            if result < 0 { throw BPFError(-result) }
        }
        if program.attachProgramFD != 0 || program.attachBTFObjectFD != 0 { throw generationUnsupported("attach_prog_fd and module BTF attach targets") }
        let withBTF = btf != nil && KernelFeatures.supports(.btfFunction)
        let funcInfo = withBTF ? (program.funcInfo ?? []) : []
        let lineInfo = withBTF ? (program.lineInfo ?? []) : []
        let core = gen.coreRelocationBytes(program)
        var attr = bpf_attr()
        attr.prog_type = program.type
        attr.insn_cnt = UInt32(program.instructions.count)
        attr.prog_flags = opts.prog_flags
        attr.prog_ifindex = program.ifindex
        attr.expected_attach_type = opts.expected_attach_type.rawValue
        attr.attach_btf_id = opts.attach_btf_id
        if KernelFeatures.supports(.programName) { copyName(program.name, into: &attr.prog_name) }
        if withBTF {
            attr.func_info_rec_size = program.funcInfoRecordSize
            attr.func_info_cnt = program.funcInfoRecordSize == 0 ? 0 : UInt32(funcInfo.count) / program.funcInfoRecordSize
            attr.line_info_rec_size = program.lineInfoRecordSize
            attr.line_info_cnt = program.lineInfoRecordSize == 0 ? 0 : UInt32(lineInfo.count) / program.lineInfoRecordSize
        }
        attr.core_relo_cnt = UInt32(core.count / 16)
        attr.core_relo_rec_size = 16
        Log.debug("libbpf: gen: prog_load: type \(program.type) insns_cnt \(program.instructions.count) progi_idx \(program.index)\n")
        var license: [UInt8] = []
        for c in self.license { if c == 0 { break }; license.append(UInt8(bitPattern: c)) }
        license.append(0)
        program.instructions.withUnsafeBytes { code in
            gen.emitter.loadProgram(attr: genLoaderAttrBytes(&attr, 140), license: license, code: code.baseAddress!,
                                    codeSize: code.count, funcInfo: funcInfo, lineInfo: lineInfo,
                                    coreRelocations: core, slot: gen.loadedPrograms)
        }
        gen.loadedPrograms += 1
    }
}

/// A case generation mode does not handle yet: one warning, then EOPNOTSUPP
/// (the load fails; the reference would generate a loader).
func generationUnsupported(_ what: StaticString) -> BPFError {
    Log.warn("libbpf: gen_loader: not supported yet: \(what)\n")
    return .EOPNOTSUPP
}

import CBPF

/// The CO-RE relocation engine: resolves relocations of one local (object) BTF
/// against target BTFs, with no kernel access of its own (module BTFs come
/// from a provider the caller supplies).
///
/// Per relocation, as libbpf 1.1 does: find the candidates of the local type
/// (cached per local type id, and narrowed to the matching ones after each
/// relocation), parse the access string against the local BTF, match every
/// candidate, require all matches to agree (same field offset, same value and
/// decision), and compute the original and new values; no match means the
/// "not found" value (0 for existence and type relocations) or poisoning.
public final class COREEngine {
    let localBTF: BTF
    var targets: [CORETarget] = []
    /// Whether module BTFs may be searched when the main target has no
    /// candidate (not with a custom target BTF).
    let searchModules: Bool
    var moduleProvider: (() throws(BPFError) -> [CORETarget])?
    var modulesLoaded = false

    var cache = CORECandidateCache()
    /// Up-front searches: local id → index + 1 into `mainResults`/`moduleResults`.
    var prepared = U32Map()
    var preparedSearch: CORECandidateSearch?
    var mainResults: [[UInt32]] = []
    /// Per module target (targets[1...]), per prepared request.
    var moduleResults: [[[UInt32]]] = []

    /// `target` is vmlinux or the custom target BTF (`isCustomTarget`); nil
    /// means no target at all (every search finds nothing).
    public init(localBTF: BTF, target: BTF?, isCustomTarget: Bool = false,
                moduleProvider: (() throws(BPFError) -> [CORETarget])? = nil) {
        self.localBTF = localBTF
        if let target { targets.append(CORETarget(btf: target, name: "vmlinux")) }
        self.searchModules = !isCustomTarget && target != nil && moduleProvider != nil
        self.moduleProvider = moduleProvider
    }

    /// Declares the local types relocations will ask about, so one pass over
    /// each target answers them all. Optional, and only the first call counts:
    /// an undeclared type is searched on its own when first needed.
    public func prepare(localTypeIDs: [UInt32]) {
        if preparedSearch != nil { return }
        var requests: [CORECandidateSearch.Request] = []
        for id in localTypeIDs where prepared[id] == nil && cache.list(for: id) == nil {
            guard let request = makeRequest(id) else { continue }
            requests.append(request)
            prepared[id] = UInt32(requests.count)
        }
        if requests.isEmpty { return }
        let search = CORECandidateSearch(requests)
        preparedSearch = search
        mainResults = targets.isEmpty ? [[UInt32]](repeating: [], count: requests.count)
            : search.run(targets[0].btf, firstID: targets[0].firstID)
    }

    func makeRequest(_ id: UInt32) -> CORECandidateSearch.Request? {
        guard let t = localBTF.type(id), let name = localBTF.name(of: t), name[0] != 0 else { return nil }
        let bytes = UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self)
        let essential = CORE.essentialNameLength(bytes, length: Int(strlen(name)))
        return CORECandidateSearch.Request(localID: id, kind: t.kind, name: bytes, essentialLength: essential,
                                           hash: CORECandidateSearch.hash(bytes, essential))
    }

    /// Loads the module BTFs (once) and searches them for the prepared types.
    func loadModules() throws(BPFError) {
        if modulesLoaded { return }
        modulesLoaded = true
        guard let provider = moduleProvider else { return }
        targets.append(contentsOf: try provider())
        if let search = preparedSearch {
            for m in 1..<max(targets.count, 1) {
                moduleResults.append(search.run(targets[m].btf, firstID: targets[m].firstID))
            }
        }
    }

    /// `bpf_core_find_cands`: the candidates of a local type, logged as found.
    /// Index into `cache.lists`.
    func candidates(of localID: UInt32) throws(BPFError) -> Int {
        if let list = cache.list(for: localID) { return list }
        guard let request = makeRequest(localID) else { throw .EINVAL }
        let localType = localBTF.type(localID)!
        let slot = prepared[localID].map { Int($0) - 1 }
        var list: [CORECandidate] = []

        func add(_ target: Int, _ ids: [UInt32]) {
            let btf = targets[target].btf
            for id in ids {
                if Log.debugEnabled {
                    let t = btf.type(id)!
                    Log.debug("libbpf: CO-RE relocating [\(localID)] \(BTF.kindName(localType)) \(cString: UnsafeRawPointer(request.name).assumingMemoryBound(to: CChar.self)): found target candidate [\(id)] \(BTF.kindName(t)) \(cString: btf.name(of: t)) in [\(cString: targets[target].name)]\n")
                }
                list.append(CORECandidate(target: target, id: id))
            }
        }

        if !targets.isEmpty {
            if let slot {
                add(0, mainResults[slot])
            } else {
                add(0, CORECandidateSearch([request]).run(targets[0].btf, firstID: targets[0].firstID)[0])
            }
        }
        if list.isEmpty && searchModules {
            try loadModules()
            for m in 1..<max(targets.count, 1) {
                if let slot, m - 1 < moduleResults.count {
                    add(m, moduleResults[m - 1][slot])
                } else {
                    add(m, CORECandidateSearch([request]).run(targets[m].btf, firstID: targets[m].firstID)[0])
                }
            }
        }
        return cache.add(localID, list)
    }

    /// `bpf_core_resolve_relo` + `bpf_core_calc_relo_insn`: the result of
    /// relocation #`index` (numbered within its ELF section) of `programName`.
    public func resolve(programName: UnsafePointer<CChar>, relocation: BTFCoreRelocation,
                        index: Int) throws(BPFError) -> CORERelocationResult {
        let localID = relocation.typeID
        guard let localType = localBTF.type(localID), let localName = localBTF.name(of: localType) else {
            throw .EINVAL
        }
        let kind = relocation.kind
        var listIndex = -1
        if kind != CORERelocationKind.typeIDLocal {
            do {
                listIndex = try candidates(of: localID)
            } catch {
                Log.warn("libbpf: prog '\(cString: programName)': relo #\(index): target candidate search failed for [\(localID)] \(BTF.kindName(localType)) \(cString: localName): -\(error.code)\n")
                throw error
            }
        }

        let localSpec: CORESpec
        do {
            localSpec = try CORESpec.parse(programName: programName, btf: localBTF, relocation: relocation)
        } catch {
            let specString = localBTF.string(at: relocation.accessStringOffset)
            let shownName: UnsafePointer<CChar> = CORE.isEmpty(localName) ? UnsafeRawPointer(("<anon>" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self) : localName
            let shownSpec: UnsafePointer<CChar> = specString ?? UnsafeRawPointer(("<?>" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
            Log.warn("libbpf: prog '\(cString: programName)': relo #\(index): parsing [\(localID)] \(BTF.kindName(localType)) \(cString: shownName) + \(cString: shownSpec) failed: -\(error.code)\n")
            throw .EINVAL
        }
        if Log.debugEnabled { logSpec(programName, index, nil, localSpec) }

        // The local type id needs no target: it may have changed in linking,
        // so it is never checked against the instruction.
        if kind == CORERelocationKind.typeIDLocal {
            var result = CORERelocationResult()
            result.validate = false
            result.originalValue = UInt64(localSpec.rootTypeID)
            result.newValue = UInt64(localSpec.rootTypeID)
            return result
        }

        if CORE.isEmpty(localName) {
            Log.warn("libbpf: prog '\(cString: programName)': relo #\(index): <\(CORERelocationKind.name(kind))> (\(kind)) relocation doesn't support anonymous types\n")
            throw .EOPNOTSUPP
        }

        var candidates = cache.lists[listIndex]
        var result = CORERelocationResult()
        var targetSpec: CORESpec? = nil
        var candidateSpec = CORESpec(btf: localBTF, rootTypeID: 0, kind: kind)
        var matched = 0
        for i in 0..<candidates.count {
            let candidate = candidates[i]
            let isMatch: Bool
            do {
                isMatch = try CORE.matchSpec(localSpec, targetBTF: targets[candidate.target].btf, targetID: candidate.id,
                                             into: &candidateSpec)
            } catch {
                var text = COREText()
                text.append("libbpf: prog '")
                text.append(cString: programName)
                text.append("': relo #")
                text.append(index)
                text.append(": error matching candidate #")
                text.append(i)
                text.append(" ")
                text.bytes.append(contentsOf: candidateSpec.format().text.bytes)
                text.append(": -")
                text.append(error.code)
                text.append("\n ")
                text.emit(.warn)
                throw error
            }
            if Log.debugEnabled { logSpec(programName, index, (isMatch, i), candidateSpec) }
            if !isMatch { continue }

            let candidateResult = try CORE.calculate(programName: programName, relocation: relocation, index: index,
                                                     local: localSpec, target: candidateSpec)
            if let chosen = targetSpec {
                if candidateSpec.bitOffset != chosen.bitOffset {
                    Log.warn("libbpf: prog '\(cString: programName)': relo #\(index): field offset ambiguity: \(candidateSpec.bitOffset) != \(chosen.bitOffset)\n")
                    throw .EINVAL
                }
                if candidateResult.poison != result.poison || candidateResult.newValue != result.newValue {
                    Log.warn("libbpf: prog '\(cString: programName)': relo #\(index): relocation decision ambiguity: \(candidateResult.poison ? "failure" : "success") \(candidateResult.newValue) != \(result.poison ? "failure" : "success") \(result.newValue)\n")
                    throw .EINVAL
                }
            } else {
                result = candidateResult
                targetSpec = candidateSpec
            }
            candidates[matched] = candidate
            matched += 1
        }

        // Later relocations of this type only consider the candidates that
        // matched; with none, the list stays (existence checks expect misses).
        if matched > 0 {
            candidates.removeSubrange(matched...)
            cache.lists[listIndex] = candidates
            return result
        }
        if Log.debugEnabled {
            Log.debug("libbpf: prog '\(cString: programName)': relo #\(index): no matching targets found\n")
        }
        return try CORE.calculate(programName: programName, relocation: relocation, index: index, local: localSpec, target: nil)
    }

    /// "prog 'x': relo #N: <spec>" or "... [non-]matching candidate #i <spec>".
    func logSpec(_ programName: UnsafePointer<CChar>, _ index: Int, _ candidate: (Bool, Int)?, _ spec: CORESpec) {
        var text = COREText()
        text.append("libbpf: prog '")
        text.append(cString: programName)
        text.append("': relo #")
        text.append(index)
        text.append(": ")
        if let (isMatch, i) = candidate {
            text.append(isMatch ? "matching" : "non-matching")
            text.append(" candidate #")
            text.append(i)
            text.append(" ")
        }
        text.bytes.append(contentsOf: spec.format().text.bytes)
        text.append("\n")
        text.emit(.debug)
    }

    /// Resolves relocation #`index` and patches `instructions[instructionIndex]`.
    public func apply(programName: UnsafePointer<CChar>, relocation: BTFCoreRelocation, index: Int,
                      instructions: inout [bpf_insn], instructionIndex: Int) throws(BPFError) {
        let result: CORERelocationResult
        do {
            result = try resolve(programName: programName, relocation: relocation, index: index)
        } catch {
            Log.warn("libbpf: prog '\(cString: programName)': relo #\(index): failed to relocate: -\(error.code)\n")
            throw error
        }
        do {
            try CORE.patch(programName: programName, instructions: &instructions, index: instructionIndex,
                           relocationIndex: index, result: result)
        } catch {
            Log.warn("libbpf: prog '\(cString: programName)': relo #\(index): failed to patch insn #\(instructionIndex): -\(error.code)\n")
            throw error
        }
    }
}

// MARK: - The object stage

extension BPFObject {
    /// The relocation loop of `bpf_object__relocate_core`, run before
    /// subprograms are linked. `targetBTF` is the custom target BTF (the
    /// btf_custom_path option or the load's target path, already parsed by the
    /// caller); nil means the kernel's: `vmlinuxBTF` and, for local types
    /// vmlinux has no candidate for, the module BTFs (`loadModuleBTFs`, called
    /// only then). Logs what the reference logs here; the caller adds "failed to
    /// perform CO-RE relocations: %d" on failure.
    ///
    /// Each relocation is also recorded in its program's relocation list (type
    /// `.core`, `mapIndex` = section number in .BTF.ext, `symbolOffset` = record
    /// number within it), which the verifier-log fix-up uses to explain poisoned
    /// instructions (`formattedCORESpec`).
    public func applyCORERelocations(targetBTF: BTF?) throws(BPFError) {
        if let targetBTF {
            try applyCORERelocations(target: targetBTF, isCustomTarget: true, moduleBTFs: nil)
        } else {
            try applyCORERelocations(target: vmlinuxBTF, isCustomTarget: false) { () throws(BPFError) -> [CORETarget] in
                try self.loadModuleBTFs()
                var targets: [CORETarget] = []
                for module in self.moduleBTFs { targets.append(CORETarget(btf: module.btf, name: module.name)) }
                return targets
            }
        }
    }

    /// The loop itself, against explicit targets (what unit tests drive).
    public func applyCORERelocations(target targetBTF: BTF?, isCustomTarget: Bool,
                                     moduleBTFs: (() throws(BPFError) -> [CORETarget])?) throws(BPFError) {
        guard let ext = btfExt, ext.coreRelocations.length != 0, let btf else { return }
        let engine = COREEngine(localBTF: btf, target: targetBTF, isCustomTarget: isCustomTarget,
                                moduleProvider: moduleBTFs)
        let info = ext.coreRelocations

        // Which program each section's relocations belong to, and the local
        // types they will search (declared up front: one pass per target).
        var sectionIndexes: [Int] = []
        var localTypes: [UInt32] = []
        for section in info.sections {
            let name = btf.string(at: section.nameOffset)
            let sectionIndex = name.map { elfSectionIndex(named: $0) } ?? 0
            sectionIndexes.append(sectionIndex)
            for record in section.records where record.kind != CORERelocationKind.typeIDLocal
                && record.instructionOffset % 8 == 0 {
                if let program = program(inSection: sectionIndex, instruction: Int(record.instructionOffset / 8)),
                   program.autoload {
                    localTypes.append(record.typeID)
                }
            }
        }
        engine.prepare(localTypeIDs: localTypes)

        var touched: [BPFProgram] = []
        for (s, section) in info.sections.enumerated() {
            let sectionIndex = sectionIndexes[s]
            let name = btf.string(at: section.nameOffset)
            if CORE.isEmpty(name) { throw .EINVAL }
            if Log.debugEnabled {
                Log.debug("libbpf: sec '\(cString: name)': found \(section.records.count) CO-RE relocations\n")
            }
            for (i, record) in section.records.enumerated() {
                if record.instructionOffset % 8 != 0 { throw .EINVAL }
                let sectionInstruction = Int(record.instructionOffset / 8)
                guard let program = program(inSection: sectionIndex, instruction: sectionInstruction) else {
                    // Code of a __weak function another object's copy replaced.
                    if Log.debugEnabled {
                        Log.debug("libbpf: sec '\(cString: name)': skipping CO-RE relocation #\(i) for insn #\(sectionInstruction) belonging to eliminated weak subprogram\n")
                    }
                    continue
                }
                if !program.autoload { continue }
                let instruction = sectionInstruction - program.sectionInstructionOffset
                if instruction >= program.instructions.count { throw .EINVAL }
                program.relocations.append(Relocation(type: .core, instructionIndex: instruction, mapIndex: s, symbolOffset: i))
                if touched.last !== program { touched.append(program) }
                try engine.apply(programName: program.name, relocation: record, index: i,
                                 instructions: &program.instructions, instructionIndex: instruction)
            }
        }
        // Keep each program's relocations ordered by instruction.
        for program in touched { program.relocations = BPFObject.sortedRelocations(program.relocations) }
    }

    /// `elf_sec_by_name` for a .BTF.ext section name: the ELF index of the
    /// code section of that name (0 when none; its relocations are then skipped).
    func elfSectionIndex(named name: UnsafePointer<CChar>) -> Int {
        var n = name
        if n[0] == CChar(UInt8(ascii: "?")) { n += 1 }
        for program in programs where strcmp(program.sectionName, n) == 0 { return program.sectionIndex }
        return 0
    }

    /// `find_prog_by_sec_insn`: the program (or subprogram) whose code covers
    /// instruction `instruction` of ELF section `sectionIndex`.
    func program(inSection sectionIndex: Int, instruction: Int) -> BPFProgram? {
        if programs.isEmpty { return nil }
        var l = 0
        var r = programs.count - 1
        while l < r {
            let m = l + (r - l + 1) / 2
            let p = programs[m]
            if p.sectionIndex < sectionIndex || (p.sectionIndex == sectionIndex && p.sectionInstructionOffset <= instruction) {
                l = m
            } else {
                r = m - 1
            }
        }
        let p = programs[l]
        if p.sectionIndex == sectionIndex && instruction >= p.sectionInstructionOffset
            && instruction < p.sectionInstructionOffset + p.sectionInstructionCount {
            return p
        }
        return nil
    }

    /// Relocations by instruction, then type; stable.
    static func sortedRelocations(_ relocations: [Relocation]) -> [Relocation] {
        var sorted = relocations
        var i = 1
        while i < sorted.count {
            let item = sorted[i]
            var j = i
            while j > 0 && (item.instructionIndex < sorted[j - 1].instructionIndex
                || (item.instructionIndex == sorted[j - 1].instructionIndex && item.type < sorted[j - 1].type)) {
                sorted[j] = sorted[j - 1]
                j -= 1
            }
            sorted[j] = item
            i += 1
        }
        return sorted
    }

    /// The local spec of a recorded CO-RE relocation as `bpf_core_format_spec`
    /// writes it, uncut (the reference's 256-byte buffer keeps 255 bytes; its
    /// verifier-log fix-up adds "..." when the full text is 256 bytes or more),
    /// for "failed to resolve CO-RE relocation <spec>". nil when the relocation
    /// is not a CO-RE one or its spec does not parse.
    public func formattedCORESpec(_ relocation: Relocation, programName: UnsafePointer<CChar>) -> [UInt8]? {
        guard relocation.type == .core, let ext = btfExt, let btf,
              relocation.mapIndex < ext.coreRelocations.sections.count else { return nil }
        let records = ext.coreRelocations.sections[relocation.mapIndex].records
        guard relocation.symbolOffset < records.count else { return nil }
        guard let spec = try? CORESpec.parse(programName: programName, btf: btf, relocation: records[relocation.symbolOffset]) else {
            return nil
        }
        return spec.formatFull().bytes
    }

    /// `find_relo_core` + the above: the spec text of the CO-RE relocation
    /// recorded for instruction `instruction` of `program` (linked code).
    public func formattedCORESpec(program: BPFProgram, instruction: Int) -> [UInt8]? {
        for relocation in program.relocations where relocation.type == .core && relocation.instructionIndex == instruction {
            return formattedCORESpec(relocation, programName: program.name)
        }
        return nil
    }
}

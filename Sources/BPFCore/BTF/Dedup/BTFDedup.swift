import CBPF

extension BPFError {
    static let ELOOP = BPFError(CBPF.ELOOP)
}

extension BTF {
    /// `btf__dedup`: merges equivalent types (and strings) in place, the way libbpf
    /// 1.1 does, so that the result is byte-identical to the reference's:
    ///
    /// 1. strings: rewritten into a fresh, duplicate-free section in the order they
    ///    are first referenced (types, then `ext`), unless the section is known to
    ///    be deduplicated already (a BTF built from scratch); split BTF strings that
    ///    the base has become base offsets;
    /// 2. INT, FLOAT, FWD, ENUM/ENUM64 by structure (enum forward declarations
    ///    resolve to full enums);
    /// 3. STRUCT/UNION by type-graph equivalence against candidates with the same
    ///    shallow signature, a FWD being equivalent to a struct/union of its kind;
    /// 4. FWDs with exactly one canonical struct/union of that name resolve to it;
    /// 5. reference types (modifiers, pointers, typedefs, arrays, functions, func
    ///    protos, tags) bottom-up once what they refer to is canonical;
    /// 6. compaction: canonical types keep their order and get consecutive ids;
    /// 7. every type id (in types and `ext`) is rewritten to the new ids.
    ///
    /// Base types of a split BTF are canonical and never change. On failure the BTF
    /// is left as the reference leaves it (phases already done stay done).
    public func deduplicate(ext: BTFExt?, forceCollisions: Bool) throws(BPFError) {
        let dedup = BTFDeduplicator(btf: self, ext: ext, forceCollisions: forceCollisions)
        defer { dedup.free() }
        do {
            try ensureModifiable()
        } catch {
            throw .ENOMEM
        }
        // Even a failed dedup may have rewritten names and type ids.
        defer { invalidateNameIndex() }
        // Each phase logs its failure under the reference's name for that phase.
        func phase(_ name: StaticString, _ body: () throws(BPFError) -> Void) throws(BPFError) {
            do throws(BPFError) {
                try body()
            } catch {
                Log.debug("libbpf: \(name) failed:\(-error.code)\n")
                throw error
            }
        }
        try phase("btf_dedup_prep") { () throws(BPFError) in try dedup.prepare() }
        try phase("btf_dedup_strings") { () throws(BPFError) in try dedup.deduplicateStrings() }
        dedup.indexRecords()
        try phase("btf_dedup_prim_types") { () throws(BPFError) in try dedup.deduplicatePrimitives() }
        try phase("btf_dedup_struct_types") { () throws(BPFError) in try dedup.deduplicateComposites() }
        dedup.resolveForwards()
        try phase("btf_dedup_ref_types") { () throws(BPFError) in try dedup.deduplicateReferences() }
        dedup.compact()
        try phase("btf_dedup_remap_types") { () throws(BPFError) in try dedup.remapTypeIDs() }
    }
}

/// The state of one dedup run (libbpf's `struct btf_dedup`).
final class BTFDeduplicator {
    /// `map` values above this are markers, not ids.
    static let maxID: UInt32 = 0x7fff_ffff
    static let unprocessed: UInt32 = 0xffff_ffff
    static let inProgress: UInt32 = 0xffff_fffe

    let btf: BTF
    let ext: BTFExt?
    let startID: UInt32
    /// All ids, base ones included (one past the last).
    let typeCount: Int
    /// Per id: its canonical id (possibly one that maps further), or a marker.
    let map: UnsafeMutablePointer<UInt32>
    /// Per canonical-side id: the id it is hypothetically equivalent to during one
    /// struct equivalence check; reused for the new ids at compaction.
    let hypot: UnsafeMutablePointer<UInt32>
    /// The ids set in `hypot` by the current check, in order.
    let hypotList: UnsafeMutablePointer<UInt32>
    var hypotCount = 0
    /// The check found a base FWD that would have to become a struct: not equivalent.
    var adjustCanonical = false
    var table: BTFDedupTable
    /// Per id: its record (filled once strings are done; base records may move
    /// when the string phase makes the base modifiable).
    let records: UnsafeMutablePointer<UnsafeMutableRawPointer>

    init(btf: BTF, ext: BTFExt?, forceCollisions: Bool) {
        self.btf = btf
        self.ext = ext
        startID = btf.startID
        typeCount = Int(btf.typeCount)
        map = .allocate(capacity: typeCount)
        hypot = .allocate(capacity: typeCount)
        hypotList = .allocate(capacity: typeCount)
        records = .allocate(capacity: typeCount)
        table = BTFDedupTable(maximumCount: typeCount, forceCollisions: forceCollisions)
        // void is canonical; VAR and DATASEC are never deduplicated.
        map[0] = 0
        for id in 1..<max(typeCount, 1) {
            let kind = btf.typeUnchecked(UInt32(id)).kind
            map[id] = kind == BTFKind.variable || kind == BTFKind.dataSection ? UInt32(id) : Self.unprocessed
        }
        hypot.initialize(repeating: Self.unprocessed, count: typeCount)
    }

    func free() {
        map.deallocate()
        hypot.deallocate()
        hypotList.deallocate()
        records.deallocate()
        table.free()
    }

    @inline(__always)
    func record(_ id: UInt32) -> DedupRecord { DedupRecord(records[Int(id)]) }

    @inline(__always)
    func isMapped(_ id: UInt32) -> Bool { map[Int(id)] <= Self.maxID }

    /// Follows `map` to the current canonical id.
    @inline(__always)
    func resolve(_ id: UInt32) -> UInt32 {
        var id = id
        while true {
            let mapped = map[Int(id)]
            if mapped > Self.maxID || mapped == id { return id }
            id = mapped
        }
    }

    /// A FWD's resolution if it resolves to a non-FWD, else the FWD itself.
    func resolveForward(_ id: UInt32) -> UInt32 {
        if record(id).kind != BTFKind.forward { return id }
        let resolved = resolve(id)
        return record(resolved).kind == BTFKind.forward ? id : resolved
    }

    /// Throws unless `id` names a type (the reference indexes out of bounds).
    @inline(__always)
    func checkID(_ id: UInt32) throws(BPFError) {
        if Int(id) >= typeCount { throw .EINVAL }
    }

    // MARK: - Base types

    /// Base types are canonical by definition and candidates for split types.
    func prepare() throws(BPFError) {
        if btf.base == nil { return }
        for id in 1..<startID {
            let t = DedupRecord(UnsafeMutableRawPointer(mutating: btf.typeUnchecked(id)))
            map[Int(id)] = id
            let h: Int64
            switch t.kind {
            case BTFKind.variable, BTFKind.dataSection:
                continue
            case BTFKind.const, BTFKind.volatile, BTFKind.restrict, BTFKind.pointer, BTFKind.forward,
                 BTFKind.typedef, BTFKind.function, BTFKind.float, BTFKind.typeTag:
                h = DedupSignature.common(t)
            case BTFKind.int, BTFKind.declTag:
                h = DedupSignature.intOrTag(t)
            case BTFKind.enumeration, BTFKind.enum64:
                h = DedupSignature.anyEnum(t)
            case BTFKind.structure, BTFKind.union:
                h = DedupSignature.composite(t)
            case BTFKind.array:
                h = DedupSignature.array(t)
            case BTFKind.functionPrototype:
                h = DedupSignature.prototype(t)
            default:
                Log.debug("libbpf: unknown kind \(t.kind) for type [\(id)]\n")
                throw .EINVAL
            }
            table.add(h, id)
        }
    }

    /// Fills `records` for every id.
    func indexRecords() {
        records[0] = UnsafeMutableRawPointer(BTF.voidType)
        for id in 1..<max(typeCount, 1) {
            records[id] = UnsafeMutableRawPointer(mutating: btf.typeUnchecked(UInt32(id)))
        }
    }

    // MARK: - INT, FLOAT, FWD, ENUM, ENUM64

    /// The first candidate of signature `h` (in the table's order) that `equal` accepts.
    func firstCandidate(_ h: Int64, _ equal: (UInt32) -> Bool) -> UInt32? {
        var e = table.first(h)
        while e >= 0 {
            let candidate = table.id(e)
            if equal(candidate) { return candidate }
            e = table.after(e, h)
        }
        return nil
    }

    func deduplicatePrimitives() throws(BPFError) {
        for id in startID..<UInt32(typeCount) {
            let t = record(id)
            var canonical = id
            let h: Int64
            switch t.kind {
            case BTFKind.int:
                h = DedupSignature.intOrTag(t)
                canonical = firstCandidate(h) { DedupSignature.equalIntOrTag(t, record($0)) } ?? id
            case BTFKind.enumeration, BTFKind.enum64:
                h = DedupSignature.anyEnum(t)
                var e = table.first(h)
                while e >= 0 {
                    let candidate = table.id(e)
                    let c = record(candidate)
                    if DedupSignature.equalEnum(t, c) {
                        canonical = candidate
                        break
                    }
                    if DedupSignature.compatibleEnum(t, c) {
                        if t.isEnumForward {
                            canonical = candidate  // a forward declaration resolves to the full enum
                            break
                        }
                        map[Int(candidate)] = id  // a canonical forward declaration resolves to this
                    }
                    e = table.after(e, h)
                }
            case BTFKind.forward, BTFKind.float:
                h = DedupSignature.common(t)
                canonical = firstCandidate(h) { DedupSignature.equalCommon(t, record($0)) } ?? id
            case BTFKind.unknown:
                throw .EINVAL
            default:
                continue
            }
            map[Int(id)] = canonical
            if canonical == id { table.add(h, id) }
        }
    }

    // MARK: - STRUCT, UNION

    func deduplicateComposites() throws(BPFError) {
        for id in startID..<UInt32(typeCount) {
            if isMapped(id) { continue }  // done already (as part of an earlier graph)
            let t = record(id)
            if !t.isComposite { continue }
            let h = DedupSignature.composite(t)
            var canonical = id
            var e = table.first(h)
            while e >= 0 {
                let candidate = table.id(e)
                // Guards against a colliding FWD candidate (FWD and struct would
                // otherwise map to each other).
                if DedupSignature.shallowEqualComposite(t, record(candidate)) {
                    clearHypothesis()
                    if try isEquivalent(id, candidate) {
                        mergeHypothesis()
                        if !adjustCanonical {
                            canonical = candidate
                            break
                        }
                    }
                }
                e = table.after(e, h)
            }
            map[Int(id)] = canonical
            if canonical == id { table.add(h, id) }
        }
    }

    func clearHypothesis() {
        for i in 0..<hypotCount { hypot[Int(hypotList[i])] = Self.unprocessed }
        hypotCount = 0
        adjustCanonical = false
    }

    @inline(__always)
    func addHypothesis(_ canonicalID: UInt32, _ candidateID: UInt32) {
        hypot[Int(canonicalID)] = candidateID
        hypotList[hypotCount] = canonicalID
        hypotCount += 1
    }

    /// Whether the type graph from `candidateID` is equivalent to the one from
    /// `canonicalID`, recording the hypothetical mapping in `hypot`.
    func isEquivalent(_ candidateID: UInt32, _ canonicalID: UInt32) throws(BPFError) -> Bool {
        try checkID(candidateID)
        try checkID(canonicalID)
        if resolve(candidateID) == resolve(canonicalID) { return true }
        let canonicalID = resolveForward(canonicalID)
        let hypothesis = hypot[Int(canonicalID)]
        if hypothesis <= Self.maxID {
            if hypothesis == candidateID { return true }
            // Compilers sometimes emit identical array or struct types twice for
            // one compilation unit: accept those as the same.
            if identicalArrays(hypothesis, candidateID) { return true }
            return identicalComposites(hypothesis, candidateID)
        }
        addHypothesis(canonicalID, candidateID)

        let candidate = record(candidateID)
        let canonical = record(canonicalID)
        let candidateKind = candidate.kind
        let canonicalKind = canonical.kind
        if candidate.nameOffset != canonical.nameOffset { return false }

        // A FWD is equivalent to a STRUCT/UNION of its kind.
        if (candidateKind == BTFKind.forward || canonicalKind == BTFKind.forward) && candidateKind != canonicalKind {
            if candidateKind == BTFKind.forward { return candidate.forwardKind == canonicalKind }
            let forwardKind = canonical.forwardKind
            // A base FWD would have to become the struct: not acceptable.
            if forwardKind == candidateKind && canonicalID < startID { adjustCanonical = true }
            return forwardKind == candidateKind
        }
        if candidateKind != canonicalKind { return false }

        switch candidateKind {
        case BTFKind.int:
            return DedupSignature.equalIntOrTag(candidate, canonical)
        case BTFKind.enumeration, BTFKind.enum64:
            return DedupSignature.compatibleEnum(candidate, canonical)
        case BTFKind.forward, BTFKind.float:
            return DedupSignature.equalCommon(candidate, canonical)
        case BTFKind.const, BTFKind.volatile, BTFKind.restrict, BTFKind.pointer, BTFKind.typedef,
             BTFKind.function, BTFKind.typeTag:
            if candidate.info != canonical.info { return false }
            return try isEquivalent(candidate.sizeOrType, canonical.sizeOrType)
        case BTFKind.array:
            if !DedupSignature.compatibleArray(candidate, canonical) { return false }
            if !(try isEquivalent(candidate.word(16), canonical.word(16))) { return false }
            return try isEquivalent(candidate.word(12), canonical.word(12))
        case BTFKind.structure, BTFKind.union:
            if !DedupSignature.shallowEqualComposite(candidate, canonical) { return false }
            var offset = 16
            for _ in 0..<candidate.vlen {
                if !(try isEquivalent(candidate.word(offset), canonical.word(offset))) { return false }
                offset += 12
            }
            return true
        case BTFKind.functionPrototype:
            if !DedupSignature.compatiblePrototype(candidate, canonical) { return false }
            if !(try isEquivalent(candidate.sizeOrType, canonical.sizeOrType)) { return false }
            var offset = 16
            for _ in 0..<candidate.vlen {
                if !(try isEquivalent(candidate.word(offset), canonical.word(offset))) { return false }
                offset += 8
            }
            return true
        default:
            throw .EINVAL
        }
    }

    func identicalArrays(_ a: UInt32, _ b: UInt32) -> Bool {
        let t1 = record(a), t2 = record(b)
        if t1.kind != BTFKind.array || t2.kind != BTFKind.array { return false }
        return DedupSignature.equalArray(t1, t2)
    }

    /// The same STRUCT/UNION down to the member type ids.
    func identicalComposites(_ a: UInt32, _ b: UInt32) -> Bool {
        let t1 = record(a), t2 = record(b)
        if !t1.isComposite || t1.kind != t2.kind { return false }
        if !DedupSignature.shallowEqualComposite(t1, t2) { return false }
        var offset = 16
        for _ in 0..<t1.vlen {
            if t1.word(offset) != t2.word(offset) { return false }
            offset += 12
        }
        return true
    }

    /// Turns a successful hypothesis into mappings: FWDs resolve to the structs
    /// they matched, and structs of the candidate graph map to canonical ones.
    func mergeHypothesis() {
        for i in 0..<hypotCount {
            let canonicalID = hypotList[i]
            let targetID = hypot[Int(canonicalID)]
            let t = resolve(targetID)
            let c = resolve(canonicalID)
            let targetKind = record(t).kind
            let canonicalKind = record(c).kind
            // FWD -> STRUCT/UNION, even when that struct is not canonical yet (it
            // will be mapped before reference types are deduplicated); a base FWD
            // too, as there is no fixing it up later.
            if targetKind != BTFKind.forward && canonicalKind == BTFKind.forward { map[Int(c)] = t }
            // Base canonical types would need changing: otherwise not equivalent.
            if adjustCanonical { continue }
            if targetKind == BTFKind.forward && canonicalKind != BTFKind.forward { map[Int(t)] = c }
            // Structs of the verified graph whose counterpart is canonical.
            if (targetKind == BTFKind.structure || targetKind == BTFKind.union) && canonicalKind != BTFKind.forward
                && isMapped(c) && !isMapped(t) {
                map[Int(t)] = c
            }
        }
    }

    // MARK: - Unambiguous forward declarations

    /// A FWD still canonical resolves to the only canonical STRUCT/UNION (base
    /// included) with its name, when that one is of its kind.
    func resolveForwards() {
        var names = U32Map(capacity: 1024)
        let ambiguous: UInt32 = 0
        for id in 1..<UInt32(max(typeCount, 1)) {
            let t = record(id)
            if !t.isComposite || map[Int(id)] != id { continue }
            if names[t.nameOffset] != nil {
                names[t.nameOffset] = ambiguous
            } else {
                names[t.nameOffset] = id
            }
        }
        for id in startID..<UInt32(typeCount) {
            let t = record(id)
            if t.kind != BTFKind.forward || map[Int(id)] != id { continue }
            guard let candidate = names[t.nameOffset], candidate != ambiguous else { continue }
            let candidateKind = record(candidate).kind
            if (candidateKind == BTFKind.structure && t.forwardKind != BTFKind.structure)
                || (candidateKind == BTFKind.union && t.forwardKind != BTFKind.union) { continue }
            map[Int(id)] = candidate
        }
    }

    // MARK: - Reference types

    func deduplicateReferences() throws(BPFError) {
        for id in startID..<UInt32(typeCount) {
            _ = try deduplicateReference(id)
        }
    }

    /// Deduplicates `id` after what it refers to; returns its canonical id.
    func deduplicateReference(_ id: UInt32) throws(BPFError) -> UInt32 {
        try checkID(id)
        let state = map[Int(id)]
        if state == Self.inProgress { throw .ELOOP }
        if state <= Self.maxID { return resolve(id) }
        let t = record(id)
        map[Int(id)] = Self.inProgress
        var canonical = id
        let h: Int64
        switch t.kind {
        case BTFKind.const, BTFKind.volatile, BTFKind.restrict, BTFKind.pointer, BTFKind.typedef,
             BTFKind.function, BTFKind.typeTag:
            t.sizeOrType = try deduplicateReference(t.sizeOrType)
            h = DedupSignature.common(t)
            canonical = firstCandidate(h) { DedupSignature.equalCommon(t, record($0)) } ?? id
        case BTFKind.declTag:
            t.sizeOrType = try deduplicateReference(t.sizeOrType)
            h = DedupSignature.intOrTag(t)
            canonical = firstCandidate(h) { DedupSignature.equalIntOrTag(t, record($0)) } ?? id
        case BTFKind.array:
            t.setWord(12, try deduplicateReference(t.word(12)))
            t.setWord(16, try deduplicateReference(t.word(16)))
            h = DedupSignature.array(t)
            canonical = firstCandidate(h) { DedupSignature.equalArray(t, record($0)) } ?? id
        case BTFKind.functionPrototype:
            t.sizeOrType = try deduplicateReference(t.sizeOrType)
            var offset = 16
            for _ in 0..<t.vlen {
                t.setWord(offset, try deduplicateReference(t.word(offset)))
                offset += 8
            }
            h = DedupSignature.prototype(t)
            canonical = firstCandidate(h) { DedupSignature.equalPrototype(t, record($0)) } ?? id
        default:
            throw .EINVAL
        }
        map[Int(id)] = canonical
        if canonical == id { table.add(h, id) }
        return canonical
    }

    // MARK: - Compaction and id remapping

    /// Packs the canonical types to the front, in order; `hypot` becomes the map
    /// from old to new ids (base ids stay).
    func compact() {
        hypot[0] = 0
        for id in 1..<Int(startID) { hypot[id] = UInt32(id) }
        for id in Int(startID)..<typeCount { hypot[id] = Self.unprocessed }
        let data = btf.typesBuffer.base
        var end = 0
        var nextID = startID
        let ownCount = typeCount - Int(startID)
        for i in 0..<ownCount {
            let id = startID + UInt32(i)
            if map[Int(id)] != id { continue }
            let source = data! + Int(btf.typeOffsets[i])
            let t = DedupRecord(source)
            let size = BTFKind.recordSize(kind: t.kind, vlen: UInt32(t.vlen))!
            if source != data! + end { memmove(data! + end, source, size) }
            hypot[Int(id)] = nextID
            btf.typeOffsets[Int(nextID - startID)] = UInt32(end)
            end += size
            nextID += 1
        }
        btf.typeOffsets.removeLast(ownCount - Int(nextID - startID))
        btf.typesBuffer.setCount(end)
        let h = btf.header
        h.pointee.type_len = UInt32(end)
        h.pointee.str_off = UInt32(end)
    }

    /// The new id of what `id` (an old id) resolves to.
    @inline(__always)
    func newID(_ id: UInt32) throws(BPFError) -> UInt32 {
        try checkID(id)
        let mapped = hypot[Int(resolve(id))]
        if mapped > Self.maxID { throw .EINVAL }
        return mapped
    }

    func remapTypeIDs() throws(BPFError) {
        var fields: [Int] = []
        let data = btf.typesBuffer.base
        for offset in btf.typeOffsets {
            let p = data! + Int(offset)
            BTF.typeFieldOffsets(of: UnsafeRawPointer(p), into: &fields)
            for field in fields {
                p.storeBytes(of: try newID(p.load(fromByteOffset: field, as: UInt32.self)), toByteOffset: field, as: UInt32.self)
            }
        }
        if let ext { try remapExtTypeIDs(ext) }
    }
}

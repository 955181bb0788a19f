import CBPF

/// Type ids by name, for `btf__find_by_name(_kind)`: the reference scans every
/// type on each lookup (~127k for vmlinux); this answers from a hash table. It keeps
/// the reference's result, the lowest id with that name, by chaining ids of equal
/// names in ascending order. Covers this BTF's own types; a split BTF asks its base
/// first (base ids are all lower).
struct BTFNameIndex {
    /// Slot value: index+1 (into `first`/`last`) of a distinct name; 0 = empty.
    var slots: [UInt32]
    /// Per distinct name: first and last own id (id - startID) with that name.
    var first: [UInt32] = []
    var last: [UInt32] = []
    /// Per own type: the next own type with the same name (index+1), 0 = none.
    var next: [UInt32] = []
    /// How many own types are indexed (types are only ever appended).
    var indexedCount = 0

    init(expected: Int) {
        var capacity = 1024
        while capacity < expected * 2 { capacity <<= 1 }
        slots = [UInt32](repeating: 0, count: capacity)
    }
}

extension BTF {
    /// Brings the index up to date with the types added since it was built.
    func updatedNameIndex() -> BTFNameIndex {
        var index = nameIndex ?? BTFNameIndex(expected: Int(ownTypeCount))
        let count = Int(ownTypeCount)
        if index.indexedCount < count {
            index.next.reserveCapacity(count)
            for local in index.indexedCount..<count {
                index.next.append(0)
                let t = typeUnchecked(startID + UInt32(local))
                guard let name = string(at: t.pointee.name_off) else { continue }
                insert(&index, local: local, name: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self))
            }
            index.indexedCount = count
        }
        nameIndex = index
        return index
    }

    private func insert(_ index: inout BTFNameIndex, local: Int, name: UnsafePointer<UInt8>) {
        if (index.first.count + 1) * 2 > index.slots.count { rehash(&index) }
        let mask = index.slots.count - 1
        var i = Int(stringHash(name)) & mask
        while index.slots[i] != 0 {
            let entry = Int(index.slots[i] - 1)
            let other = typeUnchecked(startID + index.first[entry])
            if stringsEqual(UnsafeRawPointer(string(at: other.pointee.name_off)!).assumingMemoryBound(to: UInt8.self), name) {
                index.next[Int(index.last[entry])] = UInt32(local + 1)
                index.last[entry] = UInt32(local)
                return
            }
            i = (i + 1) & mask
        }
        index.first.append(UInt32(local))
        index.last.append(UInt32(local))
        index.slots[i] = UInt32(index.first.count)
    }

    private func rehash(_ index: inout BTFNameIndex) {
        index.slots = [UInt32](repeating: 0, count: index.slots.count * 2)
        let mask = index.slots.count - 1
        for entry in 0..<index.first.count {
            let t = typeUnchecked(startID + index.first[entry])
            let name = UnsafeRawPointer(string(at: t.pointee.name_off)!).assumingMemoryBound(to: UInt8.self)
            var i = Int(stringHash(name)) & mask
            while index.slots[i] != 0 { i = (i + 1) & mask }
            index.slots[i] = UInt32(entry + 1)
        }
    }

    /// The lowest id (own types only) named `name` whose kind is `kind` (any kind when nil).
    func findOwn(_ name: UnsafePointer<CChar>, kind: UInt32?) -> UInt32? {
        let index = updatedNameIndex()
        let bytes = UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self)
        let mask = index.slots.count - 1
        var i = Int(stringHash(bytes)) & mask
        while index.slots[i] != 0 {
            let entry = Int(index.slots[i] - 1)
            var local = index.first[entry]
            let t = typeUnchecked(startID + local)
            if stringsEqual(UnsafeRawPointer(string(at: t.pointee.name_off)!).assumingMemoryBound(to: UInt8.self), bytes) {
                while true {
                    let id = startID + local
                    if kind == nil || typeUnchecked(id).kind == kind! { return id }
                    let next = index.next[Int(local)]
                    if next == 0 { return nil }
                    local = next - 1
                }
            }
            i = (i + 1) & mask
        }
        return nil
    }

    /// `btf__find_by_name` / `btf__find_by_name_kind` over base and own types.
    public func find(_ name: UnsafePointer<CChar>, kind: UInt32?) -> UInt32? {
        if let base, let id = base.find(name, kind: kind) { return id }
        return findOwn(name, kind: kind)
    }

    /// Forgets the index (after a rewrite of the type section, such as dedup).
    func invalidateNameIndex() { nameIndex = nil }
}

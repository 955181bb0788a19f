import CBPF

extension BTFStringSet {
    /// An empty set sized for about `expected` strings.
    init(emptyExpecting expected: Int) {
        data = BTFBuffer()
        var capacity = 64
        while capacity * 3 < expected * 4 { capacity <<= 1 }
        slots = [UInt32](repeating: 0, count: capacity)
    }
}

extension BTFDeduplicator {
    /// Rewrites the string section: every string still referenced (by the types,
    /// then by `ext`), once, in the order of first reference. The empty string
    /// stays at offset 0 of a base BTF; strings of a split BTF found in its base
    /// become base offsets. Skipped when the strings are known to be unique.
    func deduplicateStrings() throws(BPFError) {
        if btf.stringsDeduplicated { return }
        let oldLength = Int(btf.header.pointee.str_len)
        var set = BTFStringSet(emptyExpecting: oldLength / 16)
        do throws(BPFError) {
            if btf.base == nil {
                var empty: CChar = 0
                _ = try set.add(&empty)
            }
            var fields: [Int] = []
            let data = btf.typesBuffer.base
            for offset in btf.typeOffsets {
                let p = data! + Int(offset)
                BTF.stringFieldOffsets(of: UnsafeRawPointer(p), into: &fields)
                for field in fields { try remapString(p + field, into: &set) }
            }
            if let ext {
                try ext.visitStringOffsets { (p) throws(BPFError) in try self.remapString(p, into: &set) }
            }
        } catch {
            set.free()
            throw error
        }
        btf.strings!.free()
        btf.strings = set
        btf.header.pointee.str_len = UInt32(set.data.count)
        btf.stringsDeduplicated = true
    }

    /// One string reference: the empty string and base strings stay; others become
    /// the base's offset of an equal string, or the string's offset in `set`.
    func remapString(_ field: UnsafeMutableRawPointer, into set: inout BTFStringSet) throws(BPFError) {
        let offset = field.loadUnaligned(as: UInt32.self)
        let start = btf.startStringOffset
        if offset == 0 || offset < start { return }
        guard let s = btf.string(at: offset) else { throw .EINVAL }
        if let base = btf.base {
            do {
                let found = try base.findString(s)
                field.storeBytes(of: found, as: UInt32.self)
                return
            } catch where error == .ENOENT {}
        }
        let added = try set.add(s)
        field.storeBytes(of: start + UInt32(added), as: UInt32.self)
    }
}

import CBPF

/// Where a type record refers to strings and to other types: what copying a type
/// between BTFs (and dedup) must rewrite. Offsets are byte offsets in the record.
extension BTF {
    /// Byte offsets of the string references of a record in host order.
    static func stringFieldOffsets(of record: UnsafeRawPointer, into out: inout [Int]) {
        out.removeAll(keepingCapacity: true)
        out.append(0)  // name_off
        let info = record.load(fromByteOffset: 4, as: UInt32.self)
        let kind = (info >> 24) & 0x1f
        let vlen = Int(info & 0xffff)
        switch kind {
        case BTFKind.structure, BTFKind.union:
            for i in 0..<vlen { out.append(12 + 12 * i) }
        case BTFKind.enumeration, BTFKind.functionPrototype:
            for i in 0..<vlen { out.append(12 + 8 * i) }
        case BTFKind.enum64:
            for i in 0..<vlen { out.append(12 + 12 * i) }
        default:
            break
        }
    }

    /// Byte offsets of the type-id references of a record in host order.
    static func typeFieldOffsets(of record: UnsafeRawPointer, into out: inout [Int]) {
        out.removeAll(keepingCapacity: true)
        let info = record.load(fromByteOffset: 4, as: UInt32.self)
        let kind = (info >> 24) & 0x1f
        let vlen = Int(info & 0xffff)
        switch kind {
        case BTFKind.pointer, BTFKind.typedef, BTFKind.volatile, BTFKind.const, BTFKind.restrict,
             BTFKind.function, BTFKind.variable, BTFKind.declTag, BTFKind.typeTag:
            out.append(8)
        case BTFKind.array:
            out.append(12)  // element type
            out.append(16)  // index type
        case BTFKind.structure, BTFKind.union:
            for i in 0..<vlen { out.append(12 + 12 * i + 4) }
        case BTFKind.functionPrototype:
            out.append(8)  // return type
            for i in 0..<vlen { out.append(12 + 8 * i + 4) }
        case BTFKind.dataSection:
            for i in 0..<vlen { out.append(12 + 12 * i) }
        default:
            break
        }
    }
}

/// Copying types from another BTF.
extension BTF {
    /// Re-points one string reference from `source` to this BTF, adding the string.
    /// `cache` maps source offsets already seen (string comparisons are the cost).
    func remapString(_ field: UnsafeMutableRawPointer, from source: BTF, cache: inout U32Map) throws(BPFError) {
        let offset = field.load(as: UInt32.self)
        if offset == 0 { return }
        if let mapped = cache[offset] {
            field.storeBytes(of: mapped, as: UInt32.self)
            return
        }
        guard let s = source.string(at: offset) else { throw .EINVAL }
        let mapped = try addString(s)
        cache[offset] = mapped
        field.storeBytes(of: mapped, as: UInt32.self)
    }

    /// `btf__add_type`: appends a copy of `type` from `source` with its strings
    /// re-added here; type ids inside it are copied unchanged.
    public func addType(from source: BTF, _ type: UnsafePointer<btf_type>) throws(BPFError) -> UInt32 {
        guard let size = BTFKind.recordSize(kind: type.kind, vlen: type.vlen) else { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(size)
        // Strings first (adding them may move nothing of the type data, but keep
        // the copy in a scratch record until every string is in).
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4)
        defer { scratch.deallocate() }
        scratch.copyMemory(from: UnsafeRawPointer(type), byteCount: size)
        var fields: [Int] = []
        var cache = U32Map()
        BTF.stringFieldOffsets(of: UnsafeRawPointer(scratch), into: &fields)
        for offset in fields {
            try remapString(scratch + offset, from: source, cache: &cache)
        }
        let p = try reserveTypeBytes(size)
        p.copyMemory(from: UnsafeRawPointer(scratch), byteCount: size)
        return commitType(size)
    }

    /// `btf__add_btf`: appends every type of `source` (which must not be split BTF),
    /// re-adding strings and shifting type ids to follow this BTF's last type.
    /// Returns the id of the first appended type. On failure nothing is appended.
    public func addAll(from source: BTF) throws(BPFError) -> UInt32 {
        if source.base != nil { throw .ENOTSUP }
        try ensureModifiable()
        let dataSize = Int(source.header.pointee.type_len)
        let count = Int(source.ownTypeCount)
        let firstNewID = startID + ownTypeCount
        let typeShift = firstNewID - 1
        let destination = try reserveTypeBytes(dataSize)
        if dataSize > 0 { destination.copyMemory(from: source.typeData!, byteCount: dataSize) }
        let oldStringLength = header.pointee.str_len
        var newOffsets: [UInt32] = []
        newOffsets.reserveCapacity(count)
        var fields: [Int] = []
        var cache = U32Map()
        do throws(BPFError) {
            var offset = 0
            for _ in 0..<count {
                // `destination` may move when adding strings grows... no: strings live
                // in their own buffer; the type buffer is only reserved, not grown here.
                let record = typesBuffer.base! + typesBuffer.count + offset
                let info = record.load(fromByteOffset: 4, as: UInt32.self)
                guard let size = BTFKind.recordSize(kind: (info >> 24) & 0x1f, vlen: info & 0xffff) else { throw BPFError.EINVAL }
                newOffsets.append(UInt32(typesBuffer.count + offset))
                BTF.stringFieldOffsets(of: UnsafeRawPointer(record), into: &fields)
                for field in fields { try remapString(record + field, from: source, cache: &cache) }
                BTF.typeFieldOffsets(of: UnsafeRawPointer(record), into: &fields)
                for field in fields {
                    let id = record.load(fromByteOffset: field, as: UInt32.self)
                    if id != 0 { record.storeBytes(of: id &+ typeShift, toByteOffset: field, as: UInt32.self) }
                }
                offset += size
            }
        } catch {
            // Nothing was committed: forget the strings added on the way.
            header.pointee.str_len = oldStringLength
            strings!.truncate(to: Int(oldStringLength))
            throw error
        }
        typeOffsets.append(contentsOf: newOffsets)
        commitTypeBytes(dataSize)
        return firstNewID
    }
}

extension BTFStringSet {
    /// Drops strings past `length` (rolling back a failed bulk add).
    mutating func truncate(to length: Int) {
        if length >= data.count { return }
        data.truncate(to: length)
        for i in 0..<slots.count where slots[i] != 0 && Int(slots[i] - 1) >= length {
            slots[i] = 0
            used -= 1
        }
        // Re-insert survivors displaced by the cleared slots (open addressing).
        let old = slots
        slots = [UInt32](repeating: 0, count: old.count)
        used = 0
        for value in old where value != 0 {
            _ = insertIfAbsent(offset: Int(value - 1), hash: stringHash(stringPointer(Int(value - 1))))
        }
    }
}

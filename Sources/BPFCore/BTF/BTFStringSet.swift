import CBPF

/// FNV-1a over a NUL-terminated string: cheap, and good enough for type names.
@inline(__always)
func stringHash(_ s: UnsafePointer<UInt8>) -> UInt32 {
    var hash: UInt32 = 2166136261
    var p = s
    while p.pointee != 0 {
        hash = (hash ^ UInt32(p.pointee)) &* 16777619
        p += 1
    }
    return hash
}

@inline(__always)
func stringsEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>) -> Bool {
    strcmp(UnsafeRawPointer(a).assumingMemoryBound(to: CChar.self), UnsafeRawPointer(b).assumingMemoryBound(to: CChar.self)) == 0
}

/// A string section that can grow without duplicating strings (libbpf's strset):
/// the bytes, and an open-addressing index from content to the offset of its first
/// occurrence.
public struct BTFStringSet {
    public var data: BTFBuffer
    /// Slot value: offset + 1 of a string start; 0 = empty.
    var slots: [UInt32]
    var used = 0

    /// Indexes every string of an existing section (a duplicate keeps the first offset).
    public init(copying bytes: UnsafeRawPointer?, count: Int) throws(BPFError) {
        data = try BTFBuffer(copying: bytes, count: count)
        var capacity = 64
        while capacity < count / 8 { capacity <<= 1 }
        slots = [UInt32](repeating: 0, count: capacity)
        var offset = 0
        while offset < count {
            let s = stringPointer(offset)
            _ = insertIfAbsent(offset: offset, hash: stringHash(s))
            offset += Int(strlen(UnsafeRawPointer(s).assumingMemoryBound(to: CChar.self))) + 1
        }
    }

    @inline(__always)
    func stringPointer(_ offset: Int) -> UnsafePointer<UInt8> {
        UnsafePointer((data.base! + offset).assumingMemoryBound(to: UInt8.self))
    }

    /// The offset of `s` if present.
    public func find(_ s: UnsafePointer<CChar>) -> Int? {
        let bytes = UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self)
        let mask = slots.count - 1
        var i = Int(stringHash(bytes)) & mask
        while slots[i] != 0 {
            let offset = Int(slots[i] - 1)
            if stringsEqual(stringPointer(offset), bytes) { return offset }
            i = (i + 1) & mask
        }
        return nil
    }

    /// The offset of `s`, appending it if absent.
    public mutating func add(_ s: UnsafePointer<CChar>) throws(BPFError) -> Int {
        if let offset = find(s) { return offset }
        let length = Int(strlen(s)) + 1
        if data.count + length > 0x7fff_ffff { throw .E2BIG }
        let offset = try data.append(UnsafeRawPointer(s), count: length)
        _ = insertIfAbsent(offset: offset, hash: stringHash(stringPointer(offset)))
        return offset
    }

    /// Adds `offset` under `hash` unless an equal string is indexed already.
    mutating func insertIfAbsent(offset: Int, hash: UInt32) -> Bool {
        if (used + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var i = Int(hash) & mask
        let s = stringPointer(offset)
        while slots[i] != 0 {
            if stringsEqual(stringPointer(Int(slots[i] - 1)), s) { return false }
            i = (i + 1) & mask
        }
        slots[i] = UInt32(offset + 1)
        used += 1
        return true
    }

    mutating func grow() {
        let old = slots
        slots = [UInt32](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for value in old where value != 0 {
            var i = Int(stringHash(stringPointer(Int(value - 1)))) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = value
        }
    }

    public func free() { data.free() }
}

import CBPF

/// A type record as dedup reads and rewrites it (host byte order): the 12-byte
/// header (name_off, info, size/type) and the 32-bit words after it.
struct DedupRecord {
    let p: UnsafeMutableRawPointer

    @inline(__always) init(_ p: UnsafeMutableRawPointer) { self.p = p }

    @inline(__always) var nameOffset: UInt32 { p.load(as: UInt32.self) }
    @inline(__always) var info: UInt32 { p.load(fromByteOffset: 4, as: UInt32.self) }
    @inline(__always) var kind: UInt32 { (info >> 24) & 0x1f }
    @inline(__always) var vlen: Int { Int(info & 0xffff) }
    @inline(__always) var kindFlag: Bool { info >> 31 != 0 }
    /// `size` or `type` (one union slot).
    @inline(__always) var sizeOrType: UInt32 {
        get { p.load(fromByteOffset: 8, as: UInt32.self) }
        nonmutating set { p.storeBytes(of: newValue, toByteOffset: 8, as: UInt32.self) }
    }
    /// The 32-bit word at byte `offset` of the record.
    @inline(__always) func word(_ offset: Int) -> UInt32 { p.load(fromByteOffset: offset, as: UInt32.self) }
    @inline(__always) func setWord(_ offset: Int, _ value: UInt32) { p.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }

    @inline(__always) var isComposite: Bool { kind == BTFKind.structure || kind == BTFKind.union }
    @inline(__always) var isAnyEnum: Bool { kind == BTFKind.enumeration || kind == BTFKind.enum64 }
    /// An enum forward declaration: an enum (or enum64) without values.
    @inline(__always) var isEnumForward: Bool { isAnyEnum && vlen == 0 }
    /// The kind a FWD stands for: UNION with the kind flag, else STRUCT.
    @inline(__always) var forwardKind: UInt32 { kindFlag ? BTFKind.union : BTFKind.structure }
}

/// Type-signature hashes and the equality/compatibility tests of dedup. The hash
/// values are libbpf's (`h * 31 + value` over `long`), so that ids sharing a key
/// share it exactly as in the reference.
enum DedupSignature {
    @inline(__always)
    static func combine(_ h: Int64, _ value: UInt32) -> Int64 { h &* 31 &+ Int64(value) }

    /// name, info, size/type.
    @inline(__always)
    static func common(_ t: DedupRecord) -> Int64 {
        combine(combine(combine(0, t.nameOffset), t.info), t.sizeOrType)
    }

    /// INT and DECL_TAG: the common part and the word after the header.
    @inline(__always)
    static func intOrTag(_ t: DedupRecord) -> Int64 { combine(common(t), t.word(12)) }

    /// ENUM/ENUM64: the name only, so forward declarations meet full definitions.
    @inline(__always)
    static func anyEnum(_ t: DedupRecord) -> Int64 { combine(0, t.nameOffset) }

    /// STRUCT/UNION: member names and offsets, not member types (unresolved yet).
    static func composite(_ t: DedupRecord) -> Int64 {
        var h = common(t)
        var offset = 12
        for _ in 0..<t.vlen {
            h = combine(h, t.word(offset))
            h = combine(h, t.word(offset + 8))
            offset += 12
        }
        return h
    }

    @inline(__always)
    static func array(_ t: DedupRecord) -> Int64 {
        combine(combine(combine(common(t), t.word(12)), t.word(16)), t.word(20))
    }

    static func prototype(_ t: DedupRecord) -> Int64 {
        var h = common(t)
        var offset = 12
        for _ in 0..<t.vlen {
            h = combine(h, t.word(offset))
            h = combine(h, t.word(offset + 4))
            offset += 8
        }
        return h
    }

    // MARK: - Equality

    @inline(__always)
    static func equalCommon(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        a.nameOffset == b.nameOffset && a.info == b.info && a.sizeOrType == b.sizeOrType
    }

    @inline(__always)
    static func equalIntOrTag(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        equalCommon(a, b) && a.word(12) == b.word(12)
    }

    /// `count` words from byte `from` on are equal in both.
    @inline(__always)
    static func equalWords(_ a: DedupRecord, _ b: DedupRecord, from: Int, count: Int) -> Bool {
        memcmp(a.p + from, b.p + from, count * 4) == 0
    }

    /// Same ENUM (or ENUM64): header and every value.
    static func equalEnum(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        if !equalCommon(a, b) { return false }
        let perValue = a.kind == BTFKind.enumeration ? 2 : 3
        return equalWords(a, b, from: 12, count: a.vlen * perValue)
    }

    /// Equal, or the same name when either is a forward declaration (whose size and
    /// kind, ENUM or ENUM64, need not match the full definition's).
    static func compatibleEnum(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        if !a.isEnumForward && !b.isEnumForward { return equalEnum(a, b) }
        return a.nameOffset == b.nameOffset && a.isAnyEnum && b.isAnyEnum
    }

    /// Same header and member names/offsets (member types are not compared).
    static func shallowEqualComposite(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        if !equalCommon(a, b) { return false }
        var offset = 12
        for _ in 0..<a.vlen {
            if a.word(offset) != b.word(offset) || a.word(offset + 8) != b.word(offset + 8) { return false }
            offset += 12
        }
        return true
    }

    @inline(__always)
    static func equalArray(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        equalCommon(a, b) && equalWords(a, b, from: 12, count: 3)
    }

    @inline(__always)
    static func compatibleArray(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        equalCommon(a, b) && a.word(20) == b.word(20)
    }

    static func equalPrototype(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        equalCommon(a, b) && equalWords(a, b, from: 12, count: a.vlen * 2)
    }

    /// Same name, info and parameter names (return and parameter types not compared).
    static func compatiblePrototype(_ a: DedupRecord, _ b: DedupRecord) -> Bool {
        if a.nameOffset != b.nameOffset || a.info != b.info { return false }
        var offset = 12
        for _ in 0..<a.vlen {
            if a.word(offset) != b.word(offset) { return false }
            offset += 8
        }
        return true
    }
}

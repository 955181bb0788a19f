import CBPF

/// How often each name has been handed out so far (libbpf's `type_names` and
/// `ident_names` maps): the n-th type to claim a name gets the suffix `___n`.
///
/// Names are copied into one byte arena (the BTF's string section may be
/// rewritten later, e.g. by dedup) and indexed by an open-addressing table of
/// arena offsets, so a lookup allocates nothing.
struct BTFDumpNameCounter {
    /// NUL-terminated names, back to back.
    var arena: [UInt8] = []
    /// Per slot: arena offset + 1 (0 = empty), the name's hash, its count.
    var slotOffsets: [UInt32] = []
    var slotHashes: [UInt32] = []
    var slotCounts: [UInt32] = []
    var used = 0

    /// Counts one more occurrence of `name` and returns the new count (1 for
    /// the first occurrence).
    mutating func claim(_ name: UnsafePointer<CChar>) -> UInt32 {
        if slotOffsets.isEmpty { reset(capacity: 1024) }
        if (used + 1) * 4 > slotOffsets.count * 3 { grow() }
        let bytes = UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self)
        let hash = stringHash(bytes)
        let mask = slotOffsets.count - 1
        var i = Int(hash) & mask
        while true {
            let stored = slotOffsets[i]
            if stored == 0 { break }
            if slotHashes[i] == hash && matches(Int(stored - 1), bytes) {
                slotCounts[i] += 1
                return slotCounts[i]
            }
            i = (i + 1) & mask
        }
        let offset = arena.count
        let length = Int(strlen(name))
        arena.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length + 1))
        slotOffsets[i] = UInt32(offset + 1)
        slotHashes[i] = hash
        slotCounts[i] = 1
        used += 1
        return 1
    }

    @inline(__always)
    func matches(_ offset: Int, _ bytes: UnsafePointer<UInt8>) -> Bool {
        arena.withUnsafeBufferPointer { stored in
            strcmp(UnsafeRawPointer(stored.baseAddress! + offset).assumingMemoryBound(to: CChar.self),
                   UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self)) == 0
        }
    }

    mutating func reset(capacity: Int) {
        slotOffsets = [UInt32](repeating: 0, count: capacity)
        slotHashes = [UInt32](repeating: 0, count: capacity)
        slotCounts = [UInt32](repeating: 0, count: capacity)
        used = 0
    }

    mutating func grow() {
        let oldOffsets = slotOffsets, oldHashes = slotHashes, oldCounts = slotCounts
        let count = used
        reset(capacity: oldOffsets.count * 2)
        used = count
        let mask = slotOffsets.count - 1
        for j in 0..<oldOffsets.count where oldOffsets[j] != 0 {
            var i = Int(oldHashes[j]) & mask
            while slotOffsets[i] != 0 { i = (i + 1) & mask }
            slotOffsets[i] = oldOffsets[j]
            slotHashes[i] = oldHashes[j]
            slotCounts[i] = oldCounts[j]
        }
    }
}

/// Which of the two name spaces a name is resolved in.
enum BTFDumpNameSpace {
    /// struct, union and enum tags (and, through the alias check, int names)
    case tags
    /// typedef names and enumerators
    case identifiers
}

extension BTFDump {
    /// The empty C string returned for anonymous types.
    @inline(__always)
    static var emptyName: UnsafePointer<CChar> {
        UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// The raw name of a record ("" when it has none or the offset is bad).
    @inline(__always)
    func rawName(_ t: UnsafePointer<btf_type>) -> UnsafePointer<CChar> {
        btf.string(at: t.pointee.name_off) ?? BTFDump.emptyName
    }

    /// The raw string at a name offset ("" when the offset is bad).
    @inline(__always)
    func rawString(_ offset: UInt32) -> UnsafePointer<CChar> {
        btf.string(at: offset) ?? BTFDump.emptyName
    }

    /// The name the dump uses for type `id`: resolved once, the first claimant
    /// of a name keeps it and later ones get `___N` (cut to 255 bytes, as the
    /// reference's snprintf into 256 bytes). Forward declarations and enums
    /// without values keep their name and do not claim it.
    func resolvedName(_ id: UInt32, _ space: BTFDumpNameSpace) -> UnsafePointer<CChar> {
        let state = declState
        if Int(id) >= state.recordCount { return BTFDump.emptyName }
        let t = state.records[Int(id)]
        if t.pointee.name_off == 0 { return BTFDump.emptyName }
        let original = rawName(t)
        let flags = state.flags[Int(id)]
        if flags & DeclFlag.nameResolved != 0 {
            let cached = state.cachedNameIndex[Int(id)]
            return cached == 0 ? original : UnsafePointer(state.cachedNames[Int(cached - 1)])
        }
        state.flags[Int(id)] = flags | DeclFlag.nameResolved
        let kind = t.kind
        if kind == BTFKind.forward || (kind == BTFKind.enumeration && t.vlen == 0) { return original }
        let count: UInt32
        switch space {
        case .tags: count = state.typeNames.claim(original)
        case .identifiers: count = state.identNames.claim(original)
        }
        if count <= 1 { return original }
        let name = BTFDump.suffixedName(original, count)
        state.cachedNames.append(name)
        state.cachedNameIndex[Int(id)] = UInt32(state.cachedNames.count)
        return UnsafePointer(name)
    }

    /// `<name>___<count>` in a malloc'd C string of at most 255 bytes.
    static func suffixedName(_ name: UnsafePointer<CChar>, _ count: UInt32) -> UnsafeMutablePointer<CChar> {
        var digits: [UInt8] = []
        var n = count
        repeat {
            digits.append(UInt8(48 + n % 10))
            n /= 10
        } while n > 0
        let nameLength = Int(strlen(name))
        let full = nameLength + 3 + digits.count
        let length = min(full, 255)
        let out = UnsafeMutablePointer<CChar>.allocate(capacity: length + 1)
        var i = 0
        while i < length {
            let byte: UInt8
            if i < nameLength {
                byte = UInt8(bitPattern: name[i])
            } else if i < nameLength + 3 {
                byte = 95  // '_'
            } else {
                byte = digits[digits.count - 1 - (i - nameLength - 3)]
            }
            out[i] = CChar(bitPattern: byte)
            i += 1
        }
        out[length] = 0
        return out
    }

    @inline(__always)
    func typeName(_ id: UInt32) -> UnsafePointer<CChar> { resolvedName(id, .tags) }

    @inline(__always)
    func identifierName(_ id: UInt32) -> UnsafePointer<CChar> { resolvedName(id, .identifiers) }
}

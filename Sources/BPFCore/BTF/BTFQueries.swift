import CBPF

/// Type-level questions: sizes, alignment, pointer size, resolution through
/// modifiers and typedefs. Semantics (and error codes) as libbpf 1.1.
extension BTF {
    /// How far resolution follows typedefs/modifiers/arrays before giving up.
    static let maxResolveDepth = 32

    /// Void for resolution purposes: id 0, and forward declarations (no layout).
    @inline(__always)
    static func isVoidLike(_ t: UnsafePointer<btf_type>) -> Bool {
        t.kind == BTFKind.unknown || t.kind == BTFKind.forward
    }

    @inline(__always)
    static func isModifier(_ kind: UInt32) -> Bool {
        kind == BTFKind.volatile || kind == BTFKind.const || kind == BTFKind.restrict || kind == BTFKind.typeTag
    }

    /// `btf__resolve_size`: the byte size of a type, through typedefs, modifiers,
    /// variables and arrays (element count times element size).
    public func resolveSize(_ id: UInt32) throws(BPFError) -> Int64 {
        var id = id
        var elements: UInt32 = 1
        var size: Int64 = -1
        var t = type(id)
        var depth = 0
        resolve: while depth < BTF.maxResolveDepth, let current = t, !BTF.isVoidLike(current) {
            switch current.kind {
            case BTFKind.int, BTFKind.structure, BTFKind.union, BTFKind.enumeration, BTFKind.enum64,
                 BTFKind.dataSection, BTFKind.float:
                size = Int64(current.sizeOrType)
                break resolve
            case BTFKind.pointer:
                size = Int64(pointerSizeForLayout)
                break resolve
            case BTFKind.typedef, BTFKind.volatile, BTFKind.const, BTFKind.restrict, BTFKind.variable,
                 BTFKind.declTag, BTFKind.typeTag:
                id = current.sizeOrType
            case BTFKind.array:
                let count = current.word(2)
                if elements != 0 && count > UInt32.max / elements { throw .E2BIG }
                elements &*= count
                id = current.word(0)
            default:
                throw .EINVAL
            }
            t = type(id)
            depth += 1
        }
        if size < 0 { throw .EINVAL }
        if elements != 0 && size > Int64(UInt32.max / elements) { throw .E2BIG }
        return Int64(elements) * size
    }

    /// `btf__resolve_type`: follows modifiers, typedefs and variables to the
    /// underlying type id.
    public func resolveType(_ id: UInt32) throws(BPFError) -> UInt32 {
        var id = id
        var t = type(id)
        var depth = 0
        while depth < BTF.maxResolveDepth, let current = t, !BTF.isVoidLike(current),
              BTF.isModifier(current.kind) || current.kind == BTFKind.typedef || current.kind == BTFKind.variable {
            id = current.sizeOrType
            t = type(id)
            depth += 1
        }
        guard depth < BTF.maxResolveDepth, let final = t, !BTF.isVoidLike(final) else { throw .EINVAL }
        return id
    }

    /// How deep `alignment(of:)` follows member, element and modifier references.
    /// The reference recurses without a limit (a reference loop overflows its
    /// stack); real types nest a few dozen levels at most.
    static let maxAlignDepth = 512

    /// `btf__align_of`: a type's alignment, 1 for a struct/union whose layout
    /// shows it is packed. 0 (with errno EINVAL, logged) for kinds without one;
    /// EINVAL too, unlogged, for an id past the end and for a reference loop
    /// (where the reference crashes).
    public func alignment(of id: UInt32) throws(BPFError) -> Int {
        try alignment(of: id, depth: 0)
    }

    func alignment(of id: UInt32, depth: Int) throws(BPFError) -> Int {
        guard let t = type(id), depth < BTF.maxAlignDepth else { throw .EINVAL }
        switch t.kind {
        case BTFKind.int, BTFKind.enumeration, BTFKind.enum64, BTFKind.float:
            return min(pointerSizeForLayout, Int(t.sizeOrType))
        case BTFKind.pointer:
            return pointerSizeForLayout
        case BTFKind.typedef, BTFKind.volatile, BTFKind.const, BTFKind.restrict, BTFKind.typeTag:
            return try alignment(of: t.sizeOrType, depth: depth + 1)
        case BTFKind.array:
            return try alignment(of: t.word(0), depth: depth + 1)
        case BTFKind.structure, BTFKind.union:
            var maxAlign = 1
            let bitfieldsFlag = t.kindFlag
            for i in 0..<Int(t.vlen) {
                let memberType = t.word(3 * i + 1)
                let offset = t.word(3 * i + 2)
                let align = try alignment(of: memberType, depth: depth + 1)
                if align <= 0 { throw .EINVAL }
                maxAlign = max(maxAlign, align)
                let bitfieldSize = bitfieldsFlag ? offset >> 24 : 0
                let bitOffset = bitfieldsFlag ? offset & 0xffffff : offset
                // A field not aligned as its type requires: the struct is packed.
                if bitfieldSize == 0 && Int(bitOffset) % (8 * align) != 0 { return 1 }
            }
            // A size that is not a multiple of the alignment: packed too.
            if Int(t.sizeOrType) % maxAlign != 0 { return 1 }
            return maxAlign
        default:
            Log.warn("libbpf: unsupported BTF_KIND:\(t.kind)\n")
            throw .EINVAL
        }
    }

    /// The pointer size to use for layout: the determined one, else the host's.
    var pointerSizeForLayout: Int {
        if pointerSizeSetting == 0 { pointerSizeSetting = determinePointerSize() }
        return pointerSizeSetting < 0 ? MemoryLayout<UnsafeRawPointer>.size : pointerSizeSetting
    }

    /// `btf__pointer_size`: 4 or 8, or 0 when the BTF gives no clue.
    public var pointerSize: Int {
        if pointerSizeSetting == 0 { pointerSizeSetting = determinePointerSize() }
        return pointerSizeSetting < 0 ? 0 : pointerSizeSetting
    }

    public func setPointerSize(_ size: Int) throws(BPFError) {
        if size != 4 && size != 8 { throw .EINVAL }
        pointerSizeSetting = size
    }

    /// Guesses the target's pointer size from the size of its `long` (in any of
    /// the spellings compilers emit); -1 when there is none.
    func determinePointerSize() -> Int {
        if let base, base.pointerSizeSetting > 0 { return base.pointerSizeSetting }
        let longNames: [StaticString] = [
            "long", "long int", "int long", "unsigned long", "long unsigned", "unsigned long int",
            "unsigned int long", "long unsigned int", "long int unsigned", "int unsigned long", "int long unsigned",
        ]
        for id in 1..<typeCount {
            let t = typeUnchecked(id)
            if t.kind != BTFKind.int { continue }
            let size = t.sizeOrType
            if size != 4 && size != 8 { continue }
            guard let name = name(of: t) else { continue }
            for alias in longNames where strcmp(name, UnsafeRawPointer(alias.utf8Start).assumingMemoryBound(to: CChar.self)) == 0 {
                return Int(size)
            }
        }
        return -1
    }
}

/// The raw (serialised) form: `btf__raw_data`.
extension BTF {
    /// The bytes of this BTF in its output byte order, owned by the BTF (valid
    /// until it is modified or freed).
    public func rawData() throws(BPFError) -> (UnsafeRawPointer, Int) {
        if !swappedEndian {
            if let raw, let base = raw.base { return (UnsafeRawPointer(base), raw.count) }
            let built = try serialize(swapped: false)
            raw = built
            // Keep the storage consistent: a modifiable BTF reads from its own
            // buffers; `raw` is then only the cached output.
            return (UnsafeRawPointer(built.base!), built.count)
        }
        if let swappedRaw { return (UnsafeRawPointer(swappedRaw.base!), swappedRaw.count) }
        let built = try serialize(swapped: true)
        swappedRaw = built
        // libbpf keeps one raw_size for both byte orders: from now on the native
        // bytes it hands out (raw_data, load into kernel) are cut to this size,
        // which drops the gaps and trailing bytes a parsed blob may have had.
        raw?.truncate(to: built.count)
        return (UnsafeRawPointer(built.base!), built.count)
    }

    /// Header, types and strings laid out contiguously, as libbpf writes them (the
    /// header fields themselves are copied unchanged). In libbpf's order: the
    /// header is copied and swapped before the types are copied after its
    /// `hdr_len` bytes, so a header shorter than `btf_header` (accepted by the
    /// parser) ends up as libbpf's does. libbpf writes those 24 swapped bytes
    /// past a too-small buffer; here the buffer always has room for them.
    func serialize(swapped: Bool) throws(BPFError) -> BTFBuffer {
        let h = header.pointee
        let headerLength = Int(h.hdr_len)
        let typesLength = Int(h.type_len)
        let stringsLength = Int(h.str_len)
        let total = headerLength + typesLength + stringsLength
        var out = BTFBuffer()
        _ = try out.append(zeroed: max(total, MemoryLayout<btf_header>.size))
        let p = out.base!
        p.copyMemory(from: UnsafeRawPointer(header), byteCount: headerLength)
        if swapped {
            let hp = p.assumingMemoryBound(to: btf_header.self)
            hp.pointee.magic = hp.pointee.magic.byteSwapped
            hp.pointee.hdr_len = hp.pointee.hdr_len.byteSwapped
            hp.pointee.type_off = hp.pointee.type_off.byteSwapped
            hp.pointee.type_len = hp.pointee.type_len.byteSwapped
            hp.pointee.str_off = hp.pointee.str_off.byteSwapped
            hp.pointee.str_len = hp.pointee.str_len.byteSwapped
        }
        if typesLength > 0 { (p + headerLength).copyMemory(from: typeData!, byteCount: typesLength) }
        if stringsLength > 0 { (p + headerLength + typesLength).copyMemory(from: stringData!, byteCount: stringsLength) }
        if swapped {
            for offset in typeOffsets {
                let record = p + headerLength + Int(offset)
                let info = record.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
                let words = BTFKind.trailingWords(kind: (info >> 24) & 0x1f, vlen: info & 0xffff)
                BTF.swapWords(record, count: 3 + words)
            }
        }
        out.truncate(to: total)
        return out
    }
}

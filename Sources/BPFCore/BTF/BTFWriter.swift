import CBPF

/// Building BTF (`btf__new_empty*`, `btf__add_*`). Each add reserves the record's
/// bytes past the end of the type data, fills them, and only then "commits" them
/// (type count, header lengths), so a failed add leaves the BTF as it was.
extension BTF {
    /// The largest type id BTF can express.
    static let maxTypeID: UInt32 = 0x7fff_ffff

    /// `btf__new_empty` / `btf__new_empty_split`.
    public static func empty(base: BTF?) throws(BPFError) -> BTF {
        let btf = BTF(base: base)
        let headerSize = MemoryLayout<btf_header>.size
        var raw = BTFBuffer()
        // The empty string at offset 0 (a split BTF uses its base's).
        _ = try raw.append(zeroed: headerSize + (base == nil ? 1 : 0))
        let h = raw.base!.assumingMemoryBound(to: btf_header.self)
        h.pointee.magic = BTF.magic
        h.pointee.version = 1
        h.pointee.hdr_len = UInt32(headerSize)
        h.pointee.str_len = base == nil ? 1 : 0
        btf.raw = raw
        btf.pointerSizeSetting = MemoryLayout<UnsafeRawPointer>.size
        return btf
    }

    /// Splits a parsed BTF into growable header/type/string storage (with a string
    /// index), once; afterwards drops the cached raw output, which any change invalidates.
    public func ensureModifiable() throws(BPFError) {
        if isModifiable {
            invalidateRawData()
            return
        }
        let h = header
        let newHeader = try BTFBuffer(copying: UnsafeRawPointer(h), count: Int(h.pointee.hdr_len))
        var newTypes: BTFBuffer
        do {
            newTypes = try BTFBuffer(copying: typeData.map { UnsafeRawPointer($0) }, count: Int(h.pointee.type_len))
        } catch {
            newHeader.free()
            throw error
        }
        let set: BTFStringSet
        do {
            set = try BTFStringSet(copying: stringData, count: Int(h.pointee.str_len))
        } catch {
            newHeader.free()
            newTypes.free()
            throw error
        }
        headerBuffer = newHeader
        typesBuffer = newTypes
        strings = set
        let length = header.pointee.str_len
        if length == 0 || (base == nil && length == 1) { stringsDeduplicated = true }
        invalidateRawData()
    }

    func invalidateRawData() {
        raw?.free()
        raw = nil
        swappedRaw?.free()
        swappedRaw = nil
    }

    // MARK: - Strings

    /// `btf__find_str`: the offset of `s` in this BTF or its base.
    public func findString(_ s: UnsafePointer<CChar>) throws(BPFError) -> UInt32 {
        if let base {
            do { return try base.findString(s) } catch where error == .ENOENT {}
        }
        try ensureModifiable()
        guard let offset = strings!.find(s) else { throw .ENOENT }
        return startStringOffset + UInt32(offset)
    }

    /// `btf__add_str`: the offset of `s`, added if neither this BTF nor its base has it.
    public func addString(_ s: UnsafePointer<CChar>) throws(BPFError) -> UInt32 {
        if let base {
            do { return try base.findString(s) } catch where error == .ENOENT {}
        }
        try ensureModifiable()
        let offset = try strings!.add(s)
        header.pointee.str_len = UInt32(strings!.data.count)
        return startStringOffset + UInt32(offset)
    }

    /// The offset for an optional name: 0 (the empty string) for NULL or "".
    func addOptionalName(_ name: UnsafePointer<CChar>?) throws(BPFError) -> UInt32 {
        guard let name, name[0] != 0 else { return 0 }
        return try addString(name)
    }

    // MARK: - Records

    /// Room for `size` more bytes of type data, at the current end (not yet counted).
    func reserveTypeBytes(_ size: Int) throws(BPFError) -> UnsafeMutableRawPointer {
        try typesBuffer.reserve(typesBuffer.count + size)
        let p = typesBuffer.base! + typesBuffer.count
        p.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        return p
    }

    /// Makes reserved bytes part of the type data.
    func commitTypeBytes(_ size: Int) {
        typesBuffer.setCount(typesBuffer.count + size)
        header.pointee.type_len += UInt32(size)
        header.pointee.str_off += UInt32(size)
    }

    /// Commits a new type record of `size` bytes: returns its id.
    func commitType(_ size: Int) -> UInt32 {
        typeOffsets.append(UInt32(typesBuffer.count))
        commitTypeBytes(size)
        return startID + ownTypeCount - 1
    }

    /// Writes the 12-byte header of a new record.
    @inline(__always)
    static func writeHeader(_ p: UnsafeMutableRawPointer, name: UInt32, kind: UInt32, vlen: UInt32, kindFlag: Bool, sizeOrType: UInt32) {
        p.storeBytes(of: name, as: UInt32.self)
        p.storeBytes(of: (kindFlag ? 1 << 31 : 0) | (kind << 24) | vlen, toByteOffset: 4, as: UInt32.self)
        p.storeBytes(of: sizeOrType, toByteOffset: 8, as: UInt32.self)
    }

    /// The last type of this BTF, which the "add member/value/param" calls extend.
    func lastOwnType() -> UnsafeMutableRawPointer? {
        guard let last = typeOffsets.last else { return nil }
        return typesBuffer.base! + Int(last)
    }

    static func info(of record: UnsafeMutableRawPointer) -> UInt32 { record.load(fromByteOffset: 4, as: UInt32.self) }

    /// A record with just a name, kind and referenced type (pointer, typedef, modifiers...).
    func addReference(kind: UInt32, name: UnsafePointer<CChar>?, referenced: UInt32) throws(BPFError) -> UInt32 {
        if referenced > BTF.maxTypeID { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(12)
        let nameOffset = try addOptionalName(name)
        let p = try reserveTypeBytes(12)
        BTF.writeHeader(p, name: nameOffset, kind: kind, vlen: 0, kindFlag: false, sizeOrType: referenced)
        return commitType(12)
    }

    /// Appends a trailing entry (member, enumerator, parameter, section variable) of
    /// `size` bytes to the last type, whose kind `expectedKinds` must contain.
    func appendToLast(size: Int, kindFlag: Bool = false, _ fill: (UnsafeMutableRawPointer) -> Void) throws(BPFError) {
        let p = try reserveTypeBytes(size)
        fill(p)
        let last = lastOwnType()!
        let info = BTF.info(of: last)
        let newInfo = (info & ~UInt32(0xffff)) | ((info & 0xffff) + 1) | (kindFlag ? 1 << 31 : 0)
        last.storeBytes(of: newInfo, toByteOffset: 4, as: UInt32.self)
        commitTypeBytes(size)
    }

    /// The kind of the last own type, if any.
    var lastOwnKind: UInt32? {
        lastOwnType().map { (BTF.info(of: $0) >> 24) & 0x1f }
    }

    static func nonEmpty(_ s: UnsafePointer<CChar>?) -> Bool { s != nil && s![0] != 0 }

    // MARK: - btf__add_*

    public func addInt(name: UnsafePointer<CChar>?, byteSize: Int, encoding: Int32) throws(BPFError) -> UInt32 {
        guard let name, name[0] != 0 else { throw .EINVAL }
        if byteSize <= 0 || byteSize & (byteSize - 1) != 0 || byteSize > 16 { throw .EINVAL }
        if encoding & ~Int32(BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL) != 0 { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(16)
        let nameOffset = try addString(name)
        let p = try reserveTypeBytes(16)
        BTF.writeHeader(p, name: nameOffset, kind: BTFKind.int, vlen: 0, kindFlag: false, sizeOrType: UInt32(byteSize))
        p.storeBytes(of: (UInt32(bitPattern: encoding) << 24) | UInt32(byteSize * 8), toByteOffset: 12, as: UInt32.self)
        return commitType(16)
    }

    public func addFloat(name: UnsafePointer<CChar>?, byteSize: Int) throws(BPFError) -> UInt32 {
        guard let name, name[0] != 0 else { throw .EINVAL }
        if byteSize != 2 && byteSize != 4 && byteSize != 8 && byteSize != 12 && byteSize != 16 { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(12)
        let nameOffset = try addString(name)
        let p = try reserveTypeBytes(12)
        BTF.writeHeader(p, name: nameOffset, kind: BTFKind.float, vlen: 0, kindFlag: false, sizeOrType: UInt32(byteSize))
        return commitType(12)
    }

    public func addPointer(to referenced: Int32) throws(BPFError) -> UInt32 {
        try addReference(kind: BTFKind.pointer, name: nil, referenced: UInt32(bitPattern: referenced))
    }

    public func addArray(indexType: Int32, elementType: Int32, count: UInt32) throws(BPFError) -> UInt32 {
        if UInt32(bitPattern: indexType) > BTF.maxTypeID || UInt32(bitPattern: elementType) > BTF.maxTypeID { throw .EINVAL }
        try ensureModifiable()
        let p = try reserveTypeBytes(24)
        BTF.writeHeader(p, name: 0, kind: BTFKind.array, vlen: 0, kindFlag: false, sizeOrType: 0)
        p.storeBytes(of: UInt32(bitPattern: elementType), toByteOffset: 12, as: UInt32.self)
        p.storeBytes(of: UInt32(bitPattern: indexType), toByteOffset: 16, as: UInt32.self)
        p.storeBytes(of: count, toByteOffset: 20, as: UInt32.self)
        return commitType(24)
    }

    /// A struct or union with no members yet (`btf__add_field` adds them).
    public func addComposite(kind: UInt32, name: UnsafePointer<CChar>?, byteSize: UInt32) throws(BPFError) -> UInt32 {
        try ensureModifiable()
        _ = try reserveTypeBytes(12)
        let nameOffset = try addOptionalName(name)
        let p = try reserveTypeBytes(12)
        BTF.writeHeader(p, name: nameOffset, kind: kind, vlen: 0, kindFlag: false, sizeOrType: byteSize)
        return commitType(12)
    }

    public func addField(name: UnsafePointer<CChar>?, type: Int32, bitOffset: UInt32, bitSize: UInt32) throws(BPFError) {
        guard let kind = lastOwnKind, kind == BTFKind.structure || kind == BTFKind.union else { throw .EINVAL }
        if UInt32(bitPattern: type) > BTF.maxTypeID { throw .EINVAL }
        let isBitfield = bitSize != 0 || bitOffset % 8 != 0
        if isBitfield && (bitSize == 0 || bitSize > 255 || bitOffset > 0xffffff) { throw .EINVAL }
        if kind == BTFKind.union && bitOffset != 0 { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(12)
        let nameOffset = try addOptionalName(name)
        try appendToLast(size: 12, kindFlag: isBitfield) { p in
            p.storeBytes(of: nameOffset, as: UInt32.self)
            p.storeBytes(of: UInt32(bitPattern: type), toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: bitOffset | (bitSize << 24), toByteOffset: 8, as: UInt32.self)
        }
    }

    /// An enum (ENUM or ENUM64) with no values yet.
    public func addEnum(kind: UInt32, name: UnsafePointer<CChar>?, byteSize: UInt32, signed: Bool) throws(BPFError) -> UInt32 {
        if byteSize == 0 || byteSize & (byteSize - 1) != 0 || byteSize > 8 { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(12)
        let nameOffset = try addOptionalName(name)
        let p = try reserveTypeBytes(12)
        BTF.writeHeader(p, name: nameOffset, kind: kind, vlen: 0, kindFlag: signed, sizeOrType: byteSize)
        return commitType(12)
    }

    /// `btf__add_enum_value`: the kind flag (signedness) turns on with a negative value.
    public func addEnumValue(name: UnsafePointer<CChar>?, value: Int64) throws(BPFError) {
        guard lastOwnKind == BTFKind.enumeration else { throw .EINVAL }
        guard let name, name[0] != 0 else { throw .EINVAL }
        if value < Int64(Int32.min) || value > Int64(UInt32.max) { throw .E2BIG }
        try ensureModifiable()
        _ = try reserveTypeBytes(8)
        let nameOffset = try addString(name)
        try appendToLast(size: 8, kindFlag: value < 0) { p in
            p.storeBytes(of: nameOffset, as: UInt32.self)
            p.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: 4, as: UInt32.self)
        }
    }

    public func addEnum64Value(name: UnsafePointer<CChar>?, value: UInt64) throws(BPFError) {
        guard lastOwnKind == BTFKind.enum64 else { throw .EINVAL }
        guard let name, name[0] != 0 else { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(12)
        let nameOffset = try addString(name)
        try appendToLast(size: 12) { p in
            p.storeBytes(of: nameOffset, as: UInt32.self)
            p.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: UInt32(truncatingIfNeeded: value >> 32), toByteOffset: 8, as: UInt32.self)
        }
    }

    /// `btf__add_fwd`: struct/union forwards are FWD records (kind flag = union);
    /// an enum forward is an enum of 4 bytes with no values.
    public func addForward(name: UnsafePointer<CChar>?, kind forwardKind: UInt32) throws(BPFError) -> UInt32 {
        guard let name, name[0] != 0 else { throw .EINVAL }
        switch forwardKind {
        case BTF_FWD_STRUCT.rawValue, BTF_FWD_UNION.rawValue:
            let id = try addReference(kind: BTFKind.forward, name: name, referenced: 0)
            if forwardKind == BTF_FWD_UNION.rawValue {
                let record = lastOwnType()!
                record.storeBytes(of: BTF.info(of: record) | 1 << 31, toByteOffset: 4, as: UInt32.self)
            }
            return id
        case BTF_FWD_ENUM.rawValue:
            return try addEnum(kind: BTFKind.enumeration, name: name, byteSize: 4, signed: false)
        default:
            throw .EINVAL
        }
    }

    public func addTypedef(name: UnsafePointer<CChar>?, type: Int32) throws(BPFError) -> UInt32 {
        guard BTF.nonEmpty(name) else { throw .EINVAL }
        return try addReference(kind: BTFKind.typedef, name: name, referenced: UInt32(bitPattern: type))
    }

    public func addModifier(kind: UInt32, type: Int32) throws(BPFError) -> UInt32 {
        try addReference(kind: kind, name: nil, referenced: UInt32(bitPattern: type))
    }

    public func addTypeTag(value: UnsafePointer<CChar>?, type: Int32) throws(BPFError) -> UInt32 {
        guard BTF.nonEmpty(value) else { throw .EINVAL }
        return try addReference(kind: BTFKind.typeTag, name: value, referenced: UInt32(bitPattern: type))
    }

    /// `btf__add_func`: the linkage lives in vlen.
    public func addFunction(name: UnsafePointer<CChar>?, linkage: UInt32, prototype: Int32) throws(BPFError) -> UInt32 {
        guard BTF.nonEmpty(name) else { throw .EINVAL }
        if linkage != BTF_FUNC_STATIC.rawValue && linkage != BTF_FUNC_GLOBAL.rawValue && linkage != BTF_FUNC_EXTERN.rawValue { throw .EINVAL }
        let id = try addReference(kind: BTFKind.function, name: name, referenced: UInt32(bitPattern: prototype))
        let record = lastOwnType()!
        record.storeBytes(of: (BTFKind.function << 24) | linkage, toByteOffset: 4, as: UInt32.self)
        return id
    }

    public func addFunctionPrototype(returnType: Int32) throws(BPFError) -> UInt32 {
        try addReference(kind: BTFKind.functionPrototype, name: nil, referenced: UInt32(bitPattern: returnType))
    }

    public func addFunctionParameter(name: UnsafePointer<CChar>?, type: Int32) throws(BPFError) {
        if UInt32(bitPattern: type) > BTF.maxTypeID { throw .EINVAL }
        guard lastOwnKind == BTFKind.functionPrototype else { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(8)
        let nameOffset = try addOptionalName(name)
        try appendToLast(size: 8) { p in
            p.storeBytes(of: nameOffset, as: UInt32.self)
            p.storeBytes(of: UInt32(bitPattern: type), toByteOffset: 4, as: UInt32.self)
        }
    }

    public func addVariable(name: UnsafePointer<CChar>?, linkage: UInt32, type: Int32) throws(BPFError) -> UInt32 {
        guard let name, name[0] != 0 else { throw .EINVAL }
        if linkage != UInt32(BTF_VAR_STATIC) && linkage != UInt32(BTF_VAR_GLOBAL_ALLOCATED)
            && linkage != UInt32(BTF_VAR_GLOBAL_EXTERN) { throw .EINVAL }
        if UInt32(bitPattern: type) > BTF.maxTypeID { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(16)
        let nameOffset = try addString(name)
        let p = try reserveTypeBytes(16)
        BTF.writeHeader(p, name: nameOffset, kind: BTFKind.variable, vlen: 0, kindFlag: false, sizeOrType: UInt32(bitPattern: type))
        p.storeBytes(of: linkage, toByteOffset: 12, as: UInt32.self)
        return commitType(16)
    }

    public func addDataSection(name: UnsafePointer<CChar>?, byteSize: UInt32) throws(BPFError) -> UInt32 {
        guard let name, name[0] != 0 else { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(12)
        let nameOffset = try addString(name)
        let p = try reserveTypeBytes(12)
        BTF.writeHeader(p, name: nameOffset, kind: BTFKind.dataSection, vlen: 0, kindFlag: false, sizeOrType: byteSize)
        return commitType(12)
    }

    public func addDataSectionVariable(type: Int32, offset: UInt32, byteSize: UInt32) throws(BPFError) {
        guard lastOwnKind == BTFKind.dataSection else { throw .EINVAL }
        if UInt32(bitPattern: type) > BTF.maxTypeID { throw .EINVAL }
        try ensureModifiable()
        try appendToLast(size: 12) { p in
            p.storeBytes(of: UInt32(bitPattern: type), as: UInt32.self)
            p.storeBytes(of: offset, toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: byteSize, toByteOffset: 8, as: UInt32.self)
        }
    }

    public func addDeclTag(value: UnsafePointer<CChar>?, type: Int32, componentIndex: Int32) throws(BPFError) -> UInt32 {
        guard let value, value[0] != 0, componentIndex >= -1 else { throw .EINVAL }
        if UInt32(bitPattern: type) > BTF.maxTypeID { throw .EINVAL }
        try ensureModifiable()
        _ = try reserveTypeBytes(16)
        let nameOffset = try addString(value)
        let p = try reserveTypeBytes(16)
        BTF.writeHeader(p, name: nameOffset, kind: BTFKind.declTag, vlen: 0, kindFlag: false, sizeOrType: UInt32(bitPattern: type))
        p.storeBytes(of: componentIndex, toByteOffset: 12, as: Int32.self)
        return commitType(16)
    }
}

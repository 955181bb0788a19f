import CBPF

/// One BTF type table (`struct btf`): a header, type records and a string section,
/// in host byte order, plus the offset of every type record.
///
/// Like libbpf, a parsed BTF keeps the bytes it was given in one buffer (so
/// `btf__raw_data` can hand them back unchanged) and only splits them into separately
/// growable header, type and string buffers on the first modification. Pointers
/// returned to C (`btf__type_by_id`) point into these buffers and, as in libbpf,
/// stay valid until the BTF is modified or freed.
///
/// Split BTF (a module's types on top of vmlinux) continues the base's type ids and
/// string offsets: ids below `startID` and offsets below `startStringOffset` are the
/// base's.
public final class BTF {
    public let base: BTF?
    public let startID: UInt32
    public let startStringOffset: UInt32

    /// Parsed and unmodified: header, types and strings are views into `raw`.
    var raw: BTFBuffer?
    /// Modifiable: separate header, type and string storage.
    var headerBuffer = BTFBuffer()
    var typesBuffer = BTFBuffer()
    var strings: BTFStringSet?

    /// Offsets of type records (id startID + i) within the type data.
    var typeOffsets: [UInt32] = []
    /// True when the data was (and raw output must be) in the other byte order.
    public var swappedEndian = false
    /// Cached raw output in the opposite byte order (`btf__raw_data` when swapped).
    var swappedRaw: BTFBuffer?
    /// The fd once loaded into the kernel (or set by the user), else -1.
    public var fd: Int32 = -1
    /// 0: not determined yet; -1: could not be determined; else 4 or 8.
    var pointerSizeSetting: Int = 0
    /// Name → ids index for lookups, built on first use.
    var nameIndex: BTFNameIndex?
    /// Whether every string is unique (an empty or freshly built BTF).
    var stringsDeduplicated = false

    init(base: BTF?) {
        self.base = base
        self.startID = base.map { $0.typeCount } ?? 1
        self.startStringOffset = base.map { $0.header.pointee.str_len } ?? 0
    }

    deinit {
        raw?.free()
        headerBuffer.free()
        typesBuffer.free()
        strings?.free()
        swappedRaw?.free()
        if fd >= 0 { _ = close(fd) }
    }

    // MARK: - Storage views

    public var isModifiable: Bool { strings != nil }

    var header: UnsafeMutablePointer<btf_header> {
        let start = isModifiable ? headerBuffer.base! : raw!.base!
        return start.assumingMemoryBound(to: btf_header.self)
    }

    var typeData: UnsafeMutableRawPointer? {
        if isModifiable { return typesBuffer.base }
        let h = header.pointee
        return raw!.base! + Int(h.hdr_len) + Int(h.type_off)
    }

    var stringData: UnsafeRawPointer? {
        if let strings { return UnsafeRawPointer(strings.data.base) }
        let h = header.pointee
        return UnsafeRawPointer(raw!.base! + Int(h.hdr_len) + Int(h.str_off))
    }

    /// Number of types of this BTF itself (not counting the base's).
    public var ownTypeCount: UInt32 { UInt32(typeOffsets.count) }

    /// `btf__type_cnt`: one past the last valid id (id 0 is void).
    public var typeCount: UInt32 { startID + ownTypeCount }

    // MARK: - Queries

    /// The zeroed record every BTF returns for id 0 (void).
    nonisolated(unsafe) static let voidType: UnsafeMutablePointer<btf_type> = {
        let p = UnsafeMutablePointer<btf_type>.allocate(capacity: 1)
        p.initialize(to: btf_type())
        return p
    }()

    /// The record of `id`, or nil when `id` is past the last type.
    @inline(__always)
    public func type(_ id: UInt32) -> UnsafePointer<btf_type>? {
        if id >= typeCount { return nil }
        return typeUnchecked(id)
    }

    @inline(__always)
    func typeUnchecked(_ id: UInt32) -> UnsafePointer<btf_type> {
        if id == 0 { return UnsafePointer(BTF.voidType) }
        if id < startID { return base!.typeUnchecked(id) }
        let offset = Int(typeOffsets[Int(id - startID)])
        return UnsafePointer((typeData! + offset).assumingMemoryBound(to: btf_type.self))
    }

    /// The NUL-terminated string at `offset`, or nil when it is outside the string section.
    @inline(__always)
    public func string(at offset: UInt32) -> UnsafePointer<CChar>? {
        if offset < startStringOffset { return base?.string(at: offset) }
        let local = offset - startStringOffset
        if local >= header.pointee.str_len { return nil }
        return (stringData! + Int(local)).assumingMemoryBound(to: CChar.self)
    }

    /// The name of a type, or nil.
    @inline(__always)
    public func name(of type: UnsafePointer<btf_type>) -> UnsafePointer<CChar>? {
        string(at: type.pointee.name_off)
    }

    /// `btf__endianness`: BTF_LITTLE_ENDIAN (0) or BTF_BIG_ENDIAN (1) of the output.
    public var endianness: UInt32 {
        let hostBig = UInt16(1).bigEndian == 1
        return (hostBig != swappedEndian) ? 1 : 0
    }

    public func setEndianness(_ value: UInt32) throws(BPFError) {
        if value > 1 { throw .EINVAL }
        let hostBig = UInt16(1).bigEndian == 1
        swappedEndian = hostBig != (value == 1)
        if !swappedEndian {
            swappedRaw?.free()
            swappedRaw = nil
        }
    }
}

import CBPF

/// libbpf's rule for extensible option structs (`struct xxx_opts { size_t sz; ... }`).
///
/// A caller compiled against an older header passes a smaller `sz`: fields past it
/// read as their defaults. A caller compiled against a newer header passes a larger
/// `sz`: accepted only if every byte we do not know is zero, since a non-zero byte
/// is a request we cannot honour. A NULL opts pointer means "all defaults".
public enum Opts {
    /// Checks `opts` (nil is valid) whose known fields end at byte `knownSize`.
    /// Logs the reference's warning and throws EINVAL when the rule is broken.
    public static func validate(_ opts: UnsafeRawPointer?, knownSize: Int, typeName: StaticString) throws(BPFError) {
        guard let opts else { return }
        let userSize = opts.loadUnaligned(as: Int.self)
        try validate(bytes: opts, userSize: userSize, knownSize: knownSize, typeName: typeName)
    }

    /// `OPTS_VALID` for one of libbpf's opts types, whose known size comes from the
    /// header's `<type>__last_field` (see BPFLayout.h).
    @inline(__always)
    public static func validate(_ opts: UnsafeRawPointer?, _ known: sbpf_opts_size, _ typeName: StaticString) throws(BPFError) {
        try validate(opts, knownSize: Int(known.rawValue), typeName: typeName)
    }

    /// `OPTS_ZEROED`: whether every byte of the caller's struct after the first `end`
    /// bytes is zero (used where only one member of a union may be set).
    public static func isZeroed(_ opts: UnsafeRawPointer?, after end: Int) -> Bool {
        guard let opts else { return true }
        let userSize = opts.loadUnaligned(as: Int.self)
        var offset = end
        while offset < userSize {
            if opts.load(fromByteOffset: offset, as: UInt8.self) != 0 { return false }
            offset += 1
        }
        return true
    }

    /// The user's `sz`, or 0 for NULL opts.
    public static func size(_ opts: UnsafeRawPointer?) -> Int {
        opts?.loadUnaligned(as: Int.self) ?? 0
    }

    /// Reads a field at `offset` whose end is `end` when `sz` covers it, else `fallback`.
    /// For fields Swift has no key path offset for (members of anonymous unions).
    public static func get<Value>(_ opts: UnsafeRawPointer?, offset: Int, end: Int, _ fallback: Value) -> Value {
        guard let opts, size(opts) >= end else { return fallback }
        return opts.loadUnaligned(fromByteOffset: offset, as: Value.self)
    }

    /// The rule itself, on a user size read by the caller.
    public static func validate(bytes: UnsafeRawPointer, userSize: Int, knownSize: Int, typeName: StaticString) throws(BPFError) {
        // sz is a size_t: a "negative" value is a huge size and fails the tail check below
        // in the reference too (it scans until it finds a non-zero byte); treat sizes
        // below sizeof(size_t) as too small, exactly as the reference.
        if UInt(bitPattern: userSize) < UInt(MemoryLayout<Int>.size) {
            Log.warn("libbpf: \(typeName) size (\(UInt(bitPattern: userSize))) is too small\n")
            throw .EINVAL
        }
        if userSize > knownSize {
            for offset in knownSize..<userSize where bytes.load(fromByteOffset: offset, as: UInt8.self) != 0 {
                Log.warn("libbpf: \(typeName) has non-zero extra bytes\n")
                throw .EINVAL
            }
        }
    }

    // Field access. Embedded Swift cannot pass key paths as values, but
    // `MemoryLayout<T>.offset(of: \.field)` with a literal key path folds to a
    // constant, so callers name a field by that offset:
    //     Opts.get(opts, MemoryLayout<bpf_map_create_opts>.offset(of: \.btf_fd), 0)

    /// `OPTS_HAS`: whether the caller's `sz` covers a `Value` at `offset`.
    @inline(__always)
    public static func has<Root, Value>(_ opts: UnsafePointer<Root>?, _ offset: Int?, _ type: Value.Type) -> Bool {
        guard let opts else { return false }
        return size(UnsafeRawPointer(opts)) >= offset! + MemoryLayout<Value>.size
    }

    /// `OPTS_GET`: the field at `offset` when the caller's `sz` covers it, else `fallback`.
    @inline(__always)
    public static func get<Root, Value>(_ opts: UnsafePointer<Root>?, _ offset: Int?, _ fallback: Value) -> Value {
        guard let opts, has(opts, offset, Value.self) else { return fallback }
        return UnsafeRawPointer(opts).loadUnaligned(fromByteOffset: offset!, as: Value.self)
    }

    /// `OPTS_SET`: writes an output field when the caller's `sz` covers it.
    @inline(__always)
    public static func set<Root, Value>(_ opts: UnsafeMutablePointer<Root>?, _ offset: Int?, _ value: Value) {
        guard let opts, has(UnsafePointer(opts), offset, Value.self) else { return }
        UnsafeMutableRawPointer(opts).storeBytes(of: value, toByteOffset: offset!, as: Value.self)
    }
}

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

    /// The number of bytes of a struct up to and including `field`: what the
    /// reference calls `offsetofend`, the size a field needs `sz` to cover.
    @inlinable
    public static func end<Root, Value>(of field: KeyPath<Root, Value>) -> Int {
        MemoryLayout<Root>.offset(of: field)! + MemoryLayout<Value>.size
    }

    /// Whether the caller's `sz` covers `field` (otherwise the field reads as its default).
    @inlinable
    public static func has<Root, Value>(_ opts: UnsafePointer<Root>?, _ field: KeyPath<Root, Value>) -> Bool {
        guard let opts else { return false }
        let userSize = UnsafeRawPointer(opts).loadUnaligned(as: Int.self)
        return userSize >= end(of: field)
    }

    /// `OPTS_GET`: the field's value when the caller's `sz` covers it, else `fallback`.
    @inlinable
    public static func get<Root, Value>(_ opts: UnsafePointer<Root>?, _ field: KeyPath<Root, Value>, _ fallback: Value) -> Value {
        guard let opts, has(opts, field) else { return fallback }
        return opts.pointee[keyPath: field]
    }
}

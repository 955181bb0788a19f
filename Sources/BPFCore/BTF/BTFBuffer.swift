/// A growable, manually managed byte buffer. BTF hands out raw pointers into its
/// type and string data (`btf__type_by_id`, `btf__name_by_offset`), so the bytes
/// must live in one C-style allocation that only moves when it grows, as in libbpf.
public struct BTFBuffer {
    public private(set) var base: UnsafeMutableRawPointer?
    public private(set) var count: Int = 0
    public private(set) var capacity: Int = 0

    public init() {}

    /// Takes ownership of `bytes` (allocated with malloc) holding `count` bytes.
    public init(adopting bytes: UnsafeMutableRawPointer?, count: Int) {
        self.base = bytes
        self.count = count
        self.capacity = count
    }

    /// A copy of `count` bytes at `source`.
    public init(copying source: UnsafeRawPointer?, count: Int) throws(BPFError) {
        try reserve(count)
        if count > 0, let source { base!.copyMemory(from: source, byteCount: count) }
        self.count = count
    }

    public mutating func reserve(_ needed: Int) throws(BPFError) {
        if needed <= capacity { return }
        // Grow by at least a quarter (and to 16 bytes minimum), as libbpf's
        // libbpf_ensure_mem does, so repeated appends stay amortised O(1).
        let newCapacity = max(needed, capacity + capacity / 4, 16)
        guard let grown = realloc(base, newCapacity) else { throw .ENOMEM }
        base = grown
        capacity = newCapacity
    }

    /// Appends `size` zeroed bytes and returns their offset.
    public mutating func append(zeroed size: Int) throws(BPFError) -> Int {
        try reserve(count + size)
        let offset = count
        (base! + offset).initializeMemory(as: UInt8.self, repeating: 0, count: size)
        count += size
        return offset
    }

    public mutating func append(_ bytes: UnsafeRawPointer, count size: Int) throws(BPFError) -> Int {
        let offset = try append(zeroed: size)
        if size > 0 { (base! + offset).copyMemory(from: bytes, byteCount: size) }
        return offset
    }

    /// Drops everything past `newCount` (used to roll back a failed multi-step add).
    public mutating func truncate(to newCount: Int) {
        count = min(count, newCount)
    }

    /// Sets the number of meaningful bytes (at most the capacity) after writing in place.
    public mutating func setCount(_ newCount: Int) {
        precondition(newCount <= capacity)
        count = newCount
    }

    public func free() {
        if let base { CBPFFree(base) }
    }
}

import CBPF

@inline(__always)
func CBPFFree(_ pointer: UnsafeMutableRawPointer) { CBPF.free(pointer) }

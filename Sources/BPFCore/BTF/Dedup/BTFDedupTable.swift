/// The candidate table of BTF dedup: type ids keyed by a type-signature hash, with
/// any number of ids per key.
///
/// Which candidate dedup picks when several are equivalent depends on the order
/// in which ids of one key are visited, so this table reproduces the visiting order
/// of libbpf's chained hash map exactly: a new entry goes to the front of its
/// bucket's chain, and growing (to 4 buckets first, then doubling, whenever
/// `(count + 1) * 4 / 3` exceeds the bucket count) re-chains every entry by walking
/// the old buckets in order and pushing each entry onto the front of its new chain,
/// which reverses the relative order of entries that share a key.
///
/// Entries live in preallocated arrays (a dedup adds each type at most once).
struct BTFDedupTable {
    /// Chain heads (entry index, -1 = empty); `capacity` = 1 << `capacityBits`.
    private var buckets: UnsafeMutablePointer<Int32>?
    private var capacity = 0
    private var capacityBits = 0
    private(set) var count = 0
    private let keys: UnsafeMutablePointer<Int64>
    private let ids: UnsafeMutablePointer<UInt32>
    private let next: UnsafeMutablePointer<Int32>
    private let maximumCount: Int
    /// The `force_collisions` testing mode: every key hashes to bucket 0.
    private let collide: Bool

    init(maximumCount: Int, forceCollisions: Bool) {
        self.maximumCount = max(maximumCount, 1)
        keys = .allocate(capacity: self.maximumCount)
        ids = .allocate(capacity: self.maximumCount)
        next = .allocate(capacity: self.maximumCount)
        collide = forceCollisions
    }

    func free() {
        keys.deallocate()
        ids.deallocate()
        next.deallocate()
        buckets?.deallocate()
    }

    /// libbpf's `hash_bits` (LP64) of the identity hash, or 0 when colliding.
    @inline(__always)
    private func bucket(_ key: Int64, bits: Int) -> Int {
        if collide || bits == 0 { return 0 }
        return Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 11400714819323198485) >> UInt64(64 - bits))
    }

    /// Adds `id` under `key` (in front of the ids already there).
    mutating func add(_ key: Int64, _ id: UInt32) {
        if capacity == 0 || (count + 1) * 4 / 3 > capacity { grow() }
        precondition(count < maximumCount)
        let entry = count
        keys[entry] = key
        ids[entry] = id
        let b = bucket(key, bits: capacityBits)
        next[entry] = buckets![b]
        buckets![b] = Int32(entry)
        count += 1
    }

    private mutating func grow() {
        let newBits = max(capacityBits + 1, 2)
        let newCapacity = 1 << newBits
        let newBuckets = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
        newBuckets.initialize(repeating: -1, count: newCapacity)
        if let old = buckets {
            for b in 0..<capacity {
                var entry = old[b]
                while entry >= 0 {
                    let following = next[Int(entry)]
                    let nb = bucket(keys[Int(entry)], bits: newBits)
                    next[Int(entry)] = newBuckets[nb]
                    newBuckets[nb] = entry
                    entry = following
                }
            }
            old.deallocate()
        }
        buckets = newBuckets
        capacity = newCapacity
        capacityBits = newBits
    }

    /// The first entry with `key` (-1 when none), in libbpf's visiting order.
    @inline(__always)
    func first(_ key: Int64) -> Int32 {
        guard let buckets else { return -1 }
        return match(buckets[bucket(key, bits: capacityBits)], key)
    }

    /// The entry with `key` after `entry` (-1 when none).
    @inline(__always)
    func after(_ entry: Int32, _ key: Int64) -> Int32 {
        match(next[Int(entry)], key)
    }

    @inline(__always)
    private func match(_ start: Int32, _ key: Int64) -> Int32 {
        var entry = start
        while entry >= 0 && keys[Int(entry)] != key { entry = next[Int(entry)] }
        return entry
    }

    @inline(__always)
    func id(_ entry: Int32) -> UInt32 { ids[Int(entry)] }
}

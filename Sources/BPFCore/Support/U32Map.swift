/// A map from UInt32 keys to UInt32 values with open addressing: what the BTF
/// code needs for offset and id remapping, without Swift's Dictionary (which
/// brings in libm and per-entry overhead).
public struct U32Map {
    var keys: [UInt32]
    var values: [UInt32]
    var occupied: [Bool]
    public private(set) var count = 0

    public init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt32](repeating: 0, count: size)
        values = [UInt32](repeating: 0, count: size)
        occupied = [Bool](repeating: false, count: size)
    }

    @inline(__always)
    static func slot(_ key: UInt32, _ mask: Int) -> Int {
        // Fibonacci hashing spreads sequential ids and offsets.
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    public subscript(key: UInt32) -> UInt32? {
        get {
            let mask = keys.count - 1
            var i = U32Map.slot(key, mask)
            while occupied[i] {
                if keys[i] == key { return values[i] }
                i = (i + 1) & mask
            }
            return nil
        }
        set {
            guard let value = newValue else { return }  // removal is never needed
            if (count + 1) * 4 > keys.count * 3 { grow() }
            let mask = keys.count - 1
            var i = U32Map.slot(key, mask)
            while occupied[i] {
                if keys[i] == key {
                    values[i] = value
                    return
                }
                i = (i + 1) & mask
            }
            occupied[i] = true
            keys[i] = key
            values[i] = value
            count += 1
        }
    }

    mutating func grow() {
        let oldKeys = keys, oldValues = values, oldOccupied = occupied
        keys = [UInt32](repeating: 0, count: oldKeys.count * 2)
        values = [UInt32](repeating: 0, count: oldKeys.count * 2)
        occupied = [Bool](repeating: false, count: oldKeys.count * 2)
        count = 0
        for i in 0..<oldKeys.count where oldOccupied[i] { self[oldKeys[i]] = oldValues[i] }
    }
}

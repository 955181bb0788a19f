import CBPF

/// CPU counts the library needs (per-CPU map value sizes, perf buffers).
public enum CPUs {
    nonisolated(unsafe) static var cachedPossible = 0

    /// The number of possible CPUs, from /sys/devices/system/cpu/possible, read once
    /// and cached on success (like the reference, a failure is not cached).
    public static func possibleCount() throws(BPFError) -> Int {
        if cachedPossible > 0 { return cachedPossible }
        let count = try readMask(path: "/sys/devices/system/cpu/possible").count
        cachedPossible = count
        return count
    }

    /// Reads and parses a sysfs CPU list file with the reference's limits and messages:
    /// one read of at most 128 bytes, which must leave room for a terminator.
    public static func readMask(path: StaticString) throws(BPFError) -> CPUMask {
        let bufferSize = 128
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.openReadOnly(path.utf8Start.withMemoryRebound(to: CChar.self, capacity: 1) { $0 })
        } catch {
            Log.warn("libbpf: Failed to open cpu mask file \(path): -\(error.code)\n")
            throw error
        }
        let text: [UInt8]
        do {
            text = try fd.read(upTo: bufferSize)
        } catch {
            Log.warn("libbpf: Failed to read cpu mask from \(path): -\(error.code)\n")
            throw error
        }
        if text.isEmpty {
            Log.warn("libbpf: Failed to read cpu mask from \(path): -\(BPFError.EINVAL.code)\n")
            throw .EINVAL
        }
        if text.count >= bufferSize {
            Log.warn("libbpf: CPU mask is too big in file \(path)\n")
            throw .E2BIG
        }
        return try CPUMask(parsing: text)
    }
}

/// The RLIMIT_MEMLOCK policy (`libbpf_set_memlock_rlim`). Kernels that account BPF
/// memory to the memory cgroup (5.11+) need no bump; on older ones the limit is
/// raised once, before the first map, program or BTF is created, after which the
/// setting is frozen.
public enum Memlock {
    /// RLIM_INFINITY until the user picks a value; 0 disables the bump.
    nonisolated(unsafe) public static var limit: UInt64 = ~0
    /// Set once the bump has been attempted.
    nonisolated(unsafe) public static var bumped = false

    public static func setLimit(_ bytes: Int) throws(BPFError) {
        if bumped { throw .EBUSY }
        limit = UInt64(UInt(bitPattern: bytes))
    }
}

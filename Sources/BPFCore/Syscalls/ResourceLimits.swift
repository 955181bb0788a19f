import CBPF

/// Raises RLIMIT_MEMLOCK once before the first map, program or BTF is created, on
/// kernels that still charge BPF memory against it (before 5.11). Failures are
/// ignored, as in the reference: creation itself reports EPERM if the limit is low.
public enum ResourceLimits {
    public static func bumpMemlockIfNeeded() {
        _ = bumpMemlock()
    }

    /// `bump_rlimit_memlock`: the setrlimit error, if the bump was attempted and failed.
    public static func bumpMemlock() -> BPFError? {
        if Memlock.bumped || KernelFeatures.supports(.memcgAccounting) { return nil }
        Memlock.bumped = true
        if Memlock.limit == 0 { return nil }  // the user disabled the bump
        var limit = rlimit(rlim_cur: rlim_t(Memlock.limit), rlim_max: rlim_t(Memlock.limit))
        if setrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit) != 0 { return BPFError.lastErrno() }
        return nil
    }
}

import CBPF

/// Raises RLIMIT_MEMLOCK once before the first map, program or BTF is created, on
/// kernels that still charge BPF memory against it (before 5.11). Failures are
/// ignored, as in the reference: creation itself reports EPERM if the limit is low.
public enum ResourceLimits {
    public static func bumpMemlockIfNeeded() {
        if Memlock.bumped || KernelFeatures.supports(.memcgAccounting) { return }
        Memlock.bumped = true
        if Memlock.limit == 0 { return }  // the user disabled the bump
        var limit = rlimit(rlim_cur: rlim_t(Memlock.limit), rlim_max: rlim_t(Memlock.limit))
        _ = setrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit)
    }
}

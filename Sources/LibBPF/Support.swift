import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// Conversions between the core's typed results and libbpf's C conventions:
// a negative errno as the return value with errno set too, or NULL with errno.

/// Sets errno to `error.code` and returns `-error.code`, as the reference's `libbpf_err`.
@inline(__always)
func cReturn(_ error: BPFError) -> Int32 {
    sbpf_set_errno(error.code)
    return -error.code
}

/// Runs `body`; on failure sets errno and returns the negative code.
@inline(__always)
func cResult(_ body: () throws(BPFError) -> Int32) -> Int32 {
    do { return try body() } catch { return cReturn(error) }
}

/// Sets errno and returns NULL, as the reference's `libbpf_err_ptr`.
@inline(__always)
func cNull<T>(_ error: BPFError) -> T? {
    sbpf_set_errno(error.code)
    return nil
}

/// What every symbol that is not implemented yet does: one warning through the
/// print callback, errno = EOPNOTSUPP, and -EOPNOTSUPP for the caller to return.
@inline(never)
func unsupported(_ name: StaticString) -> Int32 {
    Log.warn("libbpf: \(name)() is not supported yet\n")
    return cReturn(.EOPNOTSUPP)
}

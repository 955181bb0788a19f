import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

/// Installs the print callback and returns the previous one; NULL silences the library.
@_cdecl("libbpf_set_print")
public func abi_libbpf_set_print(_ fn: UnsafeRawPointer?) -> UnsafeRawPointer? {
    let previous = Log.printCallback
    Log.printCallback = fn
    return previous
}

/// Since libbpf 1.0 every strict behaviour is always on; the call is accepted and ignored.
@_cdecl("libbpf_set_strict_mode")
public func abi_libbpf_set_strict_mode(_ mode: libbpf_strict_mode) -> Int32 { 0 }

// libbpf_set_memlock_rlim is declared in bpf.h but the 1.1.2 reference does not
// export it (no LIBBPF_API, not in its version script), so neither do we; the
// policy lives in BPFCore's Memlock for the rlimit bump before map/prog/BTF creation.

@_cdecl("libbpf_num_possible_cpus")
public func abi_libbpf_num_possible_cpus() -> Int32 {
    cResult { () throws(BPFError) in Int32(try CPUs.possibleCount()) }
}

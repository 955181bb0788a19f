import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf_probes.c: the three feature probes. Each takes an opts pointer reserved for
// the future: anything but NULL is -EINVAL. Results are 1 (supported), 0 (not
// supported), or a negative errno with errno set.

@_cdecl("libbpf_probe_bpf_prog_type")
public func abi_libbpf_probe_bpf_prog_type(_ prog_type: bpf_prog_type, _ opts: UnsafeRawPointer?) -> Int32 {
    if opts != nil { return cReturn(.EINVAL) }
    return cResult { () throws(BPFError) in try Probes.programType(prog_type.rawValue) ? 1 : 0 }
}

@_cdecl("libbpf_probe_bpf_map_type")
public func abi_libbpf_probe_bpf_map_type(_ map_type: bpf_map_type, _ opts: UnsafeRawPointer?) -> Int32 {
    if opts != nil { return cReturn(.EINVAL) }
    return cResult { () throws(BPFError) in try Probes.mapType(map_type.rawValue) ? 1 : 0 }
}

@_cdecl("libbpf_probe_bpf_helper")
public func abi_libbpf_probe_bpf_helper(_ prog_type: bpf_prog_type, _ helper_id: bpf_func_id, _ opts: UnsafeRawPointer?) -> Int32 {
    if opts != nil { return cReturn(.EINVAL) }
    // The reference returns a bare -EOPNOTSUPP here: errno stays as the caller had it.
    if Probes.declinesHelperProbe(programType: prog_type.rawValue) { return -BPFError.EOPNOTSUPP.code }
    return cResult { () throws(BPFError) in
        try Probes.helper(helper_id.rawValue, programType: prog_type.rawValue) ? 1 : 0
    }
}

import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// bpf_object__gen_loader: switches the object's coming bpf_object__load into
// generation mode (Sources/BPFCore/GenLoader). As observed in the reference:
// broken opts sizes log the OPTS_VALID warning and return -EINVAL, NULL opts
// returns -EFAULT, both without touching errno; calling it again replaces the
// previous opts; after load it returns 0 and has no effect.

@_cdecl("bpf_object__gen_loader")
public func abi_bpf_object__gen_loader(_ obj: OpaquePointer?, _ opts: UnsafeMutablePointer<gen_loader_opts>?) -> Int32 {
    // PARTIAL: generation of objects with ksym/kfunc externs, map-in-maps, struct_ops, pinned maps, prog-array slots, BTF-id attach targets (fentry/fexit/lsm/...), attach_prog_fd or custom SEC() handlers fails with EOPNOTSUPP and a warning
    do throws(BPFError) {
        try Opts.validate(UnsafeRawPointer(opts), SBPF_OPTS_gen_loader_opts, "gen_loader_opts")
    } catch {
        return -error.code
    }
    guard let opts else { return -EFAULT }
    guard let o = objectFrom(obj) else { return -EINVAL }
    if o.loaded { return 0 }
    o.genLoader = GenLoader(opts: opts)
    return 0
}

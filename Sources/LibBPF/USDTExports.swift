import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: bpf_program__attach_usdt (Sources/BPFCore/USDT).
//
// The reference validates the opts as a struct bpf_uprobe_opts (its size and its
// name in the log: "bpf_uprobe_opts size (0) is too small", non-zero bytes are
// only refused past sizeof(struct bpf_uprobe_opts)); kept. It dereferences a NULL
// program, provider or name (and crashes); these return EINVAL instead.

@_cdecl("bpf_program__attach_usdt")
public func abi_bpf_program__attach_usdt(_ prog: OpaquePointer?, _ pid: Int32, _ binary_path: UnsafePointer<CChar>?, _ usdt_provider: UnsafePointer<CChar>?, _ usdt_name: UnsafePointer<CChar>?, _ opts: UnsafePointer<bpf_usdt_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_uprobe_opts, "bpf_uprobe_opts")
        guard let usdt_provider, let usdt_name else { throw .EINVAL }
        let cookie: UInt64 = Opts.get(opts, MemoryLayout<bpf_usdt_opts>.offset(of: \.usdt_cookie), 0)
        return try program.attachUSDT(pid: pid, binary: binary_path, provider: usdt_provider, name: usdt_name, cookie: cookie)
    }
}

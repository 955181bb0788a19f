import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: the BPF static linker. `struct bpf_linker *` is a retained Linker.

@inline(__always)
func linkerObject(_ p: OpaquePointer?) -> Linker? {
    guard let p else { return nil }
    return Unmanaged<Linker>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

// (The reference crashes on a NULL filename here and on NULL in finalize;
// both are EINVAL here. add_file with a NULL filename fails in open(2), -EFAULT.)
@_cdecl("bpf_linker__new")
public func abi_bpf_linker__new(_ filename: UnsafePointer<CChar>?, _ opts: UnsafeMutablePointer<bpf_linker_opts>?) -> OpaquePointer? {
    do throws(BPFError) {
        try Opts.validate(opts, SBPF_OPTS_bpf_linker_opts, "bpf_linker_opts")
        guard let filename else { throw .EINVAL }
        let linker = try Linker.create(path: filename)
        return OpaquePointer(Unmanaged.passRetained(linker).toOpaque())
    } catch {
        return cNull(error)
    }
}

@_cdecl("bpf_linker__add_file")
public func abi_bpf_linker__add_file(_ linker: OpaquePointer?, _ filename: UnsafePointer<CChar>?, _ opts: UnsafePointer<bpf_linker_file_opts>?) -> Int32 {
    cResult { () throws(BPFError) -> Int32 in
        try Opts.validate(opts, SBPF_OPTS_bpf_linker_file_opts, "bpf_linker_file_opts")
        guard let l = linkerObject(linker), !l.finalized else { throw .EINVAL }
        try l.addFile(filename)
        return 0
    }
}

@_cdecl("bpf_linker__finalize")
public func abi_bpf_linker__finalize(_ linker: OpaquePointer?) -> Int32 {
    cResult { () throws(BPFError) -> Int32 in
        guard let l = linkerObject(linker), !l.finalized else { throw .EINVAL }
        try l.finalize()
        return 0
    }
}

@_cdecl("bpf_linker__free")
public func abi_bpf_linker__free(_ linker: OpaquePointer?) {
    guard let linker else { return }
    Unmanaged<Linker>.fromOpaque(UnsafeRawPointer(linker)).release()
}

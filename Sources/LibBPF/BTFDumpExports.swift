import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// btf.h: btf_dump. `struct btf_dump *` is a retained BTFDump.

@inline(__always)
func dumpObject(_ p: OpaquePointer?) -> BTFDump? {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { return nil }
    return Unmanaged<BTFDump>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@_cdecl("btf_dump__new")
public func abi_btf_dump__new(_ btf: OpaquePointer?, _ printf_fn: UnsafeRawPointer?, _ ctx: UnsafeMutableRawPointer?, _ opts: UnsafePointer<btf_dump_opts>?) -> OpaquePointer? {
    do throws(BPFError) {
        try Opts.validate(opts, SBPF_OPTS_btf_dump_opts, "btf_dump_opts")
        guard let printf_fn, let b = btfObject(btf) else { throw .EINVAL }
        let dump = BTFDump(btf: b, printCallback: printf_fn, context: ctx)
        return OpaquePointer(Unmanaged.passRetained(dump).toOpaque())
    } catch {
        return cNull(error)
    }
}

@_cdecl("btf_dump__free")
public func abi_btf_dump__free(_ d: OpaquePointer?) {
    guard let d, !isErrorPointer(UnsafeRawPointer(d)) else { return }
    Unmanaged<BTFDump>.fromOpaque(UnsafeRawPointer(d)).release()
}

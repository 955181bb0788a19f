import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: `struct bpf_prog_linfo *` is a retained ProgLineInfo object. The
// returned `struct bpf_line_info *` point into its private copy of the records
// (the caller's record size apart). The reference crashes on a NULL info or a
// NULL prog_linfo; here those fail with EINVAL (new) or ENOENT (lookups).

@inline(__always)
func progLineInfoObject(_ p: OpaquePointer?) -> ProgLineInfo? {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { return nil }
    return Unmanaged<ProgLineInfo>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@_cdecl("bpf_prog_linfo__new")
public func abi_bpf_prog_linfo__new(_ info: UnsafePointer<bpf_prog_info>?) -> OpaquePointer? {
    guard let info else { return cNull(.EINVAL) }
    do {
        let linfo = try ProgLineInfo(info: info.pointee)
        return OpaquePointer(Unmanaged.passRetained(linfo).toOpaque())
    } catch {
        return cNull(error)
    }
}

@_cdecl("bpf_prog_linfo__free")
public func abi_bpf_prog_linfo__free(_ prog_linfo: OpaquePointer?) {
    guard let prog_linfo, !isErrorPointer(UnsafeRawPointer(prog_linfo)) else { return }
    Unmanaged<ProgLineInfo>.fromOpaque(UnsafeRawPointer(prog_linfo)).release()
}

@_cdecl("bpf_prog_linfo__lfind")
public func abi_bpf_prog_linfo__lfind(_ prog_linfo: OpaquePointer?, _ insn_off: UInt32, _ nr_skip: UInt32) -> UnsafePointer<bpf_line_info>? {
    guard let linfo = progLineInfoObject(prog_linfo),
          let index = linfo.find(insnOffset: insn_off, skip: nr_skip) else { return cNull(.ENOENT) }
    return linfo.record(at: index).assumingMemoryBound(to: bpf_line_info.self)
}

@_cdecl("bpf_prog_linfo__lfind_addr_func")
public func abi_bpf_prog_linfo__lfind_addr_func(_ prog_linfo: OpaquePointer?, _ addr: UInt64, _ func_idx: UInt32, _ nr_skip: UInt32) -> UnsafePointer<bpf_line_info>? {
    guard let linfo = progLineInfoObject(prog_linfo),
          let index = linfo.find(address: addr, function: func_idx, skip: nr_skip) else { return cNull(.ENOENT) }
    return linfo.record(at: index).assumingMemoryBound(to: bpf_line_info.self)
}

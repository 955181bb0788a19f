import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// btf.h / libbpf_legacy.h: `struct btf_ext *` is a retained BTFExt object (the
// same handles btf__parse and btf__parse_elf pass out). Calls the reference makes
// with a NULL btf_ext crash it; here they fail with EINVAL.

@inline(__always)
func btfExtObject(_ p: OpaquePointer?) -> BTFExt? {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { return nil }
    return Unmanaged<BTFExt>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@inline(__always)
func btfExtHandle(_ ext: BTFExt) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(ext).toOpaque())
}

@_cdecl("btf_ext__new")
public func abi_btf_ext__new(_ data: UnsafePointer<UInt8>?, _ size: UInt32) -> OpaquePointer? {
    do {
        return btfExtHandle(try BTFExt.parse(UnsafeRawPointer(data), size: Int(size)))
    } catch {
        return cNull(error)
    }
}

@_cdecl("btf_ext__free")
public func abi_btf_ext__free(_ btf_ext: OpaquePointer?) {
    guard let btf_ext, !isErrorPointer(UnsafeRawPointer(btf_ext)) else { return }
    Unmanaged<BTFExt>.fromOpaque(UnsafeRawPointer(btf_ext)).release()
}

/// The bytes given to btf_ext__new, unchanged. Declared in btf.h but, in libbpf
/// 1.1.2, missing from its version script (so not exported; ours is hidden the
/// same way by libbpf.map); btf_ext__get_raw_data is the exported name.
@_cdecl("btf_ext__raw_data")
public func abi_btf_ext__raw_data(_ btf_ext: OpaquePointer?, _ size: UnsafeMutablePointer<UInt32>?) -> UnsafeRawPointer? {
    guard let ext = btfExtObject(btf_ext) else { return cNull(.EINVAL) }
    let (data, count) = ext.rawData
    size?.pointee = UInt32(truncatingIfNeeded: count)
    return data
}

@_cdecl("btf_ext__get_raw_data")
public func abi_btf_ext__get_raw_data(_ btf_ext: OpaquePointer?, _ size: UnsafeMutablePointer<UInt32>?) -> UnsafeRawPointer? {
    abi_btf_ext__raw_data(btf_ext, size)
}

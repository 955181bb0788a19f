import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

@_cdecl("libbpf_major_version")
public func abi_libbpf_major_version() -> UInt32 { UInt32(LIBBPF_MAJOR_VERSION) }

@_cdecl("libbpf_minor_version")
public func abi_libbpf_minor_version() -> UInt32 { UInt32(LIBBPF_MINOR_VERSION) }

@_cdecl("libbpf_version_string")
public func abi_libbpf_version_string() -> UnsafePointer<CChar>? {
    // "v<major>.<minor>" of the headers this library implements.
    cString("v1.1")
}

/// A static string literal as a C string (literals are stored NUL-terminated).
@inline(__always)
func cString(_ s: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}

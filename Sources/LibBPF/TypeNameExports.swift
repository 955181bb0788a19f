import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

@_cdecl("libbpf_bpf_prog_type_str")
public func abi_libbpf_bpf_prog_type_str(_ t: bpf_prog_type) -> UnsafePointer<CChar>? {
    TypeNames.name(TypeNames.programTypes, t.rawValue).map(cString)
}

@_cdecl("libbpf_bpf_map_type_str")
public func abi_libbpf_bpf_map_type_str(_ t: bpf_map_type) -> UnsafePointer<CChar>? {
    TypeNames.name(TypeNames.mapTypes, t.rawValue).map(cString)
}

@_cdecl("libbpf_bpf_attach_type_str")
public func abi_libbpf_bpf_attach_type_str(_ t: bpf_attach_type) -> UnsafePointer<CChar>? {
    TypeNames.name(TypeNames.attachTypes, t.rawValue).map(cString)
}

@_cdecl("libbpf_bpf_link_type_str")
public func abi_libbpf_bpf_link_type_str(_ t: bpf_link_type) -> UnsafePointer<CChar>? {
    TypeNames.name(TypeNames.linkTypes, t.rawValue).map(cString)
}

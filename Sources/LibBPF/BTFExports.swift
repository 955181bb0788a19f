import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// btf.h: `struct btf *` is a retained BTF object. Calls that the reference makes
// with a NULL btf crash it; here they fail with EINVAL (NULL/0 for non-int results).

@inline(__always)
func btfObject(_ p: OpaquePointer?) -> BTF? {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { return nil }
    return Unmanaged<BTF>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@inline(__always)
func btfHandle(_ btf: BTF) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(btf).toOpaque())
}

/// The kernel's ERR_PTR range (the top 4095 addresses).
@inline(__always)
func isErrorPointer(_ p: UnsafeRawPointer) -> Bool { UInt(bitPattern: p) >= 0 &- 4095 }

/// Runs a constructor: the new object's handle, or NULL with errno.
@inline(__always)
func cHandle(_ body: () throws(BPFError) -> BTF) -> OpaquePointer? {
    do { return btfHandle(try body()) } catch { return cNull(error) }
}

/// Runs `body` on a valid btf (EINVAL otherwise), returning an int result.
@inline(__always)
func withBTF(_ p: OpaquePointer?, _ body: (BTF) throws(BPFError) -> Int32) -> Int32 {
    cResult { () throws(BPFError) in
        guard let btf = btfObject(p) else { throw .EINVAL }
        return try body(btf)
    }
}

/// An id from the writer API as the C `int` it is returned as.
@inline(__always)
func idResult(_ id: UInt32) -> Int32 { Int32(bitPattern: id) }

// MARK: - Construction and destruction

@_cdecl("btf__free")
public func abi_btf__free(_ btf: OpaquePointer?) {
    guard let btf, !isErrorPointer(UnsafeRawPointer(btf)) else { return }
    Unmanaged<BTF>.fromOpaque(UnsafeRawPointer(btf)).release()
}

@_cdecl("btf__new")
public func abi_btf__new(_ data: UnsafeRawPointer?, _ size: UInt32) -> OpaquePointer? {
    cHandle { () throws(BPFError) in try BTF.parse(data, size: Int(size), base: nil) }
}

@_cdecl("btf__new_split")
public func abi_btf__new_split(_ data: UnsafeRawPointer?, _ size: UInt32, _ base_btf: OpaquePointer?) -> OpaquePointer? {
    cHandle { () throws(BPFError) in try BTF.parse(data, size: Int(size), base: btfObject(base_btf)) }
}

@_cdecl("btf__new_empty")
public func abi_btf__new_empty() -> OpaquePointer? {
    cHandle { () throws(BPFError) in try BTF.empty(base: nil) }
}

@_cdecl("btf__new_empty_split")
public func abi_btf__new_empty_split(_ base_btf: OpaquePointer?) -> OpaquePointer? {
    cHandle { () throws(BPFError) in try BTF.empty(base: btfObject(base_btf)) }
}

/// The parse_* family: `path` NULL is EINVAL; `btf_ext` (when asked) receives the
/// .BTF.ext of an ELF file or NULL.
func parseHandle(_ path: UnsafePointer<CChar>?, base: OpaquePointer?, ext: UnsafeMutablePointer<OpaquePointer?>?,
                 _ parse: (UnsafePointer<CChar>, BTF?) throws(BPFError) -> (BTF, BTFExt?)) -> OpaquePointer? {
    ext?.pointee = nil
    guard let path else { return cNull(.EINVAL) }
    do throws(BPFError) {
        let (btf, parsedExt) = try parse(path, btfObject(base))
        if let parsedExt, let ext { ext.pointee = OpaquePointer(Unmanaged.passRetained(parsedExt).toOpaque()) }
        return btfHandle(btf)
    } catch {
        return cNull(error)
    }
}

@_cdecl("btf__parse")
public func abi_btf__parse(_ path: UnsafePointer<CChar>?, _ btf_ext: UnsafeMutablePointer<OpaquePointer?>?) -> OpaquePointer? {
    parseHandle(path, base: nil, ext: btf_ext) { (p, b) throws(BPFError) in try BTF.parseFile(p, base: b, wantExtension: btf_ext != nil) }
}

@_cdecl("btf__parse_split")
public func abi_btf__parse_split(_ path: UnsafePointer<CChar>?, _ base_btf: OpaquePointer?) -> OpaquePointer? {
    parseHandle(path, base: base_btf, ext: nil) { (p, b) throws(BPFError) in try BTF.parseFile(p, base: b, wantExtension: false) }
}

@_cdecl("btf__parse_elf")
public func abi_btf__parse_elf(_ path: UnsafePointer<CChar>?, _ btf_ext: UnsafeMutablePointer<OpaquePointer?>?) -> OpaquePointer? {
    parseHandle(path, base: nil, ext: btf_ext) { (p, b) throws(BPFError) in try BTF.parseELFFile(p, base: b, wantExtension: btf_ext != nil) }
}

@_cdecl("btf__parse_elf_split")
public func abi_btf__parse_elf_split(_ path: UnsafePointer<CChar>?, _ base_btf: OpaquePointer?) -> OpaquePointer? {
    parseHandle(path, base: base_btf, ext: nil) { (p, b) throws(BPFError) in try BTF.parseELFFile(p, base: b, wantExtension: false) }
}

@_cdecl("btf__parse_raw")
public func abi_btf__parse_raw(_ path: UnsafePointer<CChar>?) -> OpaquePointer? {
    parseHandle(path, base: nil, ext: nil) { (p, b) throws(BPFError) in (try BTF.parseRawFile(p, base: b), nil) }
}

@_cdecl("btf__parse_raw_split")
public func abi_btf__parse_raw_split(_ path: UnsafePointer<CChar>?, _ base_btf: OpaquePointer?) -> OpaquePointer? {
    parseHandle(path, base: base_btf, ext: nil) { (p, b) throws(BPFError) in (try BTF.parseRawFile(p, base: b), nil) }
}

@_cdecl("btf__load_vmlinux_btf")
public func abi_btf__load_vmlinux_btf() -> OpaquePointer? {
    cHandle { () throws(BPFError) in try BTF.loadVMLinux() }
}

@_cdecl("libbpf_find_kernel_btf")
public func abi_libbpf_find_kernel_btf() -> OpaquePointer? { abi_btf__load_vmlinux_btf() }

@_cdecl("btf__load_module_btf")
public func abi_btf__load_module_btf(_ module_name: UnsafePointer<CChar>?, _ vmlinux_btf: OpaquePointer?) -> OpaquePointer? {
    guard let module_name else { return cNull(.EINVAL) }
    let path = "/sys/kernel/btf/" + String(cString: module_name)
    var text = path
    return text.withUTF8 { bytes in
        withNulTerminated(bytes) { p in
            parseHandle(p, base: vmlinux_btf, ext: nil) { (p, b) throws(BPFError) in try BTF.parseFile(p, base: b, wantExtension: false) }
        }
    }
}

@_cdecl("btf__load_from_kernel_by_id")
public func abi_btf__load_from_kernel_by_id(_ id: UInt32) -> OpaquePointer? {
    cHandle { () throws(BPFError) in try BTF.loadFromKernel(id: id, base: nil) }
}

@_cdecl("btf__load_from_kernel_by_id_split")
public func abi_btf__load_from_kernel_by_id_split(_ id: UInt32, _ base_btf: OpaquePointer?) -> OpaquePointer? {
    cHandle { () throws(BPFError) in try BTF.loadFromKernel(id: id, base: btfObject(base_btf)) }
}

@_cdecl("btf__load_into_kernel")
public func abi_btf__load_into_kernel(_ btf: OpaquePointer?) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        try b.loadIntoKernel()
        return 0
    }
}

// MARK: - Queries

@_cdecl("btf__type_cnt")
public func abi_btf__type_cnt(_ btf: OpaquePointer?) -> UInt32 {
    btfObject(btf)?.typeCount ?? 0
}

@_cdecl("btf__base_btf")
public func abi_btf__base_btf(_ btf: OpaquePointer?) -> OpaquePointer? {
    guard let base = btfObject(btf)?.base else { return nil }
    return OpaquePointer(Unmanaged.passUnretained(base).toOpaque())
}

@_cdecl("btf__type_by_id")
public func abi_btf__type_by_id(_ btf: OpaquePointer?, _ id: UInt32) -> UnsafePointer<btf_type>? {
    guard let b = btfObject(btf), let t = b.type(id) else { return cNull(.EINVAL) }
    return t
}

@_cdecl("btf__str_by_offset")
public func abi_btf__str_by_offset(_ btf: OpaquePointer?, _ offset: UInt32) -> UnsafePointer<CChar>? {
    guard let b = btfObject(btf), let s = b.string(at: offset) else { return cNull(.EINVAL) }
    return s
}

@_cdecl("btf__name_by_offset")
public func abi_btf__name_by_offset(_ btf: OpaquePointer?, _ offset: UInt32) -> UnsafePointer<CChar>? {
    abi_btf__str_by_offset(btf, offset)
}

@_cdecl("btf__find_by_name")
public func abi_btf__find_by_name(_ btf: OpaquePointer?, _ type_name: UnsafePointer<CChar>?) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        guard let type_name else { throw .EINVAL }
        if strcmp(type_name, "void") == 0 { return 0 }
        guard let id = b.find(type_name, kind: nil) else { throw .ENOENT }
        return idResult(id)
    }
}

@_cdecl("btf__find_by_name_kind")
public func abi_btf__find_by_name_kind(_ btf: OpaquePointer?, _ type_name: UnsafePointer<CChar>?, _ kind: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        guard let type_name else { throw .EINVAL }
        if kind == BTFKind.unknown || strcmp(type_name, "void") == 0 { return 0 }
        guard let id = b.find(type_name, kind: kind) else { throw .ENOENT }
        return idResult(id)
    }
}

@_cdecl("btf__resolve_size")
public func abi_btf__resolve_size(_ btf: OpaquePointer?, _ type_id: UInt32) -> Int64 {
    guard let b = btfObject(btf) else { return Int64(cReturn(.EINVAL)) }
    do { return try b.resolveSize(type_id) } catch { return Int64(cReturn(error)) }
}

@_cdecl("btf__resolve_type")
public func abi_btf__resolve_type(_ btf: OpaquePointer?, _ type_id: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.resolveType(type_id)) }
}

/// 0 with errno EINVAL for kinds without an alignment, as the reference.
@_cdecl("btf__align_of")
public func abi_btf__align_of(_ btf: OpaquePointer?, _ id: UInt32) -> Int32 {
    guard let b = btfObject(btf) else { _ = cReturn(.EINVAL); return 0 }
    do { return Int32(try b.alignment(of: id)) } catch { _ = cReturn(error); return 0 }
}

@_cdecl("btf__pointer_size")
public func abi_btf__pointer_size(_ btf: OpaquePointer?) -> Int {
    btfObject(btf)?.pointerSize ?? 0
}

@_cdecl("btf__set_pointer_size")
public func abi_btf__set_pointer_size(_ btf: OpaquePointer?, _ ptr_sz: Int) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        try b.setPointerSize(ptr_sz)
        return 0
    }
}

@_cdecl("btf__endianness")
public func abi_btf__endianness(_ btf: OpaquePointer?) -> btf_endianness {
    btf_endianness(rawValue: btfObject(btf)?.endianness ?? 0)
}

@_cdecl("btf__set_endianness")
public func abi_btf__set_endianness(_ btf: OpaquePointer?, _ endian: btf_endianness) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        try b.setEndianness(endian.rawValue)
        return 0
    }
}

@_cdecl("btf__fd")
public func abi_btf__fd(_ btf: OpaquePointer?) -> Int32 { btfObject(btf)?.fd ?? -1 }

@_cdecl("btf__set_fd")
public func abi_btf__set_fd(_ btf: OpaquePointer?, _ fd: Int32) { btfObject(btf)?.fd = fd }

@_cdecl("btf__raw_data")
public func abi_btf__raw_data(_ btf: OpaquePointer?, _ size: UnsafeMutablePointer<UInt32>?) -> UnsafeRawPointer? {
    guard let b = btfObject(btf) else { return cNull(.EINVAL) }
    do {
        let (data, count) = try b.rawData()
        size?.pointee = UInt32(count)
        return data
    } catch {
        return cNull(.ENOMEM)
    }
}

@_cdecl("btf__get_raw_data")
public func abi_btf__get_raw_data(_ btf: OpaquePointer?, _ size: UnsafeMutablePointer<UInt32>?) -> UnsafeRawPointer? {
    abi_btf__raw_data(btf, size)
}

// MARK: - Strings and writer

@_cdecl("btf__find_str")
public func abi_btf__find_str(_ btf: OpaquePointer?, _ s: UnsafePointer<CChar>?) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        guard let s else { throw .EINVAL }
        return idResult(try b.findString(s))
    }
}

@_cdecl("btf__add_str")
public func abi_btf__add_str(_ btf: OpaquePointer?, _ s: UnsafePointer<CChar>?) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        guard let s else { throw .EINVAL }
        return idResult(try b.addString(s))
    }
}

@_cdecl("btf__add_type")
public func abi_btf__add_type(_ btf: OpaquePointer?, _ src_btf: OpaquePointer?, _ src_type: UnsafePointer<btf_type>?) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        guard let source = btfObject(src_btf), let src_type else { throw .EINVAL }
        return idResult(try b.addType(from: source, src_type))
    }
}

@_cdecl("btf__add_btf")
public func abi_btf__add_btf(_ btf: OpaquePointer?, _ src_btf: OpaquePointer?) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        guard let source = btfObject(src_btf) else { throw .EINVAL }
        return idResult(try b.addAll(from: source))
    }
}

@_cdecl("btf__add_int")
public func abi_btf__add_int(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ byte_sz: Int, _ encoding: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addInt(name: name, byteSize: byte_sz, encoding: encoding)) }
}

@_cdecl("btf__add_float")
public func abi_btf__add_float(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ byte_sz: Int) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addFloat(name: name, byteSize: byte_sz)) }
}

@_cdecl("btf__add_ptr")
public func abi_btf__add_ptr(_ btf: OpaquePointer?, _ ref_type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addPointer(to: ref_type_id)) }
}

@_cdecl("btf__add_array")
public func abi_btf__add_array(_ btf: OpaquePointer?, _ index_type_id: Int32, _ elem_type_id: Int32, _ nr_elems: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addArray(indexType: index_type_id, elementType: elem_type_id, count: nr_elems)) }
}

@_cdecl("btf__add_struct")
public func abi_btf__add_struct(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ sz: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addComposite(kind: BTFKind.structure, name: name, byteSize: sz)) }
}

@_cdecl("btf__add_union")
public func abi_btf__add_union(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ sz: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addComposite(kind: BTFKind.union, name: name, byteSize: sz)) }
}

@_cdecl("btf__add_field")
public func abi_btf__add_field(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ field_type_id: Int32, _ bit_offset: UInt32, _ bit_size: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        try b.addField(name: name, type: field_type_id, bitOffset: bit_offset, bitSize: bit_size)
        return 0
    }
}

@_cdecl("btf__add_enum")
public func abi_btf__add_enum(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ bytes_sz: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addEnum(kind: BTFKind.enumeration, name: name, byteSize: bytes_sz, signed: false)) }
}

@_cdecl("btf__add_enum_value")
public func abi_btf__add_enum_value(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: Int64) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        try b.addEnumValue(name: name, value: value)
        return 0
    }
}

@_cdecl("btf__add_enum64")
public func abi_btf__add_enum64(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ bytes_sz: UInt32, _ is_signed: Bool) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addEnum(kind: BTFKind.enum64, name: name, byteSize: bytes_sz, signed: is_signed)) }
}

@_cdecl("btf__add_enum64_value")
public func abi_btf__add_enum64_value(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UInt64) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        try b.addEnum64Value(name: name, value: value)
        return 0
    }
}

@_cdecl("btf__add_fwd")
public func abi_btf__add_fwd(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ fwd_kind: btf_fwd_kind) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addForward(name: name, kind: fwd_kind.rawValue)) }
}

@_cdecl("btf__add_typedef")
public func abi_btf__add_typedef(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ ref_type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addTypedef(name: name, type: ref_type_id)) }
}

@_cdecl("btf__add_volatile")
public func abi_btf__add_volatile(_ btf: OpaquePointer?, _ ref_type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addModifier(kind: BTFKind.volatile, type: ref_type_id)) }
}

@_cdecl("btf__add_const")
public func abi_btf__add_const(_ btf: OpaquePointer?, _ ref_type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addModifier(kind: BTFKind.const, type: ref_type_id)) }
}

@_cdecl("btf__add_restrict")
public func abi_btf__add_restrict(_ btf: OpaquePointer?, _ ref_type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addModifier(kind: BTFKind.restrict, type: ref_type_id)) }
}

@_cdecl("btf__add_type_tag")
public func abi_btf__add_type_tag(_ btf: OpaquePointer?, _ value: UnsafePointer<CChar>?, _ ref_type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addTypeTag(value: value, type: ref_type_id)) }
}

@_cdecl("btf__add_func")
public func abi_btf__add_func(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ linkage: btf_func_linkage, _ proto_type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addFunction(name: name, linkage: linkage.rawValue, prototype: proto_type_id)) }
}

@_cdecl("btf__add_func_proto")
public func abi_btf__add_func_proto(_ btf: OpaquePointer?, _ ret_type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addFunctionPrototype(returnType: ret_type_id)) }
}

@_cdecl("btf__add_func_param")
public func abi_btf__add_func_param(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        try b.addFunctionParameter(name: name, type: type_id)
        return 0
    }
}

@_cdecl("btf__add_var")
public func abi_btf__add_var(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ linkage: Int32, _ type_id: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addVariable(name: name, linkage: UInt32(bitPattern: linkage), type: type_id)) }
}

@_cdecl("btf__add_datasec")
public func abi_btf__add_datasec(_ btf: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ byte_sz: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addDataSection(name: name, byteSize: byte_sz)) }
}

@_cdecl("btf__add_datasec_var_info")
public func abi_btf__add_datasec_var_info(_ btf: OpaquePointer?, _ var_type_id: Int32, _ offset: UInt32, _ byte_sz: UInt32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in
        try b.addDataSectionVariable(type: var_type_id, offset: offset, byteSize: byte_sz)
        return 0
    }
}

@_cdecl("btf__add_decl_tag")
public func abi_btf__add_decl_tag(_ btf: OpaquePointer?, _ value: UnsafePointer<CChar>?, _ ref_type_id: Int32, _ component_idx: Int32) -> Int32 {
    withBTF(btf) { (b) throws(BPFError) in idResult(try b.addDeclTag(value: value, type: ref_type_id, componentIndex: component_idx)) }
}

@_cdecl("btf__dedup")
public func abi_btf__dedup(_ btf: OpaquePointer?, _ opts: UnsafePointer<btf_dedup_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(UnsafeRawPointer(opts), SBPF_OPTS_btf_dedup_opts, "btf_dedup_opts")
        guard let b = btfObject(btf) else { throw .EINVAL }
        typealias O = btf_dedup_opts
        let ext = btfExtObject(Opts.get(opts, MemoryLayout<O>.offset(of: \.btf_ext), nil as OpaquePointer?))
        let forceCollisions = Opts.get(opts, MemoryLayout<O>.offset(of: \.force_collisions), false)
        try b.deduplicate(ext: ext, forceCollisions: forceCollisions)
        return 0
    }
}

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

@_cdecl("btf_dump__dump_type_data")
public func abi_btf_dump__dump_type_data(_ d: OpaquePointer?, _ id: UInt32, _ data: UnsafeRawPointer?, _ data_sz: Int, _ opts: UnsafePointer<btf_dump_type_data_opts>?) -> Int32 {
    cResult { () throws(BPFError) -> Int32 in
        try Opts.validate(opts, SBPF_OPTS_btf_dump_type_data_opts, "btf_dump_type_data_opts")
        guard let dump = dumpObject(d) else { throw .EINVAL }
        typealias O = MemoryLayout<btf_dump_type_data_opts>
        let options = BTFDumpDataOptions(
            indent: Opts.get(opts, O.offset(of: \.indent_str), nil as UnsafePointer<CChar>?),
            indentLevel: Opts.get(opts, O.offset(of: \.indent_level), 0),
            compact: Opts.get(opts, O.offset(of: \.compact), false),
            skipNames: Opts.get(opts, O.offset(of: \.skip_names), false),
            emitZeroes: Opts.get(opts, O.offset(of: \.emit_zeroes), false))
        return Int32(try dump.dumpTypeData(id: id, data: data, size: data_sz, options: options))
    }
}

@_cdecl("btf_dump__dump_type")
public func abi_btf_dump__dump_type(_ d: OpaquePointer?, _ id: UInt32) -> Int32 {
    cResult { () throws(BPFError) -> Int32 in
        guard let dump = dumpObject(d) else { throw .EINVAL }
        try dump.dumpType(id)
        return 0
    }
}

@_cdecl("btf_dump__emit_type_decl")
public func abi_btf_dump__emit_type_decl(_ d: OpaquePointer?, _ id: UInt32, _ opts: UnsafePointer<btf_dump_emit_type_decl_opts>?) -> Int32 {
    cResult { () throws(BPFError) -> Int32 in
        try Opts.validate(opts, SBPF_OPTS_btf_dump_emit_type_decl_opts, "btf_dump_emit_type_decl_opts")
        guard let dump = dumpObject(d) else { throw .EINVAL }
        typealias O = MemoryLayout<btf_dump_emit_type_decl_opts>
        let fieldName = Opts.get(opts, O.offset(of: \.field_name), nil as UnsafePointer<CChar>?)
        let level = Opts.get(opts, O.offset(of: \.indent_level), Int32(0))
        let strip = Opts.get(opts, O.offset(of: \.strip_mods), false)
        try dump.emitTypeDeclaration(id, fieldName: fieldName, level: Int(level), stripModifiers: strip)
        return 0
    }
}

import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: bpf_object open/close and object-level accessors. `struct bpf_object *`
// is a retained BPFObject; `struct bpf_program *` an unretained BPFProgram owned by
// its object (stable address, as the reference's array entries).

@inline(__always)
func objectFrom(_ p: OpaquePointer?) -> BPFObject? {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { return nil }
    return Unmanaged<BPFObject>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@inline(__always)
func programFrom(_ p: OpaquePointer?) -> BPFProgram? {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { return nil }
    return Unmanaged<BPFProgram>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@inline(__always)
func programHandle(_ program: BPFProgram?) -> OpaquePointer? {
    program.map { OpaquePointer(Unmanaged.passUnretained($0).toOpaque()) }
}

/// Reads `bpf_object_open_opts` after validating it.
func openOptions(_ opts: UnsafePointer<bpf_object_open_opts>?) throws(BPFError) -> ObjectOpenOptions {
    try Opts.validate(opts, SBPF_OPTS_bpf_object_open_opts, "bpf_object_open_opts")
    typealias O = MemoryLayout<bpf_object_open_opts>
    var o = ObjectOpenOptions()
    o.objectName = Opts.get(opts, O.offset(of: \.object_name), nil as UnsafePointer<CChar>?)
    o.pinRootPath = Opts.get(opts, O.offset(of: \.pin_root_path), nil as UnsafePointer<CChar>?)
    o.relaxedMaps = Opts.get(opts, O.offset(of: \.relaxed_maps), false)
    o.kconfig = Opts.get(opts, O.offset(of: \.kconfig), nil as UnsafePointer<CChar>?)
    o.btfCustomPath = Opts.get(opts, O.offset(of: \.btf_custom_path), nil as UnsafePointer<CChar>?)
    o.kernelLogBuffer = Opts.get(opts, O.offset(of: \.kernel_log_buf), nil as UnsafeMutablePointer<CChar>?)
    o.kernelLogSize = Opts.get(opts, O.offset(of: \.kernel_log_size), 0)
    o.kernelLogLevel = Opts.get(opts, O.offset(of: \.kernel_log_level), 0)
    return o
}

@_cdecl("bpf_object__open_file")
public func abi_bpf_object__open_file(_ path: UnsafePointer<CChar>?, _ opts: UnsafePointer<bpf_object_open_opts>?) -> OpaquePointer? {
    guard let path else { return cNull(.EINVAL) }
    Log.debug("libbpf: loading object from \(cString: path)\n")
    do throws(BPFError) {
        let options = try openOptions(opts)
        let object = try BPFObject.open(path: path, buffer: nil, size: 0, options: options)
        return OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    } catch {
        return cNull(error)
    }
}

@_cdecl("bpf_object__open")
public func abi_bpf_object__open(_ path: UnsafePointer<CChar>?) -> OpaquePointer? {
    abi_bpf_object__open_file(path, nil)
}

@_cdecl("bpf_object__open_mem")
public func abi_bpf_object__open_mem(_ obj_buf: UnsafeRawPointer?, _ obj_buf_sz: Int, _ opts: UnsafePointer<bpf_object_open_opts>?) -> OpaquePointer? {
    guard let obj_buf, obj_buf_sz != 0 else { return cNull(.EINVAL) }
    do throws(BPFError) {
        let options = try openOptions(opts)
        let object = try BPFObject.open(path: nil, buffer: obj_buf, size: obj_buf_sz, options: options)
        return OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    } catch {
        return cNull(error)
    }
}

@_cdecl("bpf_object__close")
public func abi_bpf_object__close(_ object: OpaquePointer?) {
    guard let object, !isErrorPointer(UnsafeRawPointer(object)) else { return }
    Unmanaged<BPFObject>.fromOpaque(UnsafeRawPointer(object)).release()
}

@_cdecl("bpf_object__name")
public func abi_bpf_object__name(_ obj: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let o = objectFrom(obj) else { return cNull(.EINVAL) }
    return UnsafePointer(o.nameCString)
}

@_cdecl("bpf_object__kversion")
public func abi_bpf_object__kversion(_ obj: OpaquePointer?) -> UInt32 { objectFrom(obj)?.kernelVersion ?? 0 }

@_cdecl("bpf_object__set_kversion")
public func abi_bpf_object__set_kversion(_ obj: OpaquePointer?, _ kern_version: UInt32) -> Int32 {
    cResult { () throws(BPFError) in
        guard let o = objectFrom(obj), !o.loaded else { throw .EINVAL }
        o.kernelVersion = kern_version
        return 0
    }
}

@_cdecl("bpf_object__btf")
public func abi_bpf_object__btf(_ obj: OpaquePointer?) -> OpaquePointer? {
    guard let btf = objectFrom(obj)?.btf else { return nil }
    return OpaquePointer(Unmanaged.passUnretained(btf).toOpaque())
}

@_cdecl("bpf_object__btf_fd")
public func abi_bpf_object__btf_fd(_ obj: OpaquePointer?) -> Int32 { objectFrom(obj)?.btf?.fd ?? -1 }

/// Iteration: a program of another object is an error (EINVAL), as in the reference.
func iterate(_ obj: OpaquePointer?, _ prog: OpaquePointer?, forward: Bool) -> OpaquePointer? {
    guard let o = objectFrom(obj) else { return nil }
    var index: Int? = nil
    if let p = programFrom(prog) {
        if p.object !== o {
            Log.warn("libbpf: error: program handler doesn't match object\n")
            return cNull(.EINVAL)
        }
        index = p.index
    }
    return programHandle(forward ? o.nextProgram(after: index) : o.previousProgram(before: index))
}

@_cdecl("bpf_object__next_program")
public func abi_bpf_object__next_program(_ obj: OpaquePointer?, _ prog: OpaquePointer?) -> OpaquePointer? {
    iterate(obj, prog, forward: true)
}

@_cdecl("bpf_object__prev_program")
public func abi_bpf_object__prev_program(_ obj: OpaquePointer?, _ prog: OpaquePointer?) -> OpaquePointer? {
    iterate(obj, prog, forward: false)
}

@_cdecl("bpf_object__find_program_by_name")
public func abi_bpf_object__find_program_by_name(_ obj: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> OpaquePointer? {
    guard let o = objectFrom(obj), let name else { return cNull(.EINVAL) }
    guard let program = o.program(named: name) else { return cNull(.ENOENT) }
    return programHandle(program)
}

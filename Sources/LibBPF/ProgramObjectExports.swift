import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: bpf_program accessors and open-phase setters. Setters fail once the
// object is loaded, with the reference's error for each (EBUSY, or EINVAL for
// set_autoload).

/// Runs a setter on a program of a not-yet-loaded object.
@inline(__always)
func whileOpen(_ prog: OpaquePointer?, busy: BPFError = .EBUSY, _ body: (BPFProgram) throws(BPFError) -> Void) -> Int32 {
    cResult { () throws(BPFError) in
        guard let p = programFrom(prog) else { throw .EINVAL }
        if p.object.loaded { throw busy }
        try body(p)
        return 0
    }
}

@_cdecl("bpf_program__name")
public func abi_bpf_program__name(_ prog: OpaquePointer?) -> UnsafePointer<CChar>? {
    programFrom(prog).map { UnsafePointer($0.name) }
}

@_cdecl("bpf_program__section_name")
public func abi_bpf_program__section_name(_ prog: OpaquePointer?) -> UnsafePointer<CChar>? {
    programFrom(prog).map { UnsafePointer($0.sectionName) }
}

@_cdecl("bpf_program__type")
public func abi_bpf_program__type(_ prog: OpaquePointer?) -> bpf_prog_type {
    bpf_prog_type(rawValue: programFrom(prog)?.type ?? 0)
}

@_cdecl("bpf_program__get_type")
public func abi_bpf_program__get_type(_ prog: OpaquePointer?) -> bpf_prog_type { abi_bpf_program__type(prog) }

@_cdecl("bpf_program__set_type")
public func abi_bpf_program__set_type(_ prog: OpaquePointer?, _ type: bpf_prog_type) -> Int32 {
    whileOpen(prog) { (p) throws(BPFError) in p.type = type.rawValue }
}

@_cdecl("bpf_program__expected_attach_type")
public func abi_bpf_program__expected_attach_type(_ prog: OpaquePointer?) -> bpf_attach_type {
    bpf_attach_type(rawValue: programFrom(prog)?.expectedAttachType ?? 0)
}

@_cdecl("bpf_program__get_expected_attach_type")
public func abi_bpf_program__get_expected_attach_type(_ prog: OpaquePointer?) -> bpf_attach_type {
    abi_bpf_program__expected_attach_type(prog)
}

@_cdecl("bpf_program__set_expected_attach_type")
public func abi_bpf_program__set_expected_attach_type(_ prog: OpaquePointer?, _ type: bpf_attach_type) -> Int32 {
    whileOpen(prog) { (p) throws(BPFError) in p.expectedAttachType = type.rawValue }
}

@_cdecl("bpf_program__flags")
public func abi_bpf_program__flags(_ prog: OpaquePointer?) -> UInt32 { programFrom(prog)?.flags ?? 0 }

@_cdecl("bpf_program__set_flags")
public func abi_bpf_program__set_flags(_ prog: OpaquePointer?, _ flags: UInt32) -> Int32 {
    whileOpen(prog) { (p) throws(BPFError) in p.flags = flags }
}

@_cdecl("bpf_program__autoload")
public func abi_bpf_program__autoload(_ prog: OpaquePointer?) -> Bool { programFrom(prog)?.autoload ?? false }

@_cdecl("bpf_program__set_autoload")
public func abi_bpf_program__set_autoload(_ prog: OpaquePointer?, _ autoload: Bool) -> Int32 {
    whileOpen(prog, busy: .EINVAL) { (p) throws(BPFError) in p.autoload = autoload }
}

@_cdecl("bpf_program__autoattach")
public func abi_bpf_program__autoattach(_ prog: OpaquePointer?) -> Bool { programFrom(prog)?.autoattach ?? false }

@_cdecl("bpf_program__set_autoattach")
public func abi_bpf_program__set_autoattach(_ prog: OpaquePointer?, _ autoattach: Bool) {
    programFrom(prog)?.autoattach = autoattach
}

@_cdecl("bpf_program__log_level")
public func abi_bpf_program__log_level(_ prog: OpaquePointer?) -> UInt32 { programFrom(prog)?.logLevel ?? 0 }

@_cdecl("bpf_program__set_log_level")
public func abi_bpf_program__set_log_level(_ prog: OpaquePointer?, _ log_level: UInt32) -> Int32 {
    whileOpen(prog) { (p) throws(BPFError) in p.logLevel = log_level }
}

@_cdecl("bpf_program__log_buf")
public func abi_bpf_program__log_buf(_ prog: OpaquePointer?, _ log_size: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    guard let p = programFrom(prog) else { return nil }
    log_size?.pointee = p.logSize
    return p.logBuffer.map { UnsafePointer($0) }
}

@_cdecl("bpf_program__set_log_buf")
public func abi_bpf_program__set_log_buf(_ prog: OpaquePointer?, _ log_buf: UnsafeMutablePointer<CChar>?, _ log_size: Int) -> Int32 {
    cResult { () throws(BPFError) in
        guard let p = programFrom(prog) else { throw .EINVAL }
        if log_size != 0 && log_buf == nil { throw .EINVAL }
        if UInt(bitPattern: log_size) > UInt(UInt32.max) { throw .EINVAL }
        if p.object.loaded { throw .EBUSY }
        p.logBuffer = log_buf
        p.logSize = log_size
        return 0
    }
}

@_cdecl("bpf_program__insns")
public func abi_bpf_program__insns(_ prog: OpaquePointer?) -> UnsafePointer<bpf_insn>? {
    guard let p = programFrom(prog) else { return nil }
    return p.instructions.withUnsafeBufferPointer { $0.baseAddress }
}

@_cdecl("bpf_program__insn_cnt")
public func abi_bpf_program__insn_cnt(_ prog: OpaquePointer?) -> Int { programFrom(prog)?.instructions.count ?? 0 }

/// Replaces the code before load. Like the reference, -EBUSY/-ENOMEM are returned
/// without setting errno.
@_cdecl("bpf_program__set_insns")
public func abi_bpf_program__set_insns(_ prog: OpaquePointer?, _ new_insns: UnsafeMutablePointer<bpf_insn>?, _ new_insn_cnt: Int) -> Int32 {
    guard let p = programFrom(prog) else { return -EINVAL }
    if p.object.loaded { return -EBUSY }
    p.instructions = new_insn_cnt > 0 && new_insns != nil
        ? Array(UnsafeBufferPointer(start: new_insns, count: new_insn_cnt)) : []
    return 0
}

@_cdecl("bpf_program__fd")
public func abi_bpf_program__fd(_ prog: OpaquePointer?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let p = programFrom(prog) else { throw .EINVAL }
        if p.fd < 0 { throw .ENOENT }
        return p.fd
    }
}

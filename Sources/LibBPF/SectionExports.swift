import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// The ELF section-name table ("SEC() definitions") and its custom handlers.

/// NULL name: -EINVAL. The reference dereferences NULL output pointers once a
/// definition matched; we return -EINVAL there instead.
@_cdecl("libbpf_prog_type_by_name")
public func abi_libbpf_prog_type_by_name(_ name: UnsafePointer<CChar>?, _ prog_type: UnsafeMutablePointer<bpf_prog_type>?, _ expected_attach_type: UnsafeMutablePointer<bpf_attach_type>?) -> Int32 {
    guard let name else { return cReturn(.EINVAL) }
    return cResult { () throws(BPFError) in
        let (progType, attachType) = try SectionDefinitions.progType(byName: name)
        guard let prog_type, let expected_attach_type else { throw .EINVAL }
        prog_type.pointee = progType
        expected_attach_type.pointee = attachType
        return 0
    }
}

@_cdecl("libbpf_attach_type_by_name")
public func abi_libbpf_attach_type_by_name(_ name: UnsafePointer<CChar>?, _ attach_type: UnsafeMutablePointer<bpf_attach_type>?) -> Int32 {
    guard let name else { return cReturn(.EINVAL) }
    return cResult { () throws(BPFError) in
        let attachType = try SectionDefinitions.attachType(byName: name)
        guard let attach_type else { throw .EINVAL }
        attach_type.pointee = attachType
        return 0
    }
}

/// Returns the new handler id (> 0). As in libbpf 1.1, neither the program type
/// nor the pattern is checked; only the opts, the id space and the single fallback.
@_cdecl("libbpf_register_prog_handler")
public func abi_libbpf_register_prog_handler(_ sec: UnsafePointer<CChar>?, _ prog_type: bpf_prog_type, _ exp_attach_type: bpf_attach_type, _ opts: UnsafePointer<libbpf_prog_handler_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(UnsafeRawPointer(opts), SBPF_OPTS_libbpf_prog_handler_opts, "libbpf_prog_handler_opts")
        typealias O = MemoryLayout<libbpf_prog_handler_opts>
        return try SectionDefinitions.register(
            sec: sec, progType: prog_type, expectedAttachType: exp_attach_type,
            cookie: Opts.get(opts, O.offset(of: \.cookie), 0),
            setupFn: Opts.get(opts, O.offset(of: \.prog_setup_fn), nil as UnsafeRawPointer?),
            prepareLoadFn: Opts.get(opts, O.offset(of: \.prog_prepare_load_fn), nil as UnsafeRawPointer?),
            attachFn: Opts.get(opts, O.offset(of: \.prog_attach_fn), nil as UnsafeRawPointer?))
    }
}

@_cdecl("libbpf_unregister_prog_handler")
public func abi_libbpf_unregister_prog_handler(_ handler_id: Int32) -> Int32 {
    cResult { () throws(BPFError) in
        try SectionDefinitions.unregister(handlerID: handler_id)
        return 0
    }
}

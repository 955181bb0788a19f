import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// bpf.h: links, iterators, raw tracepoints.

@_cdecl("bpf_link_create")
public func abi_bpf_link_create(_ prog_fd: Int32, _ target_fd: Int32, _ attach_type: bpf_attach_type, _ opts: UnsafePointer<bpf_link_create_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_link_create_opts, "bpf_link_create_opts")
        typealias O = MemoryLayout<bpf_link_create_opts>
        let raw = UnsafeRawPointer(opts)
        var a = LinkCreateAttributes()
        a.iterInfoLength = Opts.get(opts, O.offset(of: \.iter_info_len), 0)
        a.targetBTFID = Opts.get(opts, O.offset(of: \.target_btf_id), 0)
        // iter info and a BTF target exclude each other and everything after them.
        if a.iterInfoLength != 0 || a.targetBTFID != 0 {
            if a.iterInfoLength != 0 && a.targetBTFID != 0 { throw .EINVAL }
            if !Opts.isZeroed(raw, after: Int(SBPF_LINK_CREATE_END_target_btf_id.rawValue)) { throw .EINVAL }
        }
        a.flags = Opts.get(opts, O.offset(of: \.flags), 0)
        if a.targetBTFID == 0 {
            // Only the union member of this attach type may be set.
            func field<V>(_ offset: sbpf_opts_size, _ end: sbpf_opts_size, _ fallback: V) -> V {
                Opts.get(raw, offset: Int(offset.rawValue), end: Int(end.rawValue), fallback)
            }
            var memberEnd: sbpf_opts_size? = SBPF_LINK_CREATE_END_flags
            switch attach_type {
            case BPF_TRACE_ITER:
                a.iterInfo = Opts.get(opts, O.offset(of: \.iter_info), nil as UnsafeMutablePointer<bpf_iter_link_info>?).map(UnsafeRawPointer.init)
                memberEnd = nil  // nothing after iter info is checked
            case BPF_PERF_EVENT:
                a.perfEventCookie = field(SBPF_LINK_CREATE_OFF_perf_event_bpf_cookie, SBPF_LINK_CREATE_END_perf_event_bpf_cookie, 0)
                memberEnd = SBPF_LINK_CREATE_END_perf_event
            case BPF_TRACE_KPROBE_MULTI:
                a.kprobeMultiFlags = field(SBPF_LINK_CREATE_OFF_kprobe_multi_flags, SBPF_LINK_CREATE_END_kprobe_multi_flags, 0)
                a.kprobeMultiCount = field(SBPF_LINK_CREATE_OFF_kprobe_multi_cnt, SBPF_LINK_CREATE_END_kprobe_multi_cnt, 0)
                a.kprobeMultiSymbols = field(SBPF_LINK_CREATE_OFF_kprobe_multi_syms, SBPF_LINK_CREATE_END_kprobe_multi_syms, nil as UnsafeRawPointer?)
                a.kprobeMultiAddresses = field(SBPF_LINK_CREATE_OFF_kprobe_multi_addrs, SBPF_LINK_CREATE_END_kprobe_multi_addrs, nil as UnsafeRawPointer?)
                a.kprobeMultiCookies = field(SBPF_LINK_CREATE_OFF_kprobe_multi_cookies, SBPF_LINK_CREATE_END_kprobe_multi_cookies, nil as UnsafeRawPointer?)
                memberEnd = SBPF_LINK_CREATE_END_kprobe_multi
            case BPF_TRACE_FENTRY, BPF_TRACE_FEXIT, BPF_MODIFY_RETURN, BPF_LSM_MAC:
                a.tracingCookie = field(SBPF_LINK_CREATE_OFF_tracing_cookie, SBPF_LINK_CREATE_END_tracing_cookie, 0)
                memberEnd = SBPF_LINK_CREATE_END_tracing
            default:
                break
            }
            if let memberEnd, !Opts.isZeroed(raw, after: Int(memberEnd.rawValue)) { throw .EINVAL }
        }
        // The raw-tracepoint fallback is only for callers who set nothing but sz.
        let plainRequest = Opts.isZeroed(raw, after: MemoryLayout<Int>.size)
        return try LinkCommands.create(programFD: prog_fd, targetFD: target_fd, attachType: attach_type.rawValue, a, plainRequest: plainRequest)
    }
}

@_cdecl("bpf_link_detach")
public func abi_bpf_link_detach(_ link_fd: Int32) -> Int32 {
    cResult { () throws(BPFError) in
        try LinkCommands.detach(linkFD: link_fd)
        return 0
    }
}

@_cdecl("bpf_link_update")
public func abi_bpf_link_update(_ link_fd: Int32, _ new_prog_fd: Int32, _ opts: UnsafePointer<bpf_link_update_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_link_update_opts, "bpf_link_update_opts")
        typealias O = MemoryLayout<bpf_link_update_opts>
        try LinkCommands.update(linkFD: link_fd, newProgramFD: new_prog_fd,
                                flags: Opts.get(opts, O.offset(of: \.flags), 0),
                                oldProgramFD: Opts.get(opts, O.offset(of: \.old_prog_fd), 0))
        return 0
    }
}

@_cdecl("bpf_iter_create")
public func abi_bpf_iter_create(_ link_fd: Int32) -> Int32 {
    cResult { () throws(BPFError) in try LinkCommands.iterCreate(linkFD: link_fd) }
}

@_cdecl("bpf_raw_tracepoint_open")
public func abi_bpf_raw_tracepoint_open(_ name: UnsafePointer<CChar>?, _ prog_fd: Int32) -> Int32 {
    cResult { () throws(BPFError) in try LinkCommands.rawTracepointOpen(name: name, programFD: prog_fd) }
}

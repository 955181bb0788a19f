import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: struct bpf_link and the bpf_program__attach_* family
// (Sources/BPFCore/Links). A link handle is a retained BPFLink, released by
// bpf_link__destroy.
//
// Where the reference dereferences a NULL program or link (and crashes), these
// return EINVAL instead.

@inline(__always)
func linkFrom(_ p: OpaquePointer?) -> BPFLink? {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { return nil }
    return Unmanaged<BPFLink>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

/// Runs an attach: the new link's handle, or NULL with errno.
@inline(__always)
func cLink(_ body: () throws(BPFError) -> BPFLink) -> OpaquePointer? {
    do { return LinkHandle.retain(try body()) } catch { return cNull(error) }
}

@_cdecl("bpf_link__destroy")
public func abi_bpf_link__destroy(_ link: OpaquePointer?) -> Int32 {
    guard let object = linkFrom(link) else { return 0 }
    let result = object.destroy()
    Unmanaged<BPFLink>.fromOpaque(UnsafeRawPointer(link!)).release()
    return result < 0 ? cReturn(BPFError(-result)) : 0
}

@_cdecl("bpf_link__detach")
public func abi_bpf_link__detach(_ link: OpaquePointer?) -> Int32 {
    guard let object = linkFrom(link) else { return cReturn(.EINVAL) }
    return cResult { () throws(BPFError) in
        try object.detachFromKernel()
        return 0
    }
}

@_cdecl("bpf_link__disconnect")
public func abi_bpf_link__disconnect(_ link: OpaquePointer?) {
    linkFrom(link)?.disconnected = true
}

@_cdecl("bpf_link__fd")
public func abi_bpf_link__fd(_ link: OpaquePointer?) -> Int32 {
    guard let object = linkFrom(link) else { return cReturn(.EINVAL) }
    return object.fd
}

@_cdecl("bpf_link__open")
public func abi_bpf_link__open(_ path: UnsafePointer<CChar>?) -> OpaquePointer? {
    cLink { () throws(BPFError) in
        try BPFLink.open(path: path)
    }
}

@_cdecl("bpf_link__pin")
public func abi_bpf_link__pin(_ link: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    guard let object = linkFrom(link), let path else { return cReturn(.EINVAL) }
    return cResult { () throws(BPFError) in
        try object.pin(at: path)
        return 0
    }
}

@_cdecl("bpf_link__pin_path")
public func abi_bpf_link__pin_path(_ link: OpaquePointer?) -> UnsafePointer<CChar>? {
    linkFrom(link)?.pinPath.map { UnsafePointer($0) }
}

@_cdecl("bpf_link__unpin")
public func abi_bpf_link__unpin(_ link: OpaquePointer?) -> Int32 {
    guard let object = linkFrom(link) else { return cReturn(.EINVAL) }
    return cResult { () throws(BPFError) in
        try object.unpin()
        return 0
    }
}

@_cdecl("bpf_link__update_program")
public func abi_bpf_link__update_program(_ link: OpaquePointer?, _ prog: OpaquePointer?) -> Int32 {
    guard let object = linkFrom(link) else { return cReturn(.EINVAL) }
    // bpf_program__fd: -EINVAL without a program, -ENOENT before load.
    let programFD: Int32 = programFrom(prog).map { $0.fd < 0 ? -ENOENT : $0.fd } ?? -EINVAL
    return cResult { () throws(BPFError) in
        try object.update(programFD: programFD)
        return 0
    }
}

// MARK: - bpf_program__attach*

@_cdecl("bpf_program__attach")
public func abi_bpf_program__attach(_ prog: OpaquePointer?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    if !program.canAutoAttach { return cNull(.EOPNOTSUPP) }
    var link: OpaquePointer?
    let result = program.autoAttach(&link)
    if result != 0 { return cNull(BPFError(-result)) }
    // An explicit attach must attach something.
    guard let link else { return cNull(.EOPNOTSUPP) }
    return link
}

@_cdecl("bpf_program__attach_perf_event")
public func abi_bpf_program__attach_perf_event(_ prog: OpaquePointer?, _ pfd: Int32) -> OpaquePointer? {
    abi_bpf_program__attach_perf_event_opts(prog, pfd, nil)
}

@_cdecl("bpf_program__attach_perf_event_opts")
public func abi_bpf_program__attach_perf_event_opts(_ prog: OpaquePointer?, _ pfd: Int32, _ opts: UnsafePointer<bpf_perf_event_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_perf_event_opts, "bpf_perf_event_opts")
        let cookie: UInt64 = Opts.get(opts, MemoryLayout<bpf_perf_event_opts>.offset(of: \.bpf_cookie), 0)
        return try program.attachPerfEvent(pfd, cookie: cookie)
    }
}

@_cdecl("bpf_program__attach_kprobe")
public func abi_bpf_program__attach_kprobe(_ prog: OpaquePointer?, _ retprobe: Bool, _ func_name: UnsafePointer<CChar>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try program.attachKprobe(function: func_name, offset: 0, retprobe: retprobe, cookie: 0)
    }
}

@_cdecl("bpf_program__attach_kprobe_opts")
public func abi_bpf_program__attach_kprobe_opts(_ prog: OpaquePointer?, _ func_name: UnsafePointer<CChar>?, _ opts: UnsafePointer<bpf_kprobe_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_kprobe_opts, "bpf_kprobe_opts")
        typealias O = MemoryLayout<bpf_kprobe_opts>
        let retprobe: Bool = Opts.get(opts, O.offset(of: \.retprobe), false)
        let offset: Int = Opts.get(opts, O.offset(of: \.offset), 0)
        let cookie: UInt64 = Opts.get(opts, O.offset(of: \.bpf_cookie), 0)
        return try program.attachKprobe(function: func_name, offset: offset, retprobe: retprobe, cookie: cookie)
    }
}

@_cdecl("bpf_program__attach_ksyscall")
public func abi_bpf_program__attach_ksyscall(_ prog: OpaquePointer?, _ syscall_name: UnsafePointer<CChar>?, _ opts: UnsafePointer<bpf_ksyscall_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_ksyscall_opts, "bpf_ksyscall_opts")
        typealias O = MemoryLayout<bpf_ksyscall_opts>
        let retprobe: Bool = Opts.get(opts, O.offset(of: \.retprobe), false)
        let cookie: UInt64 = Opts.get(opts, O.offset(of: \.bpf_cookie), 0)
        return try program.attachSyscall(syscall_name ?? StaticString("(null)").cString, retprobe: retprobe, cookie: cookie)
    }
}

@_cdecl("bpf_program__attach_kprobe_multi_opts")
public func abi_bpf_program__attach_kprobe_multi_opts(_ prog: OpaquePointer?, _ pattern: UnsafePointer<CChar>?, _ opts: UnsafePointer<bpf_kprobe_multi_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_kprobe_multi_opts, "bpf_kprobe_multi_opts")
        typealias O = MemoryLayout<bpf_kprobe_multi_opts>
        let symbols: UnsafeRawPointer? = Opts.get(opts, O.offset(of: \.syms), nil as UnsafeRawPointer?)
        let addresses: UnsafeRawPointer? = Opts.get(opts, O.offset(of: \.addrs), nil as UnsafeRawPointer?)
        let cookies: UnsafeRawPointer? = Opts.get(opts, O.offset(of: \.cookies), nil as UnsafeRawPointer?)
        let count: Int = Opts.get(opts, O.offset(of: \.cnt), 0)
        let retprobe: Bool = Opts.get(opts, O.offset(of: \.retprobe), false)
        return try program.attachKprobeMulti(pattern: pattern, symbols: symbols, addresses: addresses, cookies: cookies,
                                             count: count, retprobe: retprobe)
    }
}

@_cdecl("bpf_program__attach_uprobe")
public func abi_bpf_program__attach_uprobe(_ prog: OpaquePointer?, _ retprobe: Bool, _ pid: Int32, _ binary_path: UnsafePointer<CChar>?, _ func_offset: Int) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try program.attachUprobe(pid: pid, binary: binary_path, offset: func_offset, function: nil, retprobe: retprobe,
                                 refCounterOffset: 0, cookie: 0)
    }
}

@_cdecl("bpf_program__attach_uprobe_opts")
public func abi_bpf_program__attach_uprobe_opts(_ prog: OpaquePointer?, _ pid: Int32, _ binary_path: UnsafePointer<CChar>?, _ func_offset: Int, _ opts: UnsafePointer<bpf_uprobe_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_uprobe_opts, "bpf_uprobe_opts")
        typealias O = MemoryLayout<bpf_uprobe_opts>
        let retprobe: Bool = Opts.get(opts, O.offset(of: \.retprobe), false)
        let refCounterOffset: Int = Opts.get(opts, O.offset(of: \.ref_ctr_offset), 0)
        let cookie: UInt64 = Opts.get(opts, O.offset(of: \.bpf_cookie), 0)
        let function: UnsafePointer<CChar>? = Opts.get(opts, O.offset(of: \.func_name), nil as UnsafePointer<CChar>?)
        return try program.attachUprobe(pid: pid, binary: binary_path, offset: func_offset, function: function,
                                        retprobe: retprobe, refCounterOffset: refCounterOffset, cookie: cookie)
    }
}

@_cdecl("bpf_program__attach_tracepoint")
public func abi_bpf_program__attach_tracepoint(_ prog: OpaquePointer?, _ tp_category: UnsafePointer<CChar>?, _ tp_name: UnsafePointer<CChar>?) -> OpaquePointer? {
    abi_bpf_program__attach_tracepoint_opts(prog, tp_category, tp_name, nil)
}

@_cdecl("bpf_program__attach_tracepoint_opts")
public func abi_bpf_program__attach_tracepoint_opts(_ prog: OpaquePointer?, _ tp_category: UnsafePointer<CChar>?, _ tp_name: UnsafePointer<CChar>?, _ opts: UnsafePointer<bpf_tracepoint_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_tracepoint_opts, "bpf_tracepoint_opts")
        let cookie: UInt64 = Opts.get(opts, MemoryLayout<bpf_tracepoint_opts>.offset(of: \.bpf_cookie), 0)
        return try program.attachTracepoint(category: tp_category ?? StaticString("(null)").cString, name: tp_name ?? StaticString("(null)").cString, cookie: cookie)
    }
}

@_cdecl("bpf_program__attach_raw_tracepoint")
public func abi_bpf_program__attach_raw_tracepoint(_ prog: OpaquePointer?, _ tp_name: UnsafePointer<CChar>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in try program.attachRawTracepoint(tp_name) }
}

@_cdecl("bpf_program__attach_trace")
public func abi_bpf_program__attach_trace(_ prog: OpaquePointer?) -> OpaquePointer? {
    abi_bpf_program__attach_trace_opts(prog, nil)
}

@_cdecl("bpf_program__attach_trace_opts")
public func abi_bpf_program__attach_trace_opts(_ prog: OpaquePointer?, _ opts: UnsafePointer<bpf_trace_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_trace_opts, "bpf_trace_opts")
        let cookie: UInt64 = Opts.get(opts, MemoryLayout<bpf_trace_opts>.offset(of: \.cookie), 0)
        return try program.attachToBTFTarget(cookie: cookie)
    }
}

@_cdecl("bpf_program__attach_lsm")
public func abi_bpf_program__attach_lsm(_ prog: OpaquePointer?) -> OpaquePointer? {
    abi_bpf_program__attach_trace_opts(prog, nil)
}

@_cdecl("bpf_program__attach_cgroup")
public func abi_bpf_program__attach_cgroup(_ prog: OpaquePointer?, _ cgroup_fd: Int32) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in try program.attachToFD(cgroup_fd, targetBTFID: 0, targetName: "cgroup") }
}

@_cdecl("bpf_program__attach_netns")
public func abi_bpf_program__attach_netns(_ prog: OpaquePointer?, _ netns_fd: Int32) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in try program.attachToFD(netns_fd, targetBTFID: 0, targetName: "netns") }
}

@_cdecl("bpf_program__attach_xdp")
public func abi_bpf_program__attach_xdp(_ prog: OpaquePointer?, _ ifindex: Int32) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in try program.attachToFD(ifindex, targetBTFID: 0, targetName: "xdp") }
}

@_cdecl("bpf_program__attach_freplace")
public func abi_bpf_program__attach_freplace(_ prog: OpaquePointer?, _ target_fd: Int32, _ attach_func_name: UnsafePointer<CChar>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in try program.attachReplacement(targetFD: target_fd, function: attach_func_name) }
}

@_cdecl("bpf_program__attach_iter")
public func abi_bpf_program__attach_iter(_ prog: OpaquePointer?, _ opts: UnsafePointer<bpf_iter_attach_opts>?) -> OpaquePointer? {
    guard let program = programFrom(prog) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_iter_attach_opts, "bpf_iter_attach_opts")
        typealias O = MemoryLayout<bpf_iter_attach_opts>
        let info: UnsafeRawPointer? = Opts.get(opts, O.offset(of: \.link_info), nil as UnsafeRawPointer?)
        let length: UInt32 = Opts.get(opts, O.offset(of: \.link_info_len), 0)
        return try program.attachIterator(info: info, infoLength: length)
    }
}

@_cdecl("bpf_map__attach_struct_ops")
public func abi_bpf_map__attach_struct_ops(_ map: OpaquePointer?) -> OpaquePointer? {
    guard let object = mapFrom(map) else { return cNull(.EINVAL) }
    return cLink { () throws(BPFError) in try object.attachStructOps() }
}

// MARK: - Attach targets

@_cdecl("bpf_program__set_attach_target")
public func abi_bpf_program__set_attach_target(_ prog: OpaquePointer?, _ attach_prog_fd: Int32, _ attach_func_name: UnsafePointer<CChar>?) -> Int32 {
    guard let program = programFrom(prog) else { return cReturn(.EINVAL) }
    return cResult { () throws(BPFError) in
        try program.setAttachTarget(programFD: attach_prog_fd, function: attach_func_name)
        return 0
    }
}

@_cdecl("bpf_program__set_ifindex")
public func abi_bpf_program__set_ifindex(_ prog: OpaquePointer?, _ ifindex: UInt32) {
    programFrom(prog)?.ifindex = ifindex
}

@_cdecl("libbpf_find_vmlinux_btf_id")
public func abi_libbpf_find_vmlinux_btf_id(_ name: UnsafePointer<CChar>?, _ attach_type: bpf_attach_type) -> Int32 {
    let result = BPFObject.findVMLinuxBTFID(name ?? StaticString("(null)").cString, attachType: attach_type.rawValue)
    return result < 0 ? cReturn(BPFError(-result)) : result
}

import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: XDP (netlink based) and TC (clsact + direct-action "bpf" classifier).
// Opts and argument checks here, in the reference's order; messages in
// Sources/BPFCore/Netlink.

@_cdecl("bpf_xdp_attach")
public func abi_bpf_xdp_attach(_ ifindex: Int32, _ prog_fd: Int32, _ flags: UInt32, _ opts: UnsafePointer<bpf_xdp_attach_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_xdp_attach_opts, "bpf_xdp_attach_opts")
        return try xdpSetLink(ifindex, prog_fd, flags, opts)
    }
}

@_cdecl("bpf_xdp_detach")
public func abi_bpf_xdp_detach(_ ifindex: Int32, _ flags: UInt32, _ opts: UnsafePointer<bpf_xdp_attach_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_xdp_attach_opts, "bpf_xdp_attach_opts")
        return try xdpSetLink(ifindex, -1, flags, opts)
    }
}

/// A non-zero old_prog_fd asks for XDP_FLAGS_REPLACE; with the flag and no old fd
/// the expected fd is -1.
private func xdpSetLink(_ ifindex: Int32, _ programFD: Int32, _ flags: UInt32,
                        _ opts: UnsafePointer<bpf_xdp_attach_opts>?) throws(BPFError) -> Int32 {
    var flags = flags
    var oldFD: Int32 = Opts.get(opts, MemoryLayout<bpf_xdp_attach_opts>.offset(of: \.old_prog_fd), 0)
    if oldFD != 0 {
        flags |= XDPNetlink.flagReplace
    } else {
        oldFD = -1
    }
    return try XDPNetlink.setLink(ifindex: ifindex, programFD: programFD, expectedFD: oldFD, flags: flags)
}

@_cdecl("bpf_xdp_query")
public func abi_bpf_xdp_query(_ ifindex: Int32, _ flags: Int32, _ opts: UnsafeMutablePointer<bpf_xdp_query_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_xdp_query_opts, "bpf_xdp_query_opts")
        let flags = UInt32(bitPattern: flags)
        if flags & ~XDPNetlink.allFlags != 0 || XDPNetlink.hasSeveralModes(flags) { throw .EINVAL }
        let (status, info) = try XDPNetlink.query(ifindex: ifindex)
        if status != 0 { return status }
        typealias O = MemoryLayout<bpf_xdp_query_opts>
        Opts.set(opts, O.offset(of: \.prog_id), info.programID)
        Opts.set(opts, O.offset(of: \.drv_prog_id), info.driverProgramID)
        Opts.set(opts, O.offset(of: \.hw_prog_id), info.hardwareProgramID)
        Opts.set(opts, O.offset(of: \.skb_prog_id), info.genericProgramID)
        Opts.set(opts, O.offset(of: \.attach_mode), info.attachMode)
        return 0
    }
}

@_cdecl("bpf_xdp_query_id")
public func abi_bpf_xdp_query_id(_ ifindex: Int32, _ flags: Int32, _ prog_id: UnsafeMutablePointer<UInt32>?) -> Int32 {
    cResult { () throws(BPFError) in
        let flags = UInt32(bitPattern: flags)
        if flags & ~XDPNetlink.allFlags != 0 || XDPNetlink.hasSeveralModes(flags) { throw .EINVAL }
        let (status, info) = try XDPNetlink.query(ifindex: ifindex)
        if status != 0 { return status }
        prog_id?.pointee = XDPNetlink.selectProgramID(info, flags: flags)
        return 0
    }
}

// MARK: TC

/// The bpf_tc_hook fields the caller's sz covers.
private func tcHook(_ hook: UnsafePointer<bpf_tc_hook>) -> TCNetlink.Hook {
    typealias H = MemoryLayout<bpf_tc_hook>
    return TCNetlink.Hook(ifindex: Opts.get(hook, H.offset(of: \.ifindex), 0),
                          attachPoint: Opts.get(hook, H.offset(of: \.attach_point), bpf_tc_attach_point(0)).rawValue,
                          parent: Opts.get(hook, H.offset(of: \.parent), 0))
}

/// The bpf_tc_opts fields the caller's sz covers.
private func tcOptions(_ opts: UnsafePointer<bpf_tc_opts>) -> TCNetlink.FilterOptions {
    typealias O = MemoryLayout<bpf_tc_opts>
    var options = TCNetlink.FilterOptions()
    options.programFD = Opts.get(opts, O.offset(of: \.prog_fd), 0)
    options.flags = Opts.get(opts, O.offset(of: \.flags), 0)
    options.programID = Opts.get(opts, O.offset(of: \.prog_id), 0)
    options.handle = Opts.get(opts, O.offset(of: \.handle), 0)
    options.priority = Opts.get(opts, O.offset(of: \.priority), 0)
    return options
}

/// Writes what the kernel reported into the fields the caller's sz covers.
private func tcStore(_ info: TCNetlink.FilterInfo, _ opts: UnsafeMutablePointer<bpf_tc_opts>) {
    typealias O = MemoryLayout<bpf_tc_opts>
    Opts.set(opts, O.offset(of: \.prog_id), info.programID)
    Opts.set(opts, O.offset(of: \.handle), info.handle)
    Opts.set(opts, O.offset(of: \.priority), info.priority)
}

@_cdecl("bpf_tc_hook_create")
public func abi_bpf_tc_hook_create(_ hook: UnsafeMutablePointer<bpf_tc_hook>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let hook else { throw .EINVAL }
        try Opts.validate(hook, SBPF_OPTS_bpf_tc_hook, "bpf_tc_hook")
        let h = tcHook(hook)
        return try TCNetlink.run(try TCNetlink.hookAction(h, destroy: false), ifindex: h.ifindex)
    }
}

@_cdecl("bpf_tc_hook_destroy")
public func abi_bpf_tc_hook_destroy(_ hook: UnsafeMutablePointer<bpf_tc_hook>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let hook else { throw .EINVAL }
        try Opts.validate(hook, SBPF_OPTS_bpf_tc_hook, "bpf_tc_hook")
        let h = tcHook(hook)
        return try TCNetlink.run(try TCNetlink.hookAction(h, destroy: true), ifindex: h.ifindex)
    }
}

@_cdecl("bpf_tc_attach")
public func abi_bpf_tc_attach(_ hook: UnsafePointer<bpf_tc_hook>?, _ opts: UnsafeMutablePointer<bpf_tc_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let hook, let opts else { throw .EINVAL }
        try Opts.validate(hook, SBPF_OPTS_bpf_tc_hook, "bpf_tc_hook")
        try Opts.validate(opts, SBPF_OPTS_bpf_tc_opts, "bpf_tc_opts")
        let h = tcHook(hook)
        let options = tcOptions(opts)
        let parent = try TCNetlink.checkAttach(h, options)
        var handler = TCNetlink.FilterHandler()
        defer { if handler.found { tcStore(handler.info, opts) } }
        return try TCNetlink.attach(ifindex: h.ifindex, parent: parent, options, &handler)
    }
}

@_cdecl("bpf_tc_detach")
public func abi_bpf_tc_detach(_ hook: UnsafePointer<bpf_tc_hook>?, _ opts: UnsafePointer<bpf_tc_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let hook, let opts else { throw .EINVAL }
        try Opts.validate(hook, SBPF_OPTS_bpf_tc_hook, "bpf_tc_hook")
        try Opts.validate(opts, SBPF_OPTS_bpf_tc_opts, "bpf_tc_opts")
        let h = tcHook(hook)
        let options = tcOptions(opts)
        let parent = try TCNetlink.checkLookup(h, options)
        return try TCNetlink.detach(ifindex: h.ifindex, parent: parent, options)
    }
}

@_cdecl("bpf_tc_query")
public func abi_bpf_tc_query(_ hook: UnsafePointer<bpf_tc_hook>?, _ opts: UnsafeMutablePointer<bpf_tc_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let hook, let opts else { throw .EINVAL }
        try Opts.validate(hook, SBPF_OPTS_bpf_tc_hook, "bpf_tc_hook")
        try Opts.validate(opts, SBPF_OPTS_bpf_tc_opts, "bpf_tc_opts")
        let h = tcHook(hook)
        let options = tcOptions(opts)
        let parent = try TCNetlink.checkLookup(h, options)
        var handler = TCNetlink.FilterHandler()
        defer { if handler.found { tcStore(handler.info, opts) } }
        return try TCNetlink.query(ifindex: h.ifindex, parent: parent, options, &handler)
    }
}

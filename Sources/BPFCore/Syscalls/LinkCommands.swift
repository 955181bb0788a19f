import CBPF

/// What BPF_LINK_CREATE needs beyond program, target and attach type: at most one
/// of the attach-type specific parts is sent, chosen by the attach type.
public struct LinkCreateAttributes {
    public var flags: UInt32 = 0
    public var targetBTFID: UInt32 = 0
    public var iterInfo: UnsafeRawPointer?
    public var iterInfoLength: UInt32 = 0
    public var perfEventCookie: UInt64 = 0
    public var kprobeMultiFlags: UInt32 = 0
    public var kprobeMultiCount: UInt32 = 0
    public var kprobeMultiSymbols: UnsafeRawPointer?
    public var kprobeMultiAddresses: UnsafeRawPointer?
    public var kprobeMultiCookies: UnsafeRawPointer?
    public var tracingCookie: UInt64 = 0
    public init() {}
}

/// Link commands: create, update, detach, iterators, raw tracepoints.
public enum LinkCommands {
    /// BPF_LINK_CREATE; returns the link fd. On kernels whose LINK_CREATE does not know
    /// tracing programs (EINVAL), a plain tracing attach is retried through
    /// BPF_RAW_TRACEPOINT_OPEN; `plainRequest` says the caller asked for nothing that
    /// command cannot express.
    public static func create(programFD: Int32, targetFD: Int32, attachType: UInt32,
                              _ a: LinkCreateAttributes, plainRequest: Bool) throws(BPFError) -> Int32 {
        var attr = bpf_attr()
        attr.link_create.prog_fd = UInt32(bitPattern: programFD)
        attr.link_create.target_fd = UInt32(bitPattern: targetFD)
        attr.link_create.attach_type = attachType
        attr.link_create.flags = a.flags
        if a.targetBTFID != 0 {
            attr.link_create.target_btf_id = a.targetBTFID
        } else {
            switch bpf_attach_type(rawValue: attachType) {
            case BPF_TRACE_ITER:
                attr.link_create.iter_info = BPFSyscall.address(a.iterInfo)
                attr.link_create.iter_info_len = a.iterInfoLength
            case BPF_PERF_EVENT:
                attr.link_create.perf_event.bpf_cookie = a.perfEventCookie
            case BPF_TRACE_KPROBE_MULTI:
                attr.link_create.kprobe_multi.flags = a.kprobeMultiFlags
                attr.link_create.kprobe_multi.cnt = a.kprobeMultiCount
                attr.link_create.kprobe_multi.syms = BPFSyscall.address(a.kprobeMultiSymbols)
                attr.link_create.kprobe_multi.addrs = BPFSyscall.address(a.kprobeMultiAddresses)
                attr.link_create.kprobe_multi.cookies = BPFSyscall.address(a.kprobeMultiCookies)
            case BPF_TRACE_FENTRY, BPF_TRACE_FEXIT, BPF_MODIFY_RETURN, BPF_LSM_MAC:
                attr.link_create.tracing.cookie = a.tracingCookie
            default:
                break
            }
        }
        do {
            return try BPFSyscall.runReturningFD(BPF_LINK_CREATE, &attr, size: SBPF_ATTR_LINK_CREATE)
        } catch {
            if error != .EINVAL || targetFD != 0 || a.targetBTFID != 0 || !plainRequest { throw error }
            switch bpf_attach_type(rawValue: attachType) {
            case BPF_TRACE_RAW_TP, BPF_LSM_MAC, BPF_TRACE_FENTRY, BPF_TRACE_FEXIT, BPF_MODIFY_RETURN:
                return try rawTracepointOpen(name: nil, programFD: programFD)
            default:
                throw error
            }
        }
    }

    /// BPF_LINK_UPDATE: replaces the link's program (only if it is `oldProgramFD`'s
    /// program, when BPF_F_REPLACE is in `flags`).
    public static func update(linkFD: Int32, newProgramFD: Int32, flags: UInt32, oldProgramFD: UInt32) throws(BPFError) {
        var attr = bpf_attr()
        attr.link_update.link_fd = UInt32(bitPattern: linkFD)
        attr.link_update.new_prog_fd = UInt32(bitPattern: newProgramFD)
        attr.link_update.flags = flags
        attr.link_update.old_prog_fd = oldProgramFD
        _ = try BPFSyscall.run(BPF_LINK_UPDATE, &attr, size: SBPF_ATTR_LINK_UPDATE)
    }

    /// BPF_LINK_DETACH: detaches the link from its hook, keeping the fd valid.
    public static func detach(linkFD: Int32) throws(BPFError) {
        var attr = bpf_attr()
        attr.link_detach.link_fd = UInt32(bitPattern: linkFD)
        _ = try BPFSyscall.run(BPF_LINK_DETACH, &attr, size: SBPF_ATTR_LINK_DETACH)
    }

    /// BPF_ITER_CREATE: a readable fd producing the iterator link's output.
    public static func iterCreate(linkFD: Int32) throws(BPFError) -> Int32 {
        var attr = bpf_attr()
        attr.iter_create.link_fd = UInt32(bitPattern: linkFD)
        return try BPFSyscall.runReturningFD(BPF_ITER_CREATE, &attr, size: SBPF_ATTR_ITER_CREATE)
    }

    /// BPF_RAW_TRACEPOINT_OPEN: attaches a raw tracepoint (or, with no name, a tracing
    /// program to its BTF target); returns the link fd.
    public static func rawTracepointOpen(name: UnsafePointer<CChar>?, programFD: Int32) throws(BPFError) -> Int32 {
        var attr = bpf_attr()
        attr.raw_tracepoint.name = BPFSyscall.address(name)
        attr.raw_tracepoint.prog_fd = UInt32(bitPattern: programFD)
        return try BPFSyscall.runReturningFD(BPF_RAW_TRACEPOINT_OPEN, &attr, size: SBPF_ATTR_RAW_TRACEPOINT)
    }
}

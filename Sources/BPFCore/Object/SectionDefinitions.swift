import CBPF

/// libbpf 1.1's `enum sec_def_flags`: what a built-in section definition's cookie
/// tells the program-preparation step.
public struct SectionFlags: OptionSet, Equatable, Sendable {
    public var rawValue: Int
    @inlinable public init(rawValue: Int) { self.rawValue = rawValue }

    /// `SEC_NONE`.
    public static let none: SectionFlags = []
    /// `SEC_EXP_ATTACH_OPT`: the expected attach type is dropped on kernels that
    /// do not support one.
    public static let expectedAttachOptional = SectionFlags(rawValue: 1)
    /// `SEC_ATTACHABLE`: legacy; only `libbpf_attach_type_by_name` (and its list of
    /// names) looks at it.
    public static let attachable = SectionFlags(rawValue: 2)
    /// `SEC_ATTACHABLE_OPT`.
    public static let attachableOptional: SectionFlags = [.attachable, .expectedAttachOptional]
    /// `SEC_ATTACH_BTF`: the attach target is named by a BTF id (kernel or program BTF).
    public static let attachBTF = SectionFlags(rawValue: 4)
    /// `SEC_SLEEPABLE`: loaded with BPF_F_SLEEPABLE.
    public static let sleepable = SectionFlags(rawValue: 8)
    /// `SEC_XDP_FRAGS`: loaded with BPF_F_XDP_HAS_FRAGS.
    public static let xdpFrags = SectionFlags(rawValue: 16)
}

/// Which of libbpf's auto-attach functions (`prog_attach_fn` of a built-in
/// definition) `bpf_program__attach` uses for a section.
public enum AutoAttachKind: UInt8, Equatable {
    case none
    case kprobe         // attach_kprobe: kprobe+, kretprobe+
    case uprobe         // attach_uprobe: uprobe+, uretprobe+ and their .s variants
    case ksyscall       // attach_ksyscall: ksyscall+, kretsyscall+
    case usdt           // attach_usdt
    case tracepoint     // attach_tp: tracepoint+, tp+
    case rawTracepoint  // attach_raw_tp: raw_tracepoint+, raw_tp+ and their .w variants
    case trace          // attach_trace: tp_btf+, fentry+, fmod_ret+, fexit+ (.s), freplace+
    case lsm            // attach_lsm: lsm+, lsm.s+
    case iter           // attach_iter: iter+, iter.s+
    case kprobeMulti    // attach_kprobe_multi: kprobe.multi+, kretprobe.multi+
}

/// One entry of libbpf's ELF section-name table (`struct bpf_sec_def`): a built-in
/// `SEC_DEF` or a handler registered with `libbpf_register_prog_handler`.
public struct SectionDefinition {
    /// The pattern, NUL-terminated: "name" (exact), "name/" (prefix), "name+"
    /// (exact or "name/..."). nil only for the custom fallback handler.
    public var sec: UnsafePointer<CChar>?
    public var progType: bpf_prog_type
    public var expectedAttachType: bpf_attach_type
    /// For built-ins the `SectionFlags` raw value; for custom handlers the user's cookie.
    public var cookie: Int
    /// 0 for built-ins; > 0 for custom handlers.
    public var handlerID: Int32
    /// True for the built-in table, whose `prog_prepare_load_fn` is libbpf's own
    /// (`libbpf_prepare_prog_load`), which is what makes the flags meaningful.
    public var isBuiltin: Bool
    /// The built-in auto-attach function; `.none` for custom handlers (see `attachFn`).
    public var autoAttach: AutoAttachKind
    /// A custom handler's C callbacks (`libbpf_prog_setup_fn_t`,
    /// `libbpf_prog_prepare_load_fn_t`, `libbpf_prog_attach_fn_t`), or nil.
    public var setupFn: UnsafeRawPointer?
    public var prepareLoadFn: UnsafeRawPointer?
    public var attachFn: UnsafeRawPointer?

    /// The SEC_* flags (built-ins only; a custom cookie is the user's, not flags).
    public var flags: SectionFlags { isBuiltin ? SectionFlags(rawValue: cookie) : .none }

    /// What `libbpf_attach_type_by_name` accepts: a built-in marked attachable.
    public var isAttachable: Bool { isBuiltin && flags.contains(.attachable) }

    /// Whether `name` matches this definition (the fallback matches everything).
    public func matches(_ name: UnsafePointer<CChar>) -> Bool {
        guard let sec else { return true }
        return SectionDefinitions.matches(pattern: sec, name: name)
    }
}

/// libbpf 1.1's section-name table and the custom handlers registered at run time.
/// Global, like the reference's, and like it not thread-safe.
public enum SectionDefinitions {
    // MARK: - The built-in table

    static func def(_ sec: StaticString, _ type: bpf_prog_type, _ attach: bpf_attach_type,
                     _ flags: SectionFlags, _ kind: AutoAttachKind = .none) -> SectionDefinition {
        SectionDefinition(
            sec: UnsafeRawPointer(sec.utf8Start).assumingMemoryBound(to: CChar.self),
            progType: type, expectedAttachType: attach, cookie: flags.rawValue, handlerID: 0,
            isBuiltin: true, autoAttach: kind, setupFn: nil, prepareLoadFn: nil, attachFn: nil)
    }

    /// "No expected attach type" (0, which is also BPF_CGROUP_INET_INGRESS).
    static let noAttach = bpf_attach_type(rawValue: 0)

    /// `section_defs[]` of libbpf 1.1, in its order (first match wins).
    nonisolated(unsafe) public static let builtins: [SectionDefinition] = [
        def("socket", BPF_PROG_TYPE_SOCKET_FILTER, noAttach, .none),
        def("sk_reuseport/migrate", BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, .attachable),
        def("sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, .attachable),
        def("kprobe+", BPF_PROG_TYPE_KPROBE, noAttach, .none, .kprobe),
        def("uprobe+", BPF_PROG_TYPE_KPROBE, noAttach, .none, .uprobe),
        def("uprobe.s+", BPF_PROG_TYPE_KPROBE, noAttach, .sleepable, .uprobe),
        def("kretprobe+", BPF_PROG_TYPE_KPROBE, noAttach, .none, .kprobe),
        def("uretprobe+", BPF_PROG_TYPE_KPROBE, noAttach, .none, .uprobe),
        def("uretprobe.s+", BPF_PROG_TYPE_KPROBE, noAttach, .sleepable, .uprobe),
        def("kprobe.multi+", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, .none, .kprobeMulti),
        def("kretprobe.multi+", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, .none, .kprobeMulti),
        def("ksyscall+", BPF_PROG_TYPE_KPROBE, noAttach, .none, .ksyscall),
        def("kretsyscall+", BPF_PROG_TYPE_KPROBE, noAttach, .none, .ksyscall),
        def("usdt+", BPF_PROG_TYPE_KPROBE, noAttach, .none, .usdt),
        def("tc", BPF_PROG_TYPE_SCHED_CLS, noAttach, .none),
        def("classifier", BPF_PROG_TYPE_SCHED_CLS, noAttach, .none),
        def("action", BPF_PROG_TYPE_SCHED_ACT, noAttach, .none),
        def("tracepoint+", BPF_PROG_TYPE_TRACEPOINT, noAttach, .none, .tracepoint),
        def("tp+", BPF_PROG_TYPE_TRACEPOINT, noAttach, .none, .tracepoint),
        def("raw_tracepoint+", BPF_PROG_TYPE_RAW_TRACEPOINT, noAttach, .none, .rawTracepoint),
        def("raw_tp+", BPF_PROG_TYPE_RAW_TRACEPOINT, noAttach, .none, .rawTracepoint),
        def("raw_tracepoint.w+", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, noAttach, .none, .rawTracepoint),
        def("raw_tp.w+", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, noAttach, .none, .rawTracepoint),
        def("tp_btf+", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, .attachBTF, .trace),
        def("fentry+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, .attachBTF, .trace),
        def("fmod_ret+", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, .attachBTF, .trace),
        def("fexit+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, .attachBTF, .trace),
        def("fentry.s+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, [.attachBTF, .sleepable], .trace),
        def("fmod_ret.s+", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, [.attachBTF, .sleepable], .trace),
        def("fexit.s+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, [.attachBTF, .sleepable], .trace),
        def("freplace+", BPF_PROG_TYPE_EXT, noAttach, .attachBTF, .trace),
        def("lsm+", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, .attachBTF, .lsm),
        def("lsm.s+", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, [.attachBTF, .sleepable], .lsm),
        def("lsm_cgroup+", BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP, .attachBTF),
        def("iter+", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, .attachBTF, .iter),
        def("iter.s+", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, [.attachBTF, .sleepable], .iter),
        def("syscall", BPF_PROG_TYPE_SYSCALL, noAttach, .sleepable),
        def("xdp.frags/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, .xdpFrags),
        def("xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, .attachable),
        def("xdp.frags/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, .xdpFrags),
        def("xdp/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, .attachable),
        def("xdp.frags", BPF_PROG_TYPE_XDP, BPF_XDP, .xdpFrags),
        def("xdp", BPF_PROG_TYPE_XDP, BPF_XDP, .attachableOptional),
        def("perf_event", BPF_PROG_TYPE_PERF_EVENT, noAttach, .none),
        def("lwt_in", BPF_PROG_TYPE_LWT_IN, noAttach, .none),
        def("lwt_out", BPF_PROG_TYPE_LWT_OUT, noAttach, .none),
        def("lwt_xmit", BPF_PROG_TYPE_LWT_XMIT, noAttach, .none),
        def("lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL, noAttach, .none),
        def("sockops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, .attachableOptional),
        def("sk_skb/stream_parser", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER, .attachableOptional),
        def("sk_skb/stream_verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, .attachableOptional),
        def("sk_skb", BPF_PROG_TYPE_SK_SKB, noAttach, .none),
        def("sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, .attachableOptional),
        def("lirc_mode2", BPF_PROG_TYPE_LIRC_MODE2, BPF_LIRC_MODE2, .attachableOptional),
        def("flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, .attachableOptional),
        def("cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, .attachableOptional),
        def("cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, .attachableOptional),
        def("cgroup/skb", BPF_PROG_TYPE_CGROUP_SKB, noAttach, .none),
        def("cgroup/sock_create", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, .attachable),
        def("cgroup/sock_release", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, .attachable),
        def("cgroup/sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, .attachableOptional),
        def("cgroup/post_bind4", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, .attachable),
        def("cgroup/post_bind6", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, .attachable),
        def("cgroup/bind4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, .attachable),
        def("cgroup/bind6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, .attachable),
        def("cgroup/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, .attachable),
        def("cgroup/connect6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, .attachable),
        def("cgroup/sendmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, .attachable),
        def("cgroup/sendmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, .attachable),
        def("cgroup/recvmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, .attachable),
        def("cgroup/recvmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, .attachable),
        def("cgroup/getpeername4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, .attachable),
        def("cgroup/getpeername6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, .attachable),
        def("cgroup/getsockname4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, .attachable),
        def("cgroup/getsockname6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, .attachable),
        def("cgroup/sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, .attachable),
        def("cgroup/getsockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, .attachable),
        def("cgroup/setsockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, .attachable),
        def("cgroup/dev", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, .attachableOptional),
        def("struct_ops+", BPF_PROG_TYPE_STRUCT_OPS, noAttach, .none),
        def("sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, .attachable),
    ]

    // MARK: - Custom handlers

    /// Handlers registered with a section pattern, in registration order.
    nonisolated(unsafe) public private(set) static var custom: [SectionDefinition] = []
    /// The handler registered with sec == NULL, consulted after the built-ins.
    nonisolated(unsafe) public private(set) static var fallback: SectionDefinition?
    /// The last handler id handed out; ids are never reused.
    nonisolated(unsafe) static var lastHandlerID: Int32 = 0

    /// `libbpf_register_prog_handler` after the opts check: stores a copy of `sec`
    /// (NULL registers the fallback) and returns the new handler id (> 0).
    /// Like libbpf 1.1 it checks neither the program type nor the pattern.
    public static func register(sec: UnsafePointer<CChar>?, progType: bpf_prog_type,
                                expectedAttachType: bpf_attach_type, cookie: Int,
                                setupFn: UnsafeRawPointer?, prepareLoadFn: UnsafeRawPointer?,
                                attachFn: UnsafeRawPointer?) throws(BPFError) -> Int32 {
        if lastHandlerID == Int32.max { throw .E2BIG }
        if sec == nil, fallback != nil { throw .EBUSY }
        var copy: UnsafePointer<CChar>? = nil
        if let sec {
            guard let dup = strdup(sec) else { throw .ENOMEM }
            copy = UnsafePointer(dup)
        }
        lastHandlerID += 1
        let definition = SectionDefinition(
            sec: copy, progType: progType, expectedAttachType: expectedAttachType, cookie: cookie,
            handlerID: lastHandlerID, isBuiltin: false, autoAttach: .none,
            setupFn: setupFn, prepareLoadFn: prepareLoadFn, attachFn: attachFn)
        if copy != nil {
            custom.append(definition)
        } else {
            fallback = definition
        }
        return lastHandlerID
    }

    /// `libbpf_unregister_prog_handler`: EINVAL for ids <= 0, ENOENT for unknown ones.
    public static func unregister(handlerID: Int32) throws(BPFError) {
        if handlerID <= 0 { throw .EINVAL }
        if let fallback, fallback.handlerID == handlerID {
            self.fallback = nil
            return
        }
        guard let index = custom.firstIndex(where: { $0.handlerID == handlerID }) else { throw .ENOENT }
        let removed = custom.remove(at: index)
        free(UnsafeMutableRawPointer(mutating: removed.sec))
    }

    /// Drops every custom handler and restarts the id numbering (tests only; the
    /// reference never resets its counter).
    public static func resetCustomHandlers() {
        for definition in custom { free(UnsafeMutableRawPointer(mutating: definition.sec)) }
        custom = []
        fallback = nil
        lastHandlerID = 0
    }

    // MARK: - Lookup

    /// libbpf 1.1's `sec_def_matches`: a pattern ending in '/' matches by prefix; one
    /// ending in '+' matches the name without the '+' exactly or followed by '/';
    /// any other pattern matches exactly.
    public static func matches(pattern: UnsafePointer<CChar>, name: UnsafePointer<CChar>) -> Bool {
        // The reference reads pattern[-1] for an empty (custom) pattern; in practice
        // that byte is neither '/' nor '+', so "" matches exactly "".
        if pattern[0] == 0 { return name[0] == 0 }
        // Every rule compares from the first byte, where most patterns differ: the
        // SEC() table lookup of an open's programs costs a byte compare per entry.
        if name[0] != pattern[0] { return false }
        let length = strlen(pattern)
        let last = pattern[length - 1]
        if last == CChar(UInt8(ascii: "/")) {
            return strncmp(name, pattern, length) == 0
        }
        if last == CChar(UInt8(ascii: "+")) {
            let stem = length - 1
            if strncmp(name, pattern, stem) != 0 { return false }
            return name[stem] == 0 || name[stem] == CChar(UInt8(ascii: "/"))
        }
        return strcmp(name, pattern) == 0
    }

    /// `find_sec_def`: custom handlers first (in registration order), then the
    /// built-ins, then the custom fallback.
    public static func find(_ name: UnsafePointer<CChar>) -> SectionDefinition? {
        for definition in custom where definition.matches(name) { return definition }
        for definition in builtins where definition.matches(name) { return definition }
        return fallback
    }

    /// `libbpf_get_type_names`: " name" for every built-in (only the attachable ones
    /// when `attachableOnly`). Custom handlers are not listed, as in the reference.
    public static func typeNames(attachableOnly: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        for definition in builtins {
            if attachableOnly, !definition.isAttachable { continue }
            guard let sec = definition.sec else { continue }
            bytes.append(UInt8(ascii: " "))
            var p = UnsafeRawPointer(sec).assumingMemoryBound(to: UInt8.self)
            while p.pointee != 0 {
                bytes.append(p.pointee)
                p += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - The two name lookups of the C API

    /// A debug message quoting a caller's C string byte for byte.
    static func debugWithName(_ prefix: StaticString, _ name: UnsafePointer<CChar>, _ suffix: StaticString) {
        debugLog("\(prefix)\(cString: name)\(suffix)")
    }

    /// `libbpf_prog_type_by_name` on a non-NULL name: the definition's types, or
    /// the reference's two debug lines and ESRCH.
    public static func progType(byName name: UnsafePointer<CChar>) throws(BPFError) -> (bpf_prog_type, bpf_attach_type) {
        if let definition = find(name) {
            return (definition.progType, definition.expectedAttachType)
        }
        debugWithName("libbpf: failed to guess program type from ELF section '", name, "'\n")
        debugLog("libbpf: supported section(type) names are:\(typeNames(attachableOnly: false))\n")
        throw .ESRCH
    }

    /// `libbpf_attach_type_by_name` on a non-NULL name: the expected attach type of
    /// an attachable built-in; EINVAL otherwise, with the reference's debug lines
    /// only when no definition matched at all.
    public static func attachType(byName name: UnsafePointer<CChar>) throws(BPFError) -> bpf_attach_type {
        guard let definition = find(name) else {
            debugWithName("libbpf: failed to guess attach type based on ELF section name '", name, "'\n")
            debugLog("libbpf: attachable section(type) names are:\(typeNames(attachableOnly: true))\n")
            throw .EINVAL
        }
        if !definition.isAttachable { throw .EINVAL }
        return definition.expectedAttachType
    }
}

import CBPF

/// The argument rules of libbpf's bpf_tc_* functions and their rtnetlink messages:
/// a clsact qdisc for the hook, "bpf" classifiers in direct-action mode on it.
public enum TCNetlink {
    // enum bpf_tc_attach_point
    public static let ingress: UInt32 = 1 << 0
    public static let egress: UInt32 = 1 << 1
    public static let custom: UInt32 = 1 << 2
    /// BPF_TC_F_REPLACE
    public static let flagReplace: UInt32 = 1 << 0

    // linux/pkt_sched.h
    static let clsactParent: UInt32 = 0xFFFF_FFF1          // TC_H_CLSACT
    static let clsactHandle: UInt32 = 0xFFFF_0000          // TC_H_MAKE(TC_H_CLSACT, 0)
    static let ingressParent: UInt32 = 0xFFFF_FFF2         // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
    static let egressParent: UInt32 = 0xFFFF_FFF3          // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)
    /// htons(ETH_P_ALL) in tcm_info's low half.
    static let protocolAll: UInt32 = 0x0300
    static let tcmsgSize = 20
    static let kind = UInt16(TCA_KIND)
    static let optionsAttribute = UInt16(TCA_OPTIONS)
    static let attributeMax = Int(__TCA_MAX) - 1
    static let bpfAttributeMax = Int(__TCA_BPF_MAX) - 1
    static let bpfFD = UInt16(TCA_BPF_FD)
    static let bpfName = UInt16(TCA_BPF_NAME)
    static let bpfFlags = UInt16(TCA_BPF_FLAGS)
    static let bpfID = Int(TCA_BPF_ID)
    static let bpfFlagDirectAction: UInt32 = 1             // TCA_BPF_FLAG_ACT_DIRECT

    /// A bpf_tc_hook's fields.
    public struct Hook {
        public var ifindex: Int32
        public var attachPoint: UInt32
        public var parent: UInt32
        public init(ifindex: Int32, attachPoint: UInt32, parent: UInt32) {
            self.ifindex = ifindex
            self.attachPoint = attachPoint
            self.parent = parent
        }

        /// The clsact hooks have no parent of their own; a custom one must have one.
        /// The filters' tcm_parent.
        public func filterParent() throws(BPFError) -> UInt32 {
            switch attachPoint {
            case TCNetlink.ingress:
                if parent != 0 { throw .EINVAL }
                return TCNetlink.ingressParent
            case TCNetlink.egress:
                if parent != 0 { throw .EINVAL }
                return TCNetlink.egressParent
            case TCNetlink.custom:
                if parent == 0 { throw .EINVAL }
                return parent
            default:
                throw .EINVAL
            }
        }
    }

    /// A bpf_tc_opts' fields.
    public struct FilterOptions {
        public var programFD: Int32 = 0
        public var flags: UInt32 = 0
        public var programID: UInt32 = 0
        public var handle: UInt32 = 0
        public var priority: UInt32 = 0
        public init() {}
    }

    /// What the kernel reports for one filter.
    public struct FilterInfo: Equatable {
        public var handle: UInt32 = 0
        public var priority: UInt32 = 0
        public var programID: UInt32 = 0
        public init() {}
    }

    // MARK: hooks

    public enum HookAction {
        case createQdisc
        case deleteQdisc
        case flushFilters(parent: UInt32)
    }

    /// bpf_tc_hook_create / bpf_tc_hook_destroy's checks: a positive ifindex, no
    /// parent outside BPF_TC_CUSTOM, which itself is not supported (EOPNOTSUPP).
    public static func hookAction(_ hook: Hook, destroy: Bool) throws(BPFError) -> HookAction {
        if hook.ifindex <= 0 { throw .EINVAL }
        switch hook.attachPoint {
        case ingress, egress:
            if hook.parent != 0 { throw .EINVAL }
            return destroy ? .flushFilters(parent: try hook.filterParent()) : .createQdisc
        case ingress | egress:
            if hook.parent != 0 { throw .EINVAL }
            return destroy ? .deleteQdisc : .createQdisc
        case custom:
            throw .EOPNOTSUPP
        default:
            throw .EINVAL
        }
    }

    /// RTM_NEWQDISC (exclusive create) or RTM_DELQDISC of clsact.
    public static func qdiscRequest(ifindex: Int32, create: Bool) -> NetlinkRequest {
        let flags = create ? NetlinkConstant.request | NetlinkConstant.ack | NetlinkConstant.exclusive | NetlinkConstant.create
                           : NetlinkConstant.request | NetlinkConstant.ack
        var request = NetlinkRequest(type: UInt16(create ? RTM_NEWQDISC : RTM_DELQDISC), flags: flags, fixedSize: tcmsgSize)
        request.setFixed(ifindex, at: 4)
        request.setFixed(clsactHandle, at: 8)
        request.setFixed(clsactParent, at: 12)
        request.appendString(type: kind, Array("clsact".utf8))
        return request
    }

    /// Carries out a hook action. Returns 0 or a non-negative kernel status.
    public static func run(_ action: HookAction, ifindex: Int32) throws(BPFError) -> Int32 {
        var ack = NetlinkAckOnly()
        switch action {
        case .createQdisc:
            return try netlinkRoundTrip(qdiscRequest(ifindex: ifindex, create: true), &ack)
        case .deleteQdisc:
            return try netlinkRoundTrip(qdiscRequest(ifindex: ifindex, create: false), &ack)
        case .flushFilters(let parent):
            return try netlinkRoundTrip(filterRequest(type: UInt16(RTM_DELTFILTER), flags: NetlinkConstant.request | NetlinkConstant.ack,
                                                      ifindex: ifindex, parent: parent, handle: 0, info: 0, withKind: false), &ack)
        }
    }

    // MARK: filters

    static func filterRequest(type: UInt16, flags: UInt16, ifindex: Int32, parent: UInt32, handle: UInt32, info: UInt32,
                              withKind: Bool) -> NetlinkRequest {
        var request = NetlinkRequest(type: type, flags: flags, fixedSize: tcmsgSize)
        request.setFixed(ifindex, at: 4)
        request.setFixed(handle, at: 8)
        request.setFixed(parent, at: 12)
        request.setFixed(info, at: 16)
        if withKind { request.appendString(type: kind, Array("bpf".utf8)) }
        return request
    }

    /// tcm_info: the priority in the high half, the protocol (all) in the low one.
    static func filterInfo(priority: UInt32) -> UInt32 { (priority << 16) | protocolAll }

    /// bpf_tc_attach's checks, in the reference's order; returns the filter parent.
    public static func checkAttach(_ hook: Hook, _ options: FilterOptions) throws(BPFError) -> UInt32 {
        if hook.ifindex <= 0 || options.programFD == 0 || options.programID != 0 { throw .EINVAL }
        if options.priority > 0xFFFF { throw .EINVAL }
        if options.flags & ~flagReplace != 0 { throw .EINVAL }
        return try hook.filterParent()
    }

    /// bpf_tc_detach / bpf_tc_query's checks: the filter is named by handle and
    /// priority only; returns the filter parent.
    public static func checkLookup(_ hook: Hook, _ options: FilterOptions) throws(BPFError) -> UInt32 {
        if hook.ifindex <= 0 || options.flags != 0 || options.programFD != 0 || options.programID != 0 { throw .EINVAL }
        if options.priority > 0xFFFF { throw .EINVAL }
        if options.handle == 0 || options.priority == 0 { throw .EINVAL }
        return try hook.filterParent()
    }

    /// The RTM_NEWTFILTER request; `programName` is the "name:[id]" TCA_BPF_NAME.
    public static func attachRequest(ifindex: Int32, parent: UInt32, _ options: FilterOptions, programName: [UInt8]) -> NetlinkRequest {
        let replace = options.flags & flagReplace != 0
        let flags = NetlinkConstant.request | NetlinkConstant.ack | NetlinkConstant.echo | NetlinkConstant.create
            | (replace ? NetlinkConstant.replace : NetlinkConstant.exclusive)
        var request = filterRequest(type: UInt16(RTM_NEWTFILTER), flags: flags, ifindex: ifindex, parent: parent,
                                    handle: options.handle, info: filterInfo(priority: options.priority), withKind: true)
        let nest = request.beginNested(type: optionsAttribute)
        request.appendInt32(type: bpfFD, options.programFD)
        request.appendString(type: bpfName, programName)
        request.appendUInt32(type: bpfFlags, bpfFlagDirectAction)
        request.endNested(nest)
        return request
    }

    /// "name:[id]" of the program behind `fd` (BPF_OBJ_GET_INFO_BY_FD).
    public static func programName(fd: Int32) throws(BPFError) -> [UInt8] {
        var info = bpf_prog_info()
        _ = try ObjectCommands.info(fd: fd, info: &info, length: UInt32(MemoryLayout<bpf_prog_info>.size))
        var text = withUnsafeBytes(of: info.name) { raw -> [UInt8] in
            var out: [UInt8] = []
            for byte in raw {
                if byte == 0 { break }
                out.append(byte)
            }
            return out
        }
        text.append(contentsOf: Array(":[".utf8))
        text.append(contentsOf: Array(String(info.id).utf8))
        text.append(UInt8(ascii: "]"))
        return text
    }

    /// Reads the filter a reply describes: handle, priority and TCA_BPF_ID. A message
    /// without TCA_KIND or TCA_OPTIONS is passed over; one without TCA_BPF_ID is
    /// EINVAL. After an echo of our own request the ack is still to come.
    public struct FilterHandler: NetlinkReplyHandler {
        public var info = FilterInfo()
        public var found = false
        public init() {}

        public mutating func handle(_ message: NetlinkMessageView) throws(BPFError) -> NetlinkReplyAction {
            let table = try message.attributes(afterFixed: TCNetlink.tcmsgSize, maxType: TCNetlink.attributeMax)
            guard table[Int(TCNetlink.kind)] != nil, let options = table[Int(TCNetlink.optionsAttribute)] else { return .nextMessage }
            let bpf = try options.nested(maxType: TCNetlink.bpfAttributeMax)
            guard let id = bpf[TCNetlink.bpfID] else { throw .EINVAL }
            info.programID = id.uint32
            info.handle = message.field(8, as: UInt32.self) ?? 0
            info.priority = (message.field(16, as: UInt32.self) ?? 0) >> 16
            found = true
            return message.flags & NetlinkConstant.echo != 0 ? .nextDatagram : .finished
        }
    }

    /// Sends a request that answers with one filter; ENOENT when none came (even
    /// after a non-negative kernel error, as the reference). The
    /// handler keeps what it read even when an error follows (the reference fills
    /// the caller's opts as the filter message arrives).
    static func filterRoundTrip(_ request: NetlinkRequest, _ handler: inout FilterHandler) throws(BPFError) -> Int32 {
        let status = try netlinkRoundTrip(request, &handler)
        if !handler.found { throw .ENOENT }
        return status
    }

    /// bpf_tc_attach after its checks.
    public static func attach(ifindex: Int32, parent: UInt32, _ options: FilterOptions,
                              _ handler: inout FilterHandler) throws(BPFError) -> Int32 {
        let name = try programName(fd: options.programFD)
        return try filterRoundTrip(attachRequest(ifindex: ifindex, parent: parent, options, programName: name), &handler)
    }

    /// bpf_tc_query after its checks (RTM_GETTFILTER, no ack asked).
    public static func query(ifindex: Int32, parent: UInt32, _ options: FilterOptions,
                             _ handler: inout FilterHandler) throws(BPFError) -> Int32 {
        try filterRoundTrip(filterRequest(type: UInt16(RTM_GETTFILTER), flags: NetlinkConstant.request, ifindex: ifindex,
                                          parent: parent, handle: options.handle, info: filterInfo(priority: options.priority),
                                          withKind: true), &handler)
    }

    /// bpf_tc_detach after its checks.
    public static func detach(ifindex: Int32, parent: UInt32, _ options: FilterOptions) throws(BPFError) -> Int32 {
        var ack = NetlinkAckOnly()
        return try netlinkRoundTrip(filterRequest(type: UInt16(RTM_DELTFILTER), flags: NetlinkConstant.request | NetlinkConstant.ack,
                                                  ifindex: ifindex, parent: parent, handle: options.handle,
                                                  info: filterInfo(priority: options.priority), withKind: true), &ack)
    }
}

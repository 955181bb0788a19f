import CBPF

/// What RTM_GETLINK says about one device's XDP programs (bpf_xdp_query's outputs).
public struct XDPLinkInfo: Equatable {
    public var programID: UInt32 = 0
    public var driverProgramID: UInt32 = 0
    public var hardwareProgramID: UInt32 = 0
    public var genericProgramID: UInt32 = 0
    public var attachMode: UInt8 = 0
    public init() {}
}

/// XDP programs on network devices through rtnetlink (IFLA_XDP).
public enum XDPNetlink {
    // linux/if_link.h
    static let ifinfomsgSize = 16
    static let familyUnspecified: UInt8 = 0           // AF_UNSPEC
    static let familyPacket: UInt8 = 17               // AF_PACKET
    static let attributeXDP = UInt16(IFLA_XDP)
    static let linkAttributeMax = Int(__IFLA_MAX) - 1
    static let xdpAttributeMax = Int(__IFLA_XDP_MAX) - 1
    static let xdpFD = UInt16(IFLA_XDP_FD)
    static let xdpAttached = Int(IFLA_XDP_ATTACHED)
    static let xdpFlags = UInt16(IFLA_XDP_FLAGS)
    static let xdpProgramID = Int(IFLA_XDP_PROG_ID)
    static let xdpDriverProgramID = Int(IFLA_XDP_DRV_PROG_ID)
    static let xdpGenericProgramID = Int(IFLA_XDP_SKB_PROG_ID)
    static let xdpHardwareProgramID = Int(IFLA_XDP_HW_PROG_ID)
    static let xdpExpectedFD = UInt16(IFLA_XDP_EXPECTED_FD)

    // XDP_FLAGS_* (linux/if_link.h)
    public static let flagUpdateIfNoExist: UInt32 = 1 << 0
    public static let flagGenericMode: UInt32 = 1 << 1
    public static let flagDriverMode: UInt32 = 1 << 2
    public static let flagHardwareMode: UInt32 = 1 << 3
    public static let flagReplace: UInt32 = 1 << 4
    public static let modeFlags: UInt32 = flagGenericMode | flagDriverMode | flagHardwareMode
    public static let allFlags: UInt32 = flagUpdateIfNoExist | modeFlags | flagReplace
    /// XDP_ATTACHED_MULTI
    public static let attachedMulti: UInt8 = 4

    /// The RTM_SETLINK request: IFLA_XDP { FD, FLAGS when non-zero, EXPECTED_FD with
    /// XDP_FLAGS_REPLACE }.
    public static func setLinkRequest(ifindex: Int32, programFD: Int32, expectedFD: Int32, flags: UInt32) -> NetlinkRequest {
        var request = NetlinkRequest(type: UInt16(RTM_SETLINK), flags: NetlinkConstant.request | NetlinkConstant.ack,
                                     fixedSize: ifinfomsgSize)
        request.setFixed(familyUnspecified, at: 0)
        request.setFixed(ifindex, at: 4)
        let nest = request.beginNested(type: attributeXDP)
        request.appendInt32(type: xdpFD, programFD)
        if flags != 0 { request.appendUInt32(type: xdpFlags, flags) }
        if flags & flagReplace != 0 { request.appendInt32(type: xdpExpectedFD, expectedFD) }
        request.endNested(nest)
        return request
    }

    /// Attaches (`programFD` >= 0) or detaches (-1). Returns 0 or a non-negative
    /// status from the kernel; throws the rest.
    public static func setLink(ifindex: Int32, programFD: Int32, expectedFD: Int32, flags: UInt32) throws(BPFError) -> Int32 {
        var ack = NetlinkAckOnly()
        return try netlinkRoundTrip(setLinkRequest(ifindex: ifindex, programFD: programFD, expectedFD: expectedFD, flags: flags), &ack)
    }

    /// The RTM_GETLINK dump request (AF_PACKET, every device).
    public static func dumpRequest() -> NetlinkRequest {
        var request = NetlinkRequest(type: UInt16(RTM_GETLINK), flags: NetlinkConstant.request | NetlinkConstant.dump,
                                     fixedSize: ifinfomsgSize)
        request.setFixed(familyPacket, at: 0)
        return request
    }

    /// Collects IFLA_XDP of the device `ifindex` (0: of every device, in dump order,
    /// later devices overwriting what they report).
    public struct QueryHandler: NetlinkReplyHandler {
        public let ifindex: Int32
        public var info = XDPLinkInfo()

        public init(ifindex: Int32) { self.ifindex = ifindex }

        public mutating func handle(_ message: NetlinkMessageView) throws(BPFError) -> NetlinkReplyAction {
            let index = message.field(4, as: Int32.self) ?? 0
            if ifindex != 0 && index != ifindex { return .nextMessage }
            let link = try message.attributes(afterFixed: XDPNetlink.ifinfomsgSize, maxType: XDPNetlink.linkAttributeMax)
            guard let xdp = link[Int(XDPNetlink.attributeXDP)] else { return .nextMessage }
            let nested = try xdp.nested(maxType: XDPNetlink.xdpAttributeMax)
            guard let attached = nested[XDPNetlink.xdpAttached] else { return .nextMessage }
            info.attachMode = attached.uint8
            if info.attachMode == 0 { return .nextMessage }
            if let a = nested[XDPNetlink.xdpProgramID] { info.programID = a.uint32 }
            if let a = nested[XDPNetlink.xdpGenericProgramID] { info.genericProgramID = a.uint32 }
            if let a = nested[XDPNetlink.xdpDriverProgramID] { info.driverProgramID = a.uint32 }
            if let a = nested[XDPNetlink.xdpHardwareProgramID] { info.hardwareProgramID = a.uint32 }
            return .nextMessage
        }
    }

    /// bpf_xdp_query's dump. `status` is non-zero only for a non-negative kernel error.
    public static func query(ifindex: Int32) throws(BPFError) -> (status: Int32, info: XDPLinkInfo) {
        var handler = QueryHandler(ifindex: ifindex)
        let status = try netlinkRoundTrip(dumpRequest(), &handler)
        return (status, handler.info)
    }

    /// bpf_xdp_query_id's choice among the ids by the mode flag in `flags`
    /// (already checked to hold at most one mode).
    public static func selectProgramID(_ info: XDPLinkInfo, flags: UInt32) -> UInt32 {
        let mode = flags & modeFlags
        if mode == 0 && info.attachMode != attachedMulti { return info.programID }
        if mode & flagDriverMode != 0 { return info.driverProgramID }
        if mode & flagHardwareMode != 0 { return info.hardwareProgramID }
        if mode & flagGenericMode != 0 { return info.genericProgramID }
        return 0
    }

    /// Whether `flags` names more than one XDP mode.
    public static func hasSeveralModes(_ flags: UInt32) -> Bool {
        let mode = flags & modeFlags
        return mode & (mode &- 1) != 0
    }
}

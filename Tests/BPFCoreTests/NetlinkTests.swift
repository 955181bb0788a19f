import CBPF
import Testing
@testable import BPFCore

/// rtnetlink message encoding and reply parsing, without a kernel. The expected
/// request bytes are the messages the reference library sends (strace -e
/// trace=network of libbpf 1.1.2), written out field by field.
@Suite(.serialized) struct NetlinkTests {
    func logged(_ body: () -> Void) -> [String] {
        var lines: [String] = []
        Log.sink = { _, message in lines.append(message) }
        defer { Log.sink = nil }
        body()
        return lines
    }

    // little-endian helpers for expected bytes
    func u16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
    func u32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)] }
    func header(len: UInt32, type: UInt16, flags: UInt16, seq: UInt32 = 0, pid: UInt32 = 0) -> [UInt8] {
        u32(len) + u16(type) + u16(flags) + u32(seq) + u32(pid)
    }
    func attr(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var out = u16(UInt16(4 + payload.count)) + u16(type) + payload
        while out.count % 4 != 0 { out.append(0) }
        return out
    }

    // MARK: requests

    @Test func xdpSetLinkWithFlags() {
        let r = XDPNetlink.setLinkRequest(ifindex: 3, programFD: 5, expectedFD: -1, flags: XDPNetlink.flagGenericMode)
        // RTM_SETLINK (19), NLM_F_REQUEST|NLM_F_ACK; ifinfomsg{AF_UNSPEC, index 3};
        // IFLA_XDP (43) nested { IFLA_XDP_FD (1) = 5, IFLA_XDP_FLAGS (3) = SKB_MODE }
        let expected = header(len: 52, type: 19, flags: 0x5)
            + [0, 0] + u16(0) + u32(3) + u32(0) + u32(0)
            + u16(20) + u16(0x802b) + attr(1, u32(5)) + attr(3, u32(2))
        #expect(r.bytes == expected)
    }

    @Test func xdpSetLinkWithoutFlagsHasOnlyTheFD() {
        let r = XDPNetlink.setLinkRequest(ifindex: 7, programFD: -1, expectedFD: -1, flags: 0)
        let expected = header(len: 44, type: 19, flags: 0x5)
            + [0, 0] + u16(0) + u32(7) + u32(0) + u32(0)
            + u16(12) + u16(0x802b) + attr(1, u32(0xffff_ffff))
        #expect(r.bytes == expected)
    }

    @Test func xdpReplaceCarriesTheExpectedFD() {
        let flags = XDPNetlink.flagGenericMode | XDPNetlink.flagReplace
        let r = XDPNetlink.setLinkRequest(ifindex: 3, programFD: 4, expectedFD: -1, flags: flags)
        #expect(r.bytes.count == 60)
        #expect(Array(r.bytes[52..<60]) == attr(8, u32(0xffff_ffff)))  // IFLA_XDP_EXPECTED_FD
        #expect(Array(r.bytes[32..<36]) == u16(28) + u16(0x802b))
    }

    @Test func linkDumpRequest() {
        // RTM_GETLINK (18), NLM_F_REQUEST|NLM_F_DUMP, ifinfomsg{AF_PACKET}
        let expected = header(len: 32, type: 18, flags: 0x301) + [17, 0] + u16(0) + u32(0) + u32(0) + u32(0)
        #expect(XDPNetlink.dumpRequest().bytes == expected)
    }

    @Test func clsactCreateAndDelete() {
        let kind = attr(1, Array("clsact".utf8) + [0])
        #expect(kind.count == 12 && kind[0] == 11)  // nla_len 11, padded to 12
        let tcm = [0, 0, 0, 0] + u32(4) + u32(0xffff_0000) + u32(0xffff_fff1) + u32(0)
        // RTM_NEWQDISC (36): REQUEST|ACK|EXCL|CREATE; RTM_DELQDISC (37): REQUEST|ACK
        #expect(TCNetlink.qdiscRequest(ifindex: 4, create: true).bytes == header(len: 48, type: 36, flags: 0x605) + tcm + kind)
        #expect(TCNetlink.qdiscRequest(ifindex: 4, create: false).bytes == header(len: 48, type: 37, flags: 0x5) + tcm + kind)
    }

    @Test func filterAttachRequest() {
        var o = TCNetlink.FilterOptions()
        o.programFD = 3
        o.handle = 1
        o.priority = 1
        let name = Array("tca:[106714]".utf8)  // 12 characters: nla_len 17, padded to 20
        let r = TCNetlink.attachRequest(ifindex: 3, parent: 0xffff_fff2, o, programName: name)
        let options = attr(6, u32(3)) + attr(7, name + [0]) + attr(8, u32(1))
        let expected = header(len: 84, type: 44, flags: 0x60d)   // RTM_NEWTFILTER, REQUEST|ACK|ECHO|EXCL|CREATE
            + [0, 0, 0, 0] + u32(3) + u32(1) + u32(0xffff_fff2) + u32(0x0001_0300)
            + attr(1, Array("bpf".utf8) + [0])
            + u16(40) + u16(0x8002) + options
        #expect(r.bytes == expected)
        o.flags = TCNetlink.flagReplace
        #expect(TCNetlink.attachRequest(ifindex: 3, parent: 0xffff_fff2, o, programName: name).flags == 0x50d)
    }

    @Test func filterLookupAndFlushRequests() {
        let query = TCNetlink.filterRequest(type: 46, flags: 0x1, ifindex: 2, parent: 0xffff_fff3, handle: 7,
                                            info: TCNetlink.filterInfo(priority: 0xffff), withKind: true)
        #expect(query.bytes == header(len: 44, type: 46, flags: 0x1) + [0, 0, 0, 0] + u32(2) + u32(7) + u32(0xffff_fff3)
            + u32(0xffff_0300) + attr(1, Array("bpf".utf8) + [0]))
        let flush = TCNetlink.filterRequest(type: 45, flags: 0x5, ifindex: 2, parent: 0xffff_fff2, handle: 0, info: 0, withKind: false)
        #expect(flush.bytes == header(len: 36, type: 45, flags: 0x5) + [0, 0, 0, 0] + u32(2) + u32(0) + u32(0xffff_fff2) + u32(0))
    }

    // MARK: attribute parsing

    func parse(_ bytes: [UInt8], maxType: Int, strings: [Int] = []) -> (NetlinkAttributes?, BPFError?, [String]) {
        var result: (NetlinkAttributes?, BPFError?) = (nil, nil)
        let lines = logged {
            bytes.withUnsafeBytes { raw in
                do throws(BPFError) {
                    result = (try NetlinkAttributes.parse(raw, from: 0, count: raw.count, maxType: maxType, strings: strings), nil)
                } catch { result = (nil, error) }
            }
        }
        return (result.0, result.1, lines)
    }

    @Test func attributesByMaskedType() {
        let bytes = attr(1, u32(11)) + attr(0x8002, u32(22)) + attr(9, u32(99))
        let (table, error, lines) = parse(bytes, maxType: 3)
        #expect(error == nil && lines.isEmpty)
        #expect(table?[1]?.uint32 == 11)
        #expect(table?[2]?.uint32 == 22)   // NLA_F_NESTED masked off
        #expect(table?[9] == nil)          // above maxType: skipped
    }

    @Test func repeatedAttributeWarnsAndKeepsTheLast() {
        let (table, _, lines) = parse(attr(1, u32(1)) + attr(1, u32(2)), maxType: 2)
        #expect(table?[1]?.uint32 == 2)
        #expect(lines == ["libbpf: Attribute of type 0x1 found multiple times in message, previous attribute is being ignored.\n"])
        let (_, _, zero) = parse(attr(0, []) + attr(0, []), maxType: 2)
        #expect(zero == ["libbpf: Attribute of type 0 found multiple times in message, previous attribute is being ignored.\n"])
    }

    @Test func malformedLengthStopsQuietly() {
        var bytes = attr(1, u32(1)) + attr(2, u32(2))
        bytes[8] = 200  // second nla_len beyond the end
        let (table, error, lines) = parse(bytes, maxType: 2)
        #expect(error == nil && lines.isEmpty)
        #expect(table?[1] != nil && table?[2] == nil)
        bytes[8] = 2    // shorter than a header
        #expect(parse(bytes, maxType: 2).0?[2] == nil)
    }

    @Test func stringPolicy() {
        #expect(parse(attr(1, Array("ok".utf8) + [0]), maxType: 1, strings: [1]).1 == nil)
        #expect(parse(attr(1, Array("no".utf8)), maxType: 1, strings: [1]).1 == .EINVAL)   // not NUL-terminated
        #expect(parse(attr(1, []), maxType: 1, strings: [1]).1 == .EINVAL)                 // empty
    }

    // MARK: replies

    /// An NLMSG_ERROR reply to a request of `echoedLength` bytes, with TLVs.
    func errorMessage(code: Int32, flags: UInt16, echoedLength: Int, tlvs: [UInt8]) -> [UInt8] {
        var echoed = header(len: UInt32(echoedLength), type: 19, flags: 5)
        if flags & NetlinkConstant.capped == 0 { echoed += [UInt8](repeating: 0, count: echoedLength - 16) }
        let body = u32(UInt32(bitPattern: code)) + echoed + tlvs
        return header(len: UInt32(16 + body.count), type: 2, flags: flags) + body
    }

    func logAck(_ bytes: [UInt8]) -> [String] {
        logged {
            bytes.withUnsafeBytes { raw in
                NetlinkSocket.logExtendedAck(NetlinkMessageView(bytes: raw, offset: 0, length: raw.count))
            }
        }
    }

    @Test func extendedAckMessage() {
        let msg = attr(1, Array("XDP program already attached".utf8) + [0])
        #expect(logAck(errorMessage(code: -16, flags: 0x200, echoedLength: 52, tlvs: msg))
            == ["libbpf: Kernel error message: XDP program already attached\n"])
        #expect(logAck(errorMessage(code: -16, flags: 0x300, echoedLength: 52, tlvs: msg))   // capped
            == ["libbpf: Kernel error message: XDP program already attached\n"])
        #expect(logAck(errorMessage(code: -16, flags: 0, echoedLength: 52, tlvs: msg)).isEmpty)  // no NLM_F_ACK_TLVS
        #expect(logAck(errorMessage(code: -16, flags: 0x200, echoedLength: 52, tlvs: attr(2, u32(40))))
            == ["libbpf: Kernel error message: (null)\n"])
        #expect(logAck(errorMessage(code: -16, flags: 0x200, echoedLength: 52, tlvs: attr(1, Array("x".utf8))))
            == ["libbpf: Failed to parse extended error attributes\n"])
    }

    func view<T>(_ bytes: [UInt8], _ body: (NetlinkMessageView) -> T) -> T {
        bytes.withUnsafeBytes { raw in body(NetlinkMessageView(bytes: raw, offset: 0, length: raw.count)) }
    }

    func linkMessage(ifindex: Int32, xdp: [UInt8]?) -> [UInt8] {
        var body = [0, 0] + u16(1) + u32(UInt32(bitPattern: ifindex)) + u32(0) + u32(0)
        body += attr(3, Array("dev".utf8) + [0])
        if let xdp { body += u16(UInt16(4 + xdp.count)) + u16(0x802b) + xdp }
        return header(len: UInt32(16 + body.count), type: 16, flags: 2) + body
    }

    @Test func xdpQueryHandler() {
        var h = XDPNetlink.QueryHandler(ifindex: 3)
        let skb = attr(2, [2]) + attr(4, u32(77)) + attr(6, u32(77))    // ATTACHED=SKB, PROG_ID, SKB_PROG_ID
        let other = view(linkMessage(ifindex: 2, xdp: attr(2, [1]) + attr(4, u32(5)) + attr(5, u32(5)))) { m in
            try? h.handle(m)
        }
        #expect(other == .nextMessage && h.info == XDPLinkInfo())        // another device
        _ = view(linkMessage(ifindex: 3, xdp: skb)) { m in try? h.handle(m) }
        #expect(h.info.programID == 77 && h.info.genericProgramID == 77 && h.info.driverProgramID == 0 && h.info.attachMode == 2)

        var all = XDPNetlink.QueryHandler(ifindex: 0)
        _ = view(linkMessage(ifindex: 2, xdp: skb)) { m in try? all.handle(m) }
        _ = view(linkMessage(ifindex: 3, xdp: attr(2, [0]))) { m in try? all.handle(m) }  // nothing attached
        _ = view(linkMessage(ifindex: 4, xdp: nil)) { m in try? all.handle(m) }          // no IFLA_XDP at all
        // the last device with IFLA_XDP sets the mode; ids stay from earlier ones
        #expect(all.info.attachMode == 0 && all.info.programID == 77 && all.info.genericProgramID == 77)
    }

    @Test func queryIDSelection() {
        var info = XDPLinkInfo()
        info.programID = 1
        info.driverProgramID = 2
        info.hardwareProgramID = 3
        info.genericProgramID = 4
        info.attachMode = 1
        #expect(XDPNetlink.selectProgramID(info, flags: 0) == 1)
        #expect(XDPNetlink.selectProgramID(info, flags: XDPNetlink.flagReplace) == 1)
        #expect(XDPNetlink.selectProgramID(info, flags: XDPNetlink.flagDriverMode) == 2)
        #expect(XDPNetlink.selectProgramID(info, flags: XDPNetlink.flagHardwareMode) == 3)
        #expect(XDPNetlink.selectProgramID(info, flags: XDPNetlink.flagGenericMode) == 4)
        info.attachMode = XDPNetlink.attachedMulti
        #expect(XDPNetlink.selectProgramID(info, flags: 0) == 0)
        #expect(!XDPNetlink.hasSeveralModes(XDPNetlink.flagGenericMode | XDPNetlink.flagReplace))
        #expect(XDPNetlink.hasSeveralModes(XDPNetlink.flagGenericMode | XDPNetlink.flagDriverMode))
        #expect(XDPNetlink.hasSeveralModes(XDPNetlink.modeFlags))
    }

    func filterMessage(flags: UInt16, kind: Bool = true, options: Bool = true, id: UInt32? = 42) -> [UInt8] {
        var body = [0, 0, 0, 0] + u32(3) + u32(0x9) + u32(0xffff_fff2) + u32(0x0007_0300)
        if kind { body += attr(1, Array("bpf".utf8) + [0]) }
        if options {
            var inner = attr(6, u32(3))
            if let id { inner += attr(11, u32(id)) }
            body += u16(UInt16(4 + inner.count)) + u16(0x8002) + inner
        }
        return header(len: UInt32(16 + body.count), type: 44, flags: flags) + body
    }

    @Test func filterHandler() {
        var h = TCNetlink.FilterHandler()
        let echo = view(filterMessage(flags: 0x60d)) { m in try? h.handle(m) }
        #expect(echo == .nextDatagram)   // our own request echoed: the ack follows
        #expect(h.found && h.info == { var i = TCNetlink.FilterInfo(); i.handle = 9; i.priority = 7; i.programID = 42; return i }())
        var q = TCNetlink.FilterHandler()
        #expect(view(filterMessage(flags: 0x1)) { m in try? q.handle(m) } == .finished)
        var k = TCNetlink.FilterHandler()
        #expect(view(filterMessage(flags: 0x1, kind: false)) { m in try? k.handle(m) } == .nextMessage && !k.found)
        var o = TCNetlink.FilterHandler()
        #expect(view(filterMessage(flags: 0x1, options: false)) { m in try? o.handle(m) } == .nextMessage && !o.found)
        var i = TCNetlink.FilterHandler()
        let error: BPFError? = view(filterMessage(flags: 0x1, id: nil)) { m in
            do throws(BPFError) { _ = try i.handle(m); return nil } catch { return error }
        }
        #expect(error == .EINVAL)
    }

    // MARK: argument rules

    func hookResult(_ ap: UInt32, parent: UInt32, ifindex: Int32 = 2, destroy: Bool) -> String {
        do throws(BPFError) {
            switch try TCNetlink.hookAction(TCNetlink.Hook(ifindex: ifindex, attachPoint: ap, parent: parent), destroy: destroy) {
            case .createQdisc: return "create"
            case .deleteQdisc: return "delete"
            case .flushFilters(let p): return "flush \(p)"
            }
        } catch { return "error \(error.code)" }
    }

    @Test func hookRules() {
        #expect(hookResult(TCNetlink.ingress, parent: 0, destroy: false) == "create")
        #expect(hookResult(TCNetlink.ingress | TCNetlink.egress, parent: 0, destroy: false) == "create")
        #expect(hookResult(TCNetlink.ingress, parent: 0, destroy: true) == "flush \(0xffff_fff2 as UInt32)")
        #expect(hookResult(TCNetlink.egress, parent: 0, destroy: true) == "flush \(0xffff_fff3 as UInt32)")
        #expect(hookResult(TCNetlink.ingress | TCNetlink.egress, parent: 0, destroy: true) == "delete")
        #expect(hookResult(TCNetlink.ingress, parent: 5, destroy: false) == "error \(EINVAL)")
        #expect(hookResult(TCNetlink.ingress | TCNetlink.egress, parent: 5, destroy: true) == "error \(EINVAL)")
        #expect(hookResult(TCNetlink.custom, parent: 0x10001, destroy: false) == "error \(EOPNOTSUPP)")
        #expect(hookResult(TCNetlink.custom, parent: 0, destroy: true) == "error \(EOPNOTSUPP)")
        #expect(hookResult(TCNetlink.custom, parent: 0, ifindex: 0, destroy: false) == "error \(EINVAL)")
        #expect(hookResult(TCNetlink.custom | TCNetlink.ingress, parent: 0, destroy: false) == "error \(EINVAL)")
        #expect(hookResult(0, parent: 0, destroy: true) == "error \(EINVAL)")
    }

    @Test func filterRules() {
        let ingress = TCNetlink.Hook(ifindex: 2, attachPoint: TCNetlink.ingress, parent: 0)
        var o = TCNetlink.FilterOptions()
        o.programFD = 3
        #expect((try? TCNetlink.checkAttach(ingress, o)) == 0xffff_fff2)
        #expect((try? TCNetlink.checkAttach(TCNetlink.Hook(ifindex: 2, attachPoint: TCNetlink.custom, parent: 0x10001), o)) == 0x10001)
        #expect((try? TCNetlink.checkAttach(TCNetlink.Hook(ifindex: 2, attachPoint: TCNetlink.custom, parent: 0), o)) == nil)
        #expect((try? TCNetlink.checkAttach(TCNetlink.Hook(ifindex: 2, attachPoint: TCNetlink.egress, parent: 1), o)) == nil)
        o.priority = 0x10000
        #expect((try? TCNetlink.checkAttach(ingress, o)) == nil)
        o.priority = 0
        o.flags = 2
        #expect((try? TCNetlink.checkAttach(ingress, o)) == nil)
        o.flags = 0
        o.programID = 1
        #expect((try? TCNetlink.checkAttach(ingress, o)) == nil)
        o.programID = 0
        o.programFD = 0
        #expect((try? TCNetlink.checkAttach(ingress, o)) == nil)

        var l = TCNetlink.FilterOptions()
        l.handle = 1
        l.priority = 1
        #expect((try? TCNetlink.checkLookup(ingress, l)) == 0xffff_fff2)
        l.programFD = 3
        #expect((try? TCNetlink.checkLookup(ingress, l)) == nil)
        l.programFD = 0
        l.handle = 0
        #expect((try? TCNetlink.checkLookup(ingress, l)) == nil)
    }
}

import CBPF
import Testing
@testable import BPFCore

/// libbpf 1.1's section-name table: matching rules, table contents, custom handlers.
@Suite(.serialized) struct SectionDefinitionsTests {
    init() { SectionDefinitions.resetCustomHandlers() }

    func matches(_ pattern: String, _ name: String) -> Bool {
        pattern.withCString { p in name.withCString { n in SectionDefinitions.matches(pattern: p, name: n) } }
    }

    func find(_ name: String) -> SectionDefinition? {
        name.withCString { SectionDefinitions.find($0) }
    }

    func types(_ name: String) -> (UInt32, UInt32)? {
        find(name).map { ($0.progType.rawValue, $0.expectedAttachType.rawValue) }
    }

    func secName(_ definition: SectionDefinition?) -> String? {
        definition?.sec.map { String(cString: $0) }
    }

    @discardableResult
    func register(_ sec: String?, _ type: bpf_prog_type, _ attach: UInt32 = 0, cookie: Int = 0) throws(BPFError) -> Int32 {
        guard let sec else {
            return try SectionDefinitions.register(
                sec: nil, progType: type, expectedAttachType: bpf_attach_type(rawValue: attach), cookie: cookie,
                setupFn: nil, prepareLoadFn: nil, attachFn: nil)
        }
        let copy = strdup(sec)!
        defer { free(copy) }
        return try SectionDefinitions.register(
            sec: copy, progType: type, expectedAttachType: bpf_attach_type(rawValue: attach), cookie: cookie,
            setupFn: nil, prepareLoadFn: nil, attachFn: nil)
    }

    func logged(_ body: () -> Void) -> [String] {
        var lines: [String] = []
        Log.sink = { _, message in lines.append(message) }
        defer { Log.sink = nil }
        body()
        return lines
    }

    // MARK: matching rules

    @Test func exactPattern() {
        #expect(matches("xdp", "xdp"))
        #expect(!matches("xdp", "xdp/"))
        #expect(!matches("xdp", "xdp/foo"))
        #expect(!matches("xdp", "xd"))
        #expect(!matches("xdp", "xdpx"))
        #expect(!matches("xdp", "XDP"))
    }

    @Test func plusPattern() {
        #expect(matches("kprobe+", "kprobe"))
        #expect(matches("kprobe+", "kprobe/"))
        #expect(matches("kprobe+", "kprobe/do_sys_open"))
        #expect(matches("kprobe+", "kprobe//x"))
        #expect(!matches("kprobe+", "kprobex"))
        #expect(!matches("kprobe+", "kprobe+"))
        #expect(!matches("kprobe+", "kprob"))
        #expect(!matches("kprobe+", ""))
    }

    @Test func slashPattern() {
        #expect(matches("foo/", "foo/"))
        #expect(matches("foo/", "foo/bar"))
        #expect(!matches("foo/", "foo"))
        #expect(!matches("foo/", "foox"))
    }

    @Test func emptyPatternMatchesOnlyEmptyName() {
        #expect(matches("", ""))
        #expect(!matches("", "x"))
    }

    // MARK: the built-in table

    @Test func tableOrderAndSize() {
        #expect(SectionDefinitions.builtins.count == 81)
        #expect(secName(SectionDefinitions.builtins.first) == "socket")
        #expect(secName(SectionDefinitions.builtins.last) == "sk_lookup")
        let list = SectionDefinitions.typeNames(attachableOnly: false)
        #expect(list.hasPrefix(" socket sk_reuseport/migrate sk_reuseport kprobe+ uprobe+ uprobe.s+ kretprobe+"))
        #expect(list.hasSuffix(" cgroup/dev struct_ops+ sk_lookup"))
        let attachable = SectionDefinitions.typeNames(attachableOnly: true)
        #expect(attachable.hasPrefix(" sk_reuseport/migrate sk_reuseport xdp/devmap xdp/cpumap xdp sockops"))
        #expect(!attachable.contains("xdp.frags"))
    }

    @Test func builtinLookups() {
        #expect(types("kprobe/do_sys_open")! == (BPF_PROG_TYPE_KPROBE.rawValue, 0))
        #expect(types("xdp")! == (BPF_PROG_TYPE_XDP.rawValue, BPF_XDP.rawValue))
        #expect(types("xdp.frags/devmap")! == (BPF_PROG_TYPE_XDP.rawValue, BPF_XDP_DEVMAP.rawValue))
        #expect(types("sk_reuseport/migrate")! == (BPF_PROG_TYPE_SK_REUSEPORT.rawValue, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE.rawValue))
        #expect(types("cgroup/sock")! == (BPF_PROG_TYPE_CGROUP_SOCK.rawValue, BPF_CGROUP_INET_SOCK_CREATE.rawValue))
        #expect(types("lsm.s/file_open")! == (BPF_PROG_TYPE_LSM.rawValue, BPF_LSM_MAC.rawValue))
        #expect(find("xdp/") == nil)        // legacy spelling: exact "xdp" only
        #expect(find("classifier/x") == nil)
        #expect(find("iter/task") != nil)
        #expect(find("uprobe.s/x") != nil)
    }

    @Test func flagsAndAutoAttach() {
        #expect(find("xdp")!.flags == .attachableOptional)
        #expect(find("xdp.frags")!.flags == .xdpFrags)
        #expect(find("fentry.s/x")!.flags == [.attachBTF, .sleepable])
        #expect(find("syscall")!.flags == .sleepable)
        #expect(find("kprobe.multi/x")!.autoAttach == .kprobeMulti)
        #expect(find("uretprobe.s/x")!.autoAttach == .uprobe)
        #expect(find("freplace/x")!.autoAttach == .trace)
        #expect(find("lsm_cgroup/x")!.autoAttach == AutoAttachKind.none)
        #expect(find("sk_skb")!.isAttachable == false)
        #expect(find("sk_skb/stream_parser")!.isAttachable)
    }

    @Test func attachTypeByName() throws {
        #expect(try "cgroup/bind4".withCString { try SectionDefinitions.attachType(byName: $0) } == BPF_CGROUP_INET4_BIND)
        let lines = logged {
            #expect(throws: BPFError.EINVAL) { try "kprobe".withCString { try SectionDefinitions.attachType(byName: $0) } }
        }
        #expect(lines.isEmpty)  // matched but not attachable: no log
        let missing = logged {
            #expect(throws: BPFError.EINVAL) { try "nope".withCString { try SectionDefinitions.attachType(byName: $0) } }
        }
        #expect(missing.count == 2)
        #expect(missing.first == "libbpf: failed to guess attach type based on ELF section name 'nope'\n")
        #expect(missing.last?.hasPrefix("libbpf: attachable section(type) names are: sk_reuseport/migrate") == true)
    }

    @Test func progTypeByNameLogs() {
        let lines = logged {
            #expect(throws: BPFError.ESRCH) { try "zzz".withCString { try SectionDefinitions.progType(byName: $0) } }
        }
        #expect(lines.count == 2)
        #expect(lines.first == "libbpf: failed to guess program type from ELF section 'zzz'\n")
        #expect(lines.last == "libbpf: supported section(type) names are:\(SectionDefinitions.typeNames(attachableOnly: false))\n")
    }

    // MARK: custom handlers

    @Test func customHandlersComeFirstInRegistrationOrder() throws {
        let a = try register("kprobe+", BPF_PROG_TYPE_SOCKET_FILTER)
        let b = try register("kprobe/", BPF_PROG_TYPE_XDP)
        #expect(a == 1 && b == 2)
        #expect(types("kprobe/x")!.0 == BPF_PROG_TYPE_SOCKET_FILTER.rawValue)
        try SectionDefinitions.unregister(handlerID: a)
        #expect(types("kprobe/x")!.0 == BPF_PROG_TYPE_XDP.rawValue)
        #expect(types("kprobe")!.0 == BPF_PROG_TYPE_KPROBE.rawValue)  // built-in again
        try SectionDefinitions.unregister(handlerID: b)
        #expect(types("kprobe/x")!.0 == BPF_PROG_TYPE_KPROBE.rawValue)
    }

    @Test func customHandlersAreNeverAttachableNorListed() throws {
        try register("xdp", BPF_PROG_TYPE_XDP, BPF_XDP.rawValue, cookie: SectionFlags.attachable.rawValue)
        #expect(find("xdp")!.handlerID == 1)
        #expect(!find("xdp")!.isAttachable)
        #expect(!SectionDefinitions.typeNames(attachableOnly: false).hasPrefix(" xdp"))
    }

    @Test func fallbackComesAfterBuiltins() throws {
        let fallback = try register(nil, BPF_PROG_TYPE_PERF_EVENT, cookie: 7)
        #expect(types("zzz")!.0 == BPF_PROG_TYPE_PERF_EVENT.rawValue)
        #expect(find("zzz")!.cookie == 7)
        #expect(types("xdp")!.0 == BPF_PROG_TYPE_XDP.rawValue)
        #expect(throws: BPFError.EBUSY) { try register(nil, BPF_PROG_TYPE_KPROBE) }
        let next = try register("x", BPF_PROG_TYPE_SK_SKB)
        #expect(next == fallback + 1)  // a failed registration takes no id
        #expect(types("x")!.0 == BPF_PROG_TYPE_SK_SKB.rawValue)
        try SectionDefinitions.unregister(handlerID: fallback)
        #expect(find("zzz") == nil)
        #expect(throws: BPFError.ENOENT) { try SectionDefinitions.unregister(handlerID: fallback) }
    }

    @Test func unregisterErrorsAndIdNumbering() throws {
        #expect(throws: BPFError.EINVAL) { try SectionDefinitions.unregister(handlerID: 0) }
        #expect(throws: BPFError.EINVAL) { try SectionDefinitions.unregister(handlerID: -1) }
        #expect(throws: BPFError.ENOENT) { try SectionDefinitions.unregister(handlerID: 1) }
        let a = try register("a", BPF_PROG_TYPE_KPROBE)
        try SectionDefinitions.unregister(handlerID: a)
        let b = try register("a", BPF_PROG_TYPE_KPROBE)
        #expect(b == a + 1)  // ids are not reused
    }

    @Test func duplicatesFirstWins() throws {
        let a = try register("dup+", BPF_PROG_TYPE_KPROBE)
        try register("dup+", BPF_PROG_TYPE_XDP)
        #expect(types("dup/x")!.0 == BPF_PROG_TYPE_KPROBE.rawValue)
        try SectionDefinitions.unregister(handlerID: a)
        #expect(types("dup/x")!.0 == BPF_PROG_TYPE_XDP.rawValue)
    }

    @Test func patternIsCopiedAndTypesAreNotChecked() throws {
        try register("big", bpf_prog_type(rawValue: 1000), 5000)
        #expect(types("big")! == (1000, 5000))
        #expect(secName(find("big")) == "big")
    }
}

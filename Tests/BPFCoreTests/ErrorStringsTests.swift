import CBPF
import Testing
@testable import BPFCore
@testable import LibBPF

@Suite(.serialized) struct ErrorStringsTests {
    func strerror(_ err: Int32, size: Int = 128) -> (Int32, Int32, String) {
        var buf = [CChar](repeating: 0x55, count: size + 1)  // +1 canary
        sbpf_set_errno(12345)
        let ret = abi_libbpf_strerror(err, &buf, size)
        let errno = sbpf_errno()
        #expect(buf[size] == 0x55, "wrote past the buffer")
        let text = String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (ret, errno, text)
    }

    @Test func libbpfCodesByEitherSign() {
        #expect(strerror(4003) == (0, 12345, "Endian mismatch"))
        #expect(strerror(-4003) == (0, 12345, "Endian mismatch"))
        #expect(strerror(Int32(LIBBPF_ERRNO__NLPARSE.rawValue)) == (0, 12345, "Incorrect netlink message parsing"))
    }

    @Test func loadCodeHasNoMessageInTheReference() {
        #expect(strerror(Int32(LIBBPF_ERRNO__LOAD.rawValue)).2 == "(null)")
    }

    @Test func unknownLibbpfCode() {
        #expect(strerror(4014) == (-ENOENT, ENOENT, "Unknown libbpf error 4014"))
        #expect(strerror(-100000) == (-ENOENT, ENOENT, "Unknown libbpf error 100000"))
    }

    @Test func plainErrnoUsesLibc() {
        #expect(strerror(-EPERM) == (0, 12345, "Operation not permitted"))
        #expect(strerror(0) == (0, 12345, "Success"))
        // glibc's XSI strerror_r: unknown numbers give EINVAL, returned (not negated).
        #expect(strerror(3999) == (EINVAL, 12345, "Unknown error 3999"))
        #expect(strerror(Int32.min) == (EINVAL, 12345, "Unknown error -2147483648"))
    }

    @Test func truncation() {
        #expect(strerror(4001, size: 4) == (-ERANGE, ERANGE, "BPF"))
        #expect(strerror(4001, size: 1) == (-ERANGE, ERANGE, ""))
        #expect(strerror(4100, size: 8) == (-ERANGE, ERANGE, "Unknown"))
        #expect(strerror(EPERM, size: 4) == (ERANGE, 12345, "Ope"))
    }

    @Test func lastByteIsAlwaysTerminated() {
        // snprintf stops after "Endian mismatch\0"; the reference then also zeroes buf[size-1].
        var buf = [CChar](repeating: 0x55, count: 20)
        #expect(abi_libbpf_strerror(4003, &buf, 20) == 0)
        #expect(buf[15] == 0 && buf[16] == 0x55 && buf[18] == 0x55 && buf[19] == 0)
    }

    @Test func noBuffer() {
        sbpf_set_errno(0)
        #expect(abi_libbpf_strerror(1, nil, 10) == -EINVAL)
        #expect(sbpf_errno() == EINVAL)
        var b: CChar = 0
        #expect(abi_libbpf_strerror(1, &b, 0) == -EINVAL)
    }

    @Test func describeClassifies() {
        if case .system(let c) = ErrorStrings.describe(-22) { #expect(c == 22) } else { Issue.record("not system") }
        if case .unknown(let c) = ErrorStrings.describe(4014) { #expect(c == 4014) } else { Issue.record("not unknown") }
    }
}

@Suite(.serialized) struct ExportTests {
    @Test func versionFromHeaders() {
        #expect(abi_libbpf_major_version() == 1)
        #expect(abi_libbpf_minor_version() == 1)
        #expect(String(cString: abi_libbpf_version_string()!) == "v1.1")
    }

    @Test func typeNamesFollowTheUAPIEnums() {
        // Independent source: the UAPI constants, lowercased without their prefix.
        #expect(String(cString: abi_libbpf_bpf_map_type_str(BPF_MAP_TYPE_LRU_PERCPU_HASH)!) == "lru_percpu_hash")
        #expect(String(cString: abi_libbpf_bpf_prog_type_str(BPF_PROG_TYPE_SK_LOOKUP)!) == "sk_lookup")
        #expect(String(cString: abi_libbpf_bpf_attach_type_str(BPF_CGROUP_INET4_GETPEERNAME)!) == "cgroup_inet4_getpeername")
        #expect(String(cString: abi_libbpf_bpf_link_type_str(BPF_LINK_TYPE_XDP)!) == "xdp")
        #expect(abi_libbpf_bpf_map_type_str(bpf_map_type(rawValue: 1000)) == nil)
        #expect(abi_libbpf_bpf_link_type_str(bpf_link_type(rawValue: UInt32(bitPattern: -1))) == nil)
    }

    @Test func getErrorDecodesErrorPointers() {
        sbpf_set_errno(0)
        #expect(abi_libbpf_get_error(UnsafeRawPointer(bitPattern: UInt(bitPattern: -22))) == -22)
        #expect(sbpf_errno() == 22)
        #expect(abi_libbpf_get_error(UnsafeRawPointer(bitPattern: UInt(bitPattern: -4096))) == 0)
        sbpf_set_errno(ENOENT)
        #expect(abi_libbpf_get_error(nil) == -Int(ENOENT))
        var x = 0
        withUnsafePointer(to: &x) { #expect(abi_libbpf_get_error(UnsafeRawPointer($0)) == 0) }
    }

    @Test func unsupportedSymbolWarnsAndFails() {
        var lines: [(LogLevel, String)] = []
        Log.sink = { lines.append(($0, $1)) }
        defer { Log.sink = nil }
        sbpf_set_errno(0)
        // Stubs from much later steps (ring/perf buffers, linker).
        #expect(abi_perf_buffer__poll(nil, 0) == -EOPNOTSUPP)
        #expect(sbpf_errno() == EOPNOTSUPP)
        #expect(abi_bpf_linker__new(nil, nil) == nil)
        #expect(lines.map(\.1) == ["libbpf: perf_buffer__poll() is not supported yet\n",
                                   "libbpf: bpf_linker__new() is not supported yet\n"])
        #expect(lines.allSatisfy { $0.0 == .warn })
    }
}

@Suite(.serialized) struct MemlockTests {
    @Test func frozenAfterBump() {
        Memlock.bumped = false
        #expect(throws: Never.self) { try Memlock.setLimit(1 << 20) }
        #expect(Memlock.limit == 1 << 20)
        Memlock.bumped = true
        #expect(throws: BPFError.EBUSY) { try Memlock.setLimit(0) }
        Memlock.bumped = false
        Memlock.limit = ~0
    }
}

import CBPF
import Testing
@testable import BPFCore

/// The pure parts of the feature probes: the raw BTF blob, the per-type recipes,
/// the kernel-version parsing and the verifier-log search.
@Suite struct ProbeTests {
    /// The 125-byte blob the reference (libbpf 1.1.2) loads for local-storage map
    /// probes, as its BPF_BTF_LOAD shows under strace, as little-endian u32 words
    /// (header, 19 type words) followed by the string section.
    static let referenceLocalStorageBTF: [UInt8] = {
        let words: [UInt32] = [
            0x0001_EB9F, 24, 0, 76, 76, 25,                 // magic/version/flags, hdr_len, type_off, type_len, str_off, str_len
            0, 0x0100_0000, 4, 0x0100_0020,                 // [1] int: anonymous, INT, size 4, signed 32 bits
            1, 0x0400_0001, 4, 15, 1, 0,                    // [2] struct bpf_spin_lock { int val; }
            15, 0x0400_0002, 8, 19, 1, 0, 23, 2, 32,        // [3] struct val { int cnt; struct bpf_spin_lock l; }
        ]
        var bytes: [UInt8] = []
        for word in words { withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) } }
        bytes.append(contentsOf: Array("\0bpf_spin_lock\0val\0cnt\0l\0".utf8))
        return bytes
    }()

    @Test func localStorageBTFMatchesTheReferenceBlob() {
        let blob = RawBTF.localStorageProbe().encoded()
        #expect(blob.count == 125)
        #expect(blob == ProbeTests.referenceLocalStorageBTF)
    }

    @Test func localStorageBTFTypeIDs() {
        let btf = RawBTF.localStorageProbe()
        #expect(btf.nextTypeID == 4)
        #expect(RawBTF.localStorageKeyTypeID == 1)
        #expect(RawBTF.localStorageValueTypeID == 3)
    }

    @Test func stringsAreSharedAndEmptyNameIsZero() {
        var btf = RawBTF()
        #expect(btf.stringOffset("") == 0)
        let a = btf.stringOffset("abc")
        let b = btf.stringOffset("ab")
        #expect(a == 1)
        #expect(b == 5)  // "ab" is not a string of its own in "abc\0"
        #expect(btf.stringOffset("abc") == a)
        #expect(btf.stringSection == [0] + Array("abc\0ab\0".utf8))
    }

    @Test func emptyBTFHasOnlyHeaderAndEmptyString() {
        let blob = RawBTF().encoded()
        #expect(blob.count == 25)
        #expect(blob[0] == 0x9F && blob[1] == 0xEB && blob[2] == 1 && blob[3] == 0)
        #expect(blob[24] == 0)
    }

    @Test func kernelVersionEncoding() {
        #expect(KernelVersion.encode(major: 6, minor: 18, patch: 44) == 0x06122C)
        #expect(KernelVersion.encode(major: 4, minor: 19, patch: 300) == 0x0413FF)  // patch saturates
    }

    @Test func releaseParsing() {
        #expect(KernelVersion.parseRelease(Array("6.18.44-fc-v657\n".utf8)) == 0x06122C)
        #expect(KernelVersion.parseRelease(Array("5.10.0".utf8)) == 0x050A00)
        #expect(KernelVersion.parseRelease(Array(" 5.4.3".utf8)) == 0x050403)   // %u skips spaces
        #expect(KernelVersion.parseRelease(Array("6.18".utf8)) == nil)
        #expect(KernelVersion.parseRelease(Array("6.x.1".utf8)) == nil)
        #expect(KernelVersion.parseRelease([]) == nil)
    }

    @Test func ubuntuSignatureParsing() {
        #expect(KernelVersion.parseUbuntuSignature(Array("Ubuntu 5.4.0-42.46-generic 5.4.44\n".utf8)) == 0x05042C)
        #expect(KernelVersion.parseUbuntuSignature(Array("Ubuntu 5.4.0-42.46-generic\n".utf8)) == nil)
        #expect(KernelVersion.parseUbuntuSignature(Array("Ubuntu".utf8)) == nil)
    }

    @Test func logSearchStopsAtNUL() {
        let log = Array("0: (85) call unknown#260\ninvalid func unknown#260\n\0unknown func ".utf8)
        log.withUnsafeBufferPointer { buffer in
            #expect(Probes.logContains(buffer, "invalid func "))
            #expect(!Probes.logContains(buffer, "unknown func "))  // only after the NUL
            #expect(!Probes.logContains(buffer, "program of this type"))
        }
        let empty: [UInt8] = [0, 0, 0]
        empty.withUnsafeBufferPointer { #expect(!Probes.logContains($0, "invalid func ")) }
        let unterminated = Array("attach_btf_id 1 is not a function".utf8)
        unterminated.withUnsafeBufferPointer { #expect(Probes.logContains($0, "attach_btf_id 1 is not a function")) }
    }

    func setupError<T>(_ body: () throws(BPFError) -> T) -> BPFError? {
        do throws(BPFError) { _ = try body(); return nil } catch { return error }
    }

    @Test func programRecipes() throws {
        #expect(setupError { () throws(BPFError) in try Probes.programSetup(BPF_PROG_TYPE_NETFILTER_OR_NEWER) } == .EOPNOTSUPP)
        #expect(setupError { () throws(BPFError) in try Probes.programSetup(UInt32.max) } == .EOPNOTSUPP)
        #expect(setupError { () throws(BPFError) in try Probes.programSetup(BPF_PROG_TYPE_UNSPEC.rawValue) } == nil)
        let tracing = try Probes.programSetup(BPF_PROG_TYPE_TRACING.rawValue)
        #expect(tracing.expectedAttachType == BPF_TRACE_FENTRY.rawValue && tracing.attachBTFID == 1)
        #expect(tracing.expectedError == .EINVAL)
        let lsm = try Probes.programSetup(BPF_PROG_TYPE_LSM.rawValue)
        #expect(lsm.expectedAttachType == BPF_MODIFY_RETURN.rawValue)
        let structOps = try Probes.programSetup(BPF_PROG_TYPE_STRUCT_OPS.rawValue)
        #expect(structOps.expectedError == Probes.kernelENOTSUPP && structOps.expectedMessage == nil)
        #expect(try Probes.programSetup(BPF_PROG_TYPE_SYSCALL.rawValue).flags == UInt32(BPF_F_SLEEPABLE))
        #expect(try Probes.programSetup(BPF_PROG_TYPE_SK_LOOKUP.rawValue).expectedAttachType == BPF_SK_LOOKUP.rawValue)
    }

    @Test func mapRecipes() throws {
        #expect(setupError { () throws(BPFError) in try Probes.mapSetup(BPF_MAP_TYPE_UNSPEC.rawValue) } == .EOPNOTSUPP)
        #expect(setupError { () throws(BPFError) in try Probes.mapSetup(Probes.cgrpStorageMapType + 1) } == .EOPNOTSUPP)
        let storage = try Probes.mapSetup(Probes.cgrpStorageMapType)
        #expect(storage.needsLocalStorageBTF && storage.maxEntries == 0 && storage.flags == UInt32(BPF_F_NO_PREALLOC))
        let cgroupStorage = try Probes.mapSetup(BPF_MAP_TYPE_CGROUP_STORAGE.rawValue)
        #expect(cgroupStorage.keySize == 16 && cgroupStorage.valueSize == 8 && cgroupStorage.maxEntries == 0)
        #expect(try Probes.mapSetup(BPF_MAP_TYPE_HASH_OF_MAPS.rawValue).needsInnerMap)
        #expect(try Probes.mapSetup(BPF_MAP_TYPE_RINGBUF.rawValue).maxEntries == UInt32(sysconf(Int32(_SC_PAGESIZE))))
        #expect(try Probes.mapSetup(BPF_MAP_TYPE_STRUCT_OPS.rawValue).expectedError == Probes.kernelENOTSUPP)
    }

    @Test func helperProbeDeclinesAttachTargetTypes() {
        #expect(Probes.declinesHelperProbe(programType: BPF_PROG_TYPE_TRACING.rawValue))
        #expect(Probes.declinesHelperProbe(programType: BPF_PROG_TYPE_EXT.rawValue))
        #expect(Probes.declinesHelperProbe(programType: BPF_PROG_TYPE_LSM.rawValue))
        #expect(Probes.declinesHelperProbe(programType: BPF_PROG_TYPE_STRUCT_OPS.rawValue))
        #expect(!Probes.declinesHelperProbe(programType: BPF_PROG_TYPE_KPROBE.rawValue))
    }
}

/// BPF_PROG_TYPE_NETFILTER (kernel 6.4) is newer than libbpf 1.1 and than our UAPI header.
private let BPF_PROG_TYPE_NETFILTER_OR_NEWER = BPF_PROG_TYPE_SYSCALL.rawValue + 1

import CBPF
import Testing
@testable import BPFCore

/// The extensible-opts rule, on a real libbpf opts struct and on raw byte buffers.
@Suite(.serialized) struct OptsTests {
    /// Captures log lines while `body` runs.
    func logged(_ body: () -> Void) -> [String] {
        var lines: [String] = []
        Log.sink = { _, message in lines.append(message) }
        defer { Log.sink = nil }
        body()
        return lines
    }

    func validate(_ bytes: [UInt8], userSize: Int, knownSize: Int) -> BPFError? {
        bytes.withUnsafeBytes { raw in
            do throws(BPFError) {
                try Opts.validate(bytes: raw.baseAddress!, userSize: userSize, knownSize: knownSize, typeName: "test_opts")
                return nil
            } catch { return error }
        }
    }

    @Test func nilOptsAreValid() throws {
        try Opts.validate(nil, knownSize: 16, typeName: "test_opts")
    }

    @Test func smallerSizeIsAccepted() {
        // An older caller knows only the first 16 bytes of a 32-byte struct.
        #expect(validate([UInt8](repeating: 0xff, count: 16), userSize: 16, knownSize: 32) == nil)
    }

    @Test func exactSizeIsAccepted() {
        #expect(validate([UInt8](repeating: 0xff, count: 32), userSize: 32, knownSize: 32) == nil)
    }

    @Test func largerSizeWithZeroTailIsAccepted() {
        var bytes = [UInt8](repeating: 0xff, count: 24)
        bytes += [UInt8](repeating: 0, count: 16)
        #expect(validate(bytes, userSize: 40, knownSize: 24) == nil)
    }

    @Test func nonZeroTailIsRejected() {
        var bytes = [UInt8](repeating: 0, count: 40)
        bytes[39] = 1  // the very last unknown byte
        var result: BPFError?
        let lines = logged { result = validate(bytes, userSize: 40, knownSize: 24) }
        #expect(result == .EINVAL)
        #expect(lines == ["libbpf: test_opts has non-zero extra bytes\n"])
    }

    @Test func nonZeroByteInsideKnownPartDoesNotMatter() {
        var bytes = [UInt8](repeating: 0, count: 40)
        bytes[23] = 7  // last known byte
        #expect(validate(bytes, userSize: 40, knownSize: 24) == nil)
    }

    @Test func sizeBelowSizeTIsRejected() {
        for size in [0, 1, 7] {
            var result: BPFError?
            let lines = logged { result = validate([UInt8](repeating: 0, count: 8), userSize: size, knownSize: 24) }
            #expect(result == .EINVAL)
            #expect(lines == ["libbpf: test_opts size (\(size)) is too small\n"])
        }
    }

    @Test func realOptsStructReadsDefaultsPastSz() {
        // bpf_object_open_opts: object_name right after sz; kernel_log_level near the end.
        var opts = bpf_object_open_opts()
        typealias O = MemoryLayout<bpf_object_open_opts>
        // object_name is the pointer right after sz: its end is 16 (independent arithmetic).
        opts.sz = 16
        opts.kernel_log_level = 7  // beyond sz: must read as the default
        let level = withUnsafePointer(to: &opts) { Opts.get($0, O.offset(of: \.kernel_log_level), UInt32(0)) }
        #expect(level == 0)
        opts.sz = MemoryLayout<bpf_object_open_opts>.size
        let level2 = withUnsafePointer(to: &opts) { Opts.get($0, O.offset(of: \.kernel_log_level), UInt32(0)) }
        #expect(level2 == 7)
        #expect(Int(SBPF_OPTS_bpf_object_open_opts.rawValue) == O.offset(of: \.kernel_log_level)! + 4)
    }

    @Test func setWritesOnlyWhatSzCovers() {
        var opts = bpf_test_run_opts()
        typealias O = MemoryLayout<bpf_test_run_opts>
        opts.sz = O.offset(of: \.retval)!  // retval is just past sz
        withUnsafeMutablePointer(to: &opts) { Opts.set($0, O.offset(of: \.retval), UInt32(9)) }
        #expect(opts.retval == 0)
        opts.sz = O.size
        withUnsafeMutablePointer(to: &opts) { Opts.set($0, O.offset(of: \.retval), UInt32(9)) }
        #expect(opts.retval == 9)
    }

    @Test func zeroedTailAfterAField() {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: 32, as: Int.self) }
        bytes[20] = 1
        bytes.withUnsafeBytes { raw in
            #expect(!Opts.isZeroed(raw.baseAddress, after: 16))
            #expect(Opts.isZeroed(raw.baseAddress, after: 21))
        }
        #expect(Opts.isZeroed(nil, after: 0))
    }

    @Test func validateReadsSzFromTheStruct() {
        var opts = bpf_object_open_opts()
        opts.sz = 3
        let error: BPFError? = withUnsafePointer(to: &opts) { p in
            do throws(BPFError) {
                try Opts.validate(UnsafeRawPointer(p), knownSize: MemoryLayout<bpf_object_open_opts>.size, typeName: "bpf_object_open_opts")
                return nil
            } catch { return error }
        }
        #expect(error == .EINVAL)
    }
}

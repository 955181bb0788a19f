import Testing
@testable import BPFCore

/// bpf_prog_linfo lookups on hand-built tables; the expected indices follow the
/// rules measured on the reference (see ProgLineInfo's documentation).
@Suite struct ProgLineInfoTests {
    /// Records of 16 bytes: insn_off, file_name_off 100+i, line_off, line_col.
    func records(_ insns: [UInt32], size: Int = 16) -> [UInt8] {
        var bytes: [UInt8] = []
        for (i, insn) in insns.enumerated() {
            var rec = [UInt8](repeating: 0xa0 &+ UInt8(i), count: size)
            for (k, word) in [insn, 100 + UInt32(i), 0x10, 0x4400].enumerated() where k * 4 + 4 <= size {
                for b in 0..<4 { rec[k * 4 + b] = UInt8(truncatingIfNeeded: word >> (8 * UInt32(b))) }
            }
            bytes += rec
        }
        return bytes
    }

    func make(_ insns: [UInt32], size: Int = 16, jited: [UInt64]? = nil, ksyms: [UInt64] = [],
              lengths: [UInt32] = []) -> Result<ProgLineInfo, BPFError> {
        let bytes = records(insns, size: size)
        return bytes.withUnsafeBytes { raw in
            do throws(BPFError) {
                return .success(try ProgLineInfo(lineInfo: raw.baseAddress, count: UInt32(insns.count),
                                                 recordSize: UInt32(size), jitedAddresses: jited,
                                                 ksyms: ksyms, functionLengths: lengths))
            } catch {
                return .failure(error)
            }
        }
    }

    func table() -> ProgLineInfo? {
        try? make([0, 3, 5, 9], jited: [0x1000, 0x1010, 0x1020, 0x1030],
                  ksyms: [0x1000, 0x1020], lengths: [0x20, 0x20]).get()
    }

    @Test func emptyAndShortRecordsAreEINVAL() {
        #expect(throws: BPFError.EINVAL) { try make([]).get() }
        #expect(throws: BPFError.EINVAL) { try make([0, 1], size: 3).get() }
        #expect((try? make([0, 1], size: 4).get()) != nil)
    }

    @Test func instructionLookup() throws {
        let t = try #require(table())
        #expect(t.find(insnOffset: 0, skip: 0) == 0)
        #expect(t.find(insnOffset: 4, skip: 0) == 1)
        #expect(t.find(insnOffset: 4, skip: 1) == 1)
        #expect(t.find(insnOffset: 4, skip: 2) == nil)
        #expect(t.find(insnOffset: 100, skip: 0) == 3)
        #expect(t.find(insnOffset: 100, skip: 4) == nil)
        #expect(t.find(insnOffset: 100, skip: .max) == nil)
    }

    @Test func addressLookupPerFunction() throws {
        let t = try #require(table())
        #expect(t.functionCount == 2)
        #expect(t.find(address: 0xfff, function: 0, skip: 0) == nil)
        #expect(t.find(address: 0x1011, function: 0, skip: 0) == 1)
        // no upper bound: past the function's end is still its last line
        #expect(t.find(address: 0x5000, function: 0, skip: 0) == 1)
        #expect(t.find(address: 0x1000, function: 0, skip: 2) == nil)
        #expect(t.find(address: 0x101f, function: 1, skip: 0) == nil)
        #expect(t.find(address: 0x1031, function: 1, skip: 1) == 3)
        #expect(t.find(address: 0x1000, function: 2, skip: 0) == nil)
    }

    @Test func functionSplitRules() {
        let jited: [UInt64] = [0x1000, 0x1010, 0x1020, 0x1030]
        // first line must be the first function's start
        #expect(throws: BPFError.EINVAL) { try make([0, 3, 5, 9], jited: jited, ksyms: [0x1008], lengths: [0x40]).get() }
        // a start that is no line's address
        #expect(throws: BPFError.EINVAL) {
            try make([0, 3, 5, 9], jited: jited, ksyms: [0x1000, 0x1018], lengths: [0x100, 0x20]).get()
        }
        // a line passed over must be less than the length past the start
        #expect(throws: BPFError.EINVAL) {
            try make([0, 3, 5, 9], jited: jited, ksyms: [0x1000, 0x1020], lengths: [0x10, 0x20]).get()
        }
        #expect((try? make([0, 3, 5, 9], jited: jited, ksyms: [0x1000, 0x1020], lengths: [0x11, 0]).get()) != nil)
        // ... and strictly above the previous line
        #expect(throws: BPFError.EINVAL) {
            try make([0, 3, 5, 9], jited: [0x1000, 0x1000, 0x1020, 0x1030], ksyms: [0x1000, 0x1020],
                     lengths: [0x20, 0x20]).get()
        }
        // the start is recognised before the order check
        let t = try? make([0, 3, 5, 9], jited: [0x1000, 0x1020, 0x1010, 0x1030], ksyms: [0x1000, 0x1010],
                          lengths: [0x40, 0x20]).get()
        #expect(t?.find(address: 0x1010, function: 1, skip: 0) == 2)
        // the last function is not checked at all
        #expect((try? make([0, 3, 5, 9], jited: jited, ksyms: [0x1000], lengths: [1]).get()) != nil)
    }

    @Test func linearScanOnUnsortedInput() throws {
        let t = try make([0, 5, 3, 9]).get()
        #expect(t.find(insnOffset: 4, skip: 0) == 0)
        #expect(t.find(insnOffset: 6, skip: 0) == 2)
        #expect(t.functionCount == 0)
        #expect(t.find(address: 0x1000, function: 0, skip: 0) == nil)
    }

    @Test func recordsAreCopiedWithTheirSize() throws {
        let t = try make([0, 2, 4], size: 24).get()
        let r = t.record(at: 2)
        #expect(r - UnsafeRawPointer(t.records) == 48)
        #expect(r.load(fromByteOffset: 0, as: UInt32.self) == 4)
        #expect(r.load(fromByteOffset: 4, as: UInt32.self) == 102)
        #expect(r.load(fromByteOffset: 16, as: UInt8.self) == 0xa2)
    }
}

import CBPF
import Testing
@testable import BPFCore
@testable import LibBPF

/// The parsed `.BTF.ext` model: sections with their name offsets and records.
/// (Error paths and messages are checked against the reference by
/// Tests/c/btf_malformed.)
@Suite(.serialized) struct BTFExtTests {
    /// u32 words, little-endian (the host order these tests run in).
    func bytes(_ words: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        for w in words { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) } }
        return out
    }

    /// Header (hdr_len 32) + func_info + line_info + core_relo blocks back to back.
    func blob(funcs: [UInt32], lines: [UInt32], relos: [UInt32], headerLength: UInt32 = 32) -> [UInt8] {
        let f = UInt32(funcs.count * 4), l = UInt32(lines.count * 4), c = UInt32(relos.count * 4)
        var header: [UInt8] = [0x9f, 0xeb, 1, 0]
        header += bytes([headerLength, 0, f, f, l, f + l, c])
        header += [UInt8](repeating: 0, count: Int(headerLength) - 32)
        return header + bytes(funcs) + bytes(lines) + bytes(relos)
    }

    func parse(_ data: [UInt8]) throws(BPFError) -> BTFExt {
        var result: Result<BTFExt, BPFError> = .failure(.EINVAL)
        data.withUnsafeBytes { raw in
            do throws(BPFError) { result = .success(try BTFExt.parse(raw.baseAddress, size: raw.count)) }
            catch { result = .failure(error) }
        }
        return try result.get()
    }

    @Test func recordsBySection() throws {
        let funcs: [UInt32] = [8, /* sec */ 1, 2, /* recs */ 0, 3, 16, 4, /* sec */ 7, 1, 0, 5]
        let lines: [UInt32] = [16, 1, 1, 0, 2, 3, (12 << 10) | 5]
        let relos: [UInt32] = [16, 7, 1, 24, 4, 9, 0]
        let data = blob(funcs: funcs, lines: lines, relos: relos)
        let ext = try parse(data)
        #expect(ext.headerLength == 32)
        #expect(ext.functionInfo.recordSize == 8)
        #expect(ext.functionInfo.sections.map(\.nameOffset) == [1, 7])
        #expect(ext.functionInfo.sections[0].records == [BTFFunctionInfo(instructionOffset: 0, typeID: 3),
                                                         BTFFunctionInfo(instructionOffset: 16, typeID: 4)])
        #expect(ext.functionInfo.sections[1].records == [BTFFunctionInfo(instructionOffset: 0, typeID: 5)])
        #expect(ext.functionInfo.recordCount == 3)
        #expect(ext.functionInfo.offset == 32 + 4 && ext.functionInfo.length == UInt32(funcs.count * 4 - 4))
        #expect(ext.functionInfo.sections[0].recordsOffset == 32 + 12)
        let line = ext.lineInfo.sections[0].records[0]
        #expect(line.fileNameOffset == 2 && line.lineOffset == 3 && line.lineNumber == 12 && line.column == 5)
        let relo = ext.coreRelocations.sections[0].records[0]
        #expect(ext.coreRelocations.sections[0].nameOffset == 7)
        #expect(relo.instructionOffset == 24 && relo.typeID == 4 && relo.accessStringOffset == 9 && relo.kind == 0)
        let (raw, count) = ext.rawData
        #expect(count == data.count)
        #expect(raw.map { memcmp($0, data, data.count) } == 0)
    }

    @Test func largerRecordsKeepTheirStride() throws {
        // 12-byte func_info records: the extra word is skipped, not misread.
        let funcs: [UInt32] = [12, 1, 2, 0, 3, 0xdead, 8, 4, 0xbeef]
        let ext = try parse(blob(funcs: funcs, lines: [], relos: []))
        #expect(ext.functionInfo.recordSize == 12)
        #expect(ext.functionInfo.sections[0].records.map(\.typeID) == [3, 4])
        #expect(ext.lineInfo.isEmpty && ext.coreRelocations.isEmpty)
    }

    @Test func coreRelocationsNeedTheLongHeader() throws {
        // hdr_len 24: no core_relo fields, so nothing is read for them.
        var data: [UInt8] = [0x9f, 0xeb, 1, 0] + bytes([24, 0, 20, 20, 0])
        data += bytes([8, 1, 1, 0, 3])
        let ext = try parse(data)
        #expect(ext.headerLength == 24)
        #expect(ext.coreRelocations.isEmpty)
        #expect(ext.functionInfo.recordCount == 1)
    }

    @Test func errorsAsTheReference() {
        var messages: [String] = []
        Log.sink = { _, text in messages.append(text) }
        defer { Log.sink = nil }
        #expect(throws: BPFError.EINVAL) { try parse([0x9f, 0xeb, 1, 0]) }
        #expect(throws: BPFError.ENOTSUP) { try parse(blob(funcs: [8, 1, 1, 0, 1], lines: [], relos: []).enumerated().map { $0.offset == 2 ? 2 : $0.element }) }
        #expect(throws: BPFError.EINVAL) { try parse(blob(funcs: [8, 1, 0], lines: [], relos: [])) }
        #expect(messages == ["libbpf: BTF.ext header not found", "libbpf: Unsupported BTF.ext version:2\n",
                             "libbpf: func_info section has incorrect num_records in .BTF.ext\n"])
    }

    @Test func cExports() {
        let data = blob(funcs: [8, 1, 1, 0, 1], lines: [], relos: [])
        let handle = data.withUnsafeBufferPointer { abi_btf_ext__new($0.baseAddress, UInt32($0.count)) }
        #expect(handle != nil)
        var size: UInt32 = 0
        let raw = abi_btf_ext__get_raw_data(handle, &size)
        #expect(size == UInt32(data.count) && raw != nil && memcmp(raw!, data, data.count) == 0)
        #expect(abi_btf_ext__raw_data(handle, &size) == raw)
        abi_btf_ext__free(handle)
        abi_btf_ext__free(nil)
        sbpf_set_errno(0)
        #expect(abi_btf_ext__get_raw_data(nil, &size) == nil && sbpf_errno() == EINVAL)
    }
}

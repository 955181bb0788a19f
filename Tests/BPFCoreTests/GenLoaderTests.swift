import CBPF
import Testing
@testable import BPFCore

/// The loader-program emitter (Sources/BPFCore/GenLoader): encodings and
/// layout rules written from the BPF instruction set, not from our output.
struct GenLoaderTests {
    func bytes(_ i: bpf_insn) -> [UInt8] {
        var copy = i
        return withUnsafeBytes(of: &copy) { Array($0) }
    }

    @Test func dataIsPaddedToEightBytes() {
        var e = GenLoaderEmitter()
        let a = e.addData([1, 2, 3])
        let b = e.addData([4, 5, 6, 7, 8, 9, 10, 11])
        let c = e.addData(nil, 4)
        #expect(a == 0 && b == 8 && c == 16)
        #expect(e.data.count == 24)
        #expect(Array(e.data[0..<8]) == [1, 2, 3, 0, 0, 0, 0, 0])
    }

    @Test func prologueAndCleanup() {
        var e = GenLoaderEmitter()
        e.begin(mapCount: 1, programCount: 1)
        #expect(e.data.count == 1280)  // 64 map + 256 kfunc fd slots
        // r6 = r1 (BPF_ALU64|BPF_MOV|BPF_X = 0xbf)
        #expect(bytes(e.instructions[0]) == [0xbf, 0x16, 0, 0, 0, 0, 0, 0])
        // r1 += -136
        #expect(bytes(e.instructions[2]) == [0x07, 0x01, 0, 0, 0x78, 0xff, 0xff, 0xff])
        // call bpf_probe_read_kernel (113)
        #expect(bytes(e.instructions[5]) == [0x85, 0, 0, 0, 113, 0, 0, 0])
        // goto over the cleanup: 3 stack slots * 3 + 1 map * 6 + 2 = 17
        #expect(bytes(e.instructions[6]) == [0x05, 0, 17, 0, 0, 0, 0, 0])
        #expect(e.cleanupLabel == 7)
        #expect(e.instructions.count == 7 + 17)
        // the cleanup ends with r0 = r7; exit
        #expect(bytes(e.instructions[22]) == [0xbf, 0x70, 0, 0, 0, 0, 0, 0])
        #expect(bytes(e.instructions[23]) == [0x95, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func blobAddressIsMapIndexValueOfMapZero() {
        var e = GenLoaderEmitter()
        e.loadBlobAddress(1, 0x8d8)
        // ld_imm64 r1, src BPF_PSEUDO_MAP_IDX_VALUE (6), map 0, offset in the next imm
        #expect(bytes(e.instructions[0]) == [0x18, 0x61, 0, 0, 0, 0, 0, 0])
        #expect(bytes(e.instructions[1]) == [0, 0, 0, 0, 0xd8, 0x08, 0, 0])
    }

    @Test func failuresJumpToCleanup() {
        var e = GenLoaderEmitter()
        e.begin(mapCount: 0, programCount: 0)
        let at = e.instructions.count
        e.checkResult()
        // if r7 s< 0 goto cleanup (label 7): off = 7 - (at + 2)
        #expect(e.instructions[at + 1].code == UInt8(BPF_JMP | BPF_JSLT | BPF_K))
        #expect(Int(e.instructions[at + 1].off) == e.cleanupLabel - (at + 2))
    }

    @Test func contextLayout() {
        // struct bpf_loader_ctx is 24 bytes, bpf_map_desc 16, bpf_prog_desc 4
        #expect(GenLoaderEmitter.contextMapOffset(1) == 40)
        #expect(GenLoaderEmitter.contextProgramOffset(2, mapCount: 3) == 24 + 48 + 8)
    }
}

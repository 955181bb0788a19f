import CBPF

/// Builders for the few BPF instructions the library emits itself (feature probes).
public typealias Instruction = bpf_insn

extension bpf_insn {
    /// r0 = imm (BPF_ALU64 | BPF_MOV | BPF_K).
    public static func mov64(r0 imm: Int32) -> bpf_insn {
        var insn = bpf_insn()
        insn.code = UInt8(BPF_ALU64 | BPF_MOV | BPF_K)
        insn.imm = imm
        return insn
    }

    /// Call helper number `helper` (BPF_JMP | BPF_CALL).
    public static func call(helper: UInt32) -> bpf_insn {
        var insn = bpf_insn()
        insn.code = UInt8(BPF_JMP | BPF_CALL)
        insn.imm = Int32(bitPattern: helper)
        return insn
    }

    /// BPF_JMP | BPF_EXIT.
    public static var exit: bpf_insn {
        var insn = bpf_insn()
        insn.code = UInt8(BPF_JMP | BPF_EXIT)
        return insn
    }
}

public enum Instructions {
    /// `return 0;`
    public static var returnZero: [bpf_insn] { [.mov64(r0: 0), .exit] }
}

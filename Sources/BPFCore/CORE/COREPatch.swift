import CBPF

/// Writing a resolved relocation into its instruction (`bpf_core_patch_insn`):
/// the immediate of an ALU/ALU64 instruction, the offset (and, when the field
/// size changed, the memory size) of a load/store, or the 64-bit immediate of
/// an LD_IMM64. A poisoned relocation replaces the instruction with a call to
/// the invalid helper 0xbad2310, which the verifier only rejects if reached.
extension CORE {
    /// The marker helper id of a poisoned instruction ("bad relo").
    public static let poisonHelper: Int32 = 195896080

    static let ldImm64Code = UInt8(BPF_LD | BPF_IMM | BPF_DW)

    /// `bpf_core_poison_insn`.
    static func poison(programName: UnsafePointer<CChar>, relocationIndex: Int, instructionIndex: Int,
                       _ insn: inout bpf_insn) {
        if Log.debugEnabled {
            Log.debug("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): substituting insn #\(instructionIndex) w/ invalid insn\n")
        }
        insn.code = UInt8(BPF_JMP | BPF_CALL)
        insn.dst_reg = 0
        insn.src_reg = 0
        insn.off = 0
        insn.imm = poisonHelper
    }

    /// Bytes of a load/store's BPF_SIZE, -1 for an invalid one.
    static func memorySize(_ code: UInt8) -> Int32 {
        switch UInt32(code) & 0x18 {
        case UInt32(BPF_DW): return 8
        case UInt32(BPF_W): return 4
        case UInt32(BPF_H): return 2
        case UInt32(BPF_B): return 1
        default: return -1
        }
    }

    /// BPF_SIZE for a byte count, nil for an invalid one.
    static func sizeCode(_ bytes: UInt32) -> UInt8? {
        switch bytes {
        case 8: return UInt8(BPF_DW)
        case 4: return UInt8(BPF_W)
        case 2: return UInt8(BPF_H)
        case 1: return UInt8(BPF_B)
        default: return nil
        }
    }

    /// Patches `instructions[index]` (and the second half of an LD_IMM64).
    static func patch(programName: UnsafePointer<CChar>, instructions: inout [bpf_insn], index: Int,
                      relocationIndex: Int, result: CORERelocationResult) throws(BPFError) {
        let isLdImm64 = instructions[index].code == ldImm64Code
        if result.poison {
            // The second half too, so the verifier does not stop at "unknown opcode 00".
            if isLdImm64 && index + 1 < instructions.count {
                poison(programName: programName, relocationIndex: relocationIndex, instructionIndex: index + 1,
                       &instructions[index + 1])
            }
            poison(programName: programName, relocationIndex: relocationIndex, instructionIndex: index, &instructions[index])
            return
        }

        let originalValue = result.originalValue
        let newValue = result.newValue
        var insn = instructions[index]
        let instructionClass = UInt32(insn.code) & 0x07
        switch instructionClass {
        case UInt32(BPF_ALU), UInt32(BPF_ALU64):
            if UInt32(insn.code) & 0x08 != UInt32(BPF_K) { throw .EINVAL }
            let current = UInt64(bitPattern: Int64(insn.imm))
            if result.validate && current != originalValue {
                Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): unexpected insn #\(index) (ALU/ALU64) value: got \(UInt32(bitPattern: insn.imm)), exp \(originalValue) -> \(newValue)\n")
                throw .EINVAL
            }
            insn.imm = Int32(truncatingIfNeeded: newValue)
            instructions[index] = insn
            if Log.debugEnabled {
                Log.debug("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): patched insn #\(index) (ALU/ALU64) imm \(current) -> \(newValue)\n")
            }
        case UInt32(BPF_LDX), UInt32(BPF_ST), UInt32(BPF_STX):
            let current = UInt64(bitPattern: Int64(insn.off))
            if result.validate && current != originalValue {
                Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): unexpected insn #\(index) (LDX/ST/STX) value: got \(UInt32(bitPattern: Int32(insn.off))), exp \(originalValue) -> \(newValue)\n")
                throw .EINVAL
            }
            if newValue > UInt64(Int16.max) {
                Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): insn #\(index) (LDX/ST/STX) value too big: \(newValue)\n")
                throw .ERANGE
            }
            if result.failMemorySizeAdjust {
                Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): insn #\(index) (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.\n")
                poison(programName: programName, relocationIndex: relocationIndex, instructionIndex: index, &instructions[index])
                return
            }
            insn.off = Int16(truncatingIfNeeded: newValue)
            instructions[index] = insn
            if Log.debugEnabled {
                Log.debug("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): patched insn #\(index) (LDX/ST/STX) off \(current) -> \(newValue)\n")
            }
            if result.newSize != result.originalSize {
                let bytes = memorySize(insn.code)
                if bytes != Int32(bitPattern: result.originalSize) {
                    Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): insn #\(index) (LDX/ST/STX) unexpected mem size: got \(bytes), exp \(result.originalSize)\n")
                    throw .EINVAL
                }
                guard let code = sizeCode(result.newSize) else {
                    Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): insn #\(index) (LDX/ST/STX) invalid new mem size: \(result.newSize)\n")
                    throw .EINVAL
                }
                insn.code = (insn.code & 0xe0) | code | (insn.code & 0x07)
                instructions[index] = insn
                if Log.debugEnabled {
                    Log.debug("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): patched insn #\(index) (LDX/ST/STX) mem_sz \(result.originalSize) -> \(result.newSize)\n")
                }
            }
        case UInt32(BPF_LD):
            guard isLdImm64, index + 1 < instructions.count, insn.src_reg == 0, insn.off == 0 else {
                Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): insn #\(index) (LDIMM64) has unexpected form\n")
                throw .EINVAL
            }
            var second = instructions[index + 1]
            if second.code != 0 || second.dst_reg != 0 || second.src_reg != 0 || second.off != 0 {
                Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): insn #\(index) (LDIMM64) has unexpected form\n")
                throw .EINVAL
            }
            let current = UInt64(UInt32(bitPattern: insn.imm)) | UInt64(UInt32(bitPattern: second.imm)) << 32
            if result.validate && current != originalValue {
                Log.warn("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): unexpected insn #\(index) (LDIMM64) value: got \(current), exp \(originalValue) -> \(newValue)\n")
                throw .EINVAL
            }
            insn.imm = Int32(truncatingIfNeeded: newValue)
            second.imm = Int32(truncatingIfNeeded: newValue >> 32)
            instructions[index] = insn
            instructions[index + 1] = second
            if Log.debugEnabled {
                Log.debug("libbpf: prog '\(cString: programName)': relo #\(relocationIndex): patched insn #\(index) (LDIMM64) imm64 \(current) -> \(newValue)\n")
            }
        default:
            var text = COREText()
            text.append("libbpf: prog '")
            text.append(cString: programName)
            text.append("': relo #")
            text.append(relocationIndex)
            text.append(": ")
            text.append("trying to relocate unrecognized insn #")
            text.append(index)
            text.append(", code:0x")
            text.append(hex: UInt32(insn.code))
            text.append(", src:0x")
            text.append(hex: UInt32(insn.src_reg))
            text.append(", dst:0x")
            text.append(hex: UInt32(insn.dst_reg))
            text.append(", off:0x")
            text.append(hex: UInt32(bitPattern: Int32(insn.off)))
            text.append(", imm:0x")
            text.append(hex: UInt32(bitPattern: insn.imm))
            text.append("\n")
            text.emit(.warn)
            throw .EINVAL
        }
    }
}

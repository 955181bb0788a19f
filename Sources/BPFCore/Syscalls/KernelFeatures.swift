import CBPF

/// What the running kernel supports, probed on first use and cached for the process,
/// as the reference's `kernel_supports(NULL, feature)`.
public enum KernelFeature: Int, CaseIterable {
    /// Programs and maps accept a name (4.15).
    case programName
    /// BPF memory is charged to the memory cgroup, so RLIMIT_MEMLOCK is irrelevant (5.11).
    case memcgAccounting

    /// The description the reference logs when a probe itself fails.
    var description: StaticString {
        switch self {
        case .programName: return "BPF program name"
        case .memcgAccounting: return "memcg-based memory accounting"
        }
    }
}

public enum KernelFeatures {
    /// 0 = not probed yet, 1 = supported, 2 = missing.
    nonisolated(unsafe) static var cache = [UInt8](repeating: 0, count: KernelFeature.allCases.count)

    public static func supports(_ feature: KernelFeature) -> Bool {
        if cache[feature.rawValue] == 0 {
            let supported: Bool
            do throws(BPFError) {
                supported = try probe(feature)
            } catch {
                Log.warn("libbpf: Detection of kernel \(feature.description) support failed: -\(error.code)\n")
                supported = false
            }
            cache[feature.rawValue] = supported ? 1 : 2
        }
        return cache[feature.rawValue] == 1
    }

    /// Runs one probe. Returns false when the kernel refuses the probe object (the
    /// feature is missing); throws only when probing itself failed.
    static func probe(_ feature: KernelFeature) throws(BPFError) -> Bool {
        switch feature {
        case .programName:
            // A trivial socket filter carrying a name.
            var attr = bpf_attr()
            var insns = Instructions.returnZero
            let license: StaticString = "GPL"
            attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER.rawValue
            attr.license = BPFSyscall.address(license.utf8Start)
            attr.insn_cnt = UInt32(insns.count)
            copyName("libbpf_nametest", into: &attr.prog_name)
            return loadsAndCloses(&attr, insns: &insns, size: SBPF_ATTR_PROG_NAME_PROBE)
        case .memcgAccounting:
            // bpf_ktime_get_coarse_ns() arrived with memcg accounting: a program
            // calling it loads exactly on kernels that account BPF memory to memcg.
            var attr = bpf_attr()
            var insns = [Instruction.call(helper: BPF_FUNC_ktime_get_coarse_ns.rawValue), Instruction.exit]
            let license: StaticString = "GPL"
            attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER.rawValue
            attr.license = BPFSyscall.address(license.utf8Start)
            attr.insn_cnt = UInt32(insns.count)
            return loadsAndCloses(&attr, insns: &insns, size: SBPF_ATTR_MEMCG_PROBE)
        }
    }

    static func loadsAndCloses(_ attr: inout bpf_attr, insns: inout [bpf_insn], size: sbpf_attr_size) -> Bool {
        insns.withUnsafeMutableBufferPointer { buffer in
            attr.insns = BPFSyscall.address(buffer.baseAddress)
            do throws(BPFError) {
                let fd = try BPFSyscall.loadProgram(&attr, size: size, attempts: BPFSyscall.programLoadAttempts)
                FileDescriptors.closePreservingErrno(fd)
                return true
            } catch {
                return false
            }
        }
    }
}

private func copyName(_ name: StaticString, into field: inout (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar)) {
    name.withUTF8Buffer { bytes in
        bytes.withMemoryRebound(to: CChar.self) { chars in
            copyName(chars.baseAddress!, into: &field)
        }
    }
}

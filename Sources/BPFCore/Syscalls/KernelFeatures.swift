import CBPF

/// What the running kernel supports, probed on first use and cached for the process,
/// as the reference's `kernel_supports(NULL, feature)`.
public enum KernelFeature: Int, CaseIterable {
    /// Programs and maps accept a name (4.15).
    case programName
    /// BPF memory is charged to the memory cgroup, so RLIMIT_MEMLOCK is irrelevant (5.11).
    case memcgAccounting
    /// bpf_get_attach_cookie() exists (5.15): the `LINUX_HAS_BPF_COOKIE` extern.
    case bpfCookie
    /// Syscalls are entered through `__<arch>_sys_*` wrappers (the kprobe on
    /// `__x64_sys_bpf` can be created): the `LINUX_HAS_SYSCALL_WRAPPER` extern.
    case syscallWrapper
    /// BTF objects have names and kernel modules have BTF (5.11).
    case moduleBTF

    // Probed by Syscalls/KernelFeatureProbes.swift (object load):
    /// BPF_BTF_LOAD of a minimal BTF works (4.18).
    case btf
    /// BTF_KIND_FUNC / FUNC_PROTO (5.0).
    case btfFunction
    /// BTF_KIND_VAR / DATASEC (5.2).
    case btfDataSection
    /// BTF_FUNC_GLOBAL linkage (5.6).
    case btfGlobalFunction
    /// BTF_KIND_FLOAT (5.13).
    case btfFloat
    /// BTF_KIND_DECL_TAG (5.16).
    case btfDeclTag
    /// BTF_KIND_TYPE_TAG (5.17).
    case btfTypeTag
    /// BTF_KIND_ENUM64 (6.0).
    case btfEnum64
    /// Programs may reference array map values directly (global data, 5.2).
    case globalData
    /// BPF_F_MMAPABLE arrays (5.5).
    case arrayMmap
    /// BPF_PROG_LOAD's expected_attach_type (4.17).
    case expectedAttachType
    /// bpf_probe_read_kernel() (5.5).
    case probeReadKernel
    /// BPF_PROG_BIND_MAP (5.10).
    case programBindMap
    /// BPF_LINK_CREATE for perf events (5.15).
    case perfLink

    /// The description the reference logs when a probe itself fails.
    var description: StaticString {
        switch self {
        case .btf: return "minimal BTF"
        case .btfFunction: return "BTF functions"
        case .btfDataSection: return "BTF data section and variable"
        case .btfGlobalFunction: return "BTF global function"
        case .btfFloat: return "BTF_KIND_FLOAT support"
        case .btfDeclTag: return "BTF_KIND_DECL_TAG support"
        case .btfTypeTag: return "BTF_KIND_TYPE_TAG support"
        case .btfEnum64: return "BTF_KIND_ENUM64 support"
        case .globalData: return "global variables"
        case .arrayMmap: return "ARRAY map mmap()"
        case .expectedAttachType: return "BPF_PROG_LOAD expected_attach_type attribute"
        case .probeReadKernel: return "bpf_probe_read_kernel() helper"
        case .programBindMap: return "BPF_PROG_BIND_MAP support"
        case .perfLink: return "BPF perf link support"
        case .programName: return "BPF program name"
        case .memcgAccounting: return "memcg-based memory accounting"
        case .bpfCookie: return "BPF cookie support"
        case .syscallWrapper: return "Kernel using syscall wrapper"
        case .moduleBTF: return "module BTF support"
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
        case .btf, .btfFunction, .btfDataSection, .btfGlobalFunction, .btfFloat, .btfDeclTag, .btfTypeTag,
             .btfEnum64, .globalData, .arrayMmap, .expectedAttachType, .probeReadKernel, .programBindMap, .perfLink:
            return try probeLoadFeature(feature)  // Syscalls/KernelFeatureProbes.swift
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
        case .bpfCookie:
            // A kprobe program calling bpf_get_attach_cookie(), loaded as
            // bpf_prog_load() does without options.
            let insns = [Instruction.call(helper: BPF_FUNC_get_attach_cookie.rawValue), Instruction.exit]
            let license: StaticString = "GPL"
            return insns.withUnsafeBufferPointer { buffer in
                let attributes = license.withUTF8Buffer { l in
                    ProgramLoadAttributes(type: BPF_PROG_TYPE_KPROBE.rawValue, name: nil,
                                          license: UnsafeRawPointer(l.baseAddress!).assumingMemoryBound(to: CChar.self),
                                          instructions: UnsafeRawPointer(buffer.baseAddress), instructionCount: buffer.count)
                }
                do throws(BPFError) {
                    FileDescriptors.closePreservingErrno(try ProgramCommands.load(attributes))
                    return true
                } catch {
                    return false
                }
            }
        case .syscallWrapper:
            return SyscallWrapperProbe.run()  // Load/Kallsyms.swift
        case .moduleBTF:
            // A one-int BTF whose info (with a name buffer) can be read back.
            var btf = RawBTF()
            _ = btf.addInt(name: "int", bits: 32, byteSize: 4, signed: true)
            let fd: Int32
            do throws(BPFError) { fd = try btf.load() } catch { return false }
            defer { FileDescriptors.closePreservingErrno(fd) }
            var name = [CChar](repeating: 0, count: 16)
            return name.withUnsafeMutableBufferPointer { buffer in
                var info = bpf_btf_info()
                info.name = BPFSyscall.address(buffer.baseAddress)
                info.name_len = UInt32(buffer.count)
                do throws(BPFError) {
                    _ = try ObjectCommands.info(fd: fd, info: &info, length: UInt32(MemoryLayout<bpf_btf_info>.size))
                    return true
                } catch {
                    return false
                }
            }
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

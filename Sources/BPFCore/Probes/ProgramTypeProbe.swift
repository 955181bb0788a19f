import CBPF

/// libbpf's feature probes (`libbpf_probe_bpf_*`): does the running kernel know a
/// program type, a map type, a helper for a program type? Each probe creates the
/// smallest object of its kind and reports whether the kernel took it:
/// `true` (1), `false` (0, the kernel refused it), or a thrown error (a negative
/// errno: the probe could not be run, or the reference declines to probe that kind).
public enum Probes {
    /// The kernel-internal ENOTSUPP (524), which leaks to user space from a few paths;
    /// struct_ops programs and maps answer it when the kernel knows the type but the
    /// probe gave it nothing to implement.
    public static let kernelENOTSUPP = BPFError(524)

    /// The size of the verifier log the reference gives probes that read it.
    static let logSize = 4096

    /// How a program-type probe must be loaded, and what counts as "supported".
    struct ProgramSetup {
        var expectedAttachType: UInt32 = 0
        var kernVersion: UInt32 = 0
        var flags: UInt32 = 0
        var attachBTFID: UInt32 = 0
        /// Some types cannot be loaded without a real attach target. For them the
        /// probe expects a specific refusal instead: this errno ...
        var expectedError: BPFError? = nil
        /// ... with this text in the verifier log (which the probe then asks for).
        var expectedMessage: StaticString? = nil
    }

    /// The reference's per-type load recipe. Types it does not list (including every
    /// type newer than libbpf 1.1, e.g. netfilter) are not probed: EOPNOTSUPP.
    static func programSetup(_ type: UInt32) throws(BPFError) -> ProgramSetup {
        var setup = ProgramSetup()
        switch type {
        case BPF_PROG_TYPE_CGROUP_SOCK_ADDR.rawValue:
            // Refused without an attach type; any of the family does.
            setup.expectedAttachType = BPF_CGROUP_INET4_CONNECT.rawValue
        case BPF_PROG_TYPE_CGROUP_SOCKOPT.rawValue:
            setup.expectedAttachType = BPF_CGROUP_GETSOCKOPT.rawValue
        case BPF_PROG_TYPE_SK_LOOKUP.rawValue:
            setup.expectedAttachType = BPF_SK_LOOKUP.rawValue
        case BPF_PROG_TYPE_KPROBE.rawValue:
            // Kernels before 5.0 demand their own version in kprobe programs.
            setup.kernVersion = KernelVersion.current()
        case BPF_PROG_TYPE_LIRC_MODE2.rawValue:
            setup.expectedAttachType = BPF_LIRC_MODE2.rawValue
        case BPF_PROG_TYPE_TRACING.rawValue, BPF_PROG_TYPE_LSM.rawValue:
            // These need a BTF function to attach to. Type id 1 of vmlinux BTF is
            // never a function, so a kernel that knows the type rejects the load
            // with exactly this complaint, after having accepted the type itself.
            setup.expectedAttachType = type == BPF_PROG_TYPE_TRACING.rawValue
                ? BPF_TRACE_FENTRY.rawValue : BPF_MODIFY_RETURN.rawValue
            setup.attachBTFID = 1
            setup.expectedError = .EINVAL
            setup.expectedMessage = "attach_btf_id 1 is not a function"
        case BPF_PROG_TYPE_EXT.rawValue:
            // Extensions replace a BPF function of another program; without a
            // target program fd the kernel says they cannot replace kernel ones.
            setup.attachBTFID = 1
            setup.expectedError = .EINVAL
            setup.expectedMessage = "Cannot replace kernel functions"
        case BPF_PROG_TYPE_SYSCALL.rawValue:
            // Syscall programs must be sleepable.
            setup.flags = UInt32(BPF_F_SLEEPABLE)
        case BPF_PROG_TYPE_STRUCT_OPS.rawValue:
            // No struct to implement: a kernel that knows the type answers ENOTSUPP.
            setup.expectedError = kernelENOTSUPP
        case BPF_PROG_TYPE_UNSPEC.rawValue,
             BPF_PROG_TYPE_SOCKET_FILTER.rawValue,
             BPF_PROG_TYPE_SCHED_CLS.rawValue,
             BPF_PROG_TYPE_SCHED_ACT.rawValue,
             BPF_PROG_TYPE_TRACEPOINT.rawValue,
             BPF_PROG_TYPE_XDP.rawValue,
             BPF_PROG_TYPE_PERF_EVENT.rawValue,
             BPF_PROG_TYPE_CGROUP_SKB.rawValue,
             BPF_PROG_TYPE_CGROUP_SOCK.rawValue,
             BPF_PROG_TYPE_LWT_IN.rawValue,
             BPF_PROG_TYPE_LWT_OUT.rawValue,
             BPF_PROG_TYPE_LWT_XMIT.rawValue,
             BPF_PROG_TYPE_SOCK_OPS.rawValue,
             BPF_PROG_TYPE_SK_SKB.rawValue,
             BPF_PROG_TYPE_CGROUP_DEVICE.rawValue,
             BPF_PROG_TYPE_SK_MSG.rawValue,
             BPF_PROG_TYPE_RAW_TRACEPOINT.rawValue,
             BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE.rawValue,
             BPF_PROG_TYPE_LWT_SEG6LOCAL.rawValue,
             BPF_PROG_TYPE_SK_REUSEPORT.rawValue,
             BPF_PROG_TYPE_FLOW_DISSECTOR.rawValue,
             BPF_PROG_TYPE_CGROUP_SYSCTL.rawValue:
            break
        default:
            throw .EOPNOTSUPP
        }
        return setup
    }

    /// Whether the kernel supports program type `type` (`libbpf_probe_bpf_prog_type`).
    public static func programType(_ type: UInt32) throws(BPFError) -> Bool {
        try loadProbe(type, Instructions.returnZero, log: nil)
    }

    /// Loads `insns` as a program of `type` set up as `programSetup` says, with
    /// `log` (if any) as the verifier log at level 1, and judges the outcome.
    /// The program is closed straight away; errno is left as the load left it.
    static func loadProbe(_ type: UInt32, _ insns: [bpf_insn], log: UnsafeMutableBufferPointer<UInt8>?) throws(BPFError) -> Bool {
        let setup = try programSetup(type)
        // Types judged by their log get a log of their own.
        var ownLog: [UInt8] = []
        if setup.expectedMessage != nil { ownLog = [UInt8](repeating: 0, count: logSize) }

        var attr = bpf_attr()
        attr.prog_type = type
        attr.insn_cnt = UInt32(insns.count)
        attr.expected_attach_type = setup.expectedAttachType
        attr.kern_version = setup.kernVersion
        attr.prog_flags = setup.flags
        attr.attach_btf_id = setup.attachBTFID
        let license: StaticString = "GPL"
        attr.license = BPFSyscall.address(license.utf8Start)

        let outcome: Result<Int32, BPFError> = insns.withUnsafeBufferPointer { code in
            ownLog.withUnsafeMutableBufferPointer { own in
                attr.insns = BPFSyscall.address(code.baseAddress)
                if let buffer = setup.expectedMessage != nil ? own : log {
                    attr.log_buf = BPFSyscall.address(buffer.baseAddress)
                    attr.log_size = UInt32(buffer.count)
                    attr.log_level = 1
                }
                ResourceLimits.bumpMemlockIfNeeded()
                do throws(BPFError) {
                    return .success(try BPFSyscall.loadProgram(&attr, size: SBPF_ATTR_PROG_LOAD,
                                                               attempts: BPFSyscall.programLoadAttempts))
                } catch {
                    return .failure(error)
                }
            }
        }

        switch outcome {
        case .success(let fd):
            _ = close(fd)
            // Loading what should have been refused means the kernel does something
            // else with this type than the probe expects: not the feature probed.
            return setup.expectedError == nil
        case .failure(let error):
            guard let expected = setup.expectedError else { return false }
            if error != expected { return false }
            if let message = setup.expectedMessage {
                return ownLog.withUnsafeBufferPointer { logContains($0, message) }
            }
            return true
        }
    }

    /// `strstr(log, needle)` on a NUL-terminated verifier log in a fixed buffer
    /// (searching stops at the first NUL or the end of the buffer).
    public static func logContains(_ log: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        let pattern = needle.utf8Start
        var length = 0
        while length < log.count, log[length] != 0 { length += 1 }
        if count == 0 { return true }
        if count > length { return false }
        var start = 0
        while start + count <= length {
            var i = 0
            while i < count, log[start + i] == pattern[i] { i += 1 }
            if i == count { return true }
            start += 1
        }
        return false
    }
}

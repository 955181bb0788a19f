import CBPF

// The first load stages: can the kernel load anything at all, and the running
// kernel's BTF when the object needs it. Also the end-of-load cleanup and the
// small message helpers the other load stages share.

extension BPFObject {
    /// `bpf_object__probe_loading`: bumps RLIMIT_MEMLOCK if needed, then loads a
    /// trivial socket filter (or, failing that, tracepoint) program.
    func probeLoading() throws(BPFError) {
        if let error = ResourceLimits.bumpMemlock() {
            Log.warn("libbpf: Failed to bump RLIMIT_MEMLOCK (err = -\(error.code)), you might need to do it explicitly!\n")
        }
        var result = KernelFeatures.loadProgramResult(BPF_PROG_TYPE_SOCKET_FILTER, Instructions.returnZero)
        if case .failure = result {
            result = KernelFeatures.loadProgramResult(BPF_PROG_TYPE_TRACEPOINT, Instructions.returnZero)
        }
        let error: BPFError
        switch result {
        case .success(let fd):
            _ = close(fd)
            return
        case .failure(let e):
            error = e
        }
        Log.warn("libbpf: Error in bpf_object__probe_loading():\(errorText(error.code))(\(error.code)). Couldn't load trivial BPF program. Make sure your kernel supports BPF (CONFIG_BPF_SYSCALL=y) and/or that RLIMIT_MEMLOCK is set to big enough value.\n")
        throw error
    }

    /// `bpf_object__load_vmlinux_btf(obj, false)`: the kernel's BTF, loaded only
    /// when CO-RE relocations (without a custom target BTF), typed ksyms or
    /// programs attaching by kernel BTF id need it.
    func loadVMLinuxBTFIfNeeded() throws(BPFError) {
        if vmlinuxBTF != nil || !needsVMLinuxBTF { return }
        do {
            vmlinuxBTF = try BTF.loadVMLinux()
        } catch {
            Log.warn("libbpf: Error loading vmlinux BTF: -\(error.code)\n")
            throw error
        }
    }

    /// `obj_needs_vmlinux_btf`.
    var needsVMLinuxBTF: Bool {
        if let btfExt, !btfExt.coreRelocations.isEmpty, btfCustomPath == nil { return true }
        for ext in externs where ext.kind == .ksym && ext.typeID != 0 { return true }
        for program in programs where !program.isSubprogram && program.autoload {
            if program.needsVMLinuxBTF { return true }
        }
        return false
    }

    /// The end of every load, successful or not: the kernel BTFs and the fd array
    /// were only needed while loading.
    func finishLoad() {
        releaseKernelBTFs()
    }
}

extension BPFProgram {
    /// `prog_needs_vmlinux_btf`: struct_ops and LSM programs, and tracing programs
    /// not attaching to another BPF program.
    var needsVMLinuxBTF: Bool {
        if type == BPF_PROG_TYPE_STRUCT_OPS.rawValue || type == BPF_PROG_TYPE_LSM.rawValue { return true }
        return type == BPF_PROG_TYPE_TRACING.rawValue && attachProgramFD == 0
    }
}

/// `pr_perm_msg`: after EPERM as root, the likely cause is RLIMIT_MEMLOCK.
func logPermissionHint(_ error: BPFError) {
    if error != .EPERM || geteuid() != 0 { return }
    var limit = rlimit()
    if getrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit) != 0 { return }
    if limit.rlim_cur == rlim_t.max { return }  // RLIM_INFINITY
    let value = UInt64(limit.rlim_cur)
    let text: String
    if value < 1024 {
        text = "\(value) bytes"
    } else if value < 1024 * 1024 {
        text = oneDecimal(value, 1024) + " KiB"
    } else {
        text = oneDecimal(value, 1024 * 1024) + " MiB"
    }
    Log.warn("libbpf: permission error while running as root; try raising 'ulimit -l'? current value: \(text)\n")
}

/// printf("%.1f", value / unit) for these exact quotients (ties to even).
func oneDecimal(_ value: UInt64, _ unit: UInt64) -> String {
    let scaled = value.multipliedReportingOverflow(by: 10)
    if scaled.overflow { return "\(value / unit).0" }
    var tenths = scaled.partialValue / unit
    let remainder = scaled.partialValue % unit
    if 2 * remainder > unit || (2 * remainder == unit && tenths % 2 == 1) { tenths += 1 }
    return "\(tenths / 10).\(tenths % 10)"
}

import CBPF

// Perf-event based attachment: tracepoints, kprobes, uprobes and syscall probes.
// Each creates a perf event for the probe point and hands it to
// attachPerfEvent; the kprobe/uprobe PMUs are used where the kernel has them,
// tracefs' kprobe_events/uprobe_events ("legacy" probe events) otherwise.

/// Which PMU (and which tracefs events file) a probe uses.
enum ProbeKind {
    case kprobe, uprobe

    var isUprobe: Bool { self == .uprobe }
}

extension BPFProgram {
    /// `bpf_program__attach_tracepoint_opts`.
    public func attachTracepoint(category: UnsafePointer<CChar>, name tracepoint: UnsafePointer<CChar>,
                                 cookie: UInt64) throws(BPFError) -> BPFLink {
        let perfFD = openTracepointEvent(category: category, name: tracepoint)
        if perfFD < 0 {
            Log.warn("libbpf: prog '\(cString: name)': failed to create tracepoint '\(cString: category)/\(cString: tracepoint)' perf event: \(errorText(perfFD))\n")
            throw BPFError(-perfFD)
        }
        do throws(BPFError) {
            return try attachPerfEvent(perfFD, cookie: cookie)
        } catch {
            _ = close(perfFD)
            Log.warn("libbpf: prog '\(cString: name)': failed to attach to tracepoint '\(cString: category)/\(cString: tracepoint)': \(errorText(-error.code))\n")
            throw error
        }
    }

    /// `perf_event_open_tracepoint`: a PERF_TYPE_TRACEPOINT event on all
    /// processes of CPU 0; the fd or -errno.
    func openTracepointEvent(category: UnsafePointer<CChar>, name tracepoint: UnsafePointer<CChar>) -> Int32 {
        let id = Tracefs.tracepointID(category: category, name: tracepoint)
        if id < 0 {
            Log.warn("libbpf: failed to determine tracepoint '\(cString: category)/\(cString: tracepoint)' perf event ID: \(errorText(id))\n")
            return id
        }
        var attr = perf_event_attr()
        attr.type = PERF_TYPE_TRACEPOINT.rawValue
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.config = UInt64(UInt32(bitPattern: id))
        let fd = sbpf_perf_event_open(&attr, -1, 0, -1, UInt(PERF_FLAG_FD_CLOEXEC))
        if fd < 0 {
            let code = -sbpf_errno()
            Log.warn("libbpf: tracepoint '\(cString: category)/\(cString: tracepoint)' perf_event_open() failed: \(errorText(code))\n")
            return code
        }
        return fd
    }

    /// `bpf_program__attach_kprobe_opts`.
    public func attachKprobe(function: UnsafePointer<CChar>?, offset: Int, retprobe: Bool,
                             cookie: UInt64) throws(BPFError) -> BPFLink {
        let kind: StaticString = retprobe ? "kretprobe" : "kprobe"
        let functionName = function ?? StaticString("(null)").cString
        var legacyProbe: LegacyProbeEvent?
        let perfFD: Int32
        let pmuType = Tracefs.probePMUType(uprobe: false)
        if pmuType >= 0 {
            perfFD = openProbeEvent(.kprobe, pmuType: pmuType, retprobe: retprobe, target: function,
                                    offset: UInt64(UInt(bitPattern: offset)), pid: -1, refCounterOffset: 0)
        } else {
            let event = LegacyProbeEvent.kprobe(function: functionName, offset: UInt64(UInt(bitPattern: offset)),
                                                retprobe: retprobe)
            perfFD = openLegacyKprobeEvent(event, function: functionName, offset: offset)
            legacyProbe = event
        }
        if perfFD < 0 {
            Log.warn("libbpf: prog '\(cString: name)': failed to create \(kind) '\(cString: functionName)+0x\(hex: UInt64(UInt(bitPattern: offset)))' perf event: \(errorText(perfFD))\n")
            throw BPFError(-perfFD)
        }
        do throws(BPFError) {
            return try attachPerfEvent(perfFD, cookie: cookie, legacyProbe: legacyProbe)
        } catch {
            _ = close(perfFD)
            Log.warn("libbpf: prog '\(cString: name)': failed to attach to \(kind) '\(cString: functionName)+0x\(hex: UInt64(UInt(bitPattern: offset)))': \(errorText(-error.code))\n")
            if let legacyProbe { _ = legacyProbe.remove() }
            throw error
        }
    }

    /// `bpf_program__attach_ksyscall`: a kprobe on the syscall's entry function
    /// (`__<arch>_sys_<name>` where syscalls have wrappers, else `__se_sys_<name>`).
    public func attachSyscall(_ syscall: UnsafePointer<CChar>, retprobe: Bool, cookie: UInt64) throws(BPFError) -> BPFLink {
        var function: [CChar] = []
        if KernelFeatures.supports(.syscallWrapper) {
            function.appendASCII("__")
            if let prefix = SyscallWrapperProbe.prefix { function.appendASCII(prefix) }
            function.appendASCII("_sys_")
        } else {
            function.appendASCII("__se_sys_")
        }
        function.appendCString(syscall)
        if function.count > 127 { function.removeLast(function.count - 127) }  // char[128]
        function.append(0)
        return try function.withUnsafeBufferPointer { (buffer) throws(BPFError) -> BPFLink in
            try attachKprobe(function: buffer.baseAddress!, offset: 0, retprobe: retprobe, cookie: cookie)
        }
    }

    /// `bpf_program__attach_uprobe_opts`. `pid` -1 probes every process; the
    /// binary is searched in PATH (or the library paths for "*.so*") when it has no
    /// '/'; `function` is resolved to a file offset through the ELF symbols.
    public func attachUprobe(pid: Int32, binary: UnsafePointer<CChar>?, offset: Int, function: UnsafePointer<CChar>?,
                             retprobe: Bool, refCounterOffset: Int, cookie: UInt64) throws(BPFError) -> BPFLink {
        guard let binary else { throw .EINVAL }
        var resolved: [CChar] = []
        if strchr(binary, Int32(UInt8(ascii: "/"))) == nil {
            let result = ExecutablePath.resolve(binary, into: &resolved)
            if result != 0 {
                Log.warn("libbpf: prog '\(cString: name)': failed to resolve full path for '\(cString: binary)': \(result)\n")
                throw BPFError(-result)
            }
        } else {
            resolved.appendCString(binary)
            resolved.append(0)
        }
        return try resolved.withUnsafeBufferPointer { (buffer) throws(BPFError) -> BPFLink in
            let path = buffer.baseAddress!
            var fileOffset = UInt64(UInt(bitPattern: offset))
            if let function {
                let symbolOffset = ELFFunctionOffset.find(function, in: path)
                if symbolOffset < 0 { throw BPFError(Int32(-symbolOffset)) }
                fileOffset &+= UInt64(symbolOffset)
            }
            return try attachUprobe(path: path, offset: fileOffset, pid: pid, retprobe: retprobe,
                                    refCounterOffset: refCounterOffset, cookie: cookie)
        }
    }

    func attachUprobe(path: UnsafePointer<CChar>, offset: UInt64, pid: Int32, retprobe: Bool,
                      refCounterOffset: Int, cookie: UInt64) throws(BPFError) -> BPFLink {
        let kind: StaticString = retprobe ? "uretprobe" : "uprobe"
        var legacyProbe: LegacyProbeEvent?
        let perfFD: Int32
        let pmuType = Tracefs.probePMUType(uprobe: true)
        if pmuType >= 0 {
            perfFD = openProbeEvent(.uprobe, pmuType: pmuType, retprobe: retprobe, target: path, offset: offset,
                                    pid: pid, refCounterOffset: UInt64(UInt(bitPattern: refCounterOffset)))
        } else {
            if refCounterOffset != 0 { throw .EINVAL }
            var event = LegacyProbeEvent(name: [], isKprobe: false, isRetprobe: retprobe)
            event.name.appendASCII("libbpf_")
            event.name.appendDecimal(UInt32(bitPattern: getpid()))
            event.name.appendASCII("_")
            event.name.appendCString(path)
            event.name.appendASCII("_0x")
            event.name.appendLowerHex(offset)
            // Event names may only hold alphanumerics and '_'.
            for i in event.name.indices where !FunctionNameChars.isAlphanumeric(UInt8(bitPattern: event.name[i])) {
                event.name[i] = CChar(bitPattern: UInt8(ascii: "_"))
            }
            event.name.append(0)
            perfFD = openLegacyUprobeEvent(event, path: path, offset: offset, pid: pid)
            legacyProbe = event
        }
        if perfFD < 0 {
            Log.warn("libbpf: prog '\(cString: name)': failed to create \(kind) '\(cString: path):0x\(hex: offset)' perf event: \(errorText(perfFD))\n")
            throw BPFError(-perfFD)
        }
        do throws(BPFError) {
            return try attachPerfEvent(perfFD, cookie: cookie, legacyProbe: legacyProbe)
        } catch {
            _ = close(perfFD)
            Log.warn("libbpf: prog '\(cString: name)': failed to attach to \(kind) '\(cString: path):0x\(hex: offset)': \(errorText(-error.code))\n")
            if let legacyProbe { _ = legacyProbe.remove() }
            throw error
        }
    }

    /// `perf_event_open_probe`: a kprobe/uprobe PMU event; fd or -errno.
    func openProbeEvent(_ kind: ProbeKind, pmuType: Int32, retprobe: Bool, target: UnsafePointer<CChar>?,
                        offset: UInt64, pid: Int32, refCounterOffset: UInt64) -> Int32 {
        var attr = perf_event_attr()
        if retprobe {
            let bit = Tracefs.retprobeBit(uprobe: kind.isUprobe)
            if bit < 0 {
                Log.warn("libbpf: failed to determine \(kind.isUprobe ? "uprobe" : "kprobe") retprobe bit: \(errorText(bit))\n")
                return bit
            }
            attr.config |= UInt64(1) << UInt64(bit & 63)
        }
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.type = UInt32(bitPattern: pmuType)
        attr.config |= refCounterOffset << 32  // PERF_UPROBE_REF_CTR_OFFSET_SHIFT
        attr.config1 = UInt64(UInt(bitPattern: target))
        attr.config2 = offset
        let fd = sbpf_perf_event_open(&attr, pid < 0 ? -1 : pid, pid == -1 ? 0 : -1, -1, UInt(PERF_FLAG_FD_CLOEXEC))
        return fd >= 0 ? fd : -sbpf_errno()
    }

    /// A kprobe through kprobe_events: add the event, read its id, open it as a
    /// tracepoint; the event is removed again on failure.
    func openLegacyKprobeEvent(_ event: LegacyProbeEvent, function: UnsafePointer<CChar>, offset: Int) -> Int32 {
        let added = event.addKprobe(function: function, offset: UInt64(UInt(bitPattern: offset)))
        if added < 0 {
            Log.warn("libbpf: failed to add legacy kprobe event for '\(cString: function)+0x\(hex: UInt64(UInt(bitPattern: offset)))': \(errorText(added))\n")
            return added
        }
        let id = Tracefs.legacyEventID(event)
        if id < 0 {
            Log.warn("libbpf: failed to determine legacy kprobe event id for '\(cString: function)+0x\(hex: UInt64(UInt(bitPattern: offset)))': \(errorText(id))\n")
            _ = event.remove()
            return id
        }
        var attr = perf_event_attr()
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.config = UInt64(UInt32(bitPattern: id))
        attr.type = PERF_TYPE_TRACEPOINT.rawValue
        let fd = sbpf_perf_event_open(&attr, -1, 0, -1, UInt(PERF_FLAG_FD_CLOEXEC))
        if fd < 0 {
            let code = -sbpf_errno()
            Log.warn("libbpf: legacy kprobe perf_event_open() failed: \(errorText(code))\n")
            _ = event.remove()
            return code
        }
        return fd
    }

    /// A uprobe through uprobe_events (same steps as the legacy kprobe).
    func openLegacyUprobeEvent(_ event: LegacyProbeEvent, path: UnsafePointer<CChar>, offset: UInt64, pid: Int32) -> Int32 {
        var line: [CChar] = []
        line.appendASCII(event.isRetprobe ? "r:uretprobes/" : "p:uprobes/")
        line.appendCString(event.name)
        line.appendASCII(" ")
        line.appendCString(path)
        line.appendASCII(":0x")
        line.appendLowerHex(offset)
        let added = Tracefs.appendToEventsFile(kprobes: false, line)
        if added < 0 {
            Log.warn("libbpf: failed to add legacy uprobe event for \(cString: path):0x\(hex: offset): \(added)\n")
            return added
        }
        let id = Tracefs.legacyEventID(event)
        if id < 0 {
            Log.warn("libbpf: failed to determine legacy uprobe event id for \(cString: path):0x\(hex: offset): \(id)\n")
            _ = event.remove()
            return id
        }
        var attr = perf_event_attr()
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.config = UInt64(UInt32(bitPattern: id))
        attr.type = PERF_TYPE_TRACEPOINT.rawValue
        let fd = sbpf_perf_event_open(&attr, pid < 0 ? -1 : pid, pid == -1 ? 0 : -1, -1, UInt(PERF_FLAG_FD_CLOEXEC))
        if fd < 0 {
            let code = -sbpf_errno()
            Log.warn("libbpf: legacy uprobe perf_event_open() failed: \(code)\n")
            _ = event.remove()
            return code
        }
        return fd
    }
}

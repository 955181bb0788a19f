import CBPF

// Attachments made with one bpf() command: BPF links to an fd target (cgroup,
// netns, XDP device, freplace target), BTF-typed tracing/LSM programs, raw
// tracepoints, iterators, multi-kprobes; and struct_ops registration.

extension BPFProgram {
    /// The loaded program's fd, or EINVAL with "can't attach before loaded".
    func loadedFD() throws(BPFError) -> Int32 {
        if fd < 0 {
            Log.warn("libbpf: prog '\(cString: name)': can't attach before loaded\n")
            throw .EINVAL
        }
        return fd
    }

    /// `bpf_program__attach_fd`: BPF_LINK_CREATE with the program's expected
    /// attach type on `targetFD` (a cgroup, netns, ifindex or program fd).
    /// `targetName` names the target kind in the failure message.
    public func attachToFD(_ targetFD: Int32, targetBTFID: UInt32, targetName: StaticString) throws(BPFError) -> BPFLink {
        let programFD = try loadedFD()
        var attributes = LinkCreateAttributes()
        attributes.targetBTFID = targetBTFID
        do throws(BPFError) {
            let linkFD = try LinkCommands.create(programFD: programFD, targetFD: targetFD, attachType: expectedAttachType,
                                                 attributes, plainRequest: targetBTFID == 0)
            return BPFLink(fd: linkFD, release: .closeFD)
        } catch {
            Log.warn("libbpf: prog '\(cString: name)': failed to attach to \(targetName): \(errorText(-error.code))\n")
            throw error
        }
    }

    /// `bpf_program__attach_trace(_opts)` and `bpf_program__attach_lsm`: a BPF link
    /// to the BTF target chosen at load (BPF_RAW_TRACEPOINT_OPEN on kernels whose
    /// LINK_CREATE does not know tracing programs).
    public func attachToBTFTarget(cookie: UInt64) throws(BPFError) -> BPFLink {
        let programFD = try loadedFD()
        var attributes = LinkCreateAttributes()
        attributes.tracingCookie = cookie
        do throws(BPFError) {
            let linkFD = try LinkCommands.create(programFD: programFD, targetFD: 0, attachType: expectedAttachType,
                                                 attributes, plainRequest: cookie == 0)
            return BPFLink(fd: linkFD, release: .closeFD)
        } catch {
            Log.warn("libbpf: prog '\(cString: name)': failed to attach: \(errorText(-error.code))\n")
            throw error
        }
    }

    /// `bpf_program__attach_raw_tracepoint`.
    public func attachRawTracepoint(_ tracepoint: UnsafePointer<CChar>?) throws(BPFError) -> BPFLink {
        let programFD = try loadedFD()
        do throws(BPFError) {
            let linkFD = try LinkCommands.rawTracepointOpen(name: tracepoint, programFD: programFD)
            return BPFLink(fd: linkFD, release: .closeFD)
        } catch {
            Log.warn("libbpf: prog '\(cString: name)': failed to attach to raw tracepoint '\(cString: tracepoint)': \(errorText(-error.code))\n")
            throw error
        }
    }

    /// `bpf_program__attach_iter`: a BPF_TRACE_ITER link with the iterator's
    /// parameters (`bpf_iter_create` then reads it).
    public func attachIterator(info: UnsafeRawPointer?, infoLength: UInt32) throws(BPFError) -> BPFLink {
        let programFD = try loadedFD()
        var attributes = LinkCreateAttributes()
        attributes.iterInfo = info
        attributes.iterInfoLength = infoLength
        do throws(BPFError) {
            let linkFD = try LinkCommands.create(programFD: programFD, targetFD: 0, attachType: BPF_TRACE_ITER.rawValue,
                                                 attributes, plainRequest: info == nil && infoLength == 0)
            return BPFLink(fd: linkFD, release: .closeFD)
        } catch {
            Log.warn("libbpf: prog '\(cString: name)': failed to attach to iterator: \(errorText(-error.code))\n")
            throw error
        }
    }

    /// `bpf_program__attach_freplace`: with a target program and function, a link
    /// to that function's BTF id in the target; with neither, the target chosen at
    /// load (as attach_trace).
    public func attachReplacement(targetFD: Int32, function: UnsafePointer<CChar>?) throws(BPFError) -> BPFLink {
        if (targetFD != 0) != (function != nil) {
            Log.warn("libbpf: prog '\(cString: name)': supply none or both of target_fd and attach_func_name\n")
            throw .EINVAL
        }
        if type != BPF_PROG_TYPE_EXT.rawValue {
            // The reference's message has no newline.
            Log.warn("libbpf: prog '\(cString: name)': only BPF_PROG_TYPE_EXT can attach as freplace")
            throw .EINVAL
        }
        guard let function else { return try attachToBTFTarget(cookie: 0) }
        let btfID = BPFObject.findProgramBTFID(function, targetFD)
        if btfID < 0 { throw BPFError(-btfID) }
        return try attachToFD(targetFD, targetBTFID: UInt32(btfID), targetName: "freplace")
    }

    /// `bpf_program__attach_kprobe_multi_opts`: one BPF_TRACE_KPROBE_MULTI link on
    /// the functions named by `pattern` (a glob over /proc/kallsyms text symbols) or
    /// listed in `symbols`/`addresses`.
    public func attachKprobeMulti(pattern: UnsafePointer<CChar>?, symbols: UnsafeRawPointer?, addresses: UnsafeRawPointer?,
                                  cookies: UnsafeRawPointer?, count: Int, retprobe: Bool) throws(BPFError) -> BPFLink {
        if pattern == nil && addresses == nil && symbols == nil { throw .EINVAL }
        if pattern != nil && (addresses != nil || symbols != nil || cookies != nil || count != 0) { throw .EINVAL }
        if pattern == nil && count == 0 { throw .EINVAL }
        if addresses != nil && symbols != nil { throw .EINVAL }
        var resolved: [UInt] = []
        if let pattern {
            try Kallsyms.forEach { address, type, symbol in
                if type != UInt8(ascii: "T") && type != UInt8(ascii: "t") { return nil }
                if globMatches(symbol, pattern) { resolved.append(UInt(address)) }
                return nil
            }
            if resolved.isEmpty { throw .ENOENT }
        }
        return try resolved.withUnsafeBufferPointer { (buffer) throws(BPFError) -> BPFLink in
            var attributes = LinkCreateAttributes()
            attributes.kprobeMultiSymbols = symbols
            attributes.kprobeMultiAddresses = pattern != nil ? UnsafeRawPointer(buffer.baseAddress) : addresses
            attributes.kprobeMultiCookies = cookies
            attributes.kprobeMultiCount = UInt32(truncatingIfNeeded: pattern != nil ? buffer.count : count)
            attributes.kprobeMultiFlags = retprobe ? UInt32(BPF_F_KPROBE_MULTI_RETURN) : 0
            do throws(BPFError) {
                let linkFD = try LinkCommands.create(programFD: fd, targetFD: 0, attachType: BPF_TRACE_KPROBE_MULTI.rawValue,
                                                     attributes, plainRequest: false)
                return BPFLink(fd: linkFD, release: .closeFD)
            } catch {
                Log.warn("libbpf: prog '\(cString: name)': failed to attach: \(errorText(-error.code))\n")
                throw error
            }
        }
    }
}

extension BPFMap {
    /// `bpf_map__attach_struct_ops`: writes each member program's fd into the
    /// kernel's value layout and stores it as the map's only element, which
    /// registers the struct_ops with its subsystem.
    public func attachStructOps() throws(BPFError) -> BPFLink {
        guard var info = structOps, fd >= 0, var value = info.kernelValue else { throw .EINVAL }
        for (member, programIndex) in info.programs.enumerated() where programIndex >= 0 {
            guard member < info.kernelFunctionOffsets.count, programIndex < object.programs.count else { continue }
            let programFD = object.programs[programIndex].fd
            let offset = Int(info.kernelFunctionOffsets[member])
            guard offset + 8 <= value.count else { continue }
            let slot = Int64(programFD < 0 ? -Int64(ENOENT) : Int64(programFD))
            value.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(bitPattern: slot), toByteOffset: offset, as: UInt64.self) }
        }
        info.kernelValue = value
        structOps = info
        var key: UInt32 = 0
        let failure: BPFError? = value.withUnsafeBytes { bytes in
            do throws(BPFError) {
                try MapCommands.element(BPF_MAP_UPDATE_ELEM, fd: fd, key: &key, value: bytes.baseAddress, flags: 0)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return BPFLink(fd: fd, release: .structOps)
    }
}

/// Shell-style matching with '*' (any run) and '?' (any one character), as
/// kprobe.multi patterns use it.
func globMatches(_ text: UnsafePointer<CChar>, _ pattern: UnsafePointer<CChar>) -> Bool {
    var t = text
    var p = pattern
    var starPattern: UnsafePointer<CChar>?
    var starText = text
    let star = CChar(bitPattern: UInt8(ascii: "*"))
    let any = CChar(bitPattern: UInt8(ascii: "?"))
    while t.pointee != 0 {
        if p.pointee == star {
            starPattern = p
            p += 1
            starText = t
        } else if p.pointee != 0 && (p.pointee == any || p.pointee == t.pointee) {
            p += 1
            t += 1
        } else if let starPattern {
            // Let the last '*' swallow one more character and retry.
            p = starPattern + 1
            starText += 1
            t = starText
        } else {
            return false
        }
    }
    while p.pointee == star { p += 1 }
    return p.pointee == 0
}

import CBPF

// `bpf_object__load_progs`: helper calls the kernel lacks are rewritten, then
// every autoload entry-point program is loaded with its linked code, func/line
// info, attach target and the log rules of the reference (no log unless loading
// fails; then a log in the caller's buffer or in a growing library buffer that
// is printed). Also unloading and program pinning.

/// `BPF_LOG_BUF_SIZE`: the library's first verifier log buffer (16 MiB).
let libraryLogBufferSize = Int(UInt32.max >> 8)

/// `BPF_CORE_POISON`'s helper id ("invalid func unknown#195896080").
let corePoisonHelper: Int32 = 0xbad2310

extension BPFObject {
    func loadPrograms(extraLogLevel: UInt32) throws(BPFError) {
        for program in programs { sanitizeHelperCalls(program) }
        for program in programs where !program.isSubprogram {
            if !program.autoload {
                Log.debug("libbpf: prog '\(cString: program.name)': skipped loading\n")
                continue
            }
            program.logLevel |= extraLogLevel
            do throws(BPFError) {
                try load(program)
            } catch {
                Log.warn("libbpf: prog '\(cString: program.name)': failed to load: -\(error.code)\n")
                throw error
            }
        }
        for program in programs { program.relocations = [] }
    }

    /// `bpf_object__sanitize_prog`: bpf_probe_read_{kernel,user}[_str] become
    /// bpf_probe_read[_str] on kernels without them.
    func sanitizeHelperCalls(_ program: BPFProgram) {
        for i in 0..<program.instructions.count {
            guard let helper = program.instructions[i].helperCall else { continue }
            switch helper {
            case Int32(BPF_FUNC_probe_read_kernel.rawValue), Int32(BPF_FUNC_probe_read_user.rawValue):
                if !KernelFeatures.supports(.probeReadKernel) {
                    program.instructions[i].imm = Int32(BPF_FUNC_probe_read.rawValue)
                }
            case Int32(BPF_FUNC_probe_read_kernel_str.rawValue), Int32(BPF_FUNC_probe_read_user_str.rawValue):
                if !KernelFeatures.supports(.probeReadKernel) {
                    program.instructions[i].imm = Int32(BPF_FUNC_probe_read_str.rawValue)
                }
            default:
                break
            }
        }
    }

    /// `bpf_object_load_prog`.
    func load(_ program: BPFProgram) throws(BPFError) {
        if program.type == BPF_PROG_TYPE_UNSPEC.rawValue {
            Log.warn("libbpf: prog '\(cString: program.name)': missing BPF prog type, check ELF section name '\(cString: program.sectionName)'\n")
            throw .EINVAL
        }
        if program.instructions.isEmpty { throw .EINVAL }
        // Probed here, before the BTF and attach-type features, as the reference does.
        let sendName = KernelFeatures.supports(.programName)

        // Buffers the kernel reads while loading (func/line info, fd array), owned
        // here because the prepare callback may look at and replace the pointers.
        let funcInfo = CBuffer(program.funcInfo)
        let lineInfo = CBuffer(program.lineInfo)
        let fdArrayBuffer = CBuffer(fdArray)
        defer {
            funcInfo.free()
            lineInfo.free()
            fdArrayBuffer.free()
        }

        var opts = bpf_prog_load_opts()
        opts.sz = MemoryLayout<bpf_prog_load_opts>.size
        opts.expected_attach_type = bpf_attach_type(rawValue: program.expectedAttachType)
        opts.attach_prog_fd = UInt32(bitPattern: program.attachProgramFD)
        opts.attach_btf_obj_fd = UInt32(bitPattern: program.attachBTFObjectFD)
        opts.attach_btf_id = program.attachBTFID
        opts.kern_version = kernelVersion
        opts.prog_ifindex = program.ifindex
        if let btf, btf.fd >= 0, KernelFeatures.supports(.btfFunction) {
            opts.prog_btf_fd = UInt32(bitPattern: btf.fd)
            opts.func_info = UnsafeRawPointer(funcInfo.pointer)
            opts.func_info_rec_size = program.funcInfoRecordSize
            opts.func_info_cnt = program.funcInfoRecordSize == 0 ? 0 : UInt32(funcInfo.count) / program.funcInfoRecordSize
            opts.line_info = UnsafeRawPointer(lineInfo.pointer)
            opts.line_info_rec_size = program.lineInfoRecordSize
            opts.line_info_cnt = program.lineInfoRecordSize == 0 ? 0 : UInt32(lineInfo.count) / program.lineInfoRecordSize
        }
        opts.log_level = program.logLevel
        opts.prog_flags = program.flags
        opts.fd_array = fdArrayBuffer.pointer.map { UnsafePointer($0.assumingMemoryBound(to: Int32.self)) }

        if let definition = program.sectionDefinition {
            var result: Int32 = 0
            if definition.isBuiltin {
                result = prepareBuiltinLoad(program, &opts, definition.flags)
            } else if let prepare = definition.prepareLoadFn {
                typealias PrepareFunction = @convention(c) (OpaquePointer?, UnsafeMutablePointer<bpf_prog_load_opts>?, Int) -> Int32
                let function = unsafeBitCast(prepare, to: PrepareFunction.self)
                result = function(OpaquePointer(Unmanaged.passUnretained(program).toOpaque()), &opts, definition.cookie)
            }
            if result < 0 {
                Log.warn("libbpf: prog '\(cString: program.name)': failed to prepare load attributes: \(result)\n")
                throw BPFError(-result)
            }
        }

        var logLevel = program.logLevel
        var logBuffer: UnsafeMutablePointer<CChar>? = nil
        var logSize = 0
        var ownsLog = true
        var own: UnsafeMutablePointer<CChar>? = nil
        defer { own?.deallocate() }
        var failure: BPFError
        while true {
            if logLevel != 0 {
                if let buffer = program.logBuffer {
                    logBuffer = buffer
                    logSize = program.logSize
                    ownsLog = false
                } else if let buffer = self.logBuffer {
                    logBuffer = buffer
                    logSize = self.logSize
                    ownsLog = false
                } else {
                    logSize = max(libraryLogBufferSize, logSize * 2)
                    own?.deallocate()
                    own = UnsafeMutablePointer<CChar>.allocate(capacity: logSize)
                    own![0] = 0
                    logBuffer = own
                    ownsLog = true
                }
            }
            let result = program.instructions.withUnsafeBufferPointer { code -> Result<Int32, BPFError> in
                var attributes = ProgramLoadAttributes(type: program.type,
                                                       name: sendName ? UnsafePointer(program.name) : nil,
                                                       license: nil, instructions: UnsafeRawPointer(code.baseAddress),
                                                       instructionCount: code.count)
                attributes.attempts = opts.attempts
                attributes.expectedAttachType = opts.expected_attach_type.rawValue
                attributes.btfFD = opts.prog_btf_fd
                attributes.flags = opts.prog_flags
                attributes.ifindex = opts.prog_ifindex
                attributes.kernelVersion = opts.kern_version
                attributes.attachBTFID = opts.attach_btf_id
                attributes.attachProgramFD = opts.attach_prog_fd
                attributes.attachBTFObjectFD = opts.attach_btf_obj_fd
                attributes.fdArray = opts.fd_array.map { UnsafeRawPointer($0) }
                attributes.funcInfo = opts.func_info
                attributes.funcInfoCount = opts.func_info_cnt
                attributes.funcInfoRecordSize = opts.func_info_rec_size
                attributes.lineInfo = opts.line_info
                attributes.lineInfoCount = opts.line_info_cnt
                attributes.lineInfoRecordSize = opts.line_info_rec_size
                attributes.logLevel = logLevel
                attributes.logSize = UInt32(truncatingIfNeeded: logSize)
                attributes.logBuffer = logBuffer
                return license.withUnsafeBufferPointer { l -> Result<Int32, BPFError> in
                    attributes.license = l.baseAddress
                    ResourceLimits.bumpMemlockIfNeeded()
                    do throws(BPFError) {
                        return .success(try ProgramCommands.load(attributes))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            switch result {
            case .success(let fd):
                if logLevel != 0 && ownsLog, let logBuffer {
                    Log.debug("libbpf: prog '\(cString: program.name)': -- BEGIN PROG LOAD LOG --\n\(cString: logBuffer)-- END PROG LOAD LOG --\n")
                }
                bindReadOnlyData(to: fd, program)
                program.fd = fd
                return
            case .failure(let error):
                failure = error
            }
            if logLevel == 0 {
                logLevel = 1
                continue
            }
            if ownsLog && failure == .ENOSPC && logSize <= Int(UInt32.max / 2) { continue }
            break
        }
        if let logBuffer { fixupVerifierLog(program, logBuffer, logSize) }
        Log.warn("libbpf: prog '\(cString: program.name)': BPF program load failed: \(errorText(failure.code))\n")
        logPermissionHint(failure)
        if ownsLog, let logBuffer, logBuffer[0] != 0 {
            Log.warn("libbpf: prog '\(cString: program.name)': -- BEGIN PROG LOAD LOG --\n\(cString: logBuffer)-- END PROG LOAD LOG --\n")
        }
        throw failure
    }

    /// After a program loaded: `.rodata*` maps are bound to it so they live as
    /// long as it does even when no instruction refers to them.
    func bindReadOnlyData(to fd: Int32, _ program: BPFProgram) {
        if !hasRodata || !KernelFeatures.supports(.programBindMap) { return }
        for map in maps where map.kind == .rodata {
            do throws(BPFError) {
                try ProgramCommands.bindMap(programFD: fd, mapFD: map.fd, flags: 0)
            } catch {
                Log.warn("libbpf: prog '\(cString: program.name)': failed to bind map '\(cString: map.realName)': \(errorText(error.code))\n")
            }
        }
    }

    /// `libbpf_prepare_prog_load`: what the SEC() flags of a built-in definition
    /// mean at load, and the kernel BTF id of a tp_btf/fentry/fexit/fmod_ret/lsm/iter
    /// target named after the section's '/'.
    func prepareBuiltinLoad(_ program: BPFProgram, _ opts: inout bpf_prog_load_opts, _ flags: SectionFlags) -> Int32 {
        if flags.contains(.expectedAttachOptional) && !KernelFeatures.supports(.expectedAttachType) {
            opts.expected_attach_type = bpf_attach_type(rawValue: 0)
        }
        if flags.contains(.sleepable) { opts.prog_flags |= UInt32(BPF_F_SLEEPABLE) }
        if program.type == BPF_PROG_TYPE_XDP.rawValue && flags.contains(.xdpFrags) {
            opts.prog_flags |= UInt32(BPF_F_XDP_HAS_FRAGS)
        }
        if flags.contains(.attachBTF) && program.attachBTFID == 0 {
            guard let slash = strchr(program.sectionName, Int32(UInt8(ascii: "/"))) else {
                Log.warn("libbpf: prog '\(cString: program.name)': no BTF-based attach target is specified, use bpf_program__set_attach_target()\n")
                return -EINVAL
            }
            let attachName = UnsafePointer(slash + 1)
            var objectFD: Int32 = 0
            var typeID: Int32 = 0
            let error = findAttachBTFID(program, attachName, &objectFD, &typeID)
            if error != 0 { return error }
            program.attachBTFObjectFD = objectFD
            program.attachBTFID = UInt32(bitPattern: typeID)
            opts.attach_btf_obj_fd = UInt32(bitPattern: objectFD)
            opts.attach_btf_id = UInt32(bitPattern: typeID)
        }
        return 0
    }

    /// `libbpf_find_attach_btf_id`: in the target program's BTF (attach_prog_fd)
    /// or in the kernel's and its modules'.
    func findAttachBTFID(_ program: BPFProgram, _ name: UnsafePointer<CChar>, _ objectFD: inout Int32, _ typeID: inout Int32) -> Int32 {
        if program.attachProgramFD != 0 {
            let result = BPFObject.findProgramBTFID(name, program.attachProgramFD)
            if result < 0 {
                Log.warn("libbpf: prog '\(cString: program.name)': failed to find BPF program (FD \(program.attachProgramFD)) BTF ID for '\(cString: name)': \(result)\n")
                return result
            }
            objectFD = 0
            typeID = result
            return 0
        }
        let result = findKernelBTFID(name, program.expectedAttachType, &objectFD, &typeID)
        if result != 0 {
            Log.warn("libbpf: prog '\(cString: program.name)': failed to find kernel BTF type ID of '\(cString: name)': \(result)\n")
        }
        return result
    }

    /// `find_kernel_btf_id`: vmlinux first, then each module's BTF.
    func findKernelBTFID(_ name: UnsafePointer<CChar>, _ attachType: UInt32, _ objectFD: inout Int32, _ typeID: inout Int32) -> Int32 {
        var result = BPFObject.findAttachBTFID(vmlinuxBTF, name, attachType)
        if result > 0 {
            objectFD = 0
            typeID = result
            return 0
        }
        if result != -ENOENT { return result }
        do throws(BPFError) { try loadModuleBTFs() } catch { return -error.code }
        for module in moduleBTFs {
            result = BPFObject.findAttachBTFID(module.btf, name, attachType)
            if result > 0 {
                objectFD = module.fd
                typeID = result
                return 0
            }
            if result == -ENOENT { continue }
            return result
        }
        return -ESRCH
    }

    /// `find_attach_btf_id`: the type the attach type implies, by prefixed name
    /// ("btf_trace_" typedefs for tp_btf, "bpf_lsm_"/"bpf_iter_" functions, plain
    /// functions otherwise).
    static func findAttachBTFID(_ btf: BTF?, _ name: UnsafePointer<CChar>, _ attachType: UInt32) -> Int32 {
        let prefix: StaticString
        var kind = BTFKind.function
        switch bpf_attach_type(rawValue: attachType) {
        case BPF_TRACE_RAW_TP:
            prefix = "btf_trace_"
            kind = BTFKind.typedef
        case BPF_LSM_MAC:
            prefix = "bpf_lsm_"
        case BPF_TRACE_ITER:
            prefix = "bpf_iter_"
        default:
            prefix = ""
        }
        var full: [CChar] = []
        for i in 0..<prefix.utf8CodeUnitCount { full.append(CChar(bitPattern: prefix.utf8Start[i])) }
        var p = name
        while p.pointee != 0 { full.append(p.pointee); p += 1 }
        if full.count >= 128 { return -ENAMETOOLONG }
        full.append(0)
        guard let btf else { return -ENOENT }
        let id = full.withUnsafeBufferPointer { btf.find($0.baseAddress!, kind: kind) }
        return id.map { Int32(bitPattern: $0) } ?? -ENOENT
    }

    /// `libbpf_find_prog_btf_id`: `name` as a FUNC of the BTF of the loaded
    /// program `fd`.
    static func findProgramBTFID(_ name: UnsafePointer<CChar>, _ fd: Int32) -> Int32 {
        var info = bpf_prog_info()
        do throws(BPFError) {
            _ = try ObjectCommands.info(fd: fd, info: &info, length: UInt32(MemoryLayout<bpf_prog_info>.size))
        } catch {
            Log.warn("libbpf: failed bpf_obj_get_info_by_fd for FD \(fd): -\(error.code)\n")
            return -error.code
        }
        if info.btf_id == 0 {
            Log.warn("libbpf: The target program doesn't have BTF\n")
            return -EINVAL
        }
        let btf: BTF
        do throws(BPFError) {
            btf = try BTF.loadFromKernel(id: info.btf_id, base: nil)
        } catch {
            Log.warn("libbpf: Failed to get BTF \(info.btf_id) of the program: -\(error.code)\n")
            return -error.code
        }
        guard let id = btf.find(name, kind: BTFKind.function) else {
            Log.warn("libbpf: \(cString: name) is not found in prog's BTF\n")
            return -ENOENT
        }
        return Int32(bitPattern: id)
    }

    /// `fixup_verifier_log`: among the last lines, an "invalid func" of a poisoned
    /// instruction is replaced by what it means (an unused map, a failed CO-RE
    /// relocation).
    func fixupVerifierLog(_ program: BPFProgram, _ buffer: UnsafeMutablePointer<CChar>, _ size: Int) {
        let logSize = Int(strlen(buffer)) + 1
        var next = buffer + logSize - 1
        for _ in 0..<10 {
            guard let line = previousLine(buffer, next) else { return }
            defer { next = line }
            if hasPrefix(line, "invalid func unknown#195896080\n") {
                guard let previous = previousLine(buffer, line) else { continue }
                fixupFailedCORERelocation(program, buffer, size, logSize, previous, next)
                return
            }
            if hasPrefix(line, "invalid func unknown#2001000") {
                guard let previous = previousLine(buffer, line) else { continue }
                fixupMissingMapLoad(buffer, size, logSize, previous, next)
                return
            }
        }
    }

    func fixupMissingMapLoad(_ buffer: UnsafeMutablePointer<CChar>, _ size: Int, _ logSize: Int,
                             _ line: UnsafeMutablePointer<CChar>, _ end: UnsafeMutablePointer<CChar>) {
        // "123: (85) call unknown#2001000345": instruction 123, map 345
        guard let (instruction, helper) = parseCallLine(line), helper >= mapLoadPoisonBase else { return }
        let mapIndex = Int(helper - mapLoadPoisonBase)
        if mapIndex >= maps.count { return }
        let patch: LogText = "\(instruction): <invalid BPF map reference>\nBPF map '\(cString: maps[mapIndex].name)' is referenced but wasn't created\n"
        patchLog(buffer, size, logSize, line, end - line, patch.bytes, limit: 127)
    }

    func fixupFailedCORERelocation(_ program: BPFProgram, _ buffer: UnsafeMutablePointer<CChar>, _ size: Int, _ logSize: Int,
                                   _ line: UnsafeMutablePointer<CChar>, _ end: UnsafeMutablePointer<CChar>) {
        guard let (instruction, helper) = parseCallLine(line), helper == corePoisonHelper else { return }
        guard let spec = describeFailedCORERelocation(program, instruction: Int(instruction)) else { return }
        var specBytes = spec
        var ellipsis = false
        if specBytes.count >= 256 {
            specBytes = Array(specBytes[0..<255])
            ellipsis = true
        }
        var patch: LogText = "\(instruction): <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation "
        patch.bytes.append(contentsOf: specBytes)
        if ellipsis { patch.bytes.append(contentsOf: [46, 46, 46]) }
        patch.bytes.append(10)
        patchLog(buffer, size, logSize, line, end - line, patch.bytes, limit: 511)
    }

    /// The CO-RE relocation spec text (`bpf_core_format_spec`) of the relocation
    /// recorded for `instruction` of the linked program, if the CO-RE engine can
    /// describe it.
    func describeFailedCORERelocation(_ program: BPFProgram, instruction: Int) -> [UInt8]? {
        formattedCORESpec(program: program, instruction: instruction)  // CORE/CORERelocator.swift
    }

    /// sscanf("%d: (%*d) call unknown#%d\n").
    func parseCallLine(_ line: UnsafeMutablePointer<CChar>) -> (Int32, Int32)? {
        var p = UnsafePointer(line)
        func number(_ p: inout UnsafePointer<CChar>) -> Int32? {
            var negative = false
            while p.pointee == 32 || p.pointee == 9 || p.pointee == 10 { p += 1 }
            if p.pointee == 45 { negative = true; p += 1 } else if p.pointee == 43 { p += 1 }
            var value: Int64 = 0
            var digits = 0
            while p.pointee >= 48 && p.pointee <= 57 {
                value = value * 10 + Int64(p.pointee - 48)
                if value > Int64(UInt32.max) { value = Int64(UInt32.max) }
                p += 1
                digits += 1
            }
            if digits == 0 { return nil }
            return Int32(truncatingIfNeeded: negative ? -value : value)
        }
        func literal(_ p: inout UnsafePointer<CChar>, _ text: StaticString) -> Bool {
            for i in 0..<text.utf8CodeUnitCount {
                let c = CChar(bitPattern: text.utf8Start[i])
                if c == 32 {
                    while p.pointee == 32 || p.pointee == 9 || p.pointee == 10 { p += 1 }
                    continue
                }
                if p.pointee != c { return false }
                p += 1
            }
            return true
        }
        guard let instruction = number(&p), literal(&p, ": ("), number(&p) != nil,
              literal(&p, ") call unknown#"), let helper = number(&p) else { return nil }
        return (instruction, helper)
    }

    func previousLine(_ buffer: UnsafeMutablePointer<CChar>, _ current: UnsafeMutablePointer<CChar>) -> UnsafeMutablePointer<CChar>? {
        if current == buffer { return nil }
        var p = current - 1
        while p - 1 >= buffer && (p - 1).pointee != 10 { p -= 1 }
        return p
    }

    func hasPrefix(_ s: UnsafeMutablePointer<CChar>, _ prefix: StaticString) -> Bool {
        strncmp(s, UnsafeRawPointer(prefix.utf8Start).assumingMemoryBound(to: CChar.self), prefix.utf8CodeUnitCount) == 0
    }

    /// `patch_log`: replaces `originalSize` bytes at `original` by `patch`
    /// (snprintf-truncated to `limit`), shifting the rest of the log and cutting
    /// it where the buffer ends.
    func patchLog(_ buffer: UnsafeMutablePointer<CChar>, _ bufferSize: Int, _ logSize: Int,
                  _ original: UnsafeMutablePointer<CChar>, _ originalSize: Int, _ patchBytes: [UInt8], limit: Int) {
        var patch = patchBytes
        if patch.count > limit { patch = Array(patch[0..<limit]) }
        var remaining = (buffer + logSize) - (original + originalSize)
        var patchSize = patch.count
        if patchSize != originalSize {
            if patchSize > originalSize {
                if original + patchSize >= buffer + bufferSize {
                    patchSize -= (original + patchSize) - (buffer + bufferSize) + 1
                    remaining = 0
                } else if patchSize - originalSize > bufferSize - logSize {
                    remaining -= (patchSize - originalSize) - (bufferSize - logSize)
                }
            }
            memmove(original + patchSize, original + originalSize, remaining)
        }
        patch.withUnsafeBytes { _ = memcpy(original, $0.baseAddress!, patchSize) }
    }

    /// `bpf_object_unload`: every map and program fd closed.
    func unload() {
        for map in maps {
            map.closeFD()
            if map.structOps != nil { map.structOps!.kernelValue = nil }
        }
        for program in programs { program.unload() }
    }

    // MARK: - bpf_object__pin_programs / unpin_programs

    public func pinPrograms(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        if !loaded {
            Log.warn("libbpf: object not yet loaded; load it first\n")
            throw .ENOENT
        }
        var index: Int? = nil
        while let program = nextProgram(after: index) {
            index = program.index
            do throws(BPFError) {
                let pinPath = try BPFObject.pinPathName(path, program.name, sanitize: false)
                try pinPath.withUnsafeBufferPointer { (p) throws(BPFError) in try program.pin(p.baseAddress!) }
            } catch {
                var back: Int? = program.index
                while let previous = previousProgram(before: back) {
                    back = previous.index
                    guard let pinPath = try? BPFObject.pinPathName(path, previous.name, sanitize: false) else { continue }
                    pinPath.withUnsafeBufferPointer { p in _ = try? previous.unpin(p.baseAddress!) }
                }
                throw error
            }
        }
    }

    public func unpinPrograms(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        var index: Int? = nil
        while let program = nextProgram(after: index) {
            index = program.index
            let pinPath = try BPFObject.pinPathName(path, program.name, sanitize: false)
            try pinPath.withUnsafeBufferPointer { (p) throws(BPFError) in try program.unpin(p.baseAddress!) }
        }
    }

    /// `bpf_object__pin`: maps, then programs (maps unpinned again if that fails).
    public func pin(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        try pinMaps(path)
        do throws(BPFError) {
            try pinPrograms(path)
        } catch {
            _ = try? unpinMaps(path)
            throw error
        }
    }
}

extension BPFProgram {
    /// `bpf_program__unload`.
    public func unload() {
        if fd >= 0 { _ = close(fd) }
        fd = -1
        funcInfo = nil
        lineInfo = nil
    }

    /// `bpf_program__pin`.
    public func pin(_ path: UnsafePointer<CChar>) throws(BPFError) {
        if fd < 0 {
            Log.warn("libbpf: prog '\(cString: name)': can't pin program that wasn't loaded\n")
            throw .EINVAL
        }
        try makeParentDirectory(path)
        try checkBPFFSPath(path)
        do {
            try ObjectCommands.pin(fd: fd, path: path)
        } catch {
            Log.warn("libbpf: prog '\(cString: name)': failed to pin at '\(cString: path)': \(errorText(error.code))\n")
            throw error
        }
        Log.debug("libbpf: prog '\(cString: name)': pinned at '\(cString: path)'\n")
    }

    /// `bpf_program__unpin`.
    public func unpin(_ path: UnsafePointer<CChar>) throws(BPFError) {
        if fd < 0 {
            Log.warn("libbpf: prog '\(cString: name)': can't unpin program that wasn't loaded\n")
            throw .EINVAL
        }
        try checkBPFFSPath(path)
        if unlink(path) != 0 { throw BPFError.lastErrno() }
        Log.debug("libbpf: prog '\(cString: name)': unpinned from '\(cString: path)'\n")
    }
}

/// A malloc'ed copy of an array's bytes (nil and 0 when there is none or it is
/// empty), for pointers handed to C that must outlive Swift's array accessors.
struct CBuffer {
    var pointer: UnsafeMutableRawPointer?
    var count: Int

    init<T>(_ array: [T]?) {
        guard let array, !array.isEmpty else {
            pointer = nil
            count = 0
            return
        }
        count = array.count * MemoryLayout<T>.stride
        pointer = malloc(count)
        array.withUnsafeBytes { pointer!.copyMemory(from: $0.baseAddress!, byteCount: count) }
    }

    func free() { if let pointer { CBPF.free(pointer) } }
}

import CBPF

/// What BPF_PROG_LOAD needs (the arguments and `bpf_prog_load_opts` of bpf_prog_load).
public struct ProgramLoadAttributes {
    public var type: UInt32
    public var name: UnsafePointer<CChar>?
    public var license: UnsafePointer<CChar>?
    public var instructions: UnsafeRawPointer?
    public var instructionCount: Int
    /// 0 means the default (5); negative is invalid.
    public var attempts: Int32 = 0
    public var expectedAttachType: UInt32 = 0
    public var btfFD: UInt32 = 0
    public var flags: UInt32 = 0
    public var ifindex: UInt32 = 0
    public var kernelVersion: UInt32 = 0
    public var attachBTFID: UInt32 = 0
    public var attachProgramFD: UInt32 = 0
    public var attachBTFObjectFD: UInt32 = 0
    public var fdArray: UnsafeRawPointer?
    public var funcInfo: UnsafeRawPointer?
    public var funcInfoCount: UInt32 = 0
    public var funcInfoRecordSize: UInt32 = 0
    public var lineInfo: UnsafeRawPointer?
    public var lineInfoCount: UInt32 = 0
    public var lineInfoRecordSize: UInt32 = 0
    public var logLevel: UInt32 = 0
    public var logSize: UInt32 = 0
    public var logBuffer: UnsafeMutablePointer<CChar>?

    public init(type: UInt32, name: UnsafePointer<CChar>?, license: UnsafePointer<CChar>?,
                instructions: UnsafeRawPointer?, instructionCount: Int) {
        self.type = type
        self.name = name
        self.license = license
        self.instructions = instructions
        self.instructionCount = instructionCount
    }
}

/// The options and results of BPF_PROG_TEST_RUN (`bpf_test_run_opts`).
public struct TestRunAttributes {
    public var dataIn: UnsafeRawPointer?
    public var dataOut: UnsafeMutableRawPointer?
    public var dataSizeIn: UInt32 = 0
    public var dataSizeOut: UInt32 = 0
    public var contextIn: UnsafeRawPointer?
    public var contextOut: UnsafeMutableRawPointer?
    public var contextSizeIn: UInt32 = 0
    public var contextSizeOut: UInt32 = 0
    public var returnValue: UInt32 = 0
    public var repeatCount: Int32 = 0
    public var duration: UInt32 = 0
    public var flags: UInt32 = 0
    public var cpu: UInt32 = 0
    public var batchSize: UInt32 = 0
    public init() {}
}

/// Program commands: load, attach/detach to cgroups and other targets, query,
/// test run, bind map.
public enum ProgramCommands {
    /// The verifier log levels a caller may ask for: 1 (basic), 2 (verbose), 4 (stats).
    static let validLogLevels: UInt32 = 1 | 2 | 4

    /// BPF_PROG_LOAD with the reference's checks and retries; returns the program fd.
    ///
    /// A log buffer with log level 0 means "no log unless loading fails": the load is
    /// then retried once with level 1 so the caller gets the verifier's reasons.
    public static func load(_ p: ProgramLoadAttributes) throws(BPFError) -> Int32 {
        if p.attempts < 0 { throw .EINVAL }
        let attempts = p.attempts == 0 ? BPFSyscall.programLoadAttempts : p.attempts

        var attr = bpf_attr()
        attr.prog_type = p.type
        attr.expected_attach_type = p.expectedAttachType
        attr.prog_btf_fd = p.btfFD
        attr.prog_flags = p.flags
        attr.prog_ifindex = p.ifindex
        attr.kern_version = p.kernelVersion
        if let name = p.name, KernelFeatures.supports(.programName) {
            copyName(name, into: &attr.prog_name)
        }
        attr.license = BPFSyscall.address(p.license)
        if p.instructionCount > Int(UInt32.max) { throw .E2BIG }
        attr.insns = BPFSyscall.address(p.instructions)
        attr.insn_cnt = UInt32(truncatingIfNeeded: p.instructionCount)

        if p.attachProgramFD != 0 && p.attachBTFObjectFD != 0 { throw .EINVAL }
        attr.attach_btf_id = p.attachBTFID
        if p.attachProgramFD != 0 {
            attr.attach_prog_fd = p.attachProgramFD
        } else {
            attr.attach_btf_obj_fd = p.attachBTFObjectFD
        }

        // A buffer needs a size and a size needs a buffer; a level needs a buffer.
        if (p.logBuffer == nil) != (p.logSize == 0) { throw .EINVAL }
        if p.logLevel & ~validLogLevels != 0 { throw .EINVAL }
        if p.logLevel != 0 && p.logBuffer == nil { throw .EINVAL }

        attr.func_info_rec_size = p.funcInfoRecordSize
        attr.func_info = BPFSyscall.address(p.funcInfo)
        attr.func_info_cnt = p.funcInfoCount
        attr.line_info_rec_size = p.lineInfoRecordSize
        attr.line_info = BPFSyscall.address(p.lineInfo)
        attr.line_info_cnt = p.lineInfoCount
        attr.fd_array = BPFSyscall.address(p.fdArray)
        if p.logLevel != 0 {
            attr.log_buf = BPFSyscall.address(p.logBuffer)
            attr.log_size = p.logSize
            attr.log_level = p.logLevel
        }

        var lastError: BPFError
        do {
            return try BPFSyscall.loadProgram(&attr, size: SBPF_ATTR_PROG_LOAD, attempts: attempts)
        } catch {
            lastError = error
        }

        // E2BIG with func/line info: the kernel wrote back the record size it
        // understands. If ours are larger, retry once per kind with the bytes it
        // does not know zeroed (the kernel requires them zero).
        var zeroedFuncInfo: [UInt8]? = nil
        var zeroedLineInfo: [UInt8]? = nil
        retry: while lastError == .E2BIG && (zeroedFuncInfo == nil || zeroedLineInfo == nil) {
            if zeroedFuncInfo == nil, attr.func_info_cnt != 0, attr.func_info_rec_size < p.funcInfoRecordSize {
                zeroedFuncInfo = zeroingTails(of: p.funcInfo, count: attr.func_info_cnt,
                                              recordSize: p.funcInfoRecordSize, knownSize: attr.func_info_rec_size)
                attr.func_info_rec_size = p.funcInfoRecordSize
            } else if zeroedLineInfo == nil, attr.line_info_cnt != 0, attr.line_info_rec_size < p.lineInfoRecordSize {
                zeroedLineInfo = zeroingTails(of: p.lineInfo, count: attr.line_info_cnt,
                                              recordSize: p.lineInfoRecordSize, knownSize: attr.line_info_rec_size)
                attr.line_info_rec_size = p.lineInfoRecordSize
            } else {
                break retry
            }
            let result: Int32? = withAddresses(&zeroedFuncInfo, &zeroedLineInfo, in: &attr) { (attr: inout bpf_attr) -> Int32? in
                do throws(BPFError) {
                    return try BPFSyscall.loadProgram(&attr, size: SBPF_ATTR_PROG_LOAD, attempts: attempts)
                } catch {
                    lastError = error
                    return nil
                }
            }
            if let result { return result }
        }

        if p.logLevel == 0, let buffer = p.logBuffer {
            attr.log_buf = BPFSyscall.address(buffer)
            attr.log_size = p.logSize
            attr.log_level = 1
            let result: Int32? = withAddresses(&zeroedFuncInfo, &zeroedLineInfo, in: &attr) { (attr: inout bpf_attr) -> Int32? in
                do throws(BPFError) {
                    return try BPFSyscall.loadProgram(&attr, size: SBPF_ATTR_PROG_LOAD, attempts: attempts)
                } catch {
                    lastError = error
                    return nil
                }
            }
            if let result { return result }
        }
        throw lastError
    }

    /// Copies `count` records of `recordSize` bytes, zeroing each record past `knownSize`.
    static func zeroingTails(of records: UnsafeRawPointer?, count: UInt32, recordSize: UInt32, knownSize: UInt32) -> [UInt8] {
        var copy = [UInt8](repeating: 0, count: Int(count) * Int(recordSize))
        guard let records else { return copy }
        copy.withUnsafeMutableBytes { out in
            for i in 0..<Int(count) {
                let base = i * Int(recordSize)
                out.baseAddress!.advanced(by: base).copyMemory(from: records.advanced(by: base), byteCount: Int(knownSize))
            }
        }
        return copy
    }

    /// Points attr's func/line info at the zero-tailed copies (when made) for the
    /// duration of `body`.
    static func withAddresses(_ funcInfo: inout [UInt8]?, _ lineInfo: inout [UInt8]?, in attr: inout bpf_attr,
                              _ body: (inout bpf_attr) -> Int32?) -> Int32? {
        func withOptional(_ bytes: inout [UInt8]?, _ inner: (UInt64?) -> Int32?) -> Int32? {
            guard bytes != nil else { return inner(nil) }
            return bytes!.withUnsafeMutableBytes { inner(BPFSyscall.address($0.baseAddress)) }
        }
        return withOptional(&funcInfo) { funcAddress in
            withOptional(&lineInfo) { lineAddress in
                if let funcAddress { attr.func_info = funcAddress }
                if let lineAddress { attr.line_info = lineAddress }
                return body(&attr)
            }
        }
    }

    /// BPF_PROG_ATTACH of `programFD` to `targetFD` (a cgroup, a sockmap, ...).
    public static func attach(programFD: Int32, targetFD: Int32, type: UInt32, flags: UInt32, replaceProgramFD: Int32) throws(BPFError) {
        var attr = bpf_attr()
        attr.target_fd = UInt32(bitPattern: targetFD)
        attr.attach_bpf_fd = UInt32(bitPattern: programFD)
        attr.attach_type = type
        attr.attach_flags = flags
        attr.replace_bpf_fd = UInt32(bitPattern: replaceProgramFD)
        _ = try BPFSyscall.run(BPF_PROG_ATTACH, &attr, size: SBPF_ATTR_PROG_ATTACH)
    }

    /// BPF_PROG_DETACH; `programFD` 0 detaches whatever single program is attached.
    public static func detach(programFD: Int32, targetFD: Int32, type: UInt32) throws(BPFError) {
        var attr = bpf_attr()
        attr.target_fd = UInt32(bitPattern: targetFD)
        attr.attach_bpf_fd = UInt32(bitPattern: programFD)
        attr.attach_type = type
        _ = try BPFSyscall.run(BPF_PROG_DETACH, &attr, size: SBPF_ATTR_PROG_ATTACH)
    }

    /// BPF_PROG_QUERY. `count` is the capacity of `ids` in and the number attached out;
    /// both outputs are written even when the kernel fails (ENOSPC still reports the count).
    public static func query(targetFD: Int32, type: UInt32, queryFlags: UInt32, ids: UnsafeMutablePointer<UInt32>?,
                             attachFlagsArray: UnsafeMutablePointer<UInt32>?, count: inout UInt32,
                             attachFlags: inout UInt32) throws(BPFError) {
        var attr = bpf_attr()
        attr.query.target_fd = UInt32(bitPattern: targetFD)
        attr.query.attach_type = type
        attr.query.query_flags = queryFlags
        attr.query.prog_cnt = count
        attr.query.prog_ids = BPFSyscall.address(ids)
        attr.query.prog_attach_flags = BPFSyscall.address(attachFlagsArray)
        defer {
            attachFlags = attr.query.attach_flags
            count = attr.query.prog_cnt
        }
        _ = try BPFSyscall.run(BPF_PROG_QUERY, &attr, size: SBPF_ATTR_QUERY)
    }

    /// BPF_PROG_TEST_RUN; the outputs (sizes, duration, return value) are written back
    /// into `run` whether or not the kernel succeeded.
    public static func testRun(programFD: Int32, _ run: inout TestRunAttributes) throws(BPFError) {
        var attr = bpf_attr()
        attr.test.prog_fd = UInt32(bitPattern: programFD)
        attr.test.batch_size = run.batchSize
        attr.test.cpu = run.cpu
        attr.test.flags = run.flags
        attr.test.repeat = UInt32(bitPattern: run.repeatCount)
        attr.test.duration = run.duration
        attr.test.ctx_size_in = run.contextSizeIn
        attr.test.ctx_size_out = run.contextSizeOut
        attr.test.data_size_in = run.dataSizeIn
        attr.test.data_size_out = run.dataSizeOut
        attr.test.ctx_in = BPFSyscall.address(run.contextIn)
        attr.test.ctx_out = BPFSyscall.address(run.contextOut)
        attr.test.data_in = BPFSyscall.address(run.dataIn)
        attr.test.data_out = BPFSyscall.address(run.dataOut)
        defer {
            run.dataSizeOut = attr.test.data_size_out
            run.contextSizeOut = attr.test.ctx_size_out
            run.duration = attr.test.duration
            run.returnValue = attr.test.retval
        }
        _ = try BPFSyscall.run(BPF_PROG_TEST_RUN, &attr, size: SBPF_ATTR_TEST_RUN)
    }

    /// BPF_PROG_BIND_MAP: keeps `mapFD`'s map alive as long as the program.
    public static func bindMap(programFD: Int32, mapFD: Int32, flags: UInt32) throws(BPFError) {
        var attr = bpf_attr()
        attr.prog_bind_map.prog_fd = UInt32(bitPattern: programFD)
        attr.prog_bind_map.map_fd = UInt32(bitPattern: mapFD)
        attr.prog_bind_map.flags = flags
        _ = try BPFSyscall.run(BPF_PROG_BIND_MAP, &attr, size: SBPF_ATTR_PROG_BIND_MAP)
    }
}

/// BPF_BTF_LOAD.
public enum BTFCommands {
    /// Loads raw BTF; like program loading, a buffer with level 0 means "log only on
    /// failure", done by retrying once with level 1.
    public static func load(data: UnsafeRawPointer?, size: UInt32, logBuffer: UnsafeMutablePointer<CChar>?,
                            logSize: UInt32, logLevel: UInt32) throws(BPFError) -> Int32 {
        if logSize != 0 && logBuffer == nil { throw .EINVAL }
        var attr = bpf_attr()
        attr.btf = BPFSyscall.address(data)
        attr.btf_size = size
        if logLevel != 0 {
            attr.btf_log_buf = BPFSyscall.address(logBuffer)
            attr.btf_log_size = logSize
            attr.btf_log_level = logLevel
        }
        do {
            return try BPFSyscall.runReturningFD(BPF_BTF_LOAD, &attr, size: SBPF_ATTR_BTF_LOAD)
        } catch {
            guard let logBuffer, logLevel == 0 else { throw error }
            attr.btf_log_buf = BPFSyscall.address(logBuffer)
            attr.btf_log_size = logSize
            attr.btf_log_level = 1
            return try BPFSyscall.runReturningFD(BPF_BTF_LOAD, &attr, size: SBPF_ATTR_BTF_LOAD)
        }
    }
}

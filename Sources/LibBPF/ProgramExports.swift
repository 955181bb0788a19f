import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// bpf.h: program and BTF loading, attach/detach, query, test run, bind map.

@_cdecl("bpf_prog_load")
public func abi_bpf_prog_load(_ prog_type: bpf_prog_type, _ prog_name: UnsafePointer<CChar>?, _ license: UnsafePointer<CChar>?, _ insns: UnsafePointer<bpf_insn>?, _ insn_cnt: Int, _ opts: UnsafePointer<bpf_prog_load_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        ResourceLimits.bumpMemlockIfNeeded()
        try Opts.validate(opts, SBPF_OPTS_bpf_prog_load_opts, "bpf_prog_load_opts")
        typealias O = MemoryLayout<bpf_prog_load_opts>
        var p = ProgramLoadAttributes(type: prog_type.rawValue, name: prog_name, license: license,
                                      instructions: insns, instructionCount: insn_cnt)
        p.attempts = Opts.get(opts, O.offset(of: \.attempts), 0)
        p.expectedAttachType = Opts.get(opts, O.offset(of: \.expected_attach_type), bpf_attach_type(rawValue: 0)).rawValue
        p.btfFD = Opts.get(opts, O.offset(of: \.prog_btf_fd), 0)
        p.flags = Opts.get(opts, O.offset(of: \.prog_flags), 0)
        p.ifindex = Opts.get(opts, O.offset(of: \.prog_ifindex), 0)
        p.kernelVersion = Opts.get(opts, O.offset(of: \.kern_version), 0)
        p.attachBTFID = Opts.get(opts, O.offset(of: \.attach_btf_id), 0)
        p.attachProgramFD = Opts.get(opts, O.offset(of: \.attach_prog_fd), 0)
        p.attachBTFObjectFD = Opts.get(opts, O.offset(of: \.attach_btf_obj_fd), 0)
        p.fdArray = Opts.get(opts, O.offset(of: \.fd_array), nil as UnsafePointer<Int32>?).map(UnsafeRawPointer.init)
        p.funcInfo = Opts.get(opts, O.offset(of: \.func_info), nil as UnsafeRawPointer?)
        p.funcInfoCount = Opts.get(opts, O.offset(of: \.func_info_cnt), 0)
        p.funcInfoRecordSize = Opts.get(opts, O.offset(of: \.func_info_rec_size), 0)
        p.lineInfo = Opts.get(opts, O.offset(of: \.line_info), nil as UnsafeRawPointer?)
        p.lineInfoCount = Opts.get(opts, O.offset(of: \.line_info_cnt), 0)
        p.lineInfoRecordSize = Opts.get(opts, O.offset(of: \.line_info_rec_size), 0)
        p.logLevel = Opts.get(opts, O.offset(of: \.log_level), 0)
        p.logSize = Opts.get(opts, O.offset(of: \.log_size), 0)
        p.logBuffer = Opts.get(opts, O.offset(of: \.log_buf), nil as UnsafeMutablePointer<CChar>?)
        return try ProgramCommands.load(p)
    }
}

@_cdecl("bpf_btf_load")
public func abi_bpf_btf_load(_ btf_data: UnsafeRawPointer?, _ btf_size: Int, _ opts: UnsafePointer<bpf_btf_load_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        ResourceLimits.bumpMemlockIfNeeded()
        try Opts.validate(opts, SBPF_OPTS_bpf_btf_load_opts, "bpf_btf_load_opts")
        typealias O = MemoryLayout<bpf_btf_load_opts>
        return try BTFCommands.load(data: btf_data, size: UInt32(truncatingIfNeeded: btf_size),
                                    logBuffer: Opts.get(opts, O.offset(of: \.log_buf), nil as UnsafeMutablePointer<CChar>?),
                                    logSize: Opts.get(opts, O.offset(of: \.log_size), 0),
                                    logLevel: Opts.get(opts, O.offset(of: \.log_level), 0))
    }
}

@_cdecl("bpf_prog_attach")
public func abi_bpf_prog_attach(_ prog_fd: Int32, _ attachable_fd: Int32, _ type: bpf_attach_type, _ flags: UInt32) -> Int32 {
    cResult { () throws(BPFError) in
        try ProgramCommands.attach(programFD: prog_fd, targetFD: attachable_fd, type: type.rawValue, flags: flags, replaceProgramFD: 0)
        return 0
    }
}

@_cdecl("bpf_prog_attach_opts")
public func abi_bpf_prog_attach_opts(_ prog_fd: Int32, _ attachable_fd: Int32, _ type: bpf_attach_type, _ opts: UnsafePointer<bpf_prog_attach_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_prog_attach_opts, "bpf_prog_attach_opts")
        typealias O = MemoryLayout<bpf_prog_attach_opts>
        try ProgramCommands.attach(programFD: prog_fd, targetFD: attachable_fd, type: type.rawValue,
                                   flags: Opts.get(opts, O.offset(of: \.flags), 0),
                                   replaceProgramFD: Opts.get(opts, O.offset(of: \.replace_prog_fd), 0))
        return 0
    }
}

@_cdecl("bpf_prog_detach")
public func abi_bpf_prog_detach(_ attachable_fd: Int32, _ type: bpf_attach_type) -> Int32 {
    cResult { () throws(BPFError) in
        try ProgramCommands.detach(programFD: 0, targetFD: attachable_fd, type: type.rawValue)
        return 0
    }
}

@_cdecl("bpf_prog_detach2")
public func abi_bpf_prog_detach2(_ prog_fd: Int32, _ attachable_fd: Int32, _ type: bpf_attach_type) -> Int32 {
    cResult { () throws(BPFError) in
        try ProgramCommands.detach(programFD: prog_fd, targetFD: attachable_fd, type: type.rawValue)
        return 0
    }
}

@_cdecl("bpf_prog_query_opts")
public func abi_bpf_prog_query_opts(_ target_fd: Int32, _ type: bpf_attach_type, _ opts: UnsafeMutablePointer<bpf_prog_query_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_prog_query_opts, "bpf_prog_query_opts")
        typealias O = MemoryLayout<bpf_prog_query_opts>
        let input = UnsafePointer(opts)
        var count: UInt32 = Opts.get(input, O.offset(of: \.prog_cnt), 0)
        var attachFlags: UInt32 = 0
        defer {
            Opts.set(opts, O.offset(of: \.attach_flags), attachFlags)
            Opts.set(opts, O.offset(of: \.prog_cnt), count)
        }
        try ProgramCommands.query(targetFD: target_fd, type: type.rawValue,
                                  queryFlags: Opts.get(input, O.offset(of: \.query_flags), 0),
                                  ids: Opts.get(input, O.offset(of: \.prog_ids), nil as UnsafeMutablePointer<UInt32>?),
                                  attachFlagsArray: Opts.get(input, O.offset(of: \.prog_attach_flags), nil as UnsafeMutablePointer<UInt32>?),
                                  count: &count, attachFlags: &attachFlags)
        return 0
    }
}

/// The pre-opts query. The reference dereferences `prog_cnt` unconditionally (NULL
/// crashes it); we answer EINVAL instead.
@_cdecl("bpf_prog_query")
public func abi_bpf_prog_query(_ target_fd: Int32, _ type: bpf_attach_type, _ query_flags: UInt32, _ attach_flags: UnsafeMutablePointer<UInt32>?, _ prog_ids: UnsafeMutablePointer<UInt32>?, _ prog_cnt: UnsafeMutablePointer<UInt32>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let prog_cnt else { throw .EINVAL }
        var flags: UInt32 = 0
        defer { attach_flags?.pointee = flags }
        try ProgramCommands.query(targetFD: target_fd, type: type.rawValue, queryFlags: query_flags, ids: prog_ids,
                                  attachFlagsArray: nil, count: &prog_cnt.pointee, attachFlags: &flags)
        return 0
    }
}

@_cdecl("bpf_prog_test_run_opts")
public func abi_bpf_prog_test_run_opts(_ prog_fd: Int32, _ opts: UnsafeMutablePointer<bpf_test_run_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_test_run_opts, "bpf_test_run_opts")
        typealias O = MemoryLayout<bpf_test_run_opts>
        let input = UnsafePointer(opts)
        var run = TestRunAttributes()
        run.batchSize = Opts.get(input, O.offset(of: \.batch_size), 0)
        run.cpu = Opts.get(input, O.offset(of: \.cpu), 0)
        run.flags = Opts.get(input, O.offset(of: \.flags), 0)
        run.repeatCount = Opts.get(input, O.offset(of: \.repeat), 0)
        run.duration = Opts.get(input, O.offset(of: \.duration), 0)
        run.contextSizeIn = Opts.get(input, O.offset(of: \.ctx_size_in), 0)
        run.contextSizeOut = Opts.get(input, O.offset(of: \.ctx_size_out), 0)
        run.dataSizeIn = Opts.get(input, O.offset(of: \.data_size_in), 0)
        run.dataSizeOut = Opts.get(input, O.offset(of: \.data_size_out), 0)
        run.contextIn = Opts.get(input, O.offset(of: \.ctx_in), nil as UnsafeRawPointer?)
        run.contextOut = Opts.get(input, O.offset(of: \.ctx_out), nil as UnsafeMutableRawPointer?)
        run.dataIn = Opts.get(input, O.offset(of: \.data_in), nil as UnsafeRawPointer?)
        run.dataOut = Opts.get(input, O.offset(of: \.data_out), nil as UnsafeMutableRawPointer?)
        defer {
            Opts.set(opts, O.offset(of: \.data_size_out), run.dataSizeOut)
            Opts.set(opts, O.offset(of: \.ctx_size_out), run.contextSizeOut)
            Opts.set(opts, O.offset(of: \.duration), run.duration)
            Opts.set(opts, O.offset(of: \.retval), run.returnValue)
        }
        try ProgramCommands.testRun(programFD: prog_fd, &run)
        return 0
    }
}

@_cdecl("bpf_prog_bind_map")
public func abi_bpf_prog_bind_map(_ prog_fd: Int32, _ map_fd: Int32, _ opts: UnsafePointer<bpf_prog_bind_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_prog_bind_opts, "bpf_prog_bind_opts")
        typealias O = MemoryLayout<bpf_prog_bind_opts>
        try ProgramCommands.bindMap(programFD: prog_fd, mapFD: map_fd, flags: Opts.get(opts, O.offset(of: \.flags), 0))
        return 0
    }
}

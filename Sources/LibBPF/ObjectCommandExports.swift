import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// bpf.h: commands on any BPF object: pinning, ids, fds by id, object info, stats,
// task fd query.

@_cdecl("bpf_obj_pin")
public func abi_bpf_obj_pin(_ fd: Int32, _ pathname: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        try ObjectCommands.pin(fd: fd, path: pathname)
        return 0
    }
}

@_cdecl("bpf_obj_get")
public func abi_bpf_obj_get(_ pathname: UnsafePointer<CChar>?) -> Int32 {
    abi_bpf_obj_get_opts(pathname, nil)
}

@_cdecl("bpf_obj_get_opts")
public func abi_bpf_obj_get_opts(_ pathname: UnsafePointer<CChar>?, _ opts: UnsafePointer<bpf_obj_get_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_obj_get_opts, "bpf_obj_get_opts")
        typealias O = MemoryLayout<bpf_obj_get_opts>
        return try ObjectCommands.get(path: pathname, fileFlags: Opts.get(opts, O.offset(of: \.file_flags), 0))
    }
}

/// get_next_id for every kind. The reference writes `next_id` only on success (and
/// crashes on NULL there); we answer EINVAL for NULL.
func nextID(_ kind: ObjectKind, _ start: UInt32, _ next: UnsafeMutablePointer<UInt32>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let next else { throw .EINVAL }
        next.pointee = try ObjectCommands.nextID(kind, after: start)
        return 0
    }
}

@_cdecl("bpf_prog_get_next_id")
public func abi_bpf_prog_get_next_id(_ start_id: UInt32, _ next_id: UnsafeMutablePointer<UInt32>?) -> Int32 { nextID(.program, start_id, next_id) }

@_cdecl("bpf_map_get_next_id")
public func abi_bpf_map_get_next_id(_ start_id: UInt32, _ next_id: UnsafeMutablePointer<UInt32>?) -> Int32 { nextID(.map, start_id, next_id) }

@_cdecl("bpf_btf_get_next_id")
public func abi_bpf_btf_get_next_id(_ start_id: UInt32, _ next_id: UnsafeMutablePointer<UInt32>?) -> Int32 { nextID(.btf, start_id, next_id) }

@_cdecl("bpf_link_get_next_id")
public func abi_bpf_link_get_next_id(_ start_id: UInt32, _ next_id: UnsafeMutablePointer<UInt32>?) -> Int32 { nextID(.link, start_id, next_id) }

/// get_fd_by_id for every kind, with or without opts.
func fdByID(_ kind: ObjectKind, _ id: UInt32, _ opts: UnsafePointer<bpf_get_fd_by_id_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_get_fd_by_id_opts, "bpf_get_fd_by_id_opts")
        typealias O = MemoryLayout<bpf_get_fd_by_id_opts>
        return try ObjectCommands.fd(kind, id: id, openFlags: Opts.get(opts, O.offset(of: \.open_flags), 0))
    }
}

@_cdecl("bpf_prog_get_fd_by_id")
public func abi_bpf_prog_get_fd_by_id(_ id: UInt32) -> Int32 { fdByID(.program, id, nil) }

@_cdecl("bpf_prog_get_fd_by_id_opts")
public func abi_bpf_prog_get_fd_by_id_opts(_ id: UInt32, _ opts: UnsafePointer<bpf_get_fd_by_id_opts>?) -> Int32 { fdByID(.program, id, opts) }

@_cdecl("bpf_map_get_fd_by_id")
public func abi_bpf_map_get_fd_by_id(_ id: UInt32) -> Int32 { fdByID(.map, id, nil) }

@_cdecl("bpf_map_get_fd_by_id_opts")
public func abi_bpf_map_get_fd_by_id_opts(_ id: UInt32, _ opts: UnsafePointer<bpf_get_fd_by_id_opts>?) -> Int32 { fdByID(.map, id, opts) }

@_cdecl("bpf_btf_get_fd_by_id")
public func abi_bpf_btf_get_fd_by_id(_ id: UInt32) -> Int32 { fdByID(.btf, id, nil) }

@_cdecl("bpf_btf_get_fd_by_id_opts")
public func abi_bpf_btf_get_fd_by_id_opts(_ id: UInt32, _ opts: UnsafePointer<bpf_get_fd_by_id_opts>?) -> Int32 { fdByID(.btf, id, opts) }

@_cdecl("bpf_link_get_fd_by_id")
public func abi_bpf_link_get_fd_by_id(_ id: UInt32) -> Int32 { fdByID(.link, id, nil) }

@_cdecl("bpf_link_get_fd_by_id_opts")
public func abi_bpf_link_get_fd_by_id_opts(_ id: UInt32, _ opts: UnsafePointer<bpf_get_fd_by_id_opts>?) -> Int32 { fdByID(.link, id, opts) }

/// The reference reads `*info_len` before the call (NULL crashes it); we answer EINVAL.
@_cdecl("bpf_obj_get_info_by_fd")
public func abi_bpf_obj_get_info_by_fd(_ bpf_fd: Int32, _ info: UnsafeMutableRawPointer?, _ info_len: UnsafeMutablePointer<UInt32>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let info_len else { throw .EINVAL }
        info_len.pointee = try ObjectCommands.info(fd: bpf_fd, info: info, length: info_len.pointee)
        return 0
    }
}

@_cdecl("bpf_enable_stats")
public func abi_bpf_enable_stats(_ type: bpf_stats_type) -> Int32 {
    cResult { () throws(BPFError) in try ObjectCommands.enableStats(type: type.rawValue) }
}

/// Every out-pointer is written, even on failure, as the reference does; it crashes
/// on any NULL one, we answer EINVAL before calling the kernel.
@_cdecl("bpf_task_fd_query")
public func abi_bpf_task_fd_query(_ pid: Int32, _ fd: Int32, _ flags: UInt32, _ buf: UnsafeMutablePointer<CChar>?, _ buf_len: UnsafeMutablePointer<UInt32>?, _ prog_id: UnsafeMutablePointer<UInt32>?, _ fd_type: UnsafeMutablePointer<UInt32>?, _ probe_offset: UnsafeMutablePointer<UInt64>?, _ probe_addr: UnsafeMutablePointer<UInt64>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let buf_len, let prog_id, let fd_type, let probe_offset, let probe_addr else { throw .EINVAL }
        var result = ObjectCommands.TaskFDQueryResult()
        defer {
            buf_len.pointee = result.bufferLength
            prog_id.pointee = result.programID
            fd_type.pointee = result.fdType
            probe_offset.pointee = result.probeOffset
            probe_addr.pointee = result.probeAddress
        }
        try ObjectCommands.taskFDQuery(pid: pid, fd: fd, flags: flags, buffer: buf, bufferLength: buf_len.pointee, result: &result)
        return 0
    }
}

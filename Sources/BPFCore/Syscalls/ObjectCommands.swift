import CBPF

/// The kinds of kernel object that have ids.
public enum ObjectKind {
    case program, map, btf, link

    var nextIDCommand: bpf_cmd {
        switch self {
        case .program: return BPF_PROG_GET_NEXT_ID
        case .map: return BPF_MAP_GET_NEXT_ID
        case .btf: return BPF_BTF_GET_NEXT_ID
        case .link: return BPF_LINK_GET_NEXT_ID
        }
    }

    var fdByIDCommand: bpf_cmd {
        switch self {
        case .program: return BPF_PROG_GET_FD_BY_ID
        case .map: return BPF_MAP_GET_FD_BY_ID
        case .btf: return BPF_BTF_GET_FD_BY_ID
        case .link: return BPF_LINK_GET_FD_BY_ID
        }
    }
}

/// Commands on any BPF object: pinning in bpffs, ids, info.
public enum ObjectCommands {
    /// BPF_OBJ_PIN: makes `fd`'s object reachable at `path` in a bpffs.
    public static func pin(fd: Int32, path: UnsafePointer<CChar>?) throws(BPFError) {
        var attr = bpf_attr()
        attr.pathname = BPFSyscall.address(path)
        attr.bpf_fd = UInt32(bitPattern: fd)
        _ = try BPFSyscall.run(BPF_OBJ_PIN, &attr, size: SBPF_ATTR_OBJ)
    }

    /// BPF_OBJ_GET: a new fd for the object pinned at `path`.
    public static func get(path: UnsafePointer<CChar>?, fileFlags: UInt32) throws(BPFError) -> Int32 {
        var attr = bpf_attr()
        attr.pathname = BPFSyscall.address(path)
        attr.file_flags = fileFlags
        return try BPFSyscall.runReturningFD(BPF_OBJ_GET, &attr, size: SBPF_ATTR_OBJ)
    }

    /// The first id above `startID` of an object of this kind.
    public static func nextID(_ kind: ObjectKind, after startID: UInt32) throws(BPFError) -> UInt32 {
        var attr = bpf_attr()
        attr.start_id = startID
        _ = try BPFSyscall.run(kind.nextIDCommand, &attr, size: SBPF_ATTR_GET_ID)
        return attr.next_id
    }

    /// A new fd for the object with this id. The id field is the same union slot for
    /// every kind (prog_id, map_id, btf_id, link_id).
    public static func fd(_ kind: ObjectKind, id: UInt32, openFlags: UInt32) throws(BPFError) -> Int32 {
        var attr = bpf_attr()
        attr.prog_id = id
        attr.open_flags = openFlags
        return try BPFSyscall.runReturningFD(kind.fdByIDCommand, &attr, size: SBPF_ATTR_GET_ID)
    }

    /// BPF_OBJ_GET_INFO_BY_FD into `info` of `length` bytes; returns the length the
    /// kernel filled (at most the size of its info struct).
    public static func info(fd: Int32, info: UnsafeMutableRawPointer?, length: UInt32) throws(BPFError) -> UInt32 {
        var attr = bpf_attr()
        attr.info.bpf_fd = UInt32(bitPattern: fd)
        attr.info.info_len = length
        attr.info.info = BPFSyscall.address(info)
        _ = try BPFSyscall.run(BPF_OBJ_GET_INFO_BY_FD, &attr, size: SBPF_ATTR_INFO)
        return attr.info.info_len
    }

    /// BPF_ENABLE_STATS: statistics stay on while the returned fd is open.
    public static func enableStats(type: UInt32) throws(BPFError) -> Int32 {
        var attr = bpf_attr()
        attr.enable_stats.type = type
        return try BPFSyscall.runReturningFD(BPF_ENABLE_STATS, &attr, size: SBPF_ATTR_ENABLE_STATS)
    }

    /// What BPF_TASK_FD_QUERY reports about an fd of another task (a perf event or
    /// raw tracepoint with a program attached).
    public struct TaskFDQueryResult {
        public var bufferLength: UInt32 = 0
        public var programID: UInt32 = 0
        public var fdType: UInt32 = 0
        public var probeOffset: UInt64 = 0
        public var probeAddress: UInt64 = 0
        public init() {}
    }

    /// BPF_TASK_FD_QUERY; the result is filled in whether or not the kernel succeeded.
    public static func taskFDQuery(pid: Int32, fd: Int32, flags: UInt32, buffer: UnsafeMutablePointer<CChar>?,
                                   bufferLength: UInt32, result: inout TaskFDQueryResult) throws(BPFError) {
        var attr = bpf_attr()
        attr.task_fd_query.pid = UInt32(bitPattern: pid)
        attr.task_fd_query.fd = UInt32(bitPattern: fd)
        attr.task_fd_query.flags = flags
        attr.task_fd_query.buf = BPFSyscall.address(buffer)
        attr.task_fd_query.buf_len = bufferLength
        defer {
            result.bufferLength = attr.task_fd_query.buf_len
            result.programID = attr.task_fd_query.prog_id
            result.fdType = attr.task_fd_query.fd_type
            result.probeOffset = attr.task_fd_query.probe_offset
            result.probeAddress = attr.task_fd_query.probe_addr
        }
        _ = try BPFSyscall.run(BPF_TASK_FD_QUERY, &attr, size: SBPF_ATTR_TASK_FD_QUERY)
    }
}

import CBPF

/// What BPF_MAP_CREATE needs (the arguments and `bpf_map_create_opts` of bpf_map_create).
public struct MapCreateAttributes {
    public var type: UInt32
    public var name: UnsafePointer<CChar>?
    public var keySize: UInt32
    public var valueSize: UInt32
    public var maxEntries: UInt32
    public var btfFD: UInt32 = 0
    public var btfKeyTypeID: UInt32 = 0
    public var btfValueTypeID: UInt32 = 0
    public var btfVMLinuxValueTypeID: UInt32 = 0
    public var innerMapFD: UInt32 = 0
    public var flags: UInt32 = 0
    public var extra: UInt64 = 0
    public var numaNode: UInt32 = 0
    public var ifindex: UInt32 = 0

    public init(type: UInt32, name: UnsafePointer<CChar>?, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32) {
        self.type = type
        self.name = name
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
    }
}

/// The options shared by the batch commands (`bpf_map_batch_opts`).
public struct MapBatchOptions {
    public var elementFlags: UInt64 = 0
    public var flags: UInt64 = 0
    public init(elementFlags: UInt64 = 0, flags: UInt64 = 0) {
        self.elementFlags = elementFlags
        self.flags = flags
    }
}

/// Map commands: creation, element access, iteration, batches, freezing.
public enum MapCommands {
    /// BPF_MAP_CREATE; returns the new map fd.
    @_optimize(speed)
    public static func create(_ a: MapCreateAttributes) throws(BPFError) -> Int32 {
        var attr = bpf_attr()
        attr.map_type = a.type
        // Kernels before 4.15 reject any name: send it only where names work.
        if let name = a.name, KernelFeatures.supports(.programName) {
            copyName(name, into: &attr.map_name)
        }
        attr.key_size = a.keySize
        attr.value_size = a.valueSize
        attr.max_entries = a.maxEntries
        attr.btf_fd = a.btfFD
        attr.btf_key_type_id = a.btfKeyTypeID
        attr.btf_value_type_id = a.btfValueTypeID
        attr.btf_vmlinux_value_type_id = a.btfVMLinuxValueTypeID
        attr.inner_map_fd = a.innerMapFD
        attr.map_flags = a.flags
        attr.map_extra = a.extra
        attr.numa_node = a.numaNode
        attr.map_ifindex = a.ifindex
        return try BPFSyscall.runReturningFD(BPF_MAP_CREATE, &attr, size: SBPF_ATTR_MAP_CREATE)
    }

    /// The element commands (lookup, update, delete, lookup-and-delete): map fd, key,
    /// optional value buffer, flags.
    @_optimize(speed)
    public static func element(_ cmd: bpf_cmd, fd: Int32, key: UnsafeRawPointer?, value: UnsafeRawPointer?, flags: UInt64) throws(BPFError) {
        var attr = bpf_attr()
        attr.map_fd = UInt32(bitPattern: fd)
        attr.key = BPFSyscall.address(key)
        attr.value = BPFSyscall.address(value)
        attr.flags = flags
        _ = try BPFSyscall.run(cmd, &attr, size: SBPF_ATTR_MAP_ELEM)
    }

    /// BPF_MAP_GET_NEXT_KEY: the key after `key` (the first key when `key` is NULL).
    @_optimize(speed)
    public static func nextKey(fd: Int32, key: UnsafeRawPointer?, nextKey: UnsafeMutableRawPointer?) throws(BPFError) {
        var attr = bpf_attr()
        attr.map_fd = UInt32(bitPattern: fd)
        attr.key = BPFSyscall.address(key)
        attr.next_key = BPFSyscall.address(nextKey)
        _ = try BPFSyscall.run(BPF_MAP_GET_NEXT_KEY, &attr, size: SBPF_ATTR_MAP_NEXT_KEY)
    }

    /// BPF_MAP_FREEZE: no more writes from user space.
    @_optimize(speed)
    public static func freeze(fd: Int32) throws(BPFError) {
        var attr = bpf_attr()
        attr.map_fd = UInt32(bitPattern: fd)
        _ = try BPFSyscall.run(BPF_MAP_FREEZE, &attr, size: SBPF_ATTR_MAP_FREEZE)
    }

    /// The batch commands. `count` is the number of elements in, and the number
    /// processed out, even when the kernel reports an error (ENOENT at the end of a map).
    @_optimize(speed)
    public static func batch(_ cmd: bpf_cmd, fd: Int32, inBatch: UnsafeRawPointer?, outBatch: UnsafeRawPointer?,
                             keys: UnsafeRawPointer?, values: UnsafeRawPointer?, count: inout UInt32,
                             options: MapBatchOptions) throws(BPFError) {
        var attr = bpf_attr()
        attr.batch.map_fd = UInt32(bitPattern: fd)
        attr.batch.in_batch = BPFSyscall.address(inBatch)
        attr.batch.out_batch = BPFSyscall.address(outBatch)
        attr.batch.keys = BPFSyscall.address(keys)
        attr.batch.values = BPFSyscall.address(values)
        attr.batch.count = count
        attr.batch.elem_flags = options.elementFlags
        attr.batch.flags = options.flags
        defer { count = attr.batch.count }
        _ = try BPFSyscall.run(cmd, &attr, size: SBPF_ATTR_MAP_BATCH)
    }
}

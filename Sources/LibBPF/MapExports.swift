import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// bpf.h: map commands. Each export validates opts, converts C arguments, calls the core.

@_cdecl("bpf_map_create")
public func abi_bpf_map_create(_ map_type: bpf_map_type, _ map_name: UnsafePointer<CChar>?, _ key_size: UInt32, _ value_size: UInt32, _ max_entries: UInt32, _ opts: UnsafePointer<bpf_map_create_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        ResourceLimits.bumpMemlockIfNeeded()
        try Opts.validate(opts, SBPF_OPTS_bpf_map_create_opts, "bpf_map_create_opts")
        typealias O = MemoryLayout<bpf_map_create_opts>
        var a = MapCreateAttributes(type: map_type.rawValue, name: map_name, keySize: key_size,
                                    valueSize: value_size, maxEntries: max_entries)
        a.btfFD = Opts.get(opts, O.offset(of: \.btf_fd), 0)
        a.btfKeyTypeID = Opts.get(opts, O.offset(of: \.btf_key_type_id), 0)
        a.btfValueTypeID = Opts.get(opts, O.offset(of: \.btf_value_type_id), 0)
        a.btfVMLinuxValueTypeID = Opts.get(opts, O.offset(of: \.btf_vmlinux_value_type_id), 0)
        a.innerMapFD = Opts.get(opts, O.offset(of: \.inner_map_fd), 0)
        a.flags = Opts.get(opts, O.offset(of: \.map_flags), 0)
        a.extra = Opts.get(opts, O.offset(of: \.map_extra), 0)
        a.numaNode = Opts.get(opts, O.offset(of: \.numa_node), 0)
        a.ifindex = Opts.get(opts, O.offset(of: \.map_ifindex), 0)
        return try MapCommands.create(a)
    }
}

/// The element commands all return 0 or -errno.
@inline(__always)
func elementCommand(_ cmd: bpf_cmd, _ fd: Int32, _ key: UnsafeRawPointer?, _ value: UnsafeRawPointer?, _ flags: UInt64) -> Int32 {
    cResult { () throws(BPFError) in
        try MapCommands.element(cmd, fd: fd, key: key, value: value, flags: flags)
        return 0
    }
}

@_cdecl("bpf_map_update_elem")
public func abi_bpf_map_update_elem(_ fd: Int32, _ key: UnsafeRawPointer?, _ value: UnsafeRawPointer?, _ flags: UInt64) -> Int32 {
    elementCommand(BPF_MAP_UPDATE_ELEM, fd, key, value, flags)
}

@_cdecl("bpf_map_lookup_elem")
public func abi_bpf_map_lookup_elem(_ fd: Int32, _ key: UnsafeRawPointer?, _ value: UnsafeMutableRawPointer?) -> Int32 {
    elementCommand(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0)
}

@_cdecl("bpf_map_lookup_elem_flags")
public func abi_bpf_map_lookup_elem_flags(_ fd: Int32, _ key: UnsafeRawPointer?, _ value: UnsafeMutableRawPointer?, _ flags: UInt64) -> Int32 {
    elementCommand(BPF_MAP_LOOKUP_ELEM, fd, key, value, flags)
}

@_cdecl("bpf_map_lookup_and_delete_elem")
public func abi_bpf_map_lookup_and_delete_elem(_ fd: Int32, _ key: UnsafeRawPointer?, _ value: UnsafeMutableRawPointer?) -> Int32 {
    elementCommand(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, 0)
}

@_cdecl("bpf_map_lookup_and_delete_elem_flags")
public func abi_bpf_map_lookup_and_delete_elem_flags(_ fd: Int32, _ key: UnsafeRawPointer?, _ value: UnsafeMutableRawPointer?, _ flags: UInt64) -> Int32 {
    elementCommand(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags)
}

@_cdecl("bpf_map_delete_elem")
public func abi_bpf_map_delete_elem(_ fd: Int32, _ key: UnsafeRawPointer?) -> Int32 {
    elementCommand(BPF_MAP_DELETE_ELEM, fd, key, nil, 0)
}

@_cdecl("bpf_map_delete_elem_flags")
public func abi_bpf_map_delete_elem_flags(_ fd: Int32, _ key: UnsafeRawPointer?, _ flags: UInt64) -> Int32 {
    elementCommand(BPF_MAP_DELETE_ELEM, fd, key, nil, flags)
}

@_cdecl("bpf_map_get_next_key")
public func abi_bpf_map_get_next_key(_ fd: Int32, _ key: UnsafeRawPointer?, _ next_key: UnsafeMutableRawPointer?) -> Int32 {
    cResult { () throws(BPFError) in
        try MapCommands.nextKey(fd: fd, key: key, nextKey: next_key)
        return 0
    }
}

@_cdecl("bpf_map_freeze")
public func abi_bpf_map_freeze(_ fd: Int32) -> Int32 {
    cResult { () throws(BPFError) in
        try MapCommands.freeze(fd: fd)
        return 0
    }
}

/// The four batch commands share one conversion. The reference dereferences `count`
/// unconditionally (a NULL count crashes it); we answer EINVAL instead.
func batchCommand(_ cmd: bpf_cmd, _ fd: Int32, _ inBatch: UnsafeRawPointer?, _ outBatch: UnsafeRawPointer?,
                  _ keys: UnsafeRawPointer?, _ values: UnsafeRawPointer?, _ count: UnsafeMutablePointer<UInt32>?,
                  _ opts: UnsafePointer<bpf_map_batch_opts>?) -> Int32 {
    cResult { () throws(BPFError) in
        try Opts.validate(opts, SBPF_OPTS_bpf_map_batch_opts, "bpf_map_batch_opts")
        guard let count else { throw .EINVAL }
        typealias O = MemoryLayout<bpf_map_batch_opts>
        let options = MapBatchOptions(elementFlags: Opts.get(opts, O.offset(of: \.elem_flags), 0), flags: Opts.get(opts, O.offset(of: \.flags), 0))
        try MapCommands.batch(cmd, fd: fd, inBatch: inBatch, outBatch: outBatch, keys: keys, values: values,
                              count: &count.pointee, options: options)
        return 0
    }
}

@_cdecl("bpf_map_delete_batch")
public func abi_bpf_map_delete_batch(_ fd: Int32, _ keys: UnsafeRawPointer?, _ count: UnsafeMutablePointer<UInt32>?, _ opts: UnsafePointer<bpf_map_batch_opts>?) -> Int32 {
    batchCommand(BPF_MAP_DELETE_BATCH, fd, nil, nil, keys, nil, count, opts)
}

@_cdecl("bpf_map_lookup_batch")
public func abi_bpf_map_lookup_batch(_ fd: Int32, _ in_batch: UnsafeMutableRawPointer?, _ out_batch: UnsafeMutableRawPointer?, _ keys: UnsafeMutableRawPointer?, _ values: UnsafeMutableRawPointer?, _ count: UnsafeMutablePointer<UInt32>?, _ opts: UnsafePointer<bpf_map_batch_opts>?) -> Int32 {
    batchCommand(BPF_MAP_LOOKUP_BATCH, fd, in_batch, out_batch, keys, values, count, opts)
}

@_cdecl("bpf_map_lookup_and_delete_batch")
public func abi_bpf_map_lookup_and_delete_batch(_ fd: Int32, _ in_batch: UnsafeMutableRawPointer?, _ out_batch: UnsafeMutableRawPointer?, _ keys: UnsafeMutableRawPointer?, _ values: UnsafeMutableRawPointer?, _ count: UnsafeMutablePointer<UInt32>?, _ opts: UnsafePointer<bpf_map_batch_opts>?) -> Int32 {
    batchCommand(BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd, in_batch, out_batch, keys, values, count, opts)
}

@_cdecl("bpf_map_update_batch")
public func abi_bpf_map_update_batch(_ fd: Int32, _ keys: UnsafeRawPointer?, _ values: UnsafeRawPointer?, _ count: UnsafeMutablePointer<UInt32>?, _ opts: UnsafePointer<bpf_map_batch_opts>?) -> Int32 {
    batchCommand(BPF_MAP_UPDATE_BATCH, fd, nil, nil, keys, values, count, opts)
}

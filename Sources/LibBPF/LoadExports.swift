import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: loading an object (bpf_object__load), pinning its maps and programs,
// and the operations that need loaded maps and programs (map element access
// with size checks, pinning, fd reuse, unloading).

@_cdecl("bpf_object__load")
public func abi_bpf_object__load(_ obj: OpaquePointer?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let o = objectFrom(obj) else { throw .EINVAL }
        try o.load()
        return 0
    }
}

@_cdecl("bpf_object__pin_maps")
public func abi_bpf_object__pin_maps(_ obj: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let o = objectFrom(obj) else { throw .ENOENT }
        try o.pinMaps(path)
        return 0
    }
}

@_cdecl("bpf_object__unpin_maps")
public func abi_bpf_object__unpin_maps(_ obj: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let o = objectFrom(obj) else { throw .ENOENT }
        try o.unpinMaps(path)
        return 0
    }
}

@_cdecl("bpf_object__pin_programs")
public func abi_bpf_object__pin_programs(_ obj: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let o = objectFrom(obj) else { throw .ENOENT }
        try o.pinPrograms(path)
        return 0
    }
}

@_cdecl("bpf_object__unpin_programs")
public func abi_bpf_object__unpin_programs(_ obj: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let o = objectFrom(obj) else { throw .ENOENT }
        try o.unpinPrograms(path)
        return 0
    }
}

@_cdecl("bpf_object__pin")
public func abi_bpf_object__pin(_ object: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let o = objectFrom(object) else { throw .ENOENT }
        try o.pin(path)
        return 0
    }
}

@_cdecl("bpf_program__pin")
public func abi_bpf_program__pin(_ prog: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let p = programFrom(prog), let path else { throw .EINVAL }
        try p.pin(path)
        return 0
    }
}

@_cdecl("bpf_program__unpin")
public func abi_bpf_program__unpin(_ prog: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let p = programFrom(prog), let path else { throw .EINVAL }
        try p.unpin(path)
        return 0
    }
}

@_cdecl("bpf_program__unload")
public func abi_bpf_program__unload(_ prog: OpaquePointer?) {
    programFrom(prog)?.unload()
}

@_cdecl("bpf_map__pin")
public func abi_bpf_map__pin(_ map: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let m = mapFrom(map) else {
            Log.warn("libbpf: invalid map pointer\n")
            throw .EINVAL
        }
        try m.pin(path)
        return 0
    }
}

@_cdecl("bpf_map__unpin")
public func abi_bpf_map__unpin(_ map: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let m = mapFrom(map) else {
            Log.warn("libbpf: invalid map pointer\n")
            throw .EINVAL
        }
        try m.unpin(path)
        return 0
    }
}

@_cdecl("bpf_map__reuse_fd")
public func abi_bpf_map__reuse_fd(_ map: OpaquePointer?, _ fd: Int32) -> Int32 {
    cResult { () throws(BPFError) in
        guard let m = mapFrom(map) else { throw .EINVAL }
        try m.reuseFD(fd)
        return 0
    }
}

/// `validate_map_op`: the map exists in the kernel and the caller's key (and
/// value, per-CPU maps counting one 8-byte-aligned value per possible CPU) sizes
/// are the map's.
func validateMapOperation(_ map: BPFMap, keySize: Int, valueSize: Int, checkValue: Bool) throws(BPFError) {
    if map.fd <= 0 { throw .ENOENT }
    if Int(map.keySize) != keySize {
        Log.warn("libbpf: map '\(cString: map.name)': unexpected key size \(UInt(bitPattern: keySize)) provided, expected \(map.keySize)\n")
        throw .EINVAL
    }
    if !checkValue { return }
    switch bpf_map_type(rawValue: map.type) {
    case BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
        var cpus: Int32
        do throws(BPFError) { cpus = Int32(try CPUs.possibleCount()) } catch { cpus = -error.code }
        let elementSize = (Int(map.valueSize) + 7) / 8 * 8
        let expected = Int(cpus) &* elementSize
        if valueSize != expected {
            Log.warn("libbpf: map '\(cString: map.name)': unexpected value size \(UInt(bitPattern: valueSize)) provided for per-CPU map, expected \(cpus) * \(elementSize) = \(expected)\n")
            throw .EINVAL
        }
    default:
        if Int(map.valueSize) != valueSize {
            Log.warn("libbpf: map '\(cString: map.name)': unexpected value size \(UInt(bitPattern: valueSize)) provided, expected \(map.valueSize)\n")
            throw .EINVAL
        }
    }
}

@_cdecl("bpf_map__lookup_elem")
public func abi_bpf_map__lookup_elem(_ map: OpaquePointer?, _ key: UnsafeRawPointer?, _ key_sz: Int, _ value: UnsafeMutableRawPointer?, _ value_sz: Int, _ flags: UInt64) -> Int32 {
    guard let m = mapFrom(map) else { return cReturn(.EINVAL) }
    do throws(BPFError) { try validateMapOperation(m, keySize: key_sz, valueSize: value_sz, checkValue: true) } catch { return cReturn(error) }
    return abi_bpf_map_lookup_elem_flags(m.fd, key, value, flags)
}

@_cdecl("bpf_map__update_elem")
public func abi_bpf_map__update_elem(_ map: OpaquePointer?, _ key: UnsafeRawPointer?, _ key_sz: Int, _ value: UnsafeRawPointer?, _ value_sz: Int, _ flags: UInt64) -> Int32 {
    guard let m = mapFrom(map) else { return cReturn(.EINVAL) }
    do throws(BPFError) { try validateMapOperation(m, keySize: key_sz, valueSize: value_sz, checkValue: true) } catch { return cReturn(error) }
    return abi_bpf_map_update_elem(m.fd, key, value, flags)
}

@_cdecl("bpf_map__delete_elem")
public func abi_bpf_map__delete_elem(_ map: OpaquePointer?, _ key: UnsafeRawPointer?, _ key_sz: Int, _ flags: UInt64) -> Int32 {
    guard let m = mapFrom(map) else { return cReturn(.EINVAL) }
    do throws(BPFError) { try validateMapOperation(m, keySize: key_sz, valueSize: 0, checkValue: false) } catch { return cReturn(error) }
    return abi_bpf_map_delete_elem_flags(m.fd, key, flags)
}

@_cdecl("bpf_map__lookup_and_delete_elem")
public func abi_bpf_map__lookup_and_delete_elem(_ map: OpaquePointer?, _ key: UnsafeRawPointer?, _ key_sz: Int, _ value: UnsafeMutableRawPointer?, _ value_sz: Int, _ flags: UInt64) -> Int32 {
    guard let m = mapFrom(map) else { return cReturn(.EINVAL) }
    do throws(BPFError) { try validateMapOperation(m, keySize: key_sz, valueSize: value_sz, checkValue: true) } catch { return cReturn(error) }
    return abi_bpf_map_lookup_and_delete_elem_flags(m.fd, key, value, flags)
}

@_cdecl("bpf_map__get_next_key")
public func abi_bpf_map__get_next_key(_ map: OpaquePointer?, _ cur_key: UnsafeRawPointer?, _ next_key: UnsafeMutableRawPointer?, _ key_sz: Int) -> Int32 {
    guard let m = mapFrom(map) else { return cReturn(.EINVAL) }
    do throws(BPFError) { try validateMapOperation(m, keySize: key_sz, valueSize: 0, checkValue: false) } catch { return cReturn(error) }
    return abi_bpf_map_get_next_key(m.fd, cur_key, next_key)
}

/// Loads the skeleton's object, then gives each mmapable map's `mmaped` slot the
/// kernel map's memory, mapped over the initial-value buffer (same address, now
/// shared with the BPF programs; read-only for maps programs cannot write).
@_cdecl("bpf_object__load_skeleton")
public func abi_bpf_object__load_skeleton(_ s: UnsafeMutablePointer<bpf_object_skeleton>?) -> Int32 {
    guard let s, let slot = s.pointee.obj else { return cReturn(.EINVAL) }
    let err = abi_bpf_object__load(slot.pointee)
    if err != 0 {
        Log.warn("libbpf: failed to load BPF skeleton '\(cString: s.pointee.name)': \(err)\n")
        return cReturn(BPFError(-err))
    }
    guard s.pointee.map_cnt > 0, let records = UnsafeMutableRawPointer(s.pointee.maps) else { return 0 }
    let stride = Int(s.pointee.map_skel_sz)
    for i in 0..<Int(s.pointee.map_cnt) {
        let record = (records + i * stride).assumingMemoryBound(to: bpf_map_skeleton.self)
        guard let mapSlot = record.pointee.map, let map = mapFrom(mapSlot.pointee) else { continue }
        guard let mmaped = record.pointee.mmaped else { continue }
        if map.mapFlags & UInt32(BPF_F_MMAPABLE) == 0 {
            mmaped.pointee = nil
            continue
        }
        let protection = map.mapFlags & UInt32(BPF_F_RDONLY_PROG) != 0 ? PROT_READ : PROT_READ | PROT_WRITE
        let size = BPFMap.mmapSize(valueSize: map.valueSize, maxEntries: map.maxEntries)
        let result = mmap(map.mmaped, size, protection, MAP_SHARED | MAP_FIXED, map.fd, 0)
        if result == nil || result == UnsafeMutableRawPointer(bitPattern: -1) {
            let error = BPFError.lastErrno()
            mmaped.pointee = nil
            Log.warn("libbpf: failed to re-mmap() map '\(cString: map.displayName)': -\(error.code)\n")
            return cReturn(error)
        }
        mmaped.pointee = result
    }
    return 0
}

import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: the maps of an object (`struct bpf_map *` is an unretained BPFMap owned
// by its object, or by its outer map for a map-in-map's inner definition) and
// their accessors and open-phase setters. As in libbpf 1.1, definition setters
// fail with EBUSY once the map has an fd, max_entries/autocreate once the object
// is loaded; a NULL map (where the reference crashes) is EINVAL / 0 / NULL.

@inline(__always)
func mapFrom(_ p: OpaquePointer?) -> BPFMap? {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { return nil }
    return Unmanaged<BPFMap>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@inline(__always)
func mapHandle(_ map: BPFMap?) -> OpaquePointer? {
    map.map { OpaquePointer(Unmanaged.passUnretained($0).toOpaque()) }
}

/// Runs a definition setter: EBUSY once the map was created.
@inline(__always)
func mapSetter(_ p: OpaquePointer?, _ body: (BPFMap) -> Void) -> Int32 {
    cResult { () throws(BPFError) in
        guard let map = mapFrom(p) else { throw .EINVAL }
        if map.fd >= 0 { throw .EBUSY }
        body(map)
        return 0
    }
}

/// `__bpf_map__iter`: the neighbour of one of the object's own maps.
func iterateMaps(_ obj: OpaquePointer?, _ from: OpaquePointer?, step: Int) -> OpaquePointer? {
    guard let o = objectFrom(obj), !o.maps.isEmpty else { return cNull(.EINVAL) }
    guard let map = mapFrom(from), let index = o.index(of: map) else {
        Log.warn("libbpf: error in __bpf_map__iter: map handler doesn't belong to object\n")
        return cNull(.EINVAL)
    }
    let next = index + step
    if next < 0 || next >= o.maps.count { return nil }
    return mapHandle(o.maps[next])
}

@_cdecl("bpf_object__next_map")
public func abi_bpf_object__next_map(_ obj: OpaquePointer?, _ map: OpaquePointer?) -> OpaquePointer? {
    if map == nil {
        guard let o = objectFrom(obj) else { return cNull(.EINVAL) }
        return mapHandle(o.maps.first)
    }
    return iterateMaps(obj, map, step: 1)
}

@_cdecl("bpf_object__prev_map")
public func abi_bpf_object__prev_map(_ obj: OpaquePointer?, _ map: OpaquePointer?) -> OpaquePointer? {
    if map == nil {
        guard let o = objectFrom(obj) else { return cNull(.EINVAL) }
        return mapHandle(o.maps.last)
    }
    return iterateMaps(obj, map, step: -1)
}

@_cdecl("bpf_object__find_map_by_name")
public func abi_bpf_object__find_map_by_name(_ obj: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> OpaquePointer? {
    guard let o = objectFrom(obj), let name else { return cNull(.EINVAL) }
    guard let map = o.map(named: name) else { return cNull(.ENOENT) }
    return mapHandle(map)
}

@_cdecl("bpf_object__find_map_fd_by_name")
public func abi_bpf_object__find_map_fd_by_name(_ obj: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> Int32 {
    abi_bpf_map__fd(abi_bpf_object__find_map_by_name(obj, name))
}

/// The map's fd: -1 until it is created (not an error, as in the reference).
@_cdecl("bpf_map__fd")
public func abi_bpf_map__fd(_ map: OpaquePointer?) -> Int32 {
    guard let m = mapFrom(map) else { return cReturn(.EINVAL) }
    return m.fd
}

@_cdecl("bpf_map__name")
public func abi_bpf_map__name(_ map: OpaquePointer?) -> UnsafePointer<CChar>? {
    mapFrom(map)?.displayName
}

@_cdecl("bpf_map__type")
public func abi_bpf_map__type(_ map: OpaquePointer?) -> bpf_map_type {
    bpf_map_type(rawValue: mapFrom(map)?.type ?? 0)
}

@_cdecl("bpf_map__set_type")
public func abi_bpf_map__set_type(_ map: OpaquePointer?, _ type: bpf_map_type) -> Int32 {
    mapSetter(map) { $0.type = type.rawValue }
}

@_cdecl("bpf_map__key_size")
public func abi_bpf_map__key_size(_ map: OpaquePointer?) -> UInt32 { mapFrom(map)?.keySize ?? 0 }

@_cdecl("bpf_map__set_key_size")
public func abi_bpf_map__set_key_size(_ map: OpaquePointer?, _ size: UInt32) -> Int32 {
    mapSetter(map) { $0.keySize = size }
}

@_cdecl("bpf_map__value_size")
public func abi_bpf_map__value_size(_ map: OpaquePointer?) -> UInt32 { mapFrom(map)?.valueSize ?? 0 }

@_cdecl("bpf_map__set_value_size")
public func abi_bpf_map__set_value_size(_ map: OpaquePointer?, _ size: UInt32) -> Int32 {
    mapSetter(map) { $0.valueSize = size }
}

@_cdecl("bpf_map__max_entries")
public func abi_bpf_map__max_entries(_ map: OpaquePointer?) -> UInt32 { mapFrom(map)?.maxEntries ?? 0 }

/// Ring buffer sizes are rounded up to a power-of-2 number of pages.
@_cdecl("bpf_map__set_max_entries")
public func abi_bpf_map__set_max_entries(_ map: OpaquePointer?, _ max_entries: UInt32) -> Int32 {
    cResult { () throws(BPFError) in
        guard let m = mapFrom(map) else { throw .EINVAL }
        if m.object.loaded { throw .EBUSY }
        m.setMaxEntries(max_entries)
        return 0
    }
}

@_cdecl("bpf_map__map_flags")
public func abi_bpf_map__map_flags(_ map: OpaquePointer?) -> UInt32 { mapFrom(map)?.mapFlags ?? 0 }

@_cdecl("bpf_map__set_map_flags")
public func abi_bpf_map__set_map_flags(_ map: OpaquePointer?, _ flags: UInt32) -> Int32 {
    mapSetter(map) { $0.mapFlags = flags }
}

@_cdecl("bpf_map__numa_node")
public func abi_bpf_map__numa_node(_ map: OpaquePointer?) -> UInt32 { mapFrom(map)?.numaNode ?? 0 }

@_cdecl("bpf_map__set_numa_node")
public func abi_bpf_map__set_numa_node(_ map: OpaquePointer?, _ numa_node: UInt32) -> Int32 {
    mapSetter(map) { $0.numaNode = numa_node }
}

@_cdecl("bpf_map__map_extra")
public func abi_bpf_map__map_extra(_ map: OpaquePointer?) -> UInt64 { mapFrom(map)?.mapExtra ?? 0 }

@_cdecl("bpf_map__set_map_extra")
public func abi_bpf_map__set_map_extra(_ map: OpaquePointer?, _ map_extra: UInt64) -> Int32 {
    mapSetter(map) { $0.mapExtra = map_extra }
}

@_cdecl("bpf_map__ifindex")
public func abi_bpf_map__ifindex(_ map: OpaquePointer?) -> UInt32 { mapFrom(map)?.ifindex ?? 0 }

@_cdecl("bpf_map__set_ifindex")
public func abi_bpf_map__set_ifindex(_ map: OpaquePointer?, _ ifindex: UInt32) -> Int32 {
    mapSetter(map) { $0.ifindex = ifindex }
}

@_cdecl("bpf_map__btf_key_type_id")
public func abi_bpf_map__btf_key_type_id(_ map: OpaquePointer?) -> UInt32 { mapFrom(map)?.btfKeyTypeID ?? 0 }

@_cdecl("bpf_map__btf_value_type_id")
public func abi_bpf_map__btf_value_type_id(_ map: OpaquePointer?) -> UInt32 { mapFrom(map)?.btfValueTypeID ?? 0 }

@_cdecl("bpf_map__is_internal")
public func abi_bpf_map__is_internal(_ map: OpaquePointer?) -> Bool { mapFrom(map)?.isInternal ?? false }

/// The internal map's buffer (what load will write into the map), value-size bytes.
@_cdecl("bpf_map__initial_value")
public func abi_bpf_map__initial_value(_ map: OpaquePointer?, _ psize: UnsafeMutablePointer<Int>?) -> UnsafeRawPointer? {
    guard let m = mapFrom(map), let mmaped = m.mmaped else { return nil }
    psize?.pointee = Int(m.valueSize)
    return UnsafeRawPointer(mmaped)
}

/// Only internal maps other than .kconfig, only with exactly value-size bytes,
/// only before the map is created; all else EINVAL.
@_cdecl("bpf_map__set_initial_value")
public func abi_bpf_map__set_initial_value(_ map: OpaquePointer?, _ data: UnsafeRawPointer?, _ size: Int) -> Int32 {
    cResult { () throws(BPFError) in
        guard let m = mapFrom(map), let mmaped = m.mmaped, m.kind != .kconfig,
              size == Int(m.valueSize), m.fd < 0 else { throw .EINVAL }
        if size > 0 {
            guard let data else { throw .EINVAL }
            mmaped.copyMemory(from: data, byteCount: min(size, m.mmapSize))
        }
        return 0
    }
}

@_cdecl("bpf_map__inner_map")
public func abi_bpf_map__inner_map(_ map: OpaquePointer?) -> OpaquePointer? {
    guard let m = mapFrom(map), m.isMapInMap else { return cNull(.EINVAL) }
    return mapHandle(m.innerMap)
}

/// Replaces the inner map definition of a map-in-map by an existing map's fd.
@_cdecl("bpf_map__set_inner_map_fd")
public func abi_bpf_map__set_inner_map_fd(_ map: OpaquePointer?, _ fd: Int32) -> Int32 {
    cResult { () throws(BPFError) in
        guard let m = mapFrom(map) else { throw .EINVAL }
        if !m.isMapInMap {
            Log.warn("libbpf: error: unsupported map type\n")
            throw .EINVAL
        }
        if m.innerMapFD != -1 {
            Log.warn("libbpf: error: inner_map_fd already specified\n")
            throw .EINVAL
        }
        m.innerMap = nil
        m.innerMapFD = fd
        return 0
    }
}

@_cdecl("bpf_map__pin_path")
public func abi_bpf_map__pin_path(_ map: OpaquePointer?) -> UnsafePointer<CChar>? {
    mapFrom(map)?.pinPath.map { UnsafePointer($0) }
}

@_cdecl("bpf_map__get_pin_path")
public func abi_bpf_map__get_pin_path(_ map: OpaquePointer?) -> UnsafePointer<CChar>? {
    abi_bpf_map__pin_path(map)
}

/// A copy of `path` (NULL clears it); used when the object's maps are pinned.
@_cdecl("bpf_map__set_pin_path")
public func abi_bpf_map__set_pin_path(_ map: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    cResult { () throws(BPFError) in
        guard let m = mapFrom(map) else { throw .EINVAL }
        try m.setPinPath(path)
        return 0
    }
}

@_cdecl("bpf_map__is_pinned")
public func abi_bpf_map__is_pinned(_ map: OpaquePointer?) -> Bool { mapFrom(map)?.pinned ?? false }

@_cdecl("bpf_map__autocreate")
public func abi_bpf_map__autocreate(_ map: OpaquePointer?) -> Bool { mapFrom(map)?.autocreate ?? false }

@_cdecl("bpf_map__set_autocreate")
public func abi_bpf_map__set_autocreate(_ map: OpaquePointer?, _ autocreate: Bool) -> Int32 {
    cResult { () throws(BPFError) in
        guard let m = mapFrom(map) else { throw .EINVAL }
        if m.object.loaded { throw .EBUSY }
        m.autocreate = autocreate
        return 0
    }
}

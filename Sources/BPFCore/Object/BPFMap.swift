import CBPF

/// libbpf's internal map kinds (`enum libbpf_map_type`): maps the library makes
/// for global data and `.kconfig` externs rather than ones defined in `.maps`.
public enum InternalMapKind: UInt8 {
    case none = 0     // LIBBPF_MAP_UNSPEC: a BTF-defined or struct_ops map
    case data = 1     // .data, .data.*
    case bss = 2      // .bss, .bss.*
    case rodata = 3   // .rodata, .rodata.*
    case kconfig = 4  // .kconfig externs
}

/// What a slot of a map-in-map or program array is initialised with (`.values`
/// of its definition, from `.rel.maps`): an index into the object's maps or programs.
public enum MapInitSlot: Equatable {
    case empty
    case map(Int)
    case program(Int)
}

/// A `.struct_ops` variable: the struct's BTF type and its bytes, and the
/// programs its function-pointer members point to (by member index).
public struct StructOpsInfo {
    public var typeName: [CChar]
    public var typeID: UInt32
    public var data: [UInt8]
    /// Program index per struct member, -1 where no program is set.
    public var programs: [Int]
    /// Set at load from the kernel's `bpf_struct_ops_<name>` type (`kern_vdata`):
    /// the map value the kernel expects, with the non-pointer members copied in.
    public var kernelValue: [UInt8]? = nil
    /// Per struct member: the byte offset in `kernelValue` of the function pointer
    /// a program fills (`kern_func_off`), 0 where no program is set.
    public var kernelFunctionOffsets: [UInt32] = []
}

/// One map of an object (`struct bpf_map`): its definition as parsed at open (and
/// changed by the setters until load), its BTF types, its initial contents for
/// internal maps, and its kernel state once created.
public final class BPFMap {
    /// The owning object (unowned(unsafe): the object owns its maps).
    public unowned(unsafe) let object: BPFObject
    /// Owned C strings (their addresses are handed to C callers). `name` is what
    /// the kernel sees; `realName` the ELF section of an internal map.
    public internal(set) var name: UnsafeMutablePointer<CChar>
    public internal(set) var realName: UnsafeMutablePointer<CChar>?
    /// Whether this is the `values` definition of a map-in-map (not one of the
    /// object's maps; the reference leaves its object unset).
    public let isInner: Bool
    public var fd: Int32 = -1
    public var sectionIndex: Int = 0
    public var sectionOffset: Int = 0
    public var ifindex: UInt32 = 0
    public var innerMapFD: Int32 = -1
    public var type: UInt32 = 0
    public var keySize: UInt32 = 0
    public var valueSize: UInt32 = 0
    public var maxEntries: UInt32 = 0
    public var mapFlags: UInt32 = 0
    public var numaNode: UInt32 = 0
    public var mapExtra: UInt64 = 0
    /// Index of the map's VAR in the `.maps` DATASEC.
    public var btfVarIndex: UInt32 = 0
    public var btfKeyTypeID: UInt32 = 0
    public var btfValueTypeID: UInt32 = 0
    public var btfVmlinuxValueTypeID: UInt32 = 0
    public var kind: InternalMapKind = .none
    /// Initial contents of an internal map: an anonymous shared mapping (as the
    /// reference, so load can map the created map over it), of `mmapSize` bytes.
    /// The mapping is made when its address is first asked for (skeleton open,
    /// `bpf_map__initial_value`, load): until then the bytes wait in
    /// `pendingInitialValue`, so an open and close that never looks at them costs
    /// no mmap, page fault and munmap (a shmem file each: most of an open's time).
    public var mmaped: UnsafeMutableRawPointer? {
        if let mapping { return mapping }
        return hasPendingInitialValue ? mapInitialValue() : nil
    }
    public internal(set) var mmapSize: Int = 0
    /// The mapping once made.
    var mapping: UnsafeMutableRawPointer?
    /// Bytes to copy into the mapping when it is made (empty: all zeroes); only
    /// while `hasPendingInitialValue`.
    var pendingInitialValue: [UInt8] = []
    var hasPendingInitialValue = false
    public var structOps: StructOpsInfo?
    public var innerMap: BPFMap?
    public var initSlots: [MapInitSlot] = []
    public internal(set) var pinPath: UnsafeMutablePointer<CChar>?
    public var pinned = false
    public var reused = false
    public var autocreate = true

    init(object: BPFObject, name: UnsafePointer<CChar>, isInner: Bool = false) {
        self.object = object
        self.name = strdup(name)!
        self.isInner = isInner
    }

    deinit {
        free(name)
        free(realName)
        free(pinPath)
        if let mapping { _ = munmap(mapping, mmapSize) }
        if fd >= 0 { _ = close(fd) }
    }

    public var isInternal: Bool { kind != .none }
    public var isStructOps: Bool { structOps != nil }
    public var isMapInMap: Bool {
        type == BPF_MAP_TYPE_ARRAY_OF_MAPS.rawValue || type == BPF_MAP_TYPE_HASH_OF_MAPS.rawValue
    }
    public var isRingBuffer: Bool {
        type == BPF_MAP_TYPE_RINGBUF.rawValue || type == BPF_MAP_TYPE_USER_RINGBUF.rawValue
    }

    /// Custom `.data.*` / `.rodata.*` maps are known to users by their section
    /// name rather than the (truncated, kernel-visible) map name.
    public var usesRealName: Bool {
        guard let realName else { return false }
        if kind == .data && strcmp(realName, ".data") != 0 { return true }
        if kind == .rodata && strcmp(realName, ".rodata") != 0 { return true }
        return false
    }

    /// `bpf_map__name`.
    public var displayName: UnsafePointer<CChar> { UnsafePointer(usesRealName ? realName! : name) }

    public func setPinPath(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        var copy: UnsafeMutablePointer<CChar>? = nil
        if let path {
            copy = strdup(path)
            if copy == nil { throw BPFError.lastErrno() }
        }
        free(pinPath)
        pinPath = copy
    }

    /// `bpf_map__set_max_entries` without the load check: ring buffers are sized
    /// up to a power-of-2 multiple of the page size.
    public func setMaxEntries(_ value: UInt32) {
        maxEntries = isRingBuffer ? BPFMap.adjustRingBufferSize(value) : value
    }

    /// `adjust_ringbuf_sz`.
    static func adjustRingBufferSize(_ size: UInt32) -> UInt32 {
        let page = UInt32(truncatingIfNeeded: sysconf(Int32(_SC_PAGESIZE)))
        if size == 0 { return 0 }
        if size % page == 0 {
            let pages = size / page
            if pages & (pages - 1) == 0 { return size }
        }
        var multiplier: UInt32 = 1
        while multiplier <= UInt32.max / page {
            if multiplier &* page > size { return multiplier &* page }
            multiplier <<= 1
        }
        return size
    }

    /// `bpf_map_mmap_sz`: value size rounded to 8, times max entries, rounded to pages.
    public static func mmapSize(valueSize: UInt32, maxEntries: UInt32) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = ((Int(valueSize) + 7) / 8 * 8) * Int(maxEntries)
        return (size + page - 1) / page * page
    }

    /// Sets up the internal map's buffer with `data` (nil: zeroes) copied into it.
    /// Small buffers are mapped on first use (`mmaped`); a large one (which could
    /// fail to map, failing the open as with the reference) is mapped now.
    func allocateInitialValue(_ data: [UInt8]?, size: Int) throws(BPFError) {
        let length = BPFMap.mmapSize(valueSize: valueSize, maxEntries: maxEntries)
        mmapSize = length
        if length > 0 && length <= BPFMap.lazyMappingLimit {
            if let data { pendingInitialValue = data.count > size ? Array(data[0..<size]) : data }
            hasPendingInitialValue = true
            return
        }
        let p = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else {
            mmapSize = 0
            throw BPFError.lastErrno()
        }
        mapping = p
        if let data {
            data.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { p.copyMemory(from: base, byteCount: min(size, bytes.count)) }
            }
        }
    }

    /// Largest buffer mapped on first use rather than at open.
    static let lazyMappingLimit = 1 << 20

    /// Maps the pending initial value (`mmaped`'s first use). A failure (only
    /// possible when the process is out of memory or mappings) is logged as the
    /// reference logs it at open, and leaves no buffer.
    func mapInitialValue() -> UnsafeMutableRawPointer? {
        hasPendingInitialValue = false
        let bytes = pendingInitialValue
        pendingInitialValue = []
        let p = mmap(nil, mmapSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to alloc map '\(RawName(name))' content buffer: -\(error.code)\n")
            mmapSize = 0
            return nil
        }
        mapping = p
        bytes.withUnsafeBytes { b in
            if let base = b.baseAddress { p.copyMemory(from: base, byteCount: min(mmapSize, b.count)) }
        }
        return p
    }
}

extension BPFObject {
    /// Maps as the C API iterates them.
    public func nextMap(after map: BPFMap?) -> BPFMap? {
        guard let map else { return maps.first }
        guard let i = index(of: map) else { return nil }
        return i + 1 < maps.count ? maps[i + 1] : nil
    }

    public func index(of map: BPFMap) -> Int? {
        for i in 0..<maps.count where maps[i] === map { return i }
        return nil
    }

    /// `bpf_object__find_map_by_name`: a name starting with '.' matches an internal
    /// map's section name; others the name `bpf_map__name` shows.
    public func map(named name: UnsafePointer<CChar>) -> BPFMap? {
        for map in maps {
            if name[0] == CChar(UInt8(ascii: ".")) {
                if let real = map.realName, strcmp(real, name) == 0 { return map }
                continue
            }
            if map.usesRealName {
                if strcmp(map.realName!, name) == 0 { return map }
                continue
            }
            if strcmp(map.name, name) == 0 { return map }
        }
        return nil
    }
}

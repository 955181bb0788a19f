import CBPF

extension Probes {
    /// BPF_MAP_TYPE_CGRP_STORAGE (kernel 6.2, libbpf 1.1): newer than the UAPI
    /// header we build against, which ends at BPF_MAP_TYPE_USER_RINGBUF.
    static let cgrpStorageMapType: UInt32 = BPF_MAP_TYPE_USER_RINGBUF.rawValue + 1

    /// How a map-type probe creates its map.
    struct MapSetup {
        var keySize: UInt32 = 4
        var valueSize: UInt32 = 4
        var maxEntries: UInt32 = 1
        var flags: UInt32 = 0
        var btfVMLinuxValueTypeID: UInt32 = 0
        /// Local storage maps: created with `RawBTF.localStorageProbe()`.
        var needsLocalStorageBTF = false
        /// Map-in-map types: created with an inner hash map as their template.
        var needsInnerMap = false
        /// struct_ops: a kernel that knows the type refuses with this errno.
        var expectedError: BPFError? = nil
    }

    /// The reference's per-type map recipe: the smallest attributes each type
    /// accepts. Types it does not list (including UNSPEC and anything newer than
    /// libbpf 1.1) are not probed: EOPNOTSUPP.
    static func mapSetup(_ type: UInt32) throws(BPFError) -> MapSetup {
        var setup = MapSetup()
        switch type {
        case BPF_MAP_TYPE_STACK_TRACE.rawValue:
            // Values are arrays of u64 instruction pointers.
            setup.valueSize = 8
        case BPF_MAP_TYPE_LPM_TRIE.rawValue:
            // Keys start with a u32 prefix length followed by data; the trie only
            // exists without preallocation.
            setup.keySize = 8
            setup.valueSize = 8
            setup.flags = UInt32(BPF_F_NO_PREALLOC)
        case BPF_MAP_TYPE_CGROUP_STORAGE.rawValue, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE.rawValue:
            // Keyed by (cgroup id, attach type); sized by the kernel (max_entries 0).
            setup.keySize = UInt32(MemoryLayout<bpf_cgroup_storage_key>.size)
            setup.valueSize = 8
            setup.maxEntries = 0
        case BPF_MAP_TYPE_QUEUE.rawValue, BPF_MAP_TYPE_STACK.rawValue:
            // Keyless.
            setup.keySize = 0
        case BPF_MAP_TYPE_SK_STORAGE.rawValue, BPF_MAP_TYPE_INODE_STORAGE.rawValue,
             BPF_MAP_TYPE_TASK_STORAGE.rawValue, cgrpStorageMapType:
            // Local storage requires BTF for key and value, no preallocation, and
            // max_entries 0 (one value per owning object).
            setup.keySize = 4
            setup.valueSize = 8
            setup.maxEntries = 0
            setup.flags = UInt32(BPF_F_NO_PREALLOC)
            setup.needsLocalStorageBTF = true
        case BPF_MAP_TYPE_RINGBUF.rawValue, BPF_MAP_TYPE_USER_RINGBUF.rawValue:
            // No keys or values; the size is the ring in bytes, a power-of-two
            // multiple of the page size.
            setup.keySize = 0
            setup.valueSize = 0
            setup.maxEntries = UInt32(truncatingIfNeeded: sysconf(Int32(_SC_PAGESIZE)))
        case BPF_MAP_TYPE_STRUCT_OPS.rawValue:
            // Type id 1 of vmlinux BTF is no struct_ops value type: ENOTSUPP
            // from a kernel that knows the map type.
            setup.btfVMLinuxValueTypeID = 1
            setup.expectedError = kernelENOTSUPP
        case BPF_MAP_TYPE_BLOOM_FILTER.rawValue:
            // Keyless.
            setup.keySize = 0
            setup.maxEntries = 1
        case BPF_MAP_TYPE_ARRAY_OF_MAPS.rawValue, BPF_MAP_TYPE_HASH_OF_MAPS.rawValue:
            setup.needsInnerMap = true
        case BPF_MAP_TYPE_HASH.rawValue,
             BPF_MAP_TYPE_ARRAY.rawValue,
             BPF_MAP_TYPE_PROG_ARRAY.rawValue,
             BPF_MAP_TYPE_PERF_EVENT_ARRAY.rawValue,
             BPF_MAP_TYPE_PERCPU_HASH.rawValue,
             BPF_MAP_TYPE_PERCPU_ARRAY.rawValue,
             BPF_MAP_TYPE_CGROUP_ARRAY.rawValue,
             BPF_MAP_TYPE_LRU_HASH.rawValue,
             BPF_MAP_TYPE_LRU_PERCPU_HASH.rawValue,
             BPF_MAP_TYPE_DEVMAP.rawValue,
             BPF_MAP_TYPE_DEVMAP_HASH.rawValue,
             BPF_MAP_TYPE_SOCKMAP.rawValue,
             BPF_MAP_TYPE_CPUMAP.rawValue,
             BPF_MAP_TYPE_XSKMAP.rawValue,
             BPF_MAP_TYPE_SOCKHASH.rawValue,
             BPF_MAP_TYPE_REUSEPORT_SOCKARRAY.rawValue:
            break
        default:
            throw .EOPNOTSUPP
        }
        return setup
    }

    /// Whether the kernel supports map type `type` (`libbpf_probe_bpf_map_type`).
    /// Throws only when the probe cannot be set up (unknown type, BTF load failure);
    /// a map the kernel refuses is `false`, with errno left as the kernel set it.
    public static func mapType(_ type: UInt32) throws(BPFError) -> Bool {
        let setup = try mapSetup(type)

        var btfFD: Int32 = -1
        if setup.needsLocalStorageBTF {
            // Unlike a refused map, a refused BTF is an error of the probe itself.
            btfFD = try RawBTF.localStorageProbe().load()
        }
        defer { if btfFD >= 0 { _ = close(btfFD) } }

        var innerFD: Int32 = -1
        if setup.needsInnerMap {
            do throws(BPFError) {
                innerFD = try createMap(type: BPF_MAP_TYPE_HASH.rawValue, setup: MapSetup(), btfFD: -1, innerFD: -1)
            } catch {
                // The outer map type cannot be tried without its template.
                return false
            }
        }
        defer { if innerFD >= 0 { _ = close(innerFD) } }

        do throws(BPFError) {
            let fd = try createMap(type: type, setup: setup, btfFD: btfFD, innerFD: innerFD)
            _ = close(fd)
            return setup.expectedError == nil
        } catch {
            return setup.expectedError == error
        }
    }

    /// BPF_MAP_CREATE with the probe's attributes (no name, no NUMA node, no ifindex).
    static func createMap(type: UInt32, setup: MapSetup, btfFD: Int32, innerFD: Int32) throws(BPFError) -> Int32 {
        ResourceLimits.bumpMemlockIfNeeded()
        var attr = bpf_attr()
        attr.map_type = type
        attr.key_size = setup.keySize
        attr.value_size = setup.valueSize
        attr.max_entries = setup.maxEntries
        attr.map_flags = setup.flags
        attr.btf_vmlinux_value_type_id = setup.btfVMLinuxValueTypeID
        if innerFD >= 0 { attr.inner_map_fd = UInt32(bitPattern: innerFD) }
        if btfFD >= 0 {
            attr.btf_fd = UInt32(bitPattern: btfFD)
            attr.btf_key_type_id = RawBTF.localStorageKeyTypeID
            attr.btf_value_type_id = RawBTF.localStorageValueTypeID
        }
        return try BPFSyscall.runReturningFD(BPF_MAP_CREATE, &attr, size: SBPF_ATTR_MAP_CREATE)
    }
}

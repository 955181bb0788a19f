import CBPF

// Map stages of bpf_object__load: map flags the kernel cannot honour, struct_ops
// values laid out as the kernel expects, then every map created (or reused from
// its pin) with its initial contents, map-in-map slots and pin; program arrays
// are filled once the programs exist. Also map pinning and fd reuse, which the
// C API exposes on their own.

/// `BPF_FS_MAGIC`.
let bpfFSMagic: Int = 0xcafe4a11

extension BPFObject {
    /// `bpf_object__sanitize_maps` (internal maps lose BPF_F_MMAPABLE where arrays
    /// cannot be mmaped), then `bpf_object__init_kern_struct_ops_maps`.
    func sanitizeMaps() throws(BPFError) {
        for map in maps where map.isInternal {
            // The reference toggles the flag (XOR) rather than clearing it.
            if !KernelFeatures.supports(.arrayMmap) { map.mapFlags ^= UInt32(BPF_F_MMAPABLE) }
        }
        for map in maps where map.isStructOps {
            try initializeKernelStructOps(map)
        }
    }

    /// `bpf_map__init_kern_struct_ops`: finds `struct <name>` and its value type
    /// `struct bpf_struct_ops_<name>` in the kernel's BTF, sizes the map for the
    /// latter, copies every non-pointer member into the kernel layout and points
    /// each program the struct names at the kernel member it implements.
    func initializeKernelStructOps(_ map: BPFMap) throws(BPFError) {
        guard var info = map.structOps, let btf else { return }
        let mapName = String(cString: map.name)
        let typeName = info.typeName.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard let kernel = vmlinuxBTF,
              let kernelTypeID = info.typeName.withUnsafeBufferPointer({ kernel.find($0.baseAddress!, kind: BTFKind.structure) }),
              let kernelType = kernel.type(kernelTypeID) else {
            Log.warn("libbpf: struct_ops init_kern: struct \(typeName) is not found in kernel BTF\n")
            throw .ENOENT
        }
        var valueName: [CChar] = []
        for c in "bpf_struct_ops_".utf8 { valueName.append(CChar(bitPattern: c)) }
        valueName.append(contentsOf: info.typeName.prefix(while: { $0 != 0 }))
        if valueName.count >= 128 {
            Log.warn("libbpf: struct_ops init_kern: struct bpf_struct_ops_\(typeName) is not found in kernel BTF\n")
            throw BPFError(ENAMETOOLONG)
        }
        valueName.append(0)
        guard let valueTypeID = valueName.withUnsafeBufferPointer({ kernel.find($0.baseAddress!, kind: BTFKind.structure) }),
              let valueType = kernel.type(valueTypeID) else {
            Log.warn("libbpf: struct_ops init_kern: struct bpf_struct_ops_\(typeName) is not found in kernel BTF\n")
            throw .ENOENT
        }
        var dataMember = -1
        for i in 0..<Int(valueType.vlen) where valueType.word(3 * i + 1) == kernelTypeID {
            dataMember = i
            break
        }
        if dataMember < 0 {
            Log.warn("libbpf: struct_ops init_kern: struct \(typeName) data is not found in struct bpf_struct_ops_\(typeName)\n")
            throw .EINVAL
        }
        Log.debug("libbpf: struct_ops init_kern \(mapName): type_id:\(info.typeID) kern_type_id:\(kernelTypeID) kern_vtype_id:\(valueTypeID)\n")
        map.valueSize = valueType.sizeOrType
        map.btfVmlinuxValueTypeID = valueTypeID
        var kernelValue = [UInt8](repeating: 0, count: Int(valueType.sizeOrType))
        let dataOffset = valueType.word(3 * dataMember + 2) / 8
        guard let type = btf.type(info.typeID) else { return }
        info.kernelFunctionOffsets = [UInt32](repeating: 0, count: Int(type.vlen))
        defer { map.structOps = info }
        for i in 0..<Int(type.vlen) {
            let memberName = btf.string(at: type.word(3 * i))
            let memberNameText = btf.nameString(type.word(3 * i))
            var kernelMember = -1
            for k in 0..<Int(kernelType.vlen) {
                if let n = kernel.string(at: kernelType.word(3 * k)), let memberName, strcmp(n, memberName) == 0 {
                    kernelMember = k
                    break
                }
            }
            if kernelMember < 0 {
                Log.warn("libbpf: struct_ops init_kern \(mapName): Cannot find member \(memberNameText) in kernel BTF\n")
                throw .ENOTSUP
            }
            let rawOffset = type.word(3 * i + 2)
            let kernelRawOffset = kernelType.word(3 * kernelMember + 2)
            if (type.kindFlag && rawOffset >> 24 != 0) || (kernelType.kindFlag && kernelRawOffset >> 24 != 0) {
                Log.warn("libbpf: struct_ops init_kern \(mapName): bitfield \(memberNameText) is not supported\n")
                throw .ENOTSUP
            }
            let offset = rawOffset / 8
            let kernelOffset = kernelRawOffset / 8
            let (memberType, memberTypeID) = btf.skipModifiersAndTypedefs(type.word(3 * i + 1))
            var (kernelMemberType, kernelMemberTypeID) = kernel.skipModifiersAndTypedefs(kernelType.word(3 * kernelMember + 1))
            guard let memberType, let kmt = kernelMemberType else { throw .EINVAL }
            if memberType.kind != kmt.kind {
                Log.warn("libbpf: struct_ops init_kern \(mapName): Unmatched member type \(memberNameText) \(memberType.kind) != \(kmt.kind)(kernel)\n")
                throw .ENOTSUP
            }
            if memberType.kind == BTFKind.pointer {
                let programIndex = i < info.programs.count ? info.programs[i] : -1
                if programIndex < 0 { continue }
                let program = programs[programIndex]
                (kernelMemberType, kernelMemberTypeID) = kernel.skipModifiersAndTypedefs(kmt.sizeOrType)
                if kernelMemberType?.kind != BTFKind.functionPrototype {
                    Log.warn("libbpf: struct_ops init_kern \(mapName): kernel member \(memberNameText) is not a func ptr\n")
                    throw .ENOTSUP
                }
                program.attachBTFID = kernelTypeID
                program.expectedAttachType = UInt32(kernelMember)
                info.kernelFunctionOffsets[i] = dataOffset + kernelOffset
                Log.debug("libbpf: struct_ops init_kern \(mapName): func ptr \(memberNameText) is set to prog \(cString: program.name) from data(+\(offset)) to kern_data(+\(kernelOffset))\n")
                continue
            }
            var size: Int64
            do throws(BPFError) { size = try btf.resolveSize(memberTypeID) } catch { size = -Int64(error.code) }
            var kernelSize: Int64
            do throws(BPFError) { kernelSize = try kernel.resolveSize(kernelMemberTypeID) } catch { kernelSize = -Int64(error.code) }
            if size < 0 || kernelSize < 0 || size != kernelSize {
                Log.warn("libbpf: struct_ops init_kern \(mapName): Error in size of member \(memberNameText): \(size) != \(kernelSize)(kernel)\n")
                throw .ENOTSUP
            }
            Log.debug("libbpf: struct_ops init_kern \(mapName): copy \(memberNameText) \(size) bytes from data(+\(offset)) to kern_data(+\(kernelOffset))\n")
            let destination = Int(dataOffset + kernelOffset)
            for b in 0..<Int(size) where destination + b < kernelValue.count && Int(offset) + b < info.data.count {
                kernelValue[destination + b] = info.data[Int(offset) + b]
            }
        }
        info.kernelValue = kernelValue
    }

    /// `bpf_object__create_maps`.
    func createMaps() throws(BPFError) {
        for (i, map) in maps.enumerated() {
            if map.isInternal && !KernelFeatures.supports(.globalData) { map.autocreate = false }
            if !map.autocreate {
                Log.debug("libbpf: map '\(cString: map.name)': skipped auto-creating...\n")
                continue
            }
            do throws(BPFError) {
                try createOrReuse(map)
            } catch {
                Log.warn("libbpf: map '\(cString: map.name)': failed to create: \(errorText(error.code))(-\(error.code))\n")
                logPermissionHint(error)
                for j in 0..<i { maps[j].closeFD() }
                throw error
            }
        }
    }

    /// One map of `createMaps`: reuse of its pin, else creation with contents and
    /// slots; then auto-pinning, retried once from the top when another process
    /// pinned the same path meanwhile.
    func createOrReuse(_ map: BPFMap) throws(BPFError) {
        if map.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY.rawValue && map.maxEntries == 0 {
            // One slot per possible CPU unless the definition says otherwise (before
            // reuse, so a pinned array of that size is compatible).
            let cpus: Int
            do throws(BPFError) {
                cpus = try CPUs.possibleCount()
            } catch {
                Log.warn("libbpf: map '\(cString: map.name)': failed to determine number of system CPUs: -\(error.code)\n")
                throw error
            }
            Log.debug("libbpf: map '\(cString: map.name)': setting size to \(cpus)\n")
            map.maxEntries = UInt32(cpus)
        }
        var retried = false
        while true {
            if map.pinPath != nil {
                do throws(BPFError) {
                    try map.reusePinned()
                } catch {
                    Log.warn("libbpf: map '\(cString: map.name)': error reusing pinned map\n")
                    throw error
                }
                if retried && map.fd < 0 {
                    Log.warn("libbpf: map '\(cString: map.name)': cannot find pinned map\n")
                    throw .ENOENT
                }
            }
            if map.fd >= 0 {
                Log.debug("libbpf: map '\(cString: map.name)': skipping creation (preset fd=\(map.fd))\n")
            } else {
                try createMap(map)
                Log.debug("libbpf: map '\(cString: map.name)': created successfully, fd=\(map.fd)\n")
                do throws(BPFError) {
                    if map.isInternal { try populateInternalMap(map) }
                    if !map.initSlots.isEmpty && map.type != BPF_MAP_TYPE_PROG_ARRAY.rawValue {
                        try initializeMapSlots(map)
                    }
                } catch {
                    map.closeFD()
                    throw error
                }
            }
            if let pinPath = map.pinPath, !map.pinned {
                do throws(BPFError) {
                    try map.pin(nil)
                } catch {
                    map.closeFD()
                    if !retried && error == .EEXIST {
                        retried = true
                        continue
                    }
                    Log.warn("libbpf: map '\(cString: map.name)': failed to auto-pin at '\(cString: pinPath)': -\(error.code)\n")
                    throw error
                }
            }
            return
        }
    }

    /// `bpf_object__create_map`: BPF_MAP_CREATE with the object's BTF ids (retried
    /// without them when the kernel refuses), creating a map-in-map's inner map
    /// first as the template of its values.
    func createMap(_ map: BPFMap) throws(BPFError) {
        var attributes = MapCreateAttributes(type: map.type, name: UnsafePointer(map.name), keySize: map.keySize,
                                             valueSize: map.valueSize, maxEntries: map.maxEntries)
        attributes.ifindex = map.ifindex
        attributes.flags = map.mapFlags
        attributes.numaNode = map.numaNode
        attributes.extra = map.mapExtra
        if map.isStructOps { attributes.btfVMLinuxValueTypeID = map.btfVmlinuxValueTypeID }
        if let btf, btf.fd >= 0 {
            attributes.btfFD = UInt32(bitPattern: btf.fd)
            attributes.btfKeyTypeID = map.btfKeyTypeID
            attributes.btfValueTypeID = map.btfValueTypeID
        }
        if map.isMapInMap {
            if let inner = map.innerMap {
                do throws(BPFError) {
                    try createMap(inner)
                } catch {
                    Log.warn("libbpf: map '\(cString: map.name)': failed to create inner map: -\(error.code)\n")
                    throw error
                }
                map.innerMapFD = inner.fd
            }
            if map.innerMapFD >= 0 { attributes.innerMapFD = UInt32(bitPattern: map.innerMapFD) }
        }
        switch bpf_map_type(rawValue: map.type) {
        case BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_STACK_TRACE,
             BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_DEVMAP,
             BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP, BPF_MAP_TYPE_SOCKMAP,
             BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK:
            // Kernels refuse BTF for these: do not even try.
            attributes.btfFD = 0
            attributes.btfKeyTypeID = 0
            attributes.btfValueTypeID = 0
            map.btfKeyTypeID = 0
            map.btfValueTypeID = 0
        default:
            break
        }
        ResourceLimits.bumpMemlockIfNeeded()
        var result: BPFError? = nil
        do {
            map.fd = try MapCommands.create(attributes)
        } catch {
            result = error
            if attributes.btfKeyTypeID != 0 || attributes.btfValueTypeID != 0 {
                Log.warn("libbpf: Error in bpf_create_map_xattr(\(cString: map.name)):\(errorText(error.code))(-\(error.code)). Retrying without BTF.\n")
                attributes.btfFD = 0
                attributes.btfKeyTypeID = 0
                attributes.btfValueTypeID = 0
                map.btfKeyTypeID = 0
                map.btfValueTypeID = 0
                do {
                    map.fd = try MapCommands.create(attributes)
                    result = nil
                } catch {
                    result = error
                }
            }
        }
        // The inner map was only the template: it goes away either way.
        if map.isMapInMap && map.innerMap != nil { map.innerMap = nil }
        if let result { throw result }
    }

    /// `bpf_object__populate_internal_map`: the initial contents, then .rodata
    /// and .kconfig frozen against writes from user space.
    func populateInternalMap(_ map: BPFMap) throws(BPFError) {
        var zero: UInt32 = 0
        do {
            try MapCommands.element(BPF_MAP_UPDATE_ELEM, fd: map.fd, key: &zero, value: map.mmaped, flags: 0)
        } catch {
            Log.warn("libbpf: Error setting initial map(\(cString: map.name)) contents: \(errorText(error.code))\n")
            throw error
        }
        if map.kind == .rodata || map.kind == .kconfig {
            do {
                try MapCommands.freeze(fd: map.fd)
            } catch {
                Log.warn("libbpf: Error freezing map(\(cString: map.name)) as read-only: \(errorText(error.code))\n")
                throw error
            }
        }
    }

    /// `init_map_in_map_slots`: the maps `.values` named, by fd.
    func initializeMapSlots(_ map: BPFMap) throws(BPFError) {
        for (i, slot) in map.initSlots.enumerated() {
            guard case .map(let index) = slot else { continue }
            let target = maps[index]
            var key = UInt32(i)
            var fd = target.fd
            do {
                try MapCommands.element(BPF_MAP_UPDATE_ELEM, fd: map.fd, key: &key, value: &fd, flags: 0)
            } catch {
                Log.warn("libbpf: map '\(cString: map.name)': failed to initialize slot [\(i)] to map '\(cString: target.name)' fd=\(fd): -\(error.code)\n")
                throw error
            }
            Log.debug("libbpf: map '\(cString: map.name)': slot [\(i)] set to map '\(cString: target.name)' fd=\(fd)\n")
        }
        map.initSlots = []
    }

    /// `bpf_object_init_prog_arrays`: program arrays get the loaded programs
    /// `.values` named, by fd.
    func initializeProgramArrays() throws(BPFError) {
        for map in maps where !map.initSlots.isEmpty && map.type == BPF_MAP_TYPE_PROG_ARRAY.rawValue {
            for (i, slot) in map.initSlots.enumerated() {
                guard case .program(let index) = slot else { continue }
                let target = programs[index]
                var key = UInt32(i)
                var fd = target.fd >= 0 ? target.fd : -ENOENT
                do {
                    try MapCommands.element(BPF_MAP_UPDATE_ELEM, fd: map.fd, key: &key, value: &fd, flags: 0)
                } catch {
                    Log.warn("libbpf: map '\(cString: map.name)': failed to initialize slot [\(i)] to prog '\(cString: target.name)' fd=\(fd): -\(error.code)\n")
                    map.closeFD()
                    throw error
                }
                Log.debug("libbpf: map '\(cString: map.name)': slot [\(i)] set to prog '\(cString: target.name)' fd=\(fd)\n")
            }
            map.initSlots = []
        }
    }

    /// After a failed load: maps this load pinned (not ones it found pinned) are
    /// unpinned again.
    func unpinAutoPinnedMaps() {
        for map in maps where map.pinned && !map.reused {
            _ = try? map.unpin(nil)
        }
    }

    // MARK: - Object-level pinning (bpf_object__pin_maps and friends)

    /// `bpf_object__pin_maps`: every created map at `<path>/<name>` ('.' → '_'),
    /// or, without a path, the maps that have a pin path. On failure the maps
    /// before the failing one are unpinned again.
    public func pinMaps(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        if !loaded {
            Log.warn("libbpf: object not yet loaded; load it first\n")
            throw .ENOENT
        }
        var failedAt = -1
        var failure: BPFError = .EINVAL
        for (i, map) in maps.enumerated() where map.autocreate {
            do throws(BPFError) {
                if let path {
                    let pinPath = try BPFObject.pinPathName(path, map.displayName, sanitize: true)
                    try pinPath.withUnsafeBufferPointer { (p) throws(BPFError) in try map.pin(p.baseAddress!) }
                } else if map.pinPath != nil {
                    try map.pin(nil)
                }
            } catch {
                failedAt = i
                failure = error
                break
            }
        }
        if failedAt < 0 { return }
        var j = failedAt - 1
        while j >= 0 {
            if maps[j].pinPath != nil { _ = try? maps[j].unpin(nil) }
            j -= 1
        }
        throw failure
    }

    /// `bpf_object__unpin_maps`.
    public func unpinMaps(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        for map in maps {
            if let path {
                let pinPath = try BPFObject.pinPathName(path, map.displayName, sanitize: true)
                try pinPath.withUnsafeBufferPointer { (p) throws(BPFError) in try map.unpin(p.baseAddress!) }
            } else if map.pinPath != nil {
                try map.unpin(nil)
            }
        }
    }

    /// "<path>/<name>" within PATH_MAX (ENAMETOOLONG otherwise); bpffs refuses '.'
    /// in names, so map pin names get '_' instead when `sanitize`.
    static func pinPathName(_ path: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>, sanitize: Bool) throws(BPFError) -> [CChar] {
        var out: [CChar] = []
        if let path {
            var p = path
            while p.pointee != 0 { out.append(p.pointee); p += 1 }
        } else {
            for c in "(null)".utf8 { out.append(CChar(bitPattern: c)) }
        }
        out.append(CChar(UInt8(ascii: "/")))
        var n = name
        while n.pointee != 0 { out.append(n.pointee); n += 1 }
        if out.count >= Int(PATH_MAX) { throw BPFError(ENAMETOOLONG) }
        if sanitize {
            for i in 0..<out.count where out[i] == CChar(UInt8(ascii: ".")) { out[i] = CChar(UInt8(ascii: "_")) }
        }
        out.append(0)
        return out
    }
}

extension BPFMap {
    /// Closes the map's fd, if any (`zclose`).
    func closeFD() {
        if fd >= 0 { _ = close(fd) }
        fd = -1
    }

    /// `bpf_object__reuse_map`: adopts the map pinned at the pin path when its
    /// definition matches; nothing pinned there is fine.
    func reusePinned() throws(BPFError) {
        guard let pinPath else { return }
        let pinned: Int32
        do {
            pinned = try ObjectCommands.get(path: pinPath, fileFlags: 0)
        } catch {
            if error == .ENOENT {
                Log.debug("libbpf: found no pinned map to reuse at '\(cString: pinPath)'\n")
                return
            }
            Log.warn("libbpf: couldn't retrieve pinned map '\(cString: pinPath)': \(errorText(error.code))\n")
            throw error
        }
        defer { _ = close(pinned) }
        if !isReuseCompatible(pinned) {
            Log.warn("libbpf: couldn't reuse pinned map at '\(cString: pinPath)': parameter mismatch\n")
            throw .EINVAL
        }
        try reuseFD(pinned)
        self.pinned = true
        Log.debug("libbpf: reused pinned map at '\(cString: pinPath)'\n")
    }

    /// The kernel's view of a map fd (`bpf_obj_get_info_by_fd`).
    static func info(_ fd: Int32) throws(BPFError) -> bpf_map_info {
        var info = bpf_map_info()
        _ = try ObjectCommands.info(fd: fd, info: &info, length: UInt32(MemoryLayout<bpf_map_info>.size))
        return info
    }

    /// `map_is_reuse_compat`: same type, sizes, flags and extra.
    func isReuseCompatible(_ fd: Int32) -> Bool {
        let info: bpf_map_info
        do {
            info = try BPFMap.info(fd)
        } catch {
            Log.warn("libbpf: failed to get map info for map FD \(fd): \(errorText(error.code))\n")
            return false
        }
        return info.type == type && info.key_size == keySize && info.value_size == valueSize
            && info.max_entries == maxEntries && info.map_flags == mapFlags && info.map_extra == mapExtra
    }

    /// `bpf_map__reuse_fd`: the map becomes (a dup of) an existing map, taking its
    /// definition and its name (ours when the kernel's is our name truncated).
    public func reuseFD(_ existing: Int32) throws(BPFError) {
        let info = try BPFMap.info(existing)
        var kernelName = info.name
        let newName: UnsafeMutablePointer<CChar> = withUnsafeBytes(of: &kernelName) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            let length = strnlen(p, raw.count)
            if length == raw.count - 1 && strncmp(name, p, length) == 0 { return strdup(name)! }
            return strndup(p, length)!
        }
        // The lowest free fd, reserved by opening "/", then made a copy of `existing`.
        let slot = sbpf_open("/", O_RDONLY | O_CLOEXEC, 0)
        if slot < 0 {
            let error = BPFError.lastErrno()
            free(newName)
            throw error
        }
        let duplicate = sbpf_dup3(existing, slot, O_CLOEXEC)
        if duplicate < 0 {
            let error = BPFError.lastErrno()
            _ = close(slot)
            free(newName)
            throw error
        }
        closeFD()
        free(name)
        fd = duplicate
        name = newName
        type = info.type
        keySize = info.key_size
        valueSize = info.value_size
        maxEntries = info.max_entries
        mapFlags = info.map_flags
        btfKeyTypeID = info.btf_key_type_id
        btfValueTypeID = info.btf_value_type_id
        reused = true
        mapExtra = info.map_extra
    }

    /// `bpf_map__pin`: pins at `path`, or at the pin path when `path` is nil (they
    /// must agree when both are set).
    public func pin(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        if let pinPath {
            if let path, strcmp(path, pinPath) != 0 {
                Log.warn("libbpf: map '\(cString: displayName)' already has pin path '\(cString: pinPath)' different from '\(cString: path)'\n")
                throw .EINVAL
            } else if pinned {
                Log.debug("libbpf: map '\(cString: displayName)' already pinned at '\(cString: pinPath)'; not re-pinning\n")
                return
            }
        } else {
            guard let path else {
                Log.warn("libbpf: missing a path to pin map '\(cString: displayName)' at\n")
                throw .EINVAL
            }
            if pinned {
                Log.warn("libbpf: map '\(cString: displayName)' already pinned\n")
                throw .EEXIST
            }
            try setPinPath(path)
        }
        let target = UnsafePointer(pinPath!)
        try makeParentDirectory(target)
        try checkBPFFSPath(target)
        do {
            try ObjectCommands.pin(fd: fd, path: target)
        } catch {
            Log.warn("libbpf: failed to pin map: \(errorText(error.code))\n")
            throw error
        }
        pinned = true
        Log.debug("libbpf: pinned map '\(cString: target)'\n")
    }

    /// `bpf_map__unpin`.
    public func unpin(_ path: UnsafePointer<CChar>?) throws(BPFError) {
        var target = path
        if let pinPath {
            if let path, strcmp(path, pinPath) != 0 {
                Log.warn("libbpf: map '\(cString: displayName)' already has pin path '\(cString: pinPath)' different from '\(cString: path)'\n")
                throw .EINVAL
            }
            target = UnsafePointer(pinPath)
        } else if path == nil {
            Log.warn("libbpf: no path to unpin map '\(cString: displayName)' from\n")
            throw .EINVAL
        }
        try checkBPFFSPath(target!)
        if unlink(target!) != 0 { throw BPFError.lastErrno() }
        pinned = false
        Log.debug("libbpf: unpinned map '\(cString: displayName)' from '\(cString: target)'\n")
    }
}

/// POSIX `dirname` of a copy of `path`.
func directoryName(_ path: UnsafePointer<CChar>) -> [CChar] {
    var chars: [CChar] = []
    var p = path
    while p.pointee != 0 { chars.append(p.pointee); p += 1 }
    let slash = CChar(UInt8(ascii: "/"))
    var end = chars.count
    while end > 1 && chars[end - 1] == slash { end -= 1 }
    var i = end - 1
    while i >= 0 && chars[i] != slash { i -= 1 }
    var result: [CChar]
    if chars.isEmpty || (i < 0 && !(end == 1 && chars[0] == slash)) {
        result = [CChar(UInt8(ascii: "."))]
    } else if end == 1 && chars[0] == slash {
        result = [slash]
    } else {
        var last = i
        while last > 0 && chars[last] == slash { last -= 1 }
        result = last == 0 && chars[0] == slash ? [slash] : Array(chars[0...last])
    }
    result.append(0)
    return result
}

/// `make_parent_dir`: mkdir(dirname(path), 0700), an existing one being fine.
func makeParentDirectory(_ path: UnsafePointer<CChar>) throws(BPFError) {
    let directory = directoryName(path)
    let failed = directory.withUnsafeBufferPointer { mkdir($0.baseAddress!, 0o700) != 0 }
    if failed {
        let error = BPFError.lastErrno()
        if error != .EEXIST {
            Log.warn("libbpf: failed to mkdir \(cString: path): \(errorText(error.code))\n")
            throw error
        }
    }
}

/// `check_path`: the directory of `path` must be on a BPF file system.
func checkBPFFSPath(_ path: UnsafePointer<CChar>) throws(BPFError) {
    let directory = directoryName(path)
    var fs = statfs()
    let failed = directory.withUnsafeBufferPointer { statfs($0.baseAddress!, &fs) != 0 }
    if failed {
        let error = BPFError.lastErrno()
        directory.withUnsafeBufferPointer {
            Log.warn("libbpf: failed to statfs \(cString: $0.baseAddress!): \(errorText(error.code))\n")
        }
        throw error
    }
    if Int(fs.f_type) != bpfFSMagic {
        Log.warn("libbpf: specified path \(cString: path) is not on BPF FS\n")
        throw .EINVAL
    }
}

import CBPF

extension BPFObject {
    /// `bpf_object__init_global_data_maps`: one array map per non-empty .data*,
    /// .rodata* and .bss* section, in section order.
    func initializeGlobalDataMaps() throws(BPFError) {
        for section in sections {
            let index = section.index
            let kind: InternalMapKind
            switch section.kind {
            case .data: kind = .data
            case .rodata: kind = .rodata
            case .bss: kind = .bss
            default: continue
            }
            if section.size == 0 { continue }
            if kind == .rodata { hasRodata = true }
            try addInternalMap(kind, realName: section.name, sectionIndex: index,
                               data: kind == .bss ? nil : section.data, size: section.size)
        }
    }

    /// `bpf_object__init_kconfig_map`: sized to hold every .kconfig extern.
    func initializeKconfigMap() throws(BPFError) {
        guard let last = externs.lastIndex(where: { $0.kind == .kconfig }) else { return }
        let size = externs[last].dataOffset + externs[last].size
        let name: [CChar] = [0x2e, 0x6b, 0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0]  // ".kconfig"
        try addInternalMap(.kconfig, realName: name, sectionIndex: symbolsSectionIndex, data: nil, size: size)
        kconfigMapIndex = maps.count - 1
    }

    /// `bpf_object__init_internal_map`.
    func addInternalMap(_ kind: InternalMapKind, realName: [CChar], sectionIndex: Int,
                        data: [UInt8]?, size: Int) throws(BPFError) {
        let name = realName.withUnsafeBufferPointer { internalMapName($0.baseAddress!) }
        let map = name.withUnsafeBufferPointer { BPFMap(object: self, name: $0.baseAddress!) }
        maps.append(map)
        map.kind = kind
        map.sectionIndex = sectionIndex
        map.sectionOffset = 0
        map.realName = realName.withUnsafeBufferPointer { strdup($0.baseAddress!) }
        map.type = BPF_MAP_TYPE_ARRAY.rawValue
        map.keySize = 4
        map.valueSize = UInt32(truncatingIfNeeded: size)
        map.maxEntries = 1
        map.mapFlags = kind == .rodata || kind == .kconfig ? UInt32(BPF_F_RDONLY_PROG) : 0
        // Failures are fine: .rodata.str1.1 and the like have no DATASEC.
        fillBTFTypeInfo(map)
        if isMmapable(map) { map.mapFlags |= UInt32(BPF_F_MMAPABLE) }
        let mapName = RawName(map.name)
        debugLog("libbpf: map '\(mapName)' (global data): at sec_idx \(sectionIndex), offset 0, flags \(hexString(UInt(map.mapFlags))).\n")
        do throws(BPFError) {
            try map.allocateInitialValue(data, size: size)
        } catch {
            Log.warn("libbpf: failed to alloc map '\(mapName)' content buffer: -\(error.code)\n")
            free(map.realName)
            map.realName = nil
            throw error
        }
        debugLog("libbpf: map \(maps.count - 1) is \"\(mapName)\"\n")
    }

    /// `map_fill_btf_type_info` for internal maps: the value type is the DATASEC
    /// named after the section (any type of that name, as the reference looks it up).
    func fillBTFTypeInfo(_ map: BPFMap) {
        guard let btf, map.isInternal, let realName = map.realName else { return }
        if map.sectionIndex == mapsSectionIndex || map.isStructOps { return }
        guard let id = btf.scanForType(named: realName, kind: nil) else { return }
        map.btfKeyTypeID = 0
        map.btfValueTypeID = id
    }

    /// `map_is_mmapable`: some VAR of the map's DATASEC is not static (hidden ones
    /// were made static when the BTF was finalised).
    func isMmapable(_ map: BPFMap) -> Bool {
        guard map.btfValueTypeID != 0, let btf, let t = btf.type(map.btfValueTypeID), t.kind == BTFKind.dataSection else {
            return false
        }
        for i in 0..<Int(t.vlen) {
            guard let v = btf.type(t.word(3 * i)), v.kind == BTFKind.variable else { continue }
            if v.word(0) != UInt32(BTF_VAR_STATIC) { return true }
        }
        return false
    }

    /// `internal_map_name`: as much of the object name as fits before the section
    /// name in 15 characters (the suffix always gets at least 7), none for custom
    /// `.data.*`/`.rodata.*` sections; characters the kernel refuses become '_'.
    func internalMapName(_ realName: UnsafePointer<CChar>) -> [CChar] {
        let objectNameLength = name.withUnsafeBufferPointer { Int(strlen($0.baseAddress!)) }
        let realLength = Int(strlen(realName))
        var suffixLength = max(7, realLength)
        if suffixLength >= 16 { suffixLength = 15 }
        let prefixLength = strchr(realName + 1, Int32(UInt8(ascii: "."))) != nil ? 0 : min(16 - suffixLength - 1, objectNameLength)
        var out: [CChar] = []
        out.reserveCapacity(16)
        for i in 0..<prefixLength { out.append(name[i]) }
        var i = 0
        while i < suffixLength && i < realLength && out.count < 15 {
            out.append(realName[i])
            i += 1
        }
        for k in 0..<out.count {
            let c = UInt8(bitPattern: out[k])
            let alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
            if !alnum && c != UInt8(ascii: "_") && c != UInt8(ascii: ".") { out[k] = CChar(UInt8(ascii: "_")) }
        }
        out.append(0)
        return out
    }
}

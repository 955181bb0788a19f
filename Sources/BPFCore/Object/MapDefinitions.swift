import CBPF

/// A BTF map definition (`struct btf_map_def`): what a `.maps` variable's struct
/// says, and which of its parts were present.
struct BTFMapDefinition {
    struct Parts: OptionSet {
        var rawValue: UInt32
        static let mapType = Parts(rawValue: 0x001)
        static let keyType = Parts(rawValue: 0x002)
        static let keySize = Parts(rawValue: 0x004)
        static let valueType = Parts(rawValue: 0x008)
        static let valueSize = Parts(rawValue: 0x010)
        static let maxEntries = Parts(rawValue: 0x020)
        static let mapFlags = Parts(rawValue: 0x040)
        static let numaNode = Parts(rawValue: 0x080)
        static let pinning = Parts(rawValue: 0x100)
        static let innerMap = Parts(rawValue: 0x200)
        static let mapExtra = Parts(rawValue: 0x400)
    }
    var parts: Parts = []
    var mapType: UInt32 = 0
    var keyTypeID: UInt32 = 0
    var keySize: UInt32 = 0
    var valueTypeID: UInt32 = 0
    var valueSize: UInt32 = 0
    var maxEntries: UInt32 = 0
    var mapFlags: UInt32 = 0
    var numaNode: UInt32 = 0
    var pinning: UInt32 = 0
    var mapExtra: UInt64 = 0
}

/// `enum libbpf_pin_type`.
let pinByName: UInt32 = 1

extension BPFObject {
    /// `bpf_object__init_maps`: BTF-defined maps, global data maps, the .kconfig
    /// map, struct_ops maps, in that order.
    func initializeMaps(_ elf: ELFFile, options: ObjectOpenOptions) throws(BPFError) {
        try initializeBTFMaps(elf, strict: !options.relaxedMaps, pinRootPath: options.pinRootPath)
        try initializeGlobalDataMaps()
        try initializeKconfigMap()
        try initializeStructOpsMaps()
    }

    /// `bpf_object__init_user_btf_maps`: one map per VAR of the `.maps` DATASEC.
    func initializeBTFMaps(_ elf: ELFFile, strict: Bool, pinRootPath: UnsafePointer<CChar>?) throws(BPFError) {
        if mapsSectionIndex < 0 { return }
        guard let btf else {
            Log.warn("libbpf: DATASEC '.maps' not found.\n")
            throw .ENOENT
        }
        let dataSize = recordedSection(mapsSectionIndex)?.size ?? 0
        var sectionID: UInt32 = 0
        btf.forEachOwnType { id, t in
            if t.kind == BTFKind.dataSection, let name = btf.name(of: t), strcmp(name, ".maps") == 0 {
                sectionID = id
                return false
            }
            return true
        }
        if sectionID != 0 { mapsSectionBTFID = sectionID }
        if sectionID == 0 {
            Log.warn("libbpf: DATASEC '.maps' not found.\n")
            throw .ENOENT
        }
        let count = Int(btf.type(sectionID)!.vlen)
        for i in 0..<count {
            try initializeBTFMap(btf, sectionID: sectionID, variableIndex: i, dataSize: dataSize,
                                 strict: strict, pinRootPath: pinRootPath)
        }
    }

    /// `bpf_object__init_user_btf_map`.
    func initializeBTFMap(_ btf: BTF, sectionID: UInt32, variableIndex: Int, dataSize: Int,
                          strict: Bool, pinRootPath: UnsafePointer<CChar>?) throws(BPFError) {
        let section = btf.type(sectionID)!
        let varID = section.word(3 * variableIndex)
        let varOffset = section.word(3 * variableIndex + 1)
        let varSize = section.word(3 * variableIndex + 2)
        let variable = btf.type(varID)
        guard let variable, let mapName = btf.name(of: variable), mapName[0] != 0 else {
            Log.warn("libbpf: map #\(variableIndex): empty name.\n")
            throw .EINVAL
        }
        let name = RawName(mapName)
        if UInt64(varOffset) + UInt64(varSize) > UInt64(dataSize) {
            Log.warn("libbpf: map '\(name)' BTF data is corrupted.\n")
            throw .EINVAL
        }
        if variable.kind != BTFKind.variable {
            Log.warn("libbpf: map '\(name)': unexpected var kind \(BTF.kindName(variable)).\n")
            throw .EINVAL
        }
        let linkage = variable.word(0)
        if linkage != UInt32(BTF_VAR_GLOBAL_ALLOCATED) {
            let linkageName: StaticString
            switch linkage {
            case UInt32(BTF_VAR_STATIC): linkageName = "static"
            case UInt32(BTF_VAR_GLOBAL_EXTERN): linkageName = "extern"
            default: linkageName = "unknown"
            }
            Log.warn("libbpf: map '\(name)': unsupported map linkage \(linkageName).\n")
            throw .EOPNOTSUPP
        }
        guard let def = btf.skipModifiersAndTypedefs(variable.sizeOrType).type, def.kind == BTFKind.structure else {
            // The reference names the VAR's kind here, not the definition's.
            Log.warn("libbpf: map '\(name)': unexpected def kind \(BTF.kindName(variable)).\n")
            throw .EINVAL
        }
        if def.sizeOrType > varSize {
            Log.warn("libbpf: map '\(name)': invalid def size.\n")
            throw .EINVAL
        }
        let map = BPFMap(object: self, name: mapName)
        maps.append(map)
        map.sectionIndex = mapsSectionIndex
        map.sectionOffset = Int(varOffset)
        map.btfVarIndex = UInt32(variableIndex)
        debugLog("libbpf: map '\(name)': at sec_idx \(map.sectionIndex), offset \(map.sectionOffset).\n")

        var definition = BTFMapDefinition()
        var inner = BTFMapDefinition()
        try parseBTFMapDefinition(mapName, btf, def, strict: strict, &definition, &inner, isInner: false)
        BPFObject.fill(map, from: definition)

        if definition.pinning == pinByName {
            do throws(BPFError) {
                try buildPinPath(map, pinRootPath)
            } catch {
                Log.warn("libbpf: map '\(RawName(map.displayName))': couldn't build pin path.\n")
                throw error
            }
        }
        if definition.parts.contains(.innerMap) {
            var innerName = [CChar](repeating: 0, count: Int(strlen(mapName)) + 7)
            innerName.withUnsafeMutableBufferPointer { buffer in
                let p = buffer.baseAddress!
                strcpy(p, mapName)
                strcat(p, ".inner")
            }
            let innerMap = innerName.withUnsafeBufferPointer { BPFMap(object: self, name: $0.baseAddress!, isInner: true) }
            // calloc'ed in the reference: only the fd is set to -1.
            innerMap.innerMapFD = 0
            innerMap.autocreate = false
            innerMap.sectionIndex = mapsSectionIndex
            map.innerMap = innerMap
            BPFObject.fill(innerMap, from: inner)
        }
    }

    /// `build_map_pin_path`: "<root>/<map name>", root defaulting to /sys/fs/bpf.
    func buildPinPath(_ map: BPFMap, _ root: UnsafePointer<CChar>?) throws(BPFError) {
        let defaultRoot: StaticString = "/sys/fs/bpf"
        let base = root ?? UnsafeRawPointer(defaultRoot.utf8Start).assumingMemoryBound(to: CChar.self)
        let baseLength = Int(strlen(base))
        let nameLength = Int(strlen(map.displayName))
        if baseLength + 1 + nameLength >= 4096 { throw BPFError(ENAMETOOLONG) }
        var path = [CChar](repeating: 0, count: baseLength + nameLength + 2)
        path.withUnsafeMutableBufferPointer { buffer in
            let p = buffer.baseAddress!
            strcpy(p, base)
            strcat(p, "/")
            strcat(p, map.displayName)
        }
        try path.withUnsafeBufferPointer { (p) throws(BPFError) in try map.setPinPath(p.baseAddress!) }
    }

    /// `fill_map_from_def`, with its debug lines.
    static func fill(_ map: BPFMap, from def: BTFMapDefinition) {
        map.type = def.mapType
        map.keySize = def.keySize
        map.valueSize = def.valueSize
        map.maxEntries = def.maxEntries
        map.mapFlags = def.mapFlags
        map.mapExtra = def.mapExtra
        map.numaNode = def.numaNode
        map.btfKeyTypeID = def.keyTypeID
        map.btfValueTypeID = def.valueTypeID
        if map.isRingBuffer { map.maxEntries = BPFMap.adjustRingBufferSize(map.maxEntries) }

        let name = RawName(map.name)
        if def.parts.contains(.mapType) { debugLog("libbpf: map '\(name)': found type = \(def.mapType).\n") }
        if def.parts.contains(.keyType) {
            debugLog("libbpf: map '\(name)': found key [\(def.keyTypeID)], sz = \(def.keySize).\n")
        } else if def.parts.contains(.keySize) {
            debugLog("libbpf: map '\(name)': found key_size = \(def.keySize).\n")
        }
        if def.parts.contains(.valueType) {
            debugLog("libbpf: map '\(name)': found value [\(def.valueTypeID)], sz = \(def.valueSize).\n")
        } else if def.parts.contains(.valueSize) {
            debugLog("libbpf: map '\(name)': found value_size = \(def.valueSize).\n")
        }
        if def.parts.contains(.maxEntries) { debugLog("libbpf: map '\(name)': found max_entries = \(def.maxEntries).\n") }
        if def.parts.contains(.mapFlags) { debugLog("libbpf: map '\(name)': found map_flags = 0x\(hexString(UInt(def.mapFlags))).\n") }
        if def.parts.contains(.mapExtra) { debugLog("libbpf: map '\(name)': found map_extra = 0x\(hexString(UInt(def.mapExtra))).\n") }
        if def.parts.contains(.pinning) { debugLog("libbpf: map '\(name)': found pinning = \(def.pinning).\n") }
        if def.parts.contains(.numaNode) { debugLog("libbpf: map '\(name)': found numa_node = \(def.numaNode).\n") }
        if def.parts.contains(.innerMap) { debugLog("libbpf: map '\(name)': found inner map definition.\n") }
    }

    /// `get_map_field_int`: an integer attribute, encoded as the element count of
    /// the array a pointer member points to (`int (*type)[N]`).
    func mapFieldInt(_ mapName: RawName, _ btf: BTF, memberName: UnsafePointer<CChar>?, memberType: UInt32) -> UInt32? {
        let attribute = RawName(memberName)
        let t = btf.skipModifiersAndTypedefs(memberType).type
        guard let t, t.kind == BTFKind.pointer else {
            Log.warn("libbpf: map '\(mapName)': attr '\(attribute)': expected PTR, got \(BTF.kindName(t)).\n")
            return nil
        }
        guard let array = btf.type(t.sizeOrType) else {
            Log.warn("libbpf: map '\(mapName)': attr '\(attribute)': type [\(t.sizeOrType)] not found.\n")
            return nil
        }
        if array.kind != BTFKind.array {
            Log.warn("libbpf: map '\(mapName)': attr '\(attribute)': expected ARRAY, got \(BTF.kindName(array)).\n")
            return nil
        }
        return array.word(2)
    }

    /// `parse_btf_map_def`. `isInner` parses a map-in-map's `values` definition.
    func parseBTFMapDefinition(_ mapNamePointer: UnsafePointer<CChar>, _ btf: BTF, _ def: UnsafePointer<btf_type>, strict: Bool,
                               _ mapDef: inout BTFMapDefinition, _ innerDef: inout BTFMapDefinition, isInner: Bool) throws(BPFError) {
        let mapName = RawName(mapNamePointer)
        let count = Int(def.vlen)
        for i in 0..<count {
            let memberNameOffset = def.word(3 * i)
            let memberType = def.word(3 * i + 1)
            guard let name = btf.string(at: memberNameOffset) else {
                Log.warn("libbpf: map '\(mapName)': invalid field #\(i).\n")
                throw .EINVAL
            }
            if cStringEquals(name, "type") {
                guard let v = mapFieldInt(mapName, btf, memberName: name, memberType: memberType) else { throw .EINVAL }
                mapDef.mapType = v
                mapDef.parts.insert(.mapType)
            } else if cStringEquals(name, "max_entries") {
                guard let v = mapFieldInt(mapName, btf, memberName: name, memberType: memberType) else { throw .EINVAL }
                mapDef.maxEntries = v
                mapDef.parts.insert(.maxEntries)
            } else if cStringEquals(name, "map_flags") {
                guard let v = mapFieldInt(mapName, btf, memberName: name, memberType: memberType) else { throw .EINVAL }
                mapDef.mapFlags = v
                mapDef.parts.insert(.mapFlags)
            } else if cStringEquals(name, "numa_node") {
                guard let v = mapFieldInt(mapName, btf, memberName: name, memberType: memberType) else { throw .EINVAL }
                mapDef.numaNode = v
                mapDef.parts.insert(.numaNode)
            } else if cStringEquals(name, "key_size") {
                guard let v = mapFieldInt(mapName, btf, memberName: name, memberType: memberType) else { throw .EINVAL }
                if mapDef.keySize != 0 && mapDef.keySize != v {
                    Log.warn("libbpf: map '\(mapName)': conflicting key size \(mapDef.keySize) != \(v).\n")
                    throw .EINVAL
                }
                mapDef.keySize = v
                mapDef.parts.insert(.keySize)
            } else if cStringEquals(name, "key") || cStringEquals(name, "value") {
                let isKey = name[0] == CChar(UInt8(ascii: "k"))
                let what = isKey ? "key" : "value"
                guard let t = btf.type(memberType) else {
                    Log.warn("libbpf: map '\(mapName)': \(what) type [\(Int32(bitPattern: memberType))] not found.\n")
                    throw .EINVAL
                }
                if t.kind != BTFKind.pointer {
                    Log.warn("libbpf: map '\(mapName)': \(what) spec is not PTR: \(BTF.kindName(t)).\n")
                    throw .EINVAL
                }
                let size: Int64
                do throws(BPFError) {
                    size = try btf.resolveSize(t.sizeOrType)
                } catch {
                    Log.warn("libbpf: map '\(mapName)': can't determine \(what) size for type [\(t.sizeOrType)]: -\(error.code).\n")
                    throw error
                }
                let current = isKey ? mapDef.keySize : mapDef.valueSize
                if current != 0 && Int64(current) != size {
                    Log.warn("libbpf: map '\(mapName)': conflicting \(what) size \(current) != \(size).\n")
                    throw .EINVAL
                }
                if isKey {
                    mapDef.keySize = UInt32(truncatingIfNeeded: size)
                    mapDef.keyTypeID = t.sizeOrType
                    mapDef.parts.insert([.keySize, .keyType])
                } else {
                    mapDef.valueSize = UInt32(truncatingIfNeeded: size)
                    mapDef.valueTypeID = t.sizeOrType
                    mapDef.parts.insert([.valueSize, .valueType])
                }
            } else if cStringEquals(name, "value_size") {
                guard let v = mapFieldInt(mapName, btf, memberName: name, memberType: memberType) else { throw .EINVAL }
                if mapDef.valueSize != 0 && mapDef.valueSize != v {
                    Log.warn("libbpf: map '\(mapName)': conflicting value size \(mapDef.valueSize) != \(v).\n")
                    throw .EINVAL
                }
                mapDef.valueSize = v
                mapDef.parts.insert(.valueSize)
            } else if cStringEquals(name, "values") {
                let isMapInMap = mapDef.mapType == BPF_MAP_TYPE_ARRAY_OF_MAPS.rawValue
                    || mapDef.mapType == BPF_MAP_TYPE_HASH_OF_MAPS.rawValue
                let isProgArray = mapDef.mapType == BPF_MAP_TYPE_PROG_ARRAY.rawValue
                let desc = isMapInMap ? "map-in-map inner" : "prog-array value"
                if isInner {
                    Log.warn("libbpf: map '\(mapName)': multi-level inner maps not supported.\n")
                    throw .ENOTSUP
                }
                if i != count - 1 {
                    Log.warn("libbpf: map '\(mapName)': '\(RawName(name))' member should be last.\n")
                    throw .EINVAL
                }
                if !isMapInMap && !isProgArray {
                    Log.warn("libbpf: map '\(mapName)': should be map-in-map or prog-array.\n")
                    throw .ENOTSUP
                }
                if mapDef.valueSize != 0 && mapDef.valueSize != 4 {
                    Log.warn("libbpf: map '\(mapName)': conflicting value size \(mapDef.valueSize) != 4.\n")
                    throw .EINVAL
                }
                mapDef.valueSize = 4
                guard let t = btf.type(memberType) else {
                    Log.warn("libbpf: map '\(mapName)': \(desc) type [\(Int32(bitPattern: memberType))] not found.\n")
                    throw .EINVAL
                }
                if t.kind != BTFKind.array || t.word(2) != 0 {
                    Log.warn("libbpf: map '\(mapName)': \(desc) spec is not a zero-sized array.\n")
                    throw .EINVAL
                }
                let element = btf.skipModifiersAndTypedefs(t.word(0)).type
                guard let element, element.kind == BTFKind.pointer else {
                    Log.warn("libbpf: map '\(mapName)': \(desc) def is of unexpected kind \(BTF.kindName(element)).\n")
                    throw .EINVAL
                }
                let target = btf.skipModifiersAndTypedefs(element.sizeOrType).type
                if isProgArray {
                    if target?.kind != BTFKind.functionPrototype {
                        Log.warn("libbpf: map '\(mapName)': prog-array value def is of unexpected kind \(BTF.kindName(target)).\n")
                        throw .EINVAL
                    }
                    continue
                }
                guard let target, target.kind == BTFKind.structure else {
                    Log.warn("libbpf: map '\(mapName)': map-in-map inner def is of unexpected kind \(BTF.kindName(target)).\n")
                    throw .EINVAL
                }
                // snprintf into char[128]: at most 127 bytes.
                var innerName = [CChar](repeating: 0, count: 128)
                let nameLength = min(Int(strlen(mapNamePointer)), 127)
                for k in 0..<nameLength { innerName[k] = mapNamePointer[k] }
                let suffix: StaticString = ".inner"
                for k in 0..<6 where nameLength + k < 127 {
                    innerName[nameLength + k] = CChar(bitPattern: suffix.utf8Start[k])
                }
                var unused = BTFMapDefinition()
                try innerName.withUnsafeBufferPointer { (p) throws(BPFError) in
                    try parseBTFMapDefinition(p.baseAddress!, btf, target, strict: strict, &innerDef, &unused, isInner: true)
                }
                mapDef.parts.insert(.innerMap)
            } else if cStringEquals(name, "pinning") {
                if isInner {
                    Log.warn("libbpf: map '\(mapName)': inner def can't be pinned.\n")
                    throw .EINVAL
                }
                guard let v = mapFieldInt(mapName, btf, memberName: name, memberType: memberType) else { throw .EINVAL }
                if v != 0 && v != pinByName {
                    Log.warn("libbpf: map '\(mapName)': invalid pinning value \(v).\n")
                    throw .EINVAL
                }
                mapDef.pinning = v
                mapDef.parts.insert(.pinning)
            } else if cStringEquals(name, "map_extra") {
                guard let v = mapFieldInt(mapName, btf, memberName: name, memberType: memberType) else { throw .EINVAL }
                mapDef.mapExtra = UInt64(v)
                mapDef.parts.insert(.mapExtra)
            } else {
                if strict {
                    Log.warn("libbpf: map '\(mapName)': unknown field '\(RawName(name))'.\n")
                    throw .ENOTSUP
                }
                debugLog("libbpf: map '\(mapName)': ignoring unknown field '\(RawName(name))'.\n")
            }
        }
        if mapDef.mapType == BPF_MAP_TYPE_UNSPEC.rawValue {
            Log.warn("libbpf: map '\(mapName)': map type isn't specified.\n")
            throw .EINVAL
        }
    }

    /// `bpf_object__init_struct_ops_maps`: one BPF_MAP_TYPE_STRUCT_OPS map per VAR
    /// of the `.struct_ops` DATASEC, with a copy of its bytes.
    func initializeStructOpsMaps() throws(BPFError) {
        if structOpsSectionIndex < 0 { return }
        guard let btf, let datasecID = btf.scanForType(named: ".struct_ops", kind: BTFKind.dataSection), let datasec = btf.type(datasecID) else {
            Log.warn("libbpf: struct_ops init: DATASEC .struct_ops not found\n")
            throw .EINVAL
        }
        let sectionData = recordedSection(structOpsSectionIndex)?.data ?? []
        for i in 0..<Int(datasec.vlen) {
            let varID = datasec.word(3 * i)
            let offset = datasec.word(3 * i + 1)
            let varName = btf.type(varID).flatMap { btf.name(of: $0) }
            let typeID: UInt32
            do throws(BPFError) {
                typeID = try btf.resolveType(varID)
            } catch {
                Log.warn("libbpf: struct_ops init: Cannot resolve var type_id \(varID) in DATASEC .struct_ops\n")
                throw .EINVAL
            }
            let type = btf.type(typeID)!
            let typeName = btf.name(of: type)
            guard let typeName, typeName[0] != 0 else {
                Log.warn("libbpf: struct_ops init: anonymous type is not supported\n")
                throw .ENOTSUP
            }
            if type.kind != BTFKind.structure {
                Log.warn("libbpf: struct_ops init: \(RawName(typeName)) is not a struct\n")
                throw .EINVAL
            }
            let empty: StaticString = ""
            let map = BPFMap(object: self, name: varName ?? UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self))
            maps.append(map)
            map.sectionIndex = structOpsSectionIndex
            map.sectionOffset = Int(offset)
            map.type = BPF_MAP_TYPE_STRUCT_OPS.rawValue
            map.keySize = 4
            map.valueSize = type.sizeOrType
            map.maxEntries = 1
            let size = Int(type.sizeOrType)
            if Int(offset) + size > sectionData.count {
                Log.warn("libbpf: struct_ops init: var \(RawName(varName)) is beyond the end of DATASEC .struct_ops\n")
                throw .EINVAL
            }
            map.structOps = StructOpsInfo(typeName: cStringArray(typeName), typeID: typeID,
                                          data: Array(sectionData[Int(offset)..<Int(offset) + size]),
                                          programs: [Int](repeating: -1, count: Int(type.vlen)))
            debugLog("libbpf: struct_ops init: struct \(RawName(typeName))(type_id=\(typeID)) \(RawName(varName)) found at offset \(offset)\n")
        }
    }
}

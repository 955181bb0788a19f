import CBPF

// The object's BTF after open: what the reference fixes up in place that the
// compiler could not know (DATASEC sizes, VAR offsets, hidden globals), and the
// small BTF helpers the open stages share.

extension BTF {
    /// A type record the open phase changes in place. A modifiable BTF's cached
    /// raw output is dropped, as any change must do.
    func mutableRecord(_ id: UInt32) -> UnsafeMutableRawPointer? {
        guard let t = type(id) else { return nil }
        if isModifiable { invalidateRawData() }
        return UnsafeMutableRawPointer(mutating: t)
    }

    /// `skip_mods_and_typedefs`: the type under modifiers and typedefs, and its id.
    func skipModifiersAndTypedefs(_ id: UInt32) -> (type: UnsafePointer<btf_type>?, id: UInt32) {
        var id = id
        var t = type(id)
        var depth = 0
        while let current = t, BTF.isModifier(current.kind) || current.kind == BTFKind.typedef {
            id = current.sizeOrType
            t = type(id)
            depth += 1
            if depth > 1000 { return (nil, id) }  // a reference loop (the reference spins)
        }
        return (t, id)
    }

    /// `btf_kind_str`.
    static func kindName(_ t: UnsafePointer<btf_type>?) -> StaticString {
        guard let t else { return "void" }
        switch t.kind {
        case BTFKind.unknown: return "void"
        case BTFKind.int: return "int"
        case BTFKind.pointer: return "ptr"
        case BTFKind.array: return "array"
        case BTFKind.structure: return "struct"
        case BTFKind.union: return "union"
        case BTFKind.enumeration: return "enum"
        case BTFKind.forward: return "fwd"
        case BTFKind.typedef: return "typedef"
        case BTFKind.volatile: return "volatile"
        case BTFKind.const: return "const"
        case BTFKind.restrict: return "restrict"
        case BTFKind.function: return "func"
        case BTFKind.functionPrototype: return "func_proto"
        case BTFKind.variable: return "var"
        case BTFKind.dataSection: return "datasec"
        case BTFKind.float: return "float"
        case BTFKind.declTag: return "decl_tag"
        case BTFKind.typeTag: return "type_tag"
        case BTFKind.enum64: return "enum64"
        default: return "unknown"
        }
    }

    /// `btf__find_by_name` / `btf__find_by_name_kind` by a scan, for the few
    /// lookups of open: building the name index costs more than scanning for them.
    func scanForType(named name: UnsafePointer<CChar>, kind: UInt32?) -> UInt32? {
        if base != nil { return find(name, kind: kind) }
        let first = name.pointee
        var found: UInt32? = nil
        forEachOwnType { id, t in
            if kind == nil || t.kind == kind!, let n = string(at: t.pointee.name_off), n.pointee == first, strcmp(n, name) == 0 {
                found = id
                return false
            }
            return true
        }
        return found
    }

    /// Calls `body` with each own type (id, record) in id order until it returns
    /// false, locating the type data once (`type(_:)` does it per id). `body` must
    /// not add types.
    @inline(__always)
    func forEachOwnType(_ body: (UInt32, UnsafePointer<btf_type>) -> Bool) {
        guard let data = typeData else { return }
        let offsets = typeOffsets
        for k in 0..<offsets.count {
            let t = UnsafePointer((data + Int(offsets[k])).assumingMemoryBound(to: btf_type.self))
            if !body(startID + UInt32(k), t) { return }
        }
    }

    /// `btf__name_by_offset` as a Swift string for messages ("(null)" like printf).
    func nameString(_ offset: UInt32) -> RawName {
        RawName(string(at: offset))
    }
}

/// Fields of records the open phase edits, by byte offset in the record.
enum BTFRecord {
    /// btf_type.size / btf_type.type.
    static let sizeOrType = 8
    static let info = 4
    /// btf_var.linkage (after the 12-byte header).
    static let varLinkage = 12
    /// The i-th btf_var_secinfo {type, offset, size}.
    static func secinfo(_ i: Int) -> Int { 12 + 12 * i }
    /// The i-th btf_param {name_off, type}.
    static func param(_ i: Int) -> Int { 12 + 8 * i }
    /// The i-th btf_member {name_off, type, offset}.
    static func member(_ i: Int) -> Int { 12 + 12 * i }
}

extension BPFObject {
    /// `bpf_object_fixup_btf`: every DATASEC but the extern ones gets its size from
    /// its ELF section (when the compiler left 0) and its VARs their offsets from
    /// their symbols; hidden globals become static; VARs are sorted by offset.
    /// `dataSections`: the BTF's DATASEC ids (`dataSectionIDs()`).
    func finalizeBTF(_ elf: ELFFile, dataSections: [UInt32]) throws(BPFError) {
        guard let btf else { return }
        var index = VariableSymbolIndex()
        for id in dataSections { try fixupDataSection(elf, btf, id, &index) }
    }

    /// The ids of the object BTF's DATASECs, in id order: found by one scan of the
    /// types for the two open stages that need them (the `.ksyms` lookup of
    /// extern collection and the fixups above; neither adds a DATASEC).
    func dataSectionIDs() -> [UInt32] {
        guard let btf else { return [] }
        var sections: [UInt32] = []
        btf.forEachOwnType { id, t in
            if t.kind == BTFKind.dataSection { sections.append(id) }
            return true
        }
        return sections
    }

    func fixupDataSection(_ elf: ELFFile, _ btf: BTF, _ id: UInt32, _ index: inout VariableSymbolIndex) throws(BPFError) {
        guard let record = btf.mutableRecord(id) else { return }
        let t = UnsafePointer<btf_type>(record.assumingMemoryBound(to: btf_type.self))
        let vars = Int(t.vlen)
        guard let sectionName = btf.name(of: t) else {
            debugLog("libbpf: No name found in string section for DATASEC kind.\n")
            throw .ENOENT
        }
        let section = RawName(sectionName)
        if strcmp(sectionName, ".kconfig") != 0 && strcmp(sectionName, ".ksyms") != 0 {
            var fixupOffsets = false
            if t.sizeOrType == 0 {
                // find_elf_sec_sz: the data size of the section of that name.
                var size: UInt32 = 0
                var error: Int32 = 0
                if let scn = elf.section(named: sectionName), let data = elf_getdata(scn, nil) {
                    size = UInt32(truncatingIfNeeded: data.pointee.d_size)
                } else {
                    error = -ENOENT
                }
                if error != 0 || size == 0 {
                    debugLog("libbpf: sec '\(section)': failed to determine size from ELF: size \(size), err \(error)\n")
                    throw .ENOENT
                }
                record.storeBytes(of: size, toByteOffset: BTFRecord.sizeOrType, as: UInt32.self)
                fixupOffsets = true
            }
            for i in 0..<vars {
                let info = BTFRecord.secinfo(i)
                let varID = record.load(fromByteOffset: info, as: UInt32.self)
                guard let v = btf.type(varID), v.kind == BTFKind.variable,
                      let varRecord = btf.mutableRecord(varID) else {
                    debugLog("libbpf: sec '\(section)': unexpected non-VAR type found\n")
                    throw .EINVAL
                }
                let linkage = varRecord.load(fromByteOffset: BTFRecord.varLinkage, as: UInt32.self)
                if linkage == UInt32(BTF_VAR_STATIC) || linkage == UInt32(BTF_VAR_GLOBAL_EXTERN) { continue }
                guard let varName = btf.name(of: v) else {
                    debugLog("libbpf: sec '\(section)': failed to find name of DATASEC's member #\(i)\n")
                    throw .ENOENT
                }
                // Any failure (a symbol name that cannot be read too) is "not found".
                let symbolIndex: Int?
                if index.lookups < VariableSymbolIndex.scansBeforeIndexing {
                    // a few lookups: scanning is cheaper than building the index
                    index.lookups += 1
                    symbolIndex = try? findVariableSymbol(elf, varName) ?? nil
                } else if index.build(self, elf) {
                    symbolIndex = index.find(varName)
                } else {
                    symbolIndex = try? findVariableSymbol(elf, varName) ?? nil
                }
                guard let symbolIndex else {
                    debugLog("libbpf: sec '\(section)': failed to find ELF symbol for VAR '\(RawName(varName))'\n")
                    throw .ENOENT
                }
                let sym = symbol(symbolIndex)
                if fixupOffsets {
                    record.storeBytes(of: UInt32(truncatingIfNeeded: sym.st_value), toByteOffset: info + 4, as: UInt32.self)
                }
                let visibility = sym.st_other & 0x3
                if visibility == UInt8(STV_HIDDEN) || visibility == UInt8(STV_INTERNAL) {
                    varRecord.storeBytes(of: UInt32(BTF_VAR_STATIC), toByteOffset: BTFRecord.varLinkage, as: UInt32.self)
                }
            }
        }
        BPFObject.sortSecinfos(record, count: vars)
    }

    /// The VARs of a DATASEC by offset: a stable insertion sort (glibc's qsort,
    /// which the reference uses, is a stable merge sort for such sizes).
    static func sortSecinfos(_ record: UnsafeMutableRawPointer, count: Int) {
        if count < 2 { return }
        let base = record + 12
        var i = 1
        while i < count {
            let entry = (base + 12 * i).loadUnaligned(as: (UInt32, UInt32, UInt32).self)
            var j = i
            while j > 0 {
                let previous = (base + 12 * (j - 1)).loadUnaligned(as: (UInt32, UInt32, UInt32).self)
                // compare_vsi_off: (int)(a->offset - b->offset)
                if Int32(bitPattern: previous.1 &- entry.1) <= 0 { break }
                (base + 12 * j).storeBytes(of: previous.0, as: UInt32.self)
                (base + 12 * j + 4).storeBytes(of: previous.1, as: UInt32.self)
                (base + 12 * j + 8).storeBytes(of: previous.2, as: UInt32.self)
                j -= 1
            }
            (base + 12 * j).storeBytes(of: entry.0, as: UInt32.self)
            (base + 12 * j + 4).storeBytes(of: entry.1, as: UInt32.self)
            (base + 12 * j + 8).storeBytes(of: entry.2, as: UInt32.self)
            i += 1
        }
    }

    /// `find_elf_var_sym`: the global or weak STT_OBJECT symbol named `name`.
    func findVariableSymbol(_ elf: ELFFile, _ name: UnsafePointer<CChar>) throws(BPFError) -> Int? {
        // One pass over the raw table: st_info decides before the record is read.
        let size = MemoryLayout<Elf64_Sym>.size
        let infoOffset = MemoryLayout<Elf64_Sym>.offset(of: \Elf64_Sym.st_info)!
        var failed = false
        let found: Int? = symbols.withUnsafeBytes { table in
            for i in 0..<symbolCount {
                let info = table[i * size + infoOffset]
                if info & 0xf != UInt8(STT_OBJECT) { continue }
                let binding = info >> 4
                if binding != UInt8(STB_GLOBAL) && binding != UInt8(STB_WEAK) { continue }
                let nameOffset = table.loadUnaligned(fromByteOffset: i * size, as: UInt32.self)  // st_name
                guard let symbolName = elf.loggedString(table: stringTableIndex, offset: nameOffset) else {
                    failed = true
                    return nil
                }
                if symbolName.pointee == name.pointee && strcmp(name, symbolName) == 0 { return i }
            }
            return nil
        }
        if failed {
            Log.warn("libbpf: failed to get sym name string for var \(RawName(name))\n")
            throw .EIO
        }
        return found
    }
}

extension ELFFile {
    /// `elf_sec_by_name`: the first section named `name`.
    func section(named name: UnsafePointer<CChar>) -> OpaquePointer? {
        if let names = sectionNames {
            // every section's name was read, in order: no libelf call needed
            for (k, sectionName) in names.enumerated() where cStringEquals(sectionName, name) { return section(at: k + 1) }
            return nil
        }
        var scn = nextSection(after: nil)
        while let current = scn {
            guard let sh = elf64_getshdr(current), let sectionName = string(table: sectionNamesIndex, offset: sh.pointee.sh_name) else {
                return nil
            }
            if strcmp(sectionName, name) == 0 { return current }
            scn = nextSection(after: current)
        }
        return nil
    }

    /// `elf_sec_name(elf_sec_by_idx(idx))`, nil when there is none.
    func sectionName(at index: Int) -> UnsafePointer<CChar>? {
        guard let scn = section(at: index), let sh = elf64_getshdr(scn) else { return nil }
        return string(table: sectionNamesIndex, offset: sh.pointee.sh_name)
    }
}

/// `find_elf_var_sym` without a scan of the whole symbol table per VAR: the
/// global and weak STT_OBJECT symbols (the only ones it can return) are listed
/// once per open (after a few lookups by plain scans), and by name hash when
/// there are many. Not usable when one of
/// them has a name that cannot be read: then the linear search runs, and fails
/// at that symbol as the reference does.
struct VariableSymbolIndex {
    static let scansBeforeIndexing = 8
    static let hashFrom = 16
    var lookups = 0
    private var built = false
    private var usable = true
    private var heads: U32Map? = nil
    private var names: [UnsafePointer<CChar>] = []
    private var symbols: [Int32] = []
    private var next: [Int32] = []

    init() {}

    /// Builds the index on first use; false when it is not usable.
    mutating func build(_ object: BPFObject, _ elf: ELFFile) -> Bool {
        if built { return usable }
        built = true
        object.symbols.withUnsafeBytes { table in
            let size = MemoryLayout<Elf64_Sym>.size
            for i in 0..<object.symbolCount {
                let sym = table.loadUnaligned(fromByteOffset: i * size, as: Elf64_Sym.self)
                if sym.st_info & 0xf != UInt8(STT_OBJECT) { continue }
                let binding = sym.st_info >> 4
                if binding != UInt8(STB_GLOBAL) && binding != UInt8(STB_WEAK) { continue }
                guard let name = elf.string(table: object.stringTableIndex, offset: sym.st_name) else {
                    usable = false
                    return
                }
                names.append(name)
                symbols.append(Int32(truncatingIfNeeded: i))
            }
        }
        if usable && names.count >= VariableSymbolIndex.hashFrom {
            var map = U32Map(capacity: names.count)
            for k in 0..<names.count {
                let hash = VariableSymbolIndex.hash(names[k])
                next.append(map[hash].map { Int32(bitPattern: $0) } ?? -1)
                map[hash] = UInt32(k)
            }
            heads = map
        }
        return usable
    }

    /// The first symbol (in table order) named `name`.
    func find(_ name: UnsafePointer<CChar>) -> Int? {
        guard let heads else {
            for k in 0..<names.count where strcmp(names[k], name) == 0 { return Int(symbols[k]) }
            return nil
        }
        guard let head = heads[VariableSymbolIndex.hash(name)] else { return nil }
        var best: Int? = nil
        var k = Int(head)
        while k >= 0 {
            if strcmp(names[k], name) == 0 { best = Int(symbols[k]) }  // the chain runs from the last added
            k = Int(next[k])
        }
        return best
    }

    static func hash(_ s: UnsafePointer<CChar>) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        var p = UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self)
        while p.pointee != 0 {
            h = (h ^ UInt32(p.pointee)) &* 16_777_619
            p += 1
        }
        return h
    }
}

import CBPF

/// Whether a global's BTF in the output and in a new input describe the same
/// thing (extern vs definition, weak vs strong), with the reference's messages;
/// BTF-defined maps (.maps VARs) are compared field by field as map definitions.
struct LinkerTypeCheck {
    let symbol: UnsafePointer<CChar>
    let dst: BTF
    let src: BTF

    func skipModifiers(_ btf: BTF, _ id: UInt32) -> UInt32 {
        var id = id
        var depth = 0
        while let t = btf.type(id), t.kind == BTFKind.const || t.kind == BTFKind.volatile || t.kind == BTFKind.restrict, depth < 64 {
            id = t.sizeOrType
            depth += 1
        }
        return id
    }

    func isMap(_ btf: BTF, _ varID: UInt32) -> Bool {
        var id: UInt32 = 1
        while id < btf.typeCount {
            let t = btf.typeUnchecked(id)
            defer { id += 1 }
            guard t.kind == BTFKind.dataSection, let n = btf.name(of: t), strcmp(n, ".maps") == 0 else { continue }
            for v in 0..<Int(t.vlen) where t.word(3 * v) == varID { return true }
        }
        return false
    }

    /// `glob_sym_btf_matches` on the VAR/FUNC types of one global.
    func globalsMatch(_ dstID: UInt32, _ srcID: UInt32) -> Bool {
        let dt = dst.typeUnchecked(dstID)
        if dt.kind == BTFKind.variable && isMap(src, srcID) {
            return mapsMatch(dt.sizeOrType, src.typeUnchecked(srcID).sizeOrType)
        }
        return matches(dstID, srcID, exact: true)
    }

    func matches(_ dstID: UInt32, _ srcID: UInt32, exact: Bool) -> Bool {
        var dstID = dstID
        var srcID = srcID
        var exact = exact
        var depth = 0
        while depth < 256 {
            depth += 1
            dstID = skipModifiers(dst, dstID)
            srcID = skipModifiers(src, srcID)
            guard let t1 = dst.type(dstID), let t2 = src.type(srcID) else { return false }
            let k1 = t1.kind, k2 = t2.kind
            let n1 = dst.name(of: t1), n2 = src.name(of: t2)
            if k1 == BTFKind.forward && k2 == BTFKind.forward {
                if !linkerSameName(n1, n2) {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible forward declaration names '\(cString: n1)' and '\(cString: n2)'\n")
                    return false
                }
                return true
            }
            if !exact && (k1 == BTFKind.forward || k2 == BTFKind.forward) {
                let fwd = k1 == BTFKind.forward ? t1 : t2
                let other = k1 == BTFKind.forward ? t2 : t1
                let fwdIsUnion = fwd.kindFlag
                let ok = (other.kind == BTFKind.structure && !fwdIsUnion) || (other.kind == BTFKind.union && fwdIsUnion)
                if !ok {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible \(fwdIsUnion ? "union" : "struct") forward declaration and concrete kind \(BTF.kindName(other))\n")
                    return false
                }
                if !linkerSameName(n1, n2) {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(other)) names '\(cString: n1)' and '\(cString: n2)'\n")
                    return false
                }
                return true
            }
            if k1 != k2 {
                Log.warn("libbpf: global '\(cString: symbol)': incompatible BTF kinds \(BTF.kindName(t1)) and \(BTF.kindName(t2))\n")
                return false
            }
            switch k1 {
            case BTFKind.int, BTFKind.float:
                if t1.sizeOrType != t2.sizeOrType {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(t1)) '(null)' size \(t1.sizeOrType) and \(t2.sizeOrType)\n")
                    return false
                }
                return true
            case BTFKind.enumeration, BTFKind.enum64:
                if !linkerSameName(n1, n2) {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(t1)) names '\(cString: n1)' and '\(cString: n2)'\n")
                    return false
                }
                if t1.sizeOrType != t2.sizeOrType {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(t1)) '\(cString: n1)' size \(t1.sizeOrType) and \(t2.sizeOrType)\n")
                    return false
                }
                return true
            case BTFKind.pointer:
                exact = false
                dstID = t1.sizeOrType
                srcID = t2.sizeOrType
            case BTFKind.array:
                dstID = t1.word(0)
                srcID = t2.word(0)
            case BTFKind.typedef:
                if !linkerSameName(n1, n2) {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(t1)) names '\(cString: n1)' and '\(cString: n2)'\n")
                    return false
                }
                dstID = t1.sizeOrType
                srcID = t2.sizeOrType
            case BTFKind.function, BTFKind.variable:
                if (linkerLinkage(t1) == 0) != (linkerLinkage(t2) == 0) {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(t1)) '\(cString: n1)' linkage\n")
                    return false
                }
                dstID = t1.sizeOrType
                srcID = t2.sizeOrType
            case BTFKind.structure, BTFKind.union:
                if exact {
                    if !linkerSameName(n1, n2) {
                        Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(t1)) names '\(cString: n1)' and '\(cString: n2)'\n")
                        return false
                    }
                    if t1.sizeOrType != t2.sizeOrType {
                        Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(t1)) '\(cString: n1)' size \(t1.sizeOrType) and \(t2.sizeOrType)\n")
                        return false
                    }
                    if t1.vlen != t2.vlen {
                        Log.warn("libbpf: global '\(cString: symbol)': incompatible number of \(BTF.kindName(t1)) fields \(t1.vlen) and \(t2.vlen)\n")
                        return false
                    }
                    for m in 0..<Int(t1.vlen) {
                        let m1 = dst.string(at: t1.word(3 * m)), m2 = src.string(at: t2.word(3 * m))
                        if !linkerSameName(m1, m2) {
                            Log.warn("libbpf: global '\(cString: symbol)': incompatible field #\(m) names '\(cString: m1)' and '\(cString: m2)'\n")
                            return false
                        }
                        if t1.word(3 * m + 2) != t2.word(3 * m + 2) {
                            Log.warn("libbpf: global '\(cString: symbol)': incompatible field #\(m) ('\(cString: m1)') offsets\n")
                            return false
                        }
                        if !matches(t1.word(3 * m + 1), t2.word(3 * m + 1), exact: true) { return false }
                    }
                    return true
                }
                if !linkerSameName(n1, n2) {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible \(BTF.kindName(t1)) names '\(cString: n1)' and '\(cString: n2)'\n")
                    return false
                }
                return true
            case BTFKind.functionPrototype:
                if t1.vlen != t2.vlen {
                    Log.warn("libbpf: global '\(cString: symbol)': incompatible number of \(BTF.kindName(t1)) params \(t1.vlen) and \(t2.vlen)\n")
                    return false
                }
                for p in 0..<Int(t1.vlen) where !matches(t1.word(2 * p + 1), t2.word(2 * p + 1), exact: exact) { return false }
                dstID = t1.sizeOrType
                srcID = t2.sizeOrType
            case BTFKind.unknown:
                return true
            default:
                Log.warn("libbpf: global '\(cString: symbol)': unsupported BTF kind \(BTF.kindName(t1))\n")
                return false
            }
        }
        return false
    }

    /// A BTF map definition: `__uint(name, N)` members as numbers, `__type(name, T)`
    /// as types.
    struct MapDefinition {
        var numbers: [(name: StaticString, value: UInt32)] = []
        var key: UInt32 = 0
        var value: UInt32 = 0
        var inner: UInt32 = 0
        var hasKey = false, hasValue = false, hasInner = false
    }

    static let numericFields: [StaticString] = ["type", "key_size", "value_size", "max_entries", "map_flags", "numa_node", "pinning", "map_extra"]

    func parseMap(_ btf: BTF, _ id: UInt32) -> MapDefinition? {
        let sid = skipModifiers(btf, id)
        guard let t = btf.type(sid), t.kind == BTFKind.structure else {
            Log.warn("libbpf: global '\(cString: symbol)': invalid map definition type [\(sid)]\n")
            return nil
        }
        var def = MapDefinition()
        for m in 0..<Int(t.vlen) {
            guard let name = btf.string(at: t.word(3 * m)) else { continue }
            let mt = btf.type(skipModifiers(btf, t.word(3 * m + 1)))
            if strcmp(name, "key") == 0 || strcmp(name, "value") == 0 || strcmp(name, "values") == 0 {
                guard let mt, mt.kind == BTFKind.pointer else { continue }
                if strcmp(name, "key") == 0 { def.key = mt.sizeOrType; def.hasKey = true }
                else if strcmp(name, "value") == 0 { def.value = mt.sizeOrType; def.hasValue = true }
                else { def.inner = mt.sizeOrType; def.hasInner = true }
                continue
            }
            for field in LinkerTypeCheck.numericFields {
                var same = false
                field.withUTF8Buffer { b in
                    same = strlen(name) == b.count && memcmp(name, b.baseAddress!, b.count) == 0
                }
                if same, let mt, mt.kind == BTFKind.pointer, let at = btf.type(mt.sizeOrType), at.kind == BTFKind.array {
                    def.numbers.append((field, at.word(2)))
                }
            }
        }
        return def
    }

    func mapsMatch(_ dstID: UInt32, _ srcID: UInt32) -> Bool {
        guard let a = parseMap(dst, dstID), let b = parseMap(src, srcID) else { return false }
        for field in LinkerTypeCheck.numericFields {
            func value(_ d: MapDefinition) -> UInt32 {
                for n in d.numbers {
                    var same = false
                    n.name.withUTF8Buffer { x in field.withUTF8Buffer { y in same = x.count == y.count && memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
                    if same { return n.value }
                }
                return 0
            }
            if value(a) != value(b) {
                Log.warn("libbpf: global '\(cString: symbol)': map \(field) mismatch\n")
                return false
            }
        }
        if a.hasKey != b.hasKey || (a.hasKey && !matches(a.key, b.key, exact: true)) {
            Log.warn("libbpf: global '\(cString: symbol)': map key type mismatch\n")
            return false
        }
        if a.hasValue != b.hasValue || (a.hasValue && !matches(a.value, b.value, exact: true)) {
            Log.warn("libbpf: global '\(cString: symbol)': map value type mismatch\n")
            return false
        }
        if a.hasInner != b.hasInner {
            Log.warn("libbpf: global '\(cString: symbol)': map inner map mismatch\n")
            return false
        }
        return true
    }
}

func linkerSameName(_ a: UnsafePointer<CChar>?, _ b: UnsafePointer<CChar>?) -> Bool {
    let x = a ?? UnsafePointer(bitPattern: 0)
    let y = b ?? UnsafePointer(bitPattern: 0)
    if x == nil || y == nil { return x == nil && y == nil }
    return strcmp(x!, y!) == 0
}

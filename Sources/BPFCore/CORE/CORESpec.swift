import CBPF

/// One step of a CO-RE access chain (`struct bpf_core_accessor`): a named
/// member of a struct/union (`name` set, `typeID` the struct), an array
/// element (`name` nil, `typeID` the element type), or an enumerator (`name`
/// its name, `typeID` the enum).
struct COREAccessor {
    var typeID: UInt32 = 0
    var index: Int32 = 0
    /// Points into the BTF's string section (valid while the BTF lives unchanged).
    var name: UnsafePointer<CChar>? = nil
}

/// A parsed access string against one BTF (`struct bpf_core_spec`): the
/// accessors that name something (`accessors`, the reference's spec[]/len),
/// every raw index (`raw`, raw_spec[]/raw_len, anonymous members included) and
/// the bit offset of the accessed field from the root type.
struct CORESpec {
    var btf: BTF
    var rootTypeID: UInt32
    var kind: UInt32
    var accessors: [COREAccessor] = []
    var raw: [Int32] = []
    var bitOffset: UInt32 = 0

    init(btf: BTF, rootTypeID: UInt32, kind: UInt32) {
        self.btf = btf
        self.rootTypeID = rootTypeID
        self.kind = kind
    }

    var last: COREAccessor { accessors[accessors.count - 1] }
}

extension CORESpec {
    /// `bpf_core_parse_spec`: the access string ("0:1:2") of a relocation against
    /// the local BTF. Type-based relocations must have "0"; enum value ones one
    /// enumerator index; field-based ones a chain through structs, unions and
    /// arrays, which may end at a flexible array member.
    static func parse(programName: UnsafePointer<CChar>, btf: BTF, relocation: BTFCoreRelocation) throws(BPFError) -> CORESpec {
        guard let specString = btf.string(at: relocation.accessStringOffset), specString[0] != 0,
              specString[0] != CChar(UInt8(ascii: ":")) else { throw .EINVAL }
        var spec = CORESpec(btf: btf, rootTypeID: relocation.typeID, kind: relocation.kind)

        if CORERelocationKind.isTypeBased(relocation.kind) {
            if strcmp(specString, "0") != 0 { throw .EINVAL }
            return spec
        }

        // "0:1:2" into raw indices, each read as sscanf("%d%n") would.
        var p = UnsafeRawPointer(specString).assumingMemoryBound(to: UInt8.self)
        while p.pointee != 0 {
            if p.pointee == UInt8(ascii: ":") { p += 1 }
            guard let (value, length) = scanDecimal(p) else { throw .EINVAL }
            if spec.raw.count == CORE.maxSpecLength { throw .E2BIG }
            p += length
            spec.raw.append(value)
        }
        if spec.raw.isEmpty { throw .EINVAL }

        var (t, id) = btf.skipModifiersAndTypedefs(relocation.typeID)
        guard var current = t else { throw .EINVAL }

        var accessIndex = spec.raw[0]
        spec.accessors.append(COREAccessor(typeID: id, index: accessIndex, name: nil))

        if CORERelocationKind.isEnumValueBased(relocation.kind) {
            if !CORE.isAnyEnum(current.kind) || spec.raw.count > 1 || accessIndex < 0
                || accessIndex >= Int32(current.vlen) { throw .EINVAL }
            spec.accessors[0].name = btf.string(at: CORE.enumeratorNameOffset(current, Int(accessIndex)))
            return spec
        }

        if !CORERelocationKind.isFieldBased(relocation.kind) { throw .EINVAL }

        var size = try btf.resolveSize(id)
        spec.bitOffset = UInt32(truncatingIfNeeded: Int64(accessIndex) &* size &* 8)

        var i = 1
        while i < spec.raw.count {
            (t, id) = btf.skipModifiersAndTypedefs(id)
            guard let resolved = t else { throw .EINVAL }
            current = resolved
            accessIndex = spec.raw[i]

            if CORE.isComposite(current.kind) {
                if accessIndex < 0 || accessIndex >= Int32(current.vlen) { throw .EINVAL }
                let member = Int(accessIndex)
                spec.bitOffset &+= CORE.memberBitOffset(current, member)
                let nameOffset = CORE.memberNameOffset(current, member)
                if nameOffset != 0 {
                    let name = btf.string(at: nameOffset)
                    if CORE.isEmpty(name) { throw .EINVAL }
                    spec.accessors.append(COREAccessor(typeID: id, index: accessIndex, name: name))
                }
                id = CORE.memberType(current, member)
            } else if current.kind == BTFKind.array {
                let elementType = current.word(0)
                let count = current.word(2)
                (t, id) = btf.skipModifiersAndTypedefs(elementType)
                if t == nil { throw .EINVAL }
                let flexible = CORE.isFlexibleArray(btf, spec.accessors[spec.accessors.count - 1], elementCount: count)
                if !flexible && UInt32(bitPattern: accessIndex) >= count { throw .EINVAL }
                spec.accessors.append(COREAccessor(typeID: id, index: accessIndex, name: nil))
                size = try btf.resolveSize(id)
                spec.bitOffset = UInt32(truncatingIfNeeded: Int64(spec.bitOffset) &+ Int64(accessIndex) &* size &* 8)
            } else {
                // The reference prints the access string after its parse loop
                // consumed it: always empty here.
                Log.warn("libbpf: prog '\(cString: programName)': relo for [\(relocation.typeID)]  (at idx \(i)) captures type [\(Int32(bitPattern: id))] of unexpected kind \(BTF.kindName(current))\n")
                throw .EINVAL
            }
            i += 1
        }
        return spec
    }

    /// sscanf("%d%n"): optional white space, an optional sign, at least one
    /// digit; strtol's saturation, then truncation to int as glibc stores it.
    static func scanDecimal(_ start: UnsafePointer<UInt8>) -> (Int32, Int)? {
        var p = start
        while p.pointee == 0x20 || (p.pointee >= 0x09 && p.pointee <= 0x0d) { p += 1 }
        var negative = false
        if p.pointee == UInt8(ascii: "+") || p.pointee == UInt8(ascii: "-") {
            negative = p.pointee == UInt8(ascii: "-")
            p += 1
        }
        let digitsStart = p
        var magnitude: UInt64 = 0
        while p.pointee >= UInt8(ascii: "0") && p.pointee <= UInt8(ascii: "9") {
            let digit = UInt64(p.pointee - UInt8(ascii: "0"))
            magnitude = magnitude > (UInt64.max - digit) / 10 ? UInt64.max : magnitude * 10 + digit
            p += 1
        }
        if p == digitsStart { return nil }
        let limit = UInt64(Int64.max)
        let value: Int64
        if negative {
            value = magnitude > limit ? Int64.min : -Int64(magnitude)
        } else {
            value = magnitude > limit ? Int64.max : Int64(magnitude)
        }
        return (Int32(truncatingIfNeeded: value), p - start)
    }
}

extension CORE {
    /// `is_flex_arr`: an array of zero elements that is the last member of the
    /// struct the previous accessor named.
    static func isFlexibleArray(_ btf: BTF, _ previous: COREAccessor, elementCount: UInt32) -> Bool {
        if previous.name == nil || elementCount > 0 { return false }
        guard let t = btf.type(previous.typeID) else { return false }
        return previous.index == Int32(t.vlen) - 1
    }
}

// MARK: - Formatting

extension CORESpec {
    /// `bpf_core_format_spec` into the reference's 256-byte buffer: cut to 255
    /// bytes; `truncated` says whether it was cut.
    func format() -> (text: COREText, truncated: Bool) {
        var out = formatFull()
        let truncated = out.bytes.count >= 256
        if truncated { out.bytes.removeSubrange(255...) }
        return (out, truncated)
    }

    /// `bpf_core_format_spec`, uncut: "<kind> [id] kind name" then, by kind,
    /// nothing, "::enumerator = value" or ".a.b[2] (0:1:2 @ offset 8)".
    func formatFull() -> COREText {
        var out = COREText()
        out.append("<")
        out.append(CORERelocationKind.name(kind))
        out.append("> [")
        out.append(rootTypeID)
        out.append("] ")
        let root = btf.type(rootTypeID)
        out.append(BTF.kindName(root))
        out.append(" ")
        let rootName = root.flatMap { btf.name(of: $0) }
        if CORE.isEmpty(rootName) { out.append("<anon>") } else { out.append(cString: rootName) }

        if CORERelocationKind.isEnumValueBased(kind) {
            let (t, _) = btf.skipModifiersAndTypedefs(rootTypeID)
            let index = Int(raw.first ?? 0)
            if let t, CORE.isAnyEnum(t.kind), index >= 0, index < Int(t.vlen) {
                out.append("::")
                out.append(cString: btf.string(at: CORE.enumeratorNameOffset(t, index)))
                out.append(" = ")
                let value = CORE.enumeratorValue(t, index)
                if t.kind == BTFKind.enumeration {
                    if t.kindFlag { out.append(Int32(truncatingIfNeeded: value)) } else { out.append(UInt32(truncatingIfNeeded: value)) }
                } else {
                    if t.kindFlag { out.append(signed: Int64(bitPattern: value)) } else { out.append(value) }
                }
            }
        } else if CORERelocationKind.isFieldBased(kind) {
            for (i, accessor) in accessors.enumerated() {
                if let name = accessor.name {
                    out.append(".")
                    out.append(cString: name)
                } else if i > 0 || accessor.index > 0 {
                    out.append("[")
                    out.append(UInt32(bitPattern: accessor.index))
                    out.append("]")
                }
            }
            out.append(" (")
            for (i, value) in raw.enumerated() {
                if i > 0 { out.append(":") }
                out.append(value)
            }
            if bitOffset % 8 != 0 {
                out.append(" @ offset ")
                out.append(bitOffset / 8)
                out.append(".")
                out.append(bitOffset % 8)
                out.append(")")
            } else {
                out.append(" @ offset ")
                out.append(bitOffset / 8)
                out.append(")")
            }
        }
        return out
    }
}

import CBPF

/// Type names as `btf_dump__dump_type_data` prints them in its casts: libbpf 1.1's
/// declaration syntax with modifiers stripped and anonymous types not expanded
/// (`(struct)`, `(enum )`, `(int (*)(int a, char *))`, `(char[16])`).
///
/// Names that several distinct types share get a `___N` suffix in the order the
/// dump object first prints them, as the reference does: one counter per name for
/// struct/union/enum names and one for typedef names; forward declarations and
/// enums without values never count. The resolved names live as long as the dump
/// object.
struct BTFDumpDataNames {
    /// Per type id: 0 = not resolved yet, 1 = the plain name, n > 1 = name___n.
    var resolved: [UInt32] = []
    var typeNames = NameCounter()
    var identNames = NameCounter()
}

/// How many times each name was resolved: an open-addressing table over copies of
/// the names (the BTF's strings may move when it is modified).
struct NameCounter {
    /// Slot value: entry index + 1; 0 = empty.
    var slots = [UInt32](repeating: 0, count: 64)
    /// NUL-terminated names, back to back.
    var arena: [UInt8] = []
    var starts: [Int] = []
    var counts: [UInt32] = []

    /// Counts one more use of `name` and returns the new count.
    mutating func increment(_ name: UnsafePointer<UInt8>) -> UInt32 {
        if (starts.count + 1) * 2 > slots.count { rehash() }
        let mask = slots.count - 1
        var i = Int(stringHash(name)) & mask
        while slots[i] != 0 {
            let entry = Int(slots[i] - 1)
            let equal = arena.withUnsafeBufferPointer { stringsEqual($0.baseAddress! + starts[entry], name) }
            if equal {
                counts[entry] += 1
                return counts[entry]
            }
            i = (i + 1) & mask
        }
        starts.append(arena.count)
        var p = name
        while p.pointee != 0 {
            arena.append(p.pointee)
            p += 1
        }
        arena.append(0)
        counts.append(1)
        slots[i] = UInt32(starts.count)
        return 1
    }

    mutating func rehash() {
        slots = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for entry in 0..<starts.count {
            let hash = arena.withUnsafeBufferPointer { stringHash($0.baseAddress! + starts[entry]) }
            var i = Int(hash) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt32(entry + 1)
        }
    }
}

extension BTFDump {
    /// `btf_name_of`: a string of the BTF; "(null)" (as printf prints NULL) when
    /// the offset is invalid.
    func dataWriteRawName(_ offset: UInt32) {
        if let s = btf.string(at: offset) { write(cString: s) } else { write("(null)") }
    }

    /// Prints the resolved (possibly `___N`-suffixed) name of a struct, union,
    /// enum, forward declaration (`ident` false) or typedef (`ident` true).
    func dataWriteResolvedName(_ id: UInt32, _ t: UnsafePointer<btf_type>, ident: Bool) {
        if t.nameOffset == 0 { return }
        // The reference shares one name table between declarations and data, so
        // `___N` suffixes agree when both are dumped through one object.
        if (try? prepareDeclState()) != nil {
            write(cString: resolvedName(id, ident ? .identifiers : .tags))
            return
        }
        guard let name = btf.string(at: t.nameOffset) else {
            write("(null)")
            return
        }
        if dataNames.resolved.count <= Int(id) {
            let wanted = max(Int(btf.typeCount), Int(id) + 1)
            dataNames.resolved.append(contentsOf: [UInt32](repeating: 0, count: wanted - dataNames.resolved.count))
        }
        var count = dataNames.resolved[Int(id)]
        if count == 0 {
            if t.kind == BTFKind.forward || (t.kind == BTFKind.enumeration && t.vlen == 0) {
                count = 1
            } else {
                let bytes = UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self)
                count = ident ? dataNames.identNames.increment(bytes) : dataNames.typeNames.increment(bytes)
            }
            dataNames.resolved[Int(id)] = count
        }
        if count <= 1 {
            write(cString: name)
            return
        }
        // snprintf(buf, 256, "%s___%zu"): at most 255 bytes.
        let start = pending.count
        write(cString: name)
        write("___")
        writeUnsigned(UInt64(count))
        if pending.count - start > 255 { pending.removeLast(pending.count - start - 255) }
    }

    /// `btf_dump_emit_type_cast`: `(type)` before a value (`parenthesized`), or the
    /// bare type of a variable. Nothing for array elements, variables and sections.
    func dataWriteTypeCast(_ id: UInt32, parenthesized: Bool) {
        if dataState.isArrayMember { return }
        if let t = btf.type(id), t.kind == BTFKind.variable || t.kind == BTFKind.dataSection { return }
        if parenthesized { write(byte: UInt8(ascii: "(")) }
        dataWriteTypeDecl(id, name: nil)
        if parenthesized { write(byte: UInt8(ascii: ")")) }
    }

    /// `btf_dump_emit_type_decl` with modifiers stripped and anonymous
    /// definitions skipped: collects the declaration chain, then prints it.
    func dataWriteTypeDecl(_ start: UInt32, name: UnsafePointer<CChar>?) {
        var decls: [UInt32] = []
        var id = start
        chain: while true {
            guard let t = btf.type(id) else { break chain }
            if !BTF.isModifier(t.kind) { decls.append(id) }
            if id == 0 { break chain }
            switch t.kind {
            case BTFKind.pointer, BTFKind.volatile, BTFKind.const, BTFKind.restrict, BTFKind.functionPrototype,
                 BTFKind.typeTag:
                id = t.sizeOrType
            case BTFKind.array:
                id = t.word(0)
            case BTFKind.int, BTFKind.enumeration, BTFKind.enum64, BTFKind.forward, BTFKind.structure,
                 BTFKind.union, BTFKind.typedef, BTFKind.float:
                break chain
            default:
                Log.warn("libbpf: unexpected type in decl chain, kind:\(t.kind), id:[\(id)]\n")
                break chain
            }
        }
        dataWriteTypeChain(&decls, name: name)
    }

    /// `btf_dump_emit_name`.
    func dataWriteDeclName(_ name: UnsafePointer<CChar>?, lastWasPointer: Bool) {
        guard let name, name.pointee != 0 else { return }
        if !lastWasPointer { write(byte: UInt8(ascii: " ")) }
        write(cString: name)
    }

    /// `btf_dump_emit_type_chain` (modifiers never appear: they were stripped).
    func dataWriteTypeChain(_ decls: inout [UInt32], name: UnsafePointer<CChar>?) {
        var lastWasPointer = true
        while let id = decls.popLast() {
            if id == 0 {
                write("void")
                lastWasPointer = false
                continue
            }
            guard let t = btf.type(id) else { return }
            let kind = t.kind
            switch kind {
            case BTFKind.int, BTFKind.float:
                dataWriteRawName(t.nameOffset)
            case BTFKind.structure, BTFKind.union:
                write(kind == BTFKind.structure ? "struct" : "union")
                if t.nameOffset != 0 { write(byte: UInt8(ascii: " ")) }
                dataWriteResolvedName(id, t, ident: false)
            case BTFKind.enumeration, BTFKind.enum64:
                write("enum ")
                dataWriteResolvedName(id, t, ident: false)
            case BTFKind.forward:
                write(t.kindFlag ? "union " : "struct ")
                dataWriteResolvedName(id, t, ident: false)
            case BTFKind.typedef:
                dataWriteResolvedName(id, t, ident: true)
            case BTFKind.pointer:
                write(lastWasPointer ? "*" : " *")
            case BTFKind.volatile:
                write(" volatile")
            case BTFKind.const:
                write(" const")
            case BTFKind.restrict:
                write(" restrict")
            case BTFKind.typeTag:
                write(" __attribute__((btf_type_tag(\"")
                dataWriteRawName(t.nameOffset)
                write("\")))")
            case BTFKind.array:
                let count = t.word(2)
                if decls.isEmpty {
                    dataWriteDeclName(name, lastWasPointer: lastWasPointer)
                    writeArrayBound(count)
                    return
                }
                let next = decls[decls.count - 1]
                let multidimensional = btf.type(next).map { $0.kind == BTFKind.array } ?? false
                if let name, name.pointee != 0, !lastWasPointer { write(byte: UInt8(ascii: " ")) }
                if !multidimensional { write(byte: UInt8(ascii: "(")) }
                dataWriteTypeChain(&decls, name: name)
                if !multidimensional { write(byte: UInt8(ascii: ")")) }
                writeArrayBound(count)
                return
            case BTFKind.functionPrototype:
                if !decls.isEmpty {
                    write(" (")
                    dataWriteTypeChain(&decls, name: name)
                    write(byte: UInt8(ascii: ")"))
                } else {
                    dataWriteDeclName(name, lastWasPointer: lastWasPointer)
                }
                write(byte: UInt8(ascii: "("))
                // libbpf 1.1 prints `()` both for no parameters and for a single
                // void one (what clang emits for `(void)`).
                let count = Int(t.vlen)
                if count == 1 && t.word(1) == 0 {
                    write(byte: UInt8(ascii: ")"))
                    return
                }
                for i in 0..<count {
                    if i > 0 { write(", ") }
                    let paramType = t.word(2 * i + 1)
                    if i == count - 1 && paramType == 0 {
                        write("...")
                        break
                    }
                    dataWriteTypeDecl(paramType, name: btf.string(at: t.word(2 * i)))
                }
                write(byte: UInt8(ascii: ")"))
                return
            default:
                Log.warn("libbpf: unexpected type in decl chain, kind:\(kind), id:[\(id)]\n")
                return
            }
            lastWasPointer = kind == BTFKind.pointer
        }
        dataWriteDeclName(name, lastWasPointer: lastWasPointer)
    }

    private func writeArrayBound(_ count: UInt32) {
        write(byte: UInt8(ascii: "["))
        writeUnsigned(UInt64(count))
        write(byte: UInt8(ascii: "]"))
    }

    // MARK: - Number formatting (printf's %llu, %lld, %llx, %016llx)

    func writeUnsigned(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: 20 digits max
        var v = value
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - n] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                n += 1
            } while v != 0
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(24 - n)...]))
        }
    }

    func writeSigned(_ value: Int64) {
        if value < 0 {
            write(byte: UInt8(ascii: "-"))
            writeUnsigned(0 &- UInt64(bitPattern: value))
        } else {
            writeUnsigned(UInt64(value))
        }
    }

    /// Lower-case hex without prefix; `width` pads with zeros (%016llx).
    func writeHex(_ value: UInt64, width: Int = 1) {
        var started = false
        var shift = 60
        while shift >= 0 {
            let nibble = UInt8((value >> UInt64(shift)) & 0xf)
            if nibble != 0 || started || shift / 4 < width {
                started = true
                write(byte: nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
            }
            shift -= 4
        }
    }
}

import CBPF

// C syntax for one type: definitions of structs, unions, enums and typedefs,
// and declarators (`const char *(*name[4])(int)`) built from BTF chains.

extension BTFDump {
    /// Moves the text of the call in progress to the dump's pending output.
    func commitText() {
        let state = declState
        if state.textCount == 0 { return }
        pending.append(contentsOf: UnsafeBufferPointer(start: state.text, count: state.textCount))
        state.textCount = 0
    }

    // MARK: - Layout queries as the C code sees them

    /// `btf__align_of` (0 when it fails, with its warning for kinds without an
    /// alignment), remembering results per id.
    func alignmentOrZero(_ id: UInt32) -> Int {
        let state = declState
        if Int(id) < state.capacity {
            let cached = state.alignments[Int(id)]
            if cached != 0 { return Int(cached) }
        }
        if Int(id) >= state.recordCount { return 0 }
        let t = state.records[Int(id)]
        var result: Int
        switch t.kind {
        case BTFKind.int, BTFKind.enumeration, BTFKind.enum64, BTFKind.float:
            result = min(btf.pointerSizeForLayout, Int(t.sizeOrType))
        case BTFKind.pointer:
            result = btf.pointerSizeForLayout
        case BTFKind.typedef, BTFKind.volatile, BTFKind.const, BTFKind.restrict, BTFKind.typeTag:
            result = alignmentOrZero(t.sizeOrType)
        case BTFKind.array:
            result = alignmentOrZero(t.word(0))
        case BTFKind.structure, BTFKind.union:
            var maxAlign = 1
            let bitfields = t.kindFlag
            result = -1
            for i in 0..<Int(t.vlen) {
                let align = alignmentOrZero(t.word(3 * i + 1))
                if align <= 0 {
                    result = 0
                    break
                }
                maxAlign = max(maxAlign, align)
                let offset = t.word(3 * i + 2)
                let bitSize = bitfields ? offset >> 24 : 0
                // A member off its type's alignment: the struct is packed.
                if bitSize == 0 && Int(offset) % (8 * align) != 0 {
                    result = 1
                    break
                }
            }
            // So is one whose size is not a multiple of its alignment.
            if result < 0 { result = Int(t.sizeOrType) % maxAlign != 0 ? 1 : maxAlign }
        default:
            Log.warn("libbpf: unsupported BTF_KIND:\(t.kind)\n")
            return 0
        }
        if result > 0 && result < 256 && Int(id) < state.capacity {
            state.alignments[Int(id)] = UInt8(result)
        }
        return result
    }

    /// `max(0, btf__resolve_size())`.
    @inline(__always)
    func sizeOrZero(_ id: UInt32) -> Int64 {
        do throws(BPFError) {
            return max(0, try btf.resolveSize(id))
        } catch {
            return 0
        }
    }

    // MARK: - Definitions

    func emitStructForward(_ id: UInt32, _ t: UnsafePointer<btf_type>) {
        declState.put(t.kind == BTFKind.structure ? "struct" : "union")
        if t.pointee.name_off != 0 { declState.put(32) }
        declState.put(cString: typeName(id))
    }

    func emitForwardDefinition(_ id: UInt32, _ t: UnsafePointer<btf_type>) {
        let name = typeName(id)
        declState.put(t.kindFlag ? "union " : "struct ")
        declState.put(cString: name)
    }

    func emitEnumForward(_ id: UInt32) {
        declState.put("enum ")
        declState.put(cString: typeName(id))
    }

    func emitTypedefDefinition(_ id: UInt32, _ t: UnsafePointer<btf_type>, level: Int) {
        let name = identifierName(id)
        // Old GCCs describe __gnuc_va_list as a typedef of void.
        if t.sizeOrType == 0 && strcmp(name, BTFDump.literal("__gnuc_va_list")) == 0 {
            declState.put("typedef __builtin_va_list __gnuc_va_list")
            return
        }
        declState.put("typedef ")
        emitTypeDeclaration(t.sizeOrType, fieldName: name, level: level)
    }

    /// Whether a struct's layout cannot come from natural alignment: a member
    /// off its alignment, or a size that is not a multiple of it.
    func isPacked(_ t: UnsafePointer<btf_type>) -> Bool {
        var maxAlign = 1
        let bitfields = t.kindFlag
        for i in 0..<Int(t.vlen) {
            let align = alignmentOrZero(t.word(3 * i + 1))
            let offset = t.word(3 * i + 2)
            let bitSize = bitfields ? offset >> 24 : 0
            if align != 0 && bitSize == 0 && Int(offset) % (8 * align) != 0 { return true }
            maxAlign = max(maxAlign, align)
        }
        return Int(t.sizeOrType) % maxAlign != 0
    }

    @inline(__always)
    func emitPaddingField(_ level: Int, _ type: StaticString, _ bits: Int) {
        let state = declState
        state.put(10)
        state.putIndent(level)
        state.put(type)
        state.put(": ")
        state.putDecimal(signed: Int64(bits))
        state.put(59)  // ';'
    }

    /// Explicit padding between bit offsets `current` and `next` (where a member
    /// of alignment `nextAlign` starts), with `long`/`int`/`short`/`char`
    /// anonymous bitfields: first up to the largest natural boundary not past
    /// `next`, only when the compiler would not get there by itself, then in
    /// whole units, the remainder with the smallest type that holds it.
    func emitBitPadding(from current: Int, to next: Int, nextAlign: Int, inBitfield: Bool, level: Int) {
        if current >= next { return }
        let longBits = pointerSize * 8
        var current = current
        var padBits = 8
        var padIndex = 3
        var newOffset = 0
        for index in 0..<4 {
            padBits = BTFDump.padBits(index, longBits)
            padIndex = index
            newOffset = BTFDump.roundUp(current, padBits)
            if newOffset <= next { break }
        }
        if newOffset > current && newOffset <= next {
            if inBitfield
                || (newOffset == next && BTFDump.roundUp(current, nextAlign * 8) != newOffset)
                || (newOffset != next && next - newOffset <= newOffset - current) {
                emitPaddingField(level, BTFDump.padName(padIndex), inBitfield ? newOffset - current : 0)
            }
            current = newOffset
        }
        while current != next {
            let bits = min(next - current, padBits)
            if bits == padBits {
                emitPaddingField(level, BTFDump.padName(padIndex), padBits)
                current += bits
                continue
            }
            var index = 3
            while index >= 0 {
                padIndex = index
                padBits = BTFDump.padBits(index, longBits)
                if padBits >= bits {
                    emitPaddingField(level, BTFDump.padName(index), bits)
                    current += bits
                    break
                }
                index -= 1
            }
            if index < 0 { break }  // wider than long: cannot happen
        }
    }

    @inline(__always)
    static func padBits(_ index: Int, _ longBits: Int) -> Int {
        switch index {
        case 0: return longBits
        case 1: return 32
        case 2: return 16
        default: return 8
        }
    }

    @inline(__always)
    static func padName(_ index: Int) -> StaticString {
        switch index {
        case 0: return "long"
        case 1: return "int"
        case 2: return "short"
        default: return "char"
        }
    }

    /// C's `roundup(x, y)`: ((x + y - 1) / y) * y (y > 0 here, or 0 for a
    /// zero alignment, where C would divide by zero; treat as no rounding).
    @inline(__always)
    static func roundUp(_ x: Int, _ y: Int) -> Int {
        if y <= 0 { return x }
        return ((x + y - 1) / y) * y
    }

    func emitStructDefinition(_ id: UInt32, _ t: UnsafePointer<btf_type>, level: Int) {
        let isStruct = t.kind == BTFKind.structure
        let vlen = Int(t.vlen)
        let align = alignmentOrZero(id)
        let packed = isStruct ? isPacked(t) : false
        declState.put(isStruct ? "struct" : "union")
        if t.pointee.name_off != 0 { declState.put(32) }
        declState.put(cString: typeName(id))
        declState.put(" {")
        let bitfields = t.kindFlag
        var offset = 0
        var previousBitfield = false
        for i in 0..<vlen {
            let memberType = t.word(3 * i + 1)
            let raw = t.word(3 * i + 2)
            let bitSize = bitfields ? Int(raw >> 24) : 0
            let bitOffset = bitfields ? Int(raw & 0xffffff) : Int(raw)
            let memberAlign = packed ? 1 : alignmentOrZero(memberType)
            let inBitfield = previousBitfield && bitSize != 0
            emitBitPadding(from: offset, to: bitOffset, nextAlign: memberAlign, inBitfield: inBitfield, level: level + 1)
            declState.put(10)
            declState.putIndent(level + 1)
            emitTypeDeclaration(memberType, fieldName: rawString(t.word(3 * i)), level: level + 1)
            if bitSize != 0 {
                declState.put(": ")
                declState.putDecimal(UInt64(bitSize))
                offset = bitOffset + bitSize
                previousBitfield = true
            } else {
                offset = bitOffset + Int(sizeOrZero(memberType)) * 8
                previousBitfield = false
            }
            declState.put(59)  // ';'
        }
        if isStruct {
            emitBitPadding(from: offset, to: Int(t.sizeOrType) * 8, nextAlign: align, inBitfield: false, level: level + 1)
        }
        // `struct empty {}` stays on one line.
        if vlen != 0 || t.sizeOrType != 0 {
            declState.put(10)
            declState.putIndent(level)
            declState.put(125)  // '}'
        } else {
            declState.put(125)
        }
        if packed { declState.put(" __attribute__((packed))") }
    }

    func emitEnumDefinition(_ id: UInt32, _ t: UnsafePointer<btf_type>, level: Int) {
        let vlen = Int(t.vlen)
        declState.put("enum")
        if t.pointee.name_off != 0 { declState.put(32) }
        declState.put(cString: typeName(id))
        if vlen == 0 { return }
        declState.put(" {")
        let signed = t.kindFlag
        let is32 = t.kind == BTFKind.enumeration
        let state = declState
        for i in 0..<vlen {
            let nameOffset = is32 ? t.word(2 * i) : t.word(3 * i)
            let name = rawString(nameOffset)
            // Enumerators share the name space of typedefs.
            let count = state.identNames.claim(name)
            declState.put(10)
            declState.putIndent(level + 1)
            declState.put(cString: name)
            if count > 1 {
                declState.put("___")
                declState.putDecimal(UInt64(count))
            }
            declState.put(" = ")
            if is32 {
                let value = t.word(2 * i + 1)
                if signed {
                    declState.putDecimal(signed: Int64(Int32(bitPattern: value)))
                } else {
                    declState.putDecimal(UInt64(value))
                }
            } else {
                let value = UInt64(t.word(3 * i + 1)) | (UInt64(t.word(3 * i + 2)) << 32)
                if signed {
                    declState.putDecimal(signed: Int64(bitPattern: value))
                    declState.put("LL")
                } else {
                    declState.putDecimal(value)
                    declState.put("ULL")
                }
            }
            declState.put(44)  // ','
        }
        declState.put(10)
        declState.putIndent(level)
        declState.put(125)
        // Sizes the values alone would not give.
        if t.sizeOrType == 1 {
            declState.put(" __attribute__((mode(byte)))")
        } else if t.sizeOrType == 8 && pointerSize == 8 {
            var needsWordMode = true
            if !is32 {
                // An enum64 with a value beyond 32 bits is 8 bytes by itself.
                for i in 0..<vlen where t.word(3 * i + 2) != 0 {
                    needsWordMode = false
                    break
                }
            }
            if needsWordMode { declState.put(" __attribute__((mode(word)))") }
        }
    }

    // MARK: - Declarators

    /// `btf_dump__emit_type_decl`: the declaration of `id` named `fieldName`.
    public func emitTypeDeclaration(_ id: UInt32, fieldName: UnsafePointer<CChar>?, level: Int,
                                    stripModifiers: Bool) throws(BPFError) {
        try prepareDeclState()
        if id >= btf.typeCount { throw .EINVAL }
        declState.stripModifiers = stripModifiers
        emitTypeDeclaration(id, fieldName: fieldName ?? BTFDump.emptyName, level: level)
        declState.stripModifiers = false
        finishCall()
    }

    /// For value dumps, `(type)` casts: the declaration of `id` with modifiers
    /// stripped and anonymous types not spelled out. Does not flush.
    public func emitTypeCast(_ id: UInt32) throws(BPFError) {
        try prepareDeclState()
        if id >= btf.typeCount { throw .EINVAL }
        let state = declState
        state.stripModifiers = true
        state.skipAnonymousDefinitions = true
        emitTypeDeclaration(id, fieldName: BTFDump.emptyName, level: 0)
        state.stripModifiers = false
        state.skipAnonymousDefinitions = false
        commitText()
    }

    @inline(__always)
    static func isModifier(_ kind: UInt32) -> Bool {
        kind == BTFKind.volatile || kind == BTFKind.const || kind == BTFKind.restrict || kind == BTFKind.typeTag
    }

    /// Pushes the chain from `id` down to its base type (int, struct, typedef,
    /// ...) on the shared declarator stack, then writes it.
    func emitTypeDeclaration(_ id: UInt32, fieldName: UnsafePointer<CChar>, level: Int) {
        let state = declState
        let start = state.stackCount
        let strip = state.stripModifiers
        var id = id
        chain: while true {
            let t = record(id)
            let kind = t.kind
            if !(strip && BTFDump.isModifier(kind)) { state.push(id) }
            if id == 0 { break }
            switch kind {
            case BTFKind.pointer, BTFKind.volatile, BTFKind.const, BTFKind.restrict,
                 BTFKind.functionPrototype, BTFKind.typeTag:
                id = t.sizeOrType
            case BTFKind.array:
                id = t.word(0)
            case BTFKind.int, BTFKind.enumeration, BTFKind.enum64, BTFKind.forward,
                 BTFKind.structure, BTFKind.union, BTFKind.typedef, BTFKind.float:
                break chain
            default:
                Log.warn("libbpf: unexpected type in decl chain, kind:\(kind), id:[\(id)]\n")
                break chain
            }
        }
        var count = state.stackCount - start
        emitTypeChain(base: start, count: &count, fieldName: fieldName, level: level)
        state.stackCount = start
    }

    /// Writes the const/volatile/restrict on top of the stack (before a base type).
    func emitModifiers(base: Int, count: inout Int) {
        let state = declState
        while count > 0 {
            let t = record(state.stack[base + count - 1])
            switch t.kind {
            case BTFKind.volatile: declState.put("volatile ")
            case BTFKind.const: declState.put("const ")
            case BTFKind.restrict: declState.put("restrict ")
            default: return
            }
            count -= 1
        }
    }

    /// Drops modifiers on top of the stack (qualified arrays and functions).
    func dropModifiers(base: Int, count: inout Int) {
        let state = declState
        while count > 0 {
            let t = record(state.stack[base + count - 1])
            if !BTFDump.isModifier(t.kind) { return }
            count -= 1
        }
    }

    @inline(__always)
    func emitName(_ name: UnsafePointer<CChar>, afterPointer: Bool) {
        if name[0] != 0 && !afterPointer { declState.put(32) }
        declState.put(cString: name)
    }

    /// Writes the declarator chain `declStack[base ..< base + count]`, innermost
    /// (base type) on top (`btf_dump_emit_type_chain`).
    func emitTypeChain(base: Int, count: inout Int, fieldName: UnsafePointer<CChar>, level: Int) {
        let state = declState
        // Whether the last thing written was `*` (no space before the next one).
        var afterPointer = true
        while count > 0 {
            count -= 1
            let id = state.stack[base + count]
            if id == 0 {
                emitModifiers(base: base, count: &count)
                declState.put("void")
                afterPointer = false
                continue
            }
            let t = record(id)
            let kind = t.kind
            switch kind {
            case BTFKind.int, BTFKind.float:
                emitModifiers(base: base, count: &count)
                declState.put(cString: rawName(t))
            case BTFKind.structure, BTFKind.union:
                emitModifiers(base: base, count: &count)
                if t.pointee.name_off == 0 && !state.skipAnonymousDefinitions {
                    emitStructDefinition(id, t, level: level)
                } else {
                    emitStructForward(id, t)
                }
            case BTFKind.enumeration, BTFKind.enum64:
                emitModifiers(base: base, count: &count)
                if t.pointee.name_off == 0 && !state.skipAnonymousDefinitions {
                    emitEnumDefinition(id, t, level: level)
                } else {
                    emitEnumForward(id)
                }
            case BTFKind.forward:
                emitModifiers(base: base, count: &count)
                emitForwardDefinition(id, t)
            case BTFKind.typedef:
                emitModifiers(base: base, count: &count)
                declState.put(cString: identifierName(id))
            case BTFKind.pointer:
                if afterPointer {
                    declState.put(42)
                } else {
                    declState.put(" *")
                }
            case BTFKind.volatile:
                declState.put(" volatile")
            case BTFKind.const:
                declState.put(" const")
            case BTFKind.restrict:
                declState.put(" restrict")
            case BTFKind.typeTag:
                emitModifiers(base: base, count: &count)
                declState.put(" __attribute__((btf_type_tag(\"")
                declState.put(cString: rawName(t))
                declState.put("\")))")
            case BTFKind.array:
                // GCC qualifies arrays of qualified elements: drop those.
                dropModifiers(base: base, count: &count)
                let elements = t.word(2)
                if count == 0 {
                    emitName(fieldName, afterPointer: afterPointer)
                    emitArrayBound(elements)
                    return
                }
                let next = record(state.stack[base + count - 1])
                let multidimensional = next.kind == BTFKind.array
                if fieldName[0] != 0 && !afterPointer { declState.put(32) }
                if !multidimensional { declState.put(40) }
                emitTypeChain(base: base, count: &count, fieldName: fieldName, level: level)
                if !multidimensional { declState.put(41) }
                emitArrayBound(elements)
                return
            case BTFKind.functionPrototype:
                // GCC marks noreturn function pointers volatile: drop it.
                dropModifiers(base: base, count: &count)
                if count > 0 {
                    declState.put(" (")
                    emitTypeChain(base: base, count: &count, fieldName: fieldName, level: level)
                    declState.put(41)
                } else {
                    emitName(fieldName, afterPointer: afterPointer)
                }
                declState.put(40)
                let vlen = Int(t.vlen)
                // A single void parameter (clang's "no arguments"): ().
                if vlen == 1 && t.word(1) == 0 {
                    declState.put(41)
                    return
                }
                for i in 0..<vlen {
                    if i > 0 { declState.put(", ") }
                    let parameterType = t.word(2 * i + 1)
                    // A trailing void parameter means varargs.
                    if i == vlen - 1 && parameterType == 0 {
                        declState.put("...")
                        break
                    }
                    emitTypeDeclaration(parameterType, fieldName: rawString(t.word(2 * i)), level: level)
                }
                declState.put(41)
                return
            default:
                Log.warn("libbpf: unexpected type in decl chain, kind:\(kind), id:[\(id)]\n")
                return
            }
            afterPointer = kind == BTFKind.pointer
        }
        emitName(fieldName, afterPointer: afterPointer)
    }

    @inline(__always)
    func emitArrayBound(_ elements: UInt32) {
        declState.put(91)  // '['
        declState.putDecimal(UInt64(elements))
        declState.put(93)  // ']'
    }
}

import CBPF

/// Bits of the per-type state byte of the C emitter.
enum DeclFlag {
    /// Topological order: 0 not ordered, 1 being ordered, 2 ordered.
    static let orderMask: UInt8 = 0x03
    static let ordering: UInt8 = 0x01
    static let ordered: UInt8 = 0x02
    /// Emission: 0 not emitted, 1 being emitted, 2 emitted.
    static let emitMask: UInt8 = 0x0c
    static let emitting: UInt8 = 0x04
    static let emitted: UInt8 = 0x08
    /// A forward declaration (or, for a typedef, its definition) was written.
    static let fwdEmitted: UInt8 = 0x10
    /// The type's dump name is fixed (see `resolvedName`).
    static let nameResolved: UInt8 = 0x20
    /// Some other type refers to this one.
    static let referenced: UInt8 = 0x40
}

/// The C emitter's state, kept across calls on one dump object: per type id
/// (grown when types are added to the BTF), the order of pending definitions,
/// the declarator stack and the two name counters; plus the text of the call
/// in progress and a cache of type alignments.
final class BTFDumpDeclState {
    /// Ids 0...lastID have state.
    var lastID: UInt32 = 0
    var capacity = 0
    var flags: UnsafeMutablePointer<UInt8>
    /// Index + 1 into `cachedNames` of a type's suffixed name, 0 = its own name.
    var cachedNameIndex: UnsafeMutablePointer<UInt32>
    var cachedNames: [UnsafeMutablePointer<CChar>] = []
    /// Alignment per id once computed (0 = not yet), valid while the BTF is
    /// unchanged (see `fingerprint`).
    var alignments: UnsafeMutablePointer<UInt8>
    /// Type records by id, for ids below `recordCount`.
    var records: UnsafeMutablePointer<UnsafePointer<btf_type>>
    var recordCount = 0
    /// What the caches were built for: the BTF's type count, type and string
    /// lengths, type data address and pointer size.
    var fingerprint: (UInt32, UInt32, UInt32, Int, Int) = (0, 0, 0, 0, 0)
    /// Named definitions to emit for the current `dump_type`, in order.
    var emitQueue: [UInt32] = []
    /// Declarator chains being written (shared by nested declarations).
    var stack: UnsafeMutablePointer<UInt32>
    var stackCount = 0
    var stackCapacity = 64
    /// Text of the call in progress (moved to the dump's output at its end).
    var text: UnsafeMutablePointer<UInt8>
    var textCount = 0
    var textCapacity = 4096
    var typeNames = BTFDumpNameCounter()
    var identNames = BTFDumpNameCounter()
    /// Leave out const/volatile/restrict/type tags (emit_type_decl's strip_mods).
    var stripModifiers = false
    /// Write anonymous struct/union/enum as `struct`/`enum ` without a body.
    var skipAnonymousDefinitions = false

    init() {
        flags = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        flags[0] = DeclFlag.ordered | DeclFlag.emitted  // void is always there
        cachedNameIndex = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        cachedNameIndex[0] = 0
        alignments = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        alignments[0] = 0
        records = UnsafeMutablePointer<UnsafePointer<btf_type>>.allocate(capacity: 1)
        capacity = 1
        stack = UnsafeMutablePointer<UInt32>.allocate(capacity: stackCapacity)
        text = UnsafeMutablePointer<UInt8>.allocate(capacity: textCapacity)
    }

    deinit {
        flags.deallocate()
        cachedNameIndex.deallocate()
        alignments.deallocate()
        records.deallocate()
        stack.deallocate()
        text.deallocate()
        for name in cachedNames { name.deallocate() }
    }

    /// Makes room for ids up to `last`, new entries zeroed.
    func ensureCapacity(_ last: UInt32) {
        let needed = Int(last) + 1
        if needed <= capacity { return }
        var newCapacity = max(capacity * 2, 64)
        while newCapacity < needed { newCapacity *= 2 }
        flags = BTFDumpDeclState.grown(flags, capacity, newCapacity)
        cachedNameIndex = BTFDumpDeclState.grown(cachedNameIndex, capacity, newCapacity)
        alignments = BTFDumpDeclState.grown(alignments, capacity, newCapacity)
        records.deallocate()
        records = UnsafeMutablePointer<UnsafePointer<btf_type>>.allocate(capacity: newCapacity)
        recordCount = 0
        capacity = newCapacity
    }

    static func grown<T: FixedWidthInteger>(_ old: UnsafeMutablePointer<T>, _ count: Int, _ newCount: Int) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: newCount)
        new.update(from: old, count: count)
        (new + count).initialize(repeating: 0, count: newCount - count)
        old.deallocate()
        return new
    }

    // MARK: Declarator stack

    @inline(__always)
    func push(_ id: UInt32) {
        if stackCount == stackCapacity {
            let newCapacity = stackCapacity * 2
            let new = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
            new.update(from: stack, count: stackCount)
            stack.deallocate()
            stack = new
            stackCapacity = newCapacity
        }
        stack[stackCount] = id
        stackCount += 1
    }

    // MARK: Text

    @inline(never)
    func reserve(_ extra: Int) {
        var newCapacity = textCapacity * 2
        while newCapacity < textCount + extra { newCapacity *= 2 }
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        new.update(from: text, count: textCount)
        text.deallocate()
        text = new
        textCapacity = newCapacity
    }

    @inline(__always)
    func put(_ byte: UInt8) {
        if textCount == textCapacity { reserve(1) }
        text[textCount] = byte
        textCount += 1
    }

    @inline(__always)
    func put(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        if textCount + count > textCapacity { reserve(count) }
        (text + textCount).update(from: bytes, count: count)
        textCount += count
    }

    @inline(__always)
    func put(_ s: StaticString) { put(s.utf8Start, s.utf8CodeUnitCount) }

    @inline(__always)
    func put(cString: UnsafePointer<CChar>) {
        put(UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self), Int(strlen(cString)))
    }

    /// `lvl` tabs; the reference's prefix table holds 13 (a negative level reads
    /// as a huge unsigned one: all 13).
    @inline(__always)
    func putIndent(_ level: Int) {
        let count = (level < 0 || level >= 13) ? 13 : level
        if textCount + count > textCapacity { reserve(count) }
        (text + textCount).initialize(repeating: 9, count: count)
        textCount += count
    }

    func putDecimal(_ value: UInt64) {
        if value < 10 {
            put(UInt8(48 + value))
            return
        }
        if textCount + 20 > textCapacity { reserve(20) }
        var digits = 0
        var v = value
        while v > 0 {
            digits += 1
            v /= 10
        }
        v = value
        var i = textCount + digits - 1
        while v > 0 {
            text[i] = UInt8(48 + v % 10)
            v /= 10
            i -= 1
        }
        textCount += digits
    }

    func putDecimal(signed value: Int64) {
        if value < 0 {
            put(45)  // '-'
            putDecimal(UInt64(bitPattern: 0 &- value))
        } else {
            putDecimal(UInt64(value))
        }
    }
}

extension BTFDump {
    /// A type record; void for an id past the end (malformed references).
    @inline(__always)
    func record(_ id: UInt32) -> UnsafePointer<btf_type> {
        let state = declState
        return Int(id) < state.recordCount ? state.records[Int(id)] : UnsafePointer(BTF.voidType)
    }

    /// What every entry point does first: state for new types, and caches
    /// rebuilt when the BTF changed since the last call.
    func prepareDeclState() throws(BPFError) {
        try resizeDeclState()
        let state = declState
        let h = btf.header.pointee
        let now = (btf.typeCount, h.type_len, h.str_len, Int(bitPattern: btf.typeData), btf.pointerSizeForLayout)
        if now == state.fingerprint && state.recordCount == Int(now.0) { return }
        state.fingerprint = now
        state.alignments.update(repeating: 0, count: state.capacity)
        let count = Int(now.0)
        state.records[0] = UnsafePointer(BTF.voidType)
        var id = 1
        while id < count {
            state.records[id] = btf.typeUnchecked(UInt32(id))
            id += 1
        }
        state.recordCount = count
    }

    /// Ends an entry point: the text goes to the user's callback.
    func finishCall() {
        let state = declState
        if !pending.isEmpty {
            commitText()
            flush()
            return
        }
        if state.textCount == 0 { return }
        state.put(0)
        sbpf_call_dump_printf(printCallback, context, UnsafeRawPointer(state.text).assumingMemoryBound(to: CChar.self))
        state.textCount = 0
    }

    /// Brings the per-type state up to the BTF's current last id, marking
    /// which types the new ones refer to (`btf_dump_resize`).
    func resizeDeclState() throws(BPFError) {
        let state = declState
        let count = btf.typeCount
        let last = count - 1
        if last <= state.lastID { return }
        state.ensureCapacity(last)
        let flags = state.flags
        @inline(__always) func mark(_ id: UInt32) {
            if id < count { flags[Int(id)] |= DeclFlag.referenced }
        }
        var id = state.lastID + 1
        while id <= last {
            let t = btf.typeUnchecked(id)
            let vlen = Int(t.vlen)
            switch t.kind {
            case BTFKind.int, BTFKind.enumeration, BTFKind.enum64, BTFKind.forward, BTFKind.float:
                break
            case BTFKind.volatile, BTFKind.const, BTFKind.restrict, BTFKind.pointer, BTFKind.typedef,
                 BTFKind.function, BTFKind.variable, BTFKind.declTag, BTFKind.typeTag:
                mark(t.sizeOrType)
            case BTFKind.array:
                mark(t.word(1))
                mark(t.word(0))
            case BTFKind.structure, BTFKind.union:
                for i in 0..<vlen { mark(t.word(3 * i + 1)) }
            case BTFKind.functionPrototype:
                for i in 0..<vlen { mark(t.word(2 * i + 1)) }
            case BTFKind.dataSection:
                for i in 0..<vlen { mark(t.word(3 * i)) }
            default:
                throw .EINVAL
            }
            state.lastID = id
            id += 1
        }
    }

    /// `btf_dump__dump_type`: the definition of `id` and of everything it needs
    /// that was not emitted before on this dump object.
    public func dumpType(_ id: UInt32) throws(BPFError) {
        if id >= btf.typeCount { throw .EINVAL }
        try prepareDeclState()
        let state = declState
        state.emitQueue.removeAll(keepingCapacity: true)
        let result = orderType(id, throughPointer: false)
        if result < 0 { throw BPFError(-result) }
        var i = 0
        while i < state.emitQueue.count {
            emitType(state.emitQueue[i], container: 0)
            i += 1
        }
        finishCall()
    }

    @inline(__always)
    func addToEmitQueue(_ id: UInt32) { declState.emitQueue.append(id) }

    /// Topological ordering (`btf_dump_order_type`): queues the named
    /// definitions `id` depends on, dependencies first. Returns 1 when `id`
    /// must be complete where it is used (a strong link), 0 when a forward
    /// declaration is enough (a weak link, through a pointer), or -errno.
    func orderType(_ id: UInt32, throughPointer: Bool) -> Int32 {
        // A reference past the last type (a malformed BTF): nothing to order.
        if Int(id) >= declState.recordCount { return 0 }
        let flags = declState.flags
        let state = flags[Int(id)] & DeclFlag.orderMask
        if state == DeclFlag.ordered { return 1 }
        let t = record(id)
        let kind = t.kind
        let named = t.pointee.name_off != 0
        if state == DeclFlag.ordering {
            // A loop, which a forward declaration resolves only behind a pointer.
            if (kind == BTFKind.structure || kind == BTFKind.union) && throughPointer && named { return 0 }
            Log.warn("libbpf: unsatisfiable type cycle, id:[\(id)]\n")
            return -ELOOP
        }
        switch kind {
        case BTFKind.int, BTFKind.float:
            flags[Int(id)] = (flags[Int(id)] & ~DeclFlag.orderMask) | DeclFlag.ordered
            return 0
        case BTFKind.pointer:
            let result = orderType(t.sizeOrType, throughPointer: true)
            flags[Int(id)] = (flags[Int(id)] & ~DeclFlag.orderMask) | DeclFlag.ordered
            return result
        case BTFKind.array:
            return orderType(t.word(0), throughPointer: false)
        case BTFKind.structure, BTFKind.union:
            // Embedded, or anonymous (so defined inline even behind a pointer).
            if throughPointer && named { return 0 }
            flags[Int(id)] = (flags[Int(id)] & ~DeclFlag.orderMask) | DeclFlag.ordering
            for i in 0..<Int(t.vlen) {
                let result = orderType(t.word(3 * i + 1), throughPointer: false)
                if result < 0 { return result }
            }
            if named { addToEmitQueue(id) }
            flags[Int(id)] = (flags[Int(id)] & ~DeclFlag.orderMask) | DeclFlag.ordered
            return 1
        case BTFKind.enumeration, BTFKind.enum64, BTFKind.forward:
            // Named ones and unreferenced anonymous enums (constants) stand alone.
            if named || flags[Int(id)] & DeclFlag.referenced == 0 { addToEmitQueue(id) }
            flags[Int(id)] = (flags[Int(id)] & ~DeclFlag.orderMask) | DeclFlag.ordered
            return 1
        case BTFKind.typedef:
            let strong = orderType(t.sizeOrType, throughPointer: throughPointer)
            if strong < 0 { return strong }
            if throughPointer && strong == 0 { return 0 }
            addToEmitQueue(id)
            flags[Int(id)] = (flags[Int(id)] & ~DeclFlag.orderMask) | DeclFlag.ordered
            return 1
        case BTFKind.volatile, BTFKind.const, BTFKind.restrict, BTFKind.typeTag:
            return orderType(t.sizeOrType, throughPointer: throughPointer)
        case BTFKind.functionPrototype:
            var result = orderType(t.sizeOrType, throughPointer: throughPointer)
            if result < 0 { return result }
            var strong = result > 0
            for i in 0..<Int(t.vlen) {
                result = orderType(t.word(2 * i + 1), throughPointer: throughPointer)
                if result < 0 { return result }
                if result > 0 { strong = true }
            }
            return strong ? 1 : 0
        case BTFKind.function, BTFKind.variable, BTFKind.dataSection, BTFKind.declTag:
            flags[Int(id)] = (flags[Int(id)] & ~DeclFlag.orderMask) | DeclFlag.ordered
            return 0
        default:
            return -EINVAL
        }
    }

    @inline(__always)
    func setEmitState(_ id: UInt32, _ value: UInt8) {
        let flags = declState.flags
        flags[Int(id)] = (flags[Int(id)] & ~DeclFlag.emitMask) | value
    }

    /// `__builtin_va_list` is the compiler's own: never redefined.
    func isBuiltinVaList(_ t: UnsafePointer<btf_type>) -> Bool {
        if t.pointee.name_off == 0 { return false }
        return strcmp(rawName(t), BTFDump.literal("__builtin_va_list")) == 0
    }

    /// Emits `id` at top level (`container` 0) or as part of the definition of
    /// struct/union/typedef `container`, with whatever forward declarations
    /// that needs (`btf_dump_emit_type`).
    func emitType(_ id: UInt32, container: UInt32) {
        if Int(id) >= declState.recordCount { return }
        let flags = declState.flags
        let state = flags[Int(id)]
        let emitState = state & DeclFlag.emitMask
        if emitState == DeclFlag.emitted { return }
        let t = record(id)
        let kind = t.kind
        let topLevel = container == 0

        if emitState == DeclFlag.emitting {
            if state & DeclFlag.fwdEmitted != 0 { return }
            switch kind {
            case BTFKind.structure, BTFKind.union:
                // A struct referring to itself needs no forward declaration.
                if id == container { return }
                if t.pointee.name_off == 0 {
                    Log.warn("libbpf: anonymous struct/union loop, id:[\(id)]\n")
                    return
                }
                emitStructForward(id, t)
                declState.put(";\n\n")
                flags[Int(id)] |= DeclFlag.fwdEmitted
            case BTFKind.typedef:
                // The typedef's definition doubles as its forward declaration
                // (usable only behind pointers).
                if !isBuiltinVaList(t) {
                    emitTypedefDefinition(id, t, level: 0)
                    declState.put(";\n\n")
                }
                flags[Int(id)] |= DeclFlag.fwdEmitted
            default:
                break
            }
            return
        }

        switch kind {
        case BTFKind.int:
            emitMissingAlias(id)
            setEmitState(id, DeclFlag.emitted)
        case BTFKind.enumeration, BTFKind.enum64:
            if topLevel {
                emitEnumDefinition(id, t, level: 0)
                declState.put(";\n\n")
            }
            setEmitState(id, DeclFlag.emitted)
        case BTFKind.pointer, BTFKind.volatile, BTFKind.const, BTFKind.restrict, BTFKind.typeTag:
            emitType(t.sizeOrType, container: container)
        case BTFKind.array:
            emitType(t.word(0), container: container)
        case BTFKind.forward:
            emitForwardDefinition(id, t)
            declState.put(";\n\n")
            setEmitState(id, DeclFlag.emitted)
        case BTFKind.typedef:
            setEmitState(id, DeclFlag.emitting)
            emitType(t.sizeOrType, container: id)
            if flags[Int(id)] & DeclFlag.fwdEmitted == 0 && !isBuiltinVaList(t) {
                emitTypedefDefinition(id, t, level: 0)
                declState.put(";\n\n")
            }
            setEmitState(id, DeclFlag.emitted)
        case BTFKind.structure, BTFKind.union:
            setEmitState(id, DeclFlag.emitting)
            let named = t.pointee.name_off != 0
            if topLevel || !named {
                // Members are spelled out here: their types need declarations.
                let inner = named ? id : container
                for i in 0..<Int(t.vlen) { emitType(t.word(3 * i + 1), container: inner) }
            } else if flags[Int(id)] & DeclFlag.fwdEmitted == 0 && id != container {
                emitStructForward(id, t)
                declState.put(";\n\n")
                flags[Int(id)] |= DeclFlag.fwdEmitted
            }
            if topLevel {
                emitStructDefinition(id, t, level: 0)
                declState.put(";\n\n")
                setEmitState(id, DeclFlag.emitted)
            } else {
                setEmitState(id, 0)
            }
        case BTFKind.functionPrototype:
            emitType(t.sizeOrType, container: container)
            for i in 0..<Int(t.vlen) { emitType(t.word(2 * i + 1), container: container) }
        default:
            break
        }
    }

    /// GCC's internal `__PolyN_t` ints get a typedef to a standard type.
    func emitMissingAlias(_ id: UInt32) {
        let name = typeName(id)
        // All four start with "__Poly".
        if strncmp(name, BTFDump.literal("__Poly"), 6) != 0 { return }
        let alias: StaticString
        if strcmp(name, BTFDump.literal("__Poly8_t")) == 0 {
            alias = "unsigned char"
        } else if strcmp(name, BTFDump.literal("__Poly16_t")) == 0 {
            alias = "unsigned short"
        } else if strcmp(name, BTFDump.literal("__Poly64_t")) == 0 {
            alias = "unsigned long long"
        } else if strcmp(name, BTFDump.literal("__Poly128_t")) == 0 {
            alias = "unsigned __int128"
        } else {
            return
        }
        declState.put("typedef ")
        declState.put(alias)
        declState.put(32)
        declState.put(cString: name)
        declState.put(";\n\n")
    }
}

extension BTFDump {
    /// A string literal as a C string.
    @inline(__always)
    static func literal(_ s: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

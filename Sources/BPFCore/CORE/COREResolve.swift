import CBPF

/// What one relocation resolved to (`struct bpf_core_relo_res`): the value the
/// compiler put in the instruction (computed from the local BTF, checked
/// against the instruction when `validate`) and the value for the target.
public struct CORERelocationResult: Equatable {
    public var originalValue: UInt64 = 0
    public var newValue: UInt64 = 0
    /// No target satisfies the relocation: the instruction is replaced by a
    /// call to an invalid helper, which the verifier rejects only if reached.
    public var poison = false
    public var validate = true
    /// A load/store whose memory size would change in a way that changes the
    /// value read (signed ints, or different kinds): poisoned at patch time.
    public var failMemorySizeAdjust = false
    public var originalSize: UInt32 = 0
    public var newSize: UInt32 = 0
    public var originalTypeID: UInt32 = 0
    public var newTypeID: UInt32 = 0

    public init() {}
}

/// Errors the calculation uses internally: "poison the instruction" and
/// "unknown relocation kind" (the reference's -EUCLEAN and -EOPNOTSUPP).
enum COREOutcome: Error {
    case poison
    case failure(BPFError)
}

extension CORE {
    /// One side of a field relocation (`bpf_core_calc_field_relo`): the value
    /// for `spec`, nil for "no target" (poison, except for field_exists).
    static func fieldValue(programName: UnsafePointer<CChar>, relocation: BTFCoreRelocation, spec: CORESpec?,
                           value: inout UInt64, fieldSize: inout UInt32, typeID: inout UInt32,
                           validate: inout Bool) throws(COREOutcome) {
        fieldSize = 0
        let kind = relocation.kind
        if kind == CORERelocationKind.fieldExists {
            value = spec != nil ? 1 : 0
            return
        }
        guard let spec else { throw .poison }

        let accessor = spec.last
        let btf = spec.btf
        // An a[n] access: only offset and size make sense.
        if accessor.name == nil {
            if kind == CORERelocationKind.fieldByteOffset {
                value = UInt64(spec.bitOffset / 8)
                guard let size = try? btf.resolveSize(accessor.typeID) else { throw .failure(.EINVAL) }
                fieldSize = UInt32(truncatingIfNeeded: size)
                typeID = accessor.typeID
            } else if kind == CORERelocationKind.fieldByteSize {
                guard let size = try? btf.resolveSize(accessor.typeID) else { throw .failure(.EINVAL) }
                value = UInt64(bitPattern: size)
            } else {
                Log.warn("libbpf: prog '\(cString: programName)': relo \(kind) at insn #\(Int32(bitPattern: relocation.instructionOffset) / 8) can't be applied to array access\n")
                throw .failure(.EINVAL)
            }
            validate = true
            return
        }

        let t = btf.type(accessor.typeID)!
        let member = Int(accessor.index)
        let (m, fieldTypeID) = btf.skipModifiersAndTypedefs(CORE.memberType(t, member))
        guard let memberType = m else { throw .failure(.EINVAL) }
        let bitOffset = spec.bitOffset
        var bitSize = CORE.memberBitfieldSize(t, member)
        let bitfield = bitSize > 0
        var byteSize: UInt32
        var byteOffset: UInt32
        if bitfield {
            byteSize = memberType.sizeOrType
            if byteSize == 0 { throw .failure(.EINVAL) }  // the reference divides by zero
            byteOffset = bitOffset / 8 / byteSize * byteSize
            // The smallest load that covers the whole bitfield.
            while bitOffset &+ bitSize &- byteOffset &* 8 > byteSize &* 8 {
                if byteSize >= 8 {
                    Log.warn("libbpf: prog '\(cString: programName)': relo \(kind) at insn #\(Int32(bitPattern: relocation.instructionOffset) / 8) can't be satisfied for bitfield\n")
                    throw .failure(.E2BIG)
                }
                byteSize *= 2
                byteOffset = bitOffset / 8 / byteSize * byteSize
            }
        } else {
            guard let size = try? btf.resolveSize(fieldTypeID) else { throw .failure(.EINVAL) }
            byteSize = UInt32(truncatingIfNeeded: size)
            byteOffset = bitOffset / 8
            bitSize = byteSize &* 8
        }

        // Bitfield layouts may legitimately differ from the compiler's guess:
        // only signedness and the right shift are checked for them.
        validate = !bitfield

        switch kind {
        case CORERelocationKind.fieldByteOffset:
            value = UInt64(byteOffset)
            if !bitfield {
                fieldSize = byteSize
                typeID = fieldTypeID
            }
        case CORERelocationKind.fieldByteSize:
            value = UInt64(byteSize)
        case CORERelocationKind.fieldSigned:
            let enumSigned = CORE.isAnyEnum(memberType.kind) && memberType.kindFlag
            let intSigned = memberType.kind == BTFKind.int && CORE.intEncoding(memberType) & 1 != 0
            value = enumSigned || intSigned ? 1 : 0
            validate = true
        case CORERelocationKind.fieldLShiftU64:
            value = UInt64(UInt32(64) &- (bitOffset &+ bitSize &- byteOffset &* 8))
        case CORERelocationKind.fieldRShiftU64:
            value = UInt64(UInt32(64) &- bitSize)
            validate = true
        default:
            throw .failure(.EOPNOTSUPP)
        }
    }

    /// One side of a type relocation (`bpf_core_calc_type_relo`): 0 without a
    /// target, whatever the kind.
    static func typeValue(relocation: BTFCoreRelocation, spec: CORESpec?, validate: inout Bool) throws(COREOutcome) -> UInt64 {
        validate = true
        guard let spec else { return 0 }
        switch relocation.kind {
        case CORERelocationKind.typeIDTarget:
            // Type ids may change when objects are linked: never checked.
            validate = false
            return UInt64(spec.rootTypeID)
        case CORERelocationKind.typeExists, CORERelocationKind.typeMatches:
            return 1
        case CORERelocationKind.typeSize:
            guard let size = try? spec.btf.resolveSize(spec.rootTypeID) else { throw .failure(.EINVAL) }
            return UInt64(bitPattern: size)
        default:
            throw .failure(.EOPNOTSUPP)
        }
    }

    /// One side of an enum value relocation (`bpf_core_calc_enumval_relo`).
    static func enumValue(relocation: BTFCoreRelocation, spec: CORESpec?) throws(COREOutcome) -> UInt64 {
        switch relocation.kind {
        case CORERelocationKind.enumValueExists:
            return spec != nil ? 1 : 0
        case CORERelocationKind.enumValueValue:
            guard let spec else { throw .poison }
            let accessor = spec.accessors[0]
            let t = spec.btf.type(accessor.typeID)!
            return CORE.enumeratorValue(t, Int(accessor.index))
        default:
            throw .failure(.EOPNOTSUPP)
        }
    }

    /// `bpf_core_calc_relo`: the original (local) and new (target) values of a
    /// relocation; `target` nil when no candidate matched.
    static func calculate(programName: UnsafePointer<CChar>, relocation: BTFCoreRelocation, index: Int,
                          local: CORESpec, target: CORESpec?) throws(BPFError) -> CORERelocationResult {
        var result = CORERelocationResult()
        let kind = relocation.kind
        do throws(COREOutcome) {
            if CORERelocationKind.isFieldBased(kind) {
                try fieldValue(programName: programName, relocation: relocation, spec: local,
                               value: &result.originalValue, fieldSize: &result.originalSize,
                               typeID: &result.originalTypeID, validate: &result.validate)
                var unused = true
                try fieldValue(programName: programName, relocation: relocation, spec: target,
                               value: &result.newValue, fieldSize: &result.newSize,
                               typeID: &result.newTypeID, validate: &unused)
                // A load/store whose size changes: fine for pointers (a 32-bit
                // kernel pointer read zero-extended) and for unsigned ints;
                // anything else would read a wrong value.
                if result.originalSize != result.newSize {
                    let originalType = local.btf.type(result.originalTypeID)
                    let newType = target!.btf.type(result.newTypeID)
                    if let o = originalType, let n = newType {
                        if o.kind == BTFKind.pointer && n.kind == BTFKind.pointer { return result }
                        if o.kind == BTFKind.int && n.kind == BTFKind.int
                            && intEncoding(o) != 1 && intEncoding(n) != 1 { return result }
                    }
                    result.failMemorySizeAdjust = true
                }
            } else if CORERelocationKind.isTypeBased(kind) {
                var validate = true
                let original = try typeValue(relocation: relocation, spec: local, validate: &validate)
                result.originalValue = original
                result.validate = validate
                var unused = true
                result.newValue = try typeValue(relocation: relocation, spec: target, validate: &unused)
            } else if CORERelocationKind.isEnumValueBased(kind) {
                result.originalValue = try enumValue(relocation: relocation, spec: local)
                result.newValue = try enumValue(relocation: relocation, spec: target)
            } else {
                throw .failure(.EOPNOTSUPP)
            }
        } catch {
            switch error {
            case .poison:
                result.poison = true
            case .failure(let failure):
                if failure == .EOPNOTSUPP {
                    Log.warn("libbpf: prog '\(cString: programName)': relo #\(index): unrecognized CO-RE relocation \(CORERelocationKind.name(kind)) (\(kind)) at insn #\(Int32(bitPattern: relocation.instructionOffset) / 8)\n")
                }
                throw failure
            }
        }
        return result
    }
}

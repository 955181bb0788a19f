import CBPF

/// Matching a local spec against one target candidate, and the type
/// compatibility rules behind it (the documented CO-RE semantics of libbpf 1.1):
///
/// - field relocations follow the local access chain by member *name* through
///   the target type, descending into anonymous members, and require the final
///   field types to be compatible (`fieldsCompatible`);
/// - type relocations (exists, size, target id) need `typesCompatible`;
///   `type_matches` needs the stricter `typesMatch`;
/// - enum value relocations need an enumerator of the same essential name.
///
/// A match fills `target` as far as it got: the reference logs partial target
/// specs of non-matching candidates, so the partial state is part of the output.
extension CORE {
    /// `bpf_core_spec_match`: true when the candidate matches.
    static func matchSpec(_ local: CORESpec, targetBTF: BTF, targetID candidateID: UInt32,
                          into target: inout CORESpec) throws(BPFError) -> Bool {
        target = CORESpec(btf: targetBTF, rootTypeID: candidateID, kind: local.kind)
        let kind = local.kind

        if CORERelocationKind.isTypeBased(kind) {
            if kind == CORERelocationKind.typeMatches {
                return try typesMatch(local.btf, local.rootTypeID, targetBTF, candidateID)
            }
            return try typesCompatible(local.btf, local.rootTypeID, targetBTF, candidateID)
        }

        if CORERelocationKind.isEnumValueBased(kind) {
            let (t, enumID) = targetBTF.skipModifiersAndTypedefs(candidateID)
            guard let enumType = t, isAnyEnum(enumType.kind) else { return false }
            guard let localName = local.accessors[0].name else { return false }  // a nameless enumerator
            let localLength = essentialNameLength(localName)
            for i in 0..<Int(enumType.vlen) {
                guard let name = targetBTF.string(at: enumeratorNameOffset(enumType, i)) else { continue }
                if essentialNameLength(name) != localLength { continue }
                if strncmp(localName, name, localLength) == 0 {
                    target.accessors.append(COREAccessor(typeID: enumID, index: Int32(i), name: name))
                    target.raw.append(Int32(i))
                    return true
                }
            }
            return false
        }

        if !CORERelocationKind.isFieldBased(kind) { throw .EINVAL }

        var targetID = candidateID
        for i in 0..<local.accessors.count {
            let (t, id) = targetBTF.skipModifiersAndTypedefs(targetID)
            targetID = id
            guard let targetType = t else { throw .EINVAL }
            let localAccessor = local.accessors[i]
            if localAccessor.name != nil {
                if !(try matchMember(local.btf, localAccessor, targetBTF, targetID, &target, next: &targetID)) {
                    return false
                }
                continue
            }
            // An array index: at i = 0 the root itself is the element type.
            if i > 0 {
                if targetType.kind != BTFKind.array { return false }
                let count = targetType.word(2)
                let flexible = isFlexibleArray(targetBTF, target.accessors[i - 1], elementCount: count)
                if !flexible && UInt32(bitPattern: localAccessor.index) >= count { return false }
                let (element, elementID) = targetBTF.skipModifiersAndTypedefs(targetType.word(0))
                targetID = elementID
                if element == nil { throw .EINVAL }
            }
            if target.raw.count == maxSpecLength { throw .E2BIG }
            target.accessors.append(COREAccessor(typeID: targetID, index: localAccessor.index, name: nil))
            target.raw.append(localAccessor.index)
            // The reference keeps this size in an int.
            let size = Int32(truncatingIfNeeded: try targetBTF.resolveSize(targetID))
            target.bitOffset &+= UInt32(bitPattern: localAccessor.index &* size &* 8)
        }
        return true
    }

    /// `bpf_core_match_member`: finds the local accessor's member by name in the
    /// target struct/union `targetID`, through anonymous members; on success the
    /// matched accessor is appended and `next` is the target member's type.
    static func matchMember(_ localBTF: BTF, _ localAccessor: COREAccessor, _ targetBTF: BTF, _ targetID: UInt32,
                            _ spec: inout CORESpec, next: inout UInt32) throws(BPFError) -> Bool {
        let (t, compositeID) = targetBTF.skipModifiersAndTypedefs(targetID)
        guard let targetType = t else { throw .EINVAL }
        if !isComposite(targetType.kind) { return false }

        let localType = localBTF.type(localAccessor.typeID)!
        let localMember = Int(localAccessor.index)
        let localName = localBTF.string(at: memberNameOffset(localType, localMember))!
        let localMemberType = memberType(localType, localMember)

        for i in 0..<Int(targetType.vlen) {
            let bitOffset = memberBitOffset(targetType, i)
            if spec.raw.count == maxSpecLength { throw .E2BIG }
            // Speculate that this member is the one.
            spec.bitOffset &+= bitOffset
            spec.raw.append(Int32(i))

            let targetName = targetBTF.string(at: memberNameOffset(targetType, i))
            if isEmpty(targetName) {
                // An embedded anonymous struct/union: look inside.
                if try matchMember(localBTF, localAccessor, targetBTF, memberType(targetType, i), &spec, next: &next) {
                    return true
                }
            } else if strcmp(localName, targetName!) == 0 {
                spec.accessors.append(COREAccessor(typeID: compositeID, index: Int32(i), name: targetName))
                next = memberType(targetType, i)
                let compatible = try fieldsCompatible(localBTF, localMemberType, targetBTF, memberType(targetType, i))
                if !compatible { spec.accessors.removeLast() }
                return compatible
            }
            spec.bitOffset &-= bitOffset
            spec.raw.removeLast()
        }
        return false
    }

    /// `bpf_core_fields_are_compat`: whether a local field type can be relocated
    /// to a target field type. Any two structs/unions are compatible (their
    /// members are checked as the access goes on); pointers and floats of any
    /// kind are; enums and forward declarations need equal essential names (or
    /// one anonymous); integers must not be old-style bitfield ints; arrays
    /// compare their element types.
    static func fieldsCompatible(_ localBTF: BTF, _ localID: UInt32, _ targetBTF: BTF, _ targetID: UInt32) throws(BPFError) -> Bool {
        var localID = localID
        var targetID = targetID
        var depth = 0
        while true {
            depth += 1
            if depth > 1000 { throw .EINVAL }  // an array loop (the reference spins)
            let (l, lid) = localBTF.skipModifiersAndTypedefs(localID)
            let (t, tid) = targetBTF.skipModifiersAndTypedefs(targetID)
            localID = lid
            targetID = tid
            guard let localType = l, let targetType = t else { throw .EINVAL }

            if isComposite(localType.kind) && isComposite(targetType.kind) { return true }
            if !kindsCompatible(localType.kind, targetType.kind) { return false }

            switch localType.kind {
            case BTFKind.pointer, BTFKind.float:
                return true
            case BTFKind.forward, BTFKind.enumeration, BTFKind.enum64:
                let localName = localBTF.name(of: localType)
                let targetName = targetBTF.name(of: targetType)
                let localLength = localName.map { essentialNameLength($0) } ?? 0
                let targetLength = targetName.map { essentialNameLength($0) } ?? 0
                return localLength == 0 || targetLength == 0
                    || (localLength == targetLength && strncmp(localName!, targetName!, localLength) == 0)
            case BTFKind.int:
                return intOffset(localType) == 0 && intOffset(targetType) == 0
            case BTFKind.array:
                localID = localType.word(0)
                targetID = targetType.word(0)
            default:
                return false
            }
        }
    }

    /// `bpf_core_types_are_compat`: for type-based relocations. Modifiers and
    /// typedefs are skipped (after the root kinds agree); structs, unions,
    /// enums and forward declarations are compatible by name alone (which the
    /// candidate search already checked); pointers and arrays compare what they
    /// point to; function prototypes compare parameters and return type.
    static func typesCompatible(_ localBTF: BTF, _ localID: UInt32, _ targetBTF: BTF, _ targetID: UInt32,
                                level: Int = 0) throws(BPFError) -> Bool {
        if level > 1000 { throw .EINVAL }  // the reference recurses without bound
        guard let localRoot = localBTF.type(localID), let targetRoot = targetBTF.type(targetID) else { throw .EINVAL }
        if !kindsCompatible(localRoot.kind, targetRoot.kind) { return false }

        var localID = localID
        var targetID = targetID
        var depth = 32
        while true {
            depth -= 1
            if depth < 0 { throw .EINVAL }
            let (l, lid) = localBTF.skipModifiersAndTypedefs(localID)
            let (t, tid) = targetBTF.skipModifiersAndTypedefs(targetID)
            localID = lid
            targetID = tid
            guard let localType = l, let targetType = t else { throw .EINVAL }
            if !kindsCompatible(localType.kind, targetType.kind) { return false }

            switch localType.kind {
            case BTFKind.unknown, BTFKind.structure, BTFKind.union, BTFKind.enumeration, BTFKind.forward, BTFKind.enum64:
                return true
            case BTFKind.int:
                return intOffset(localType) == 0 && intOffset(targetType) == 0
            case BTFKind.pointer:
                localID = localType.sizeOrType
                targetID = targetType.sizeOrType
            case BTFKind.array:
                localID = localType.word(0)
                targetID = targetType.word(0)
            case BTFKind.functionPrototype:
                let count = Int(localType.vlen)
                if count != Int(targetType.vlen) { return false }
                for i in 0..<count {
                    let localParam = localBTF.skipModifiersAndTypedefs(localType.word(2 * i + 1)).id
                    let targetParam = targetBTF.skipModifiersAndTypedefs(targetType.word(2 * i + 1)).id
                    if !(try typesCompatible(localBTF, localParam, targetBTF, targetParam, level: level + 1)) { return false }
                }
                localID = localBTF.skipModifiersAndTypedefs(localType.sizeOrType).id
                targetID = targetBTF.skipModifiersAndTypedefs(targetType.sizeOrType).id
            default:
                Log.warn("libbpf: unexpected kind \(BTF.kindName(localType)) relocated, local [\(Int32(bitPattern: localID))], target [\(Int32(bitPattern: targetID))]\n")
                return false
            }
        }
    }

    /// `bpf_core_names_match`: an anonymous target matches only an anonymous
    /// local; otherwise the essential names must be equal.
    static func namesMatch(_ localBTF: BTF, _ localOffset: UInt32, _ targetBTF: BTF, _ targetOffset: UInt32) -> Bool {
        let localName = localBTF.string(at: localOffset)
        let targetName = targetBTF.string(at: targetOffset)
        if isEmpty(targetName) { return isEmpty(localName) }
        guard let localName, let targetName else { return false }
        let targetLength = essentialNameLength(targetName)
        let localLength = essentialNameLength(localName)
        return targetLength == localLength && strncmp(localName, targetName, localLength) == 0
    }

    /// `bpf_core_enums_match`: same size, and every local enumerator has a
    /// target enumerator of the same essential name.
    static func enumsMatch(_ localBTF: BTF, _ localType: UnsafePointer<btf_type>,
                           _ targetBTF: BTF, _ targetType: UnsafePointer<btf_type>) -> Bool {
        if localType.sizeOrType != targetType.sizeOrType { return false }
        let localCount = Int(localType.vlen)
        let targetCount = Int(targetType.vlen)
        if localCount > targetCount { return false }
        for i in 0..<localCount {
            let localName = enumeratorNameOffset(localType, i)
            var matched = false
            for j in 0..<targetCount where namesMatch(localBTF, localName, targetBTF, enumeratorNameOffset(targetType, j)) {
                matched = true
                break
            }
            if !matched { return false }
        }
        return true
    }

    /// `bpf_core_composites_match`: every local member has a target member of
    /// the same essential name whose type matches.
    static func compositesMatch(_ localBTF: BTF, _ localType: UnsafePointer<btf_type>,
                                _ targetBTF: BTF, _ targetType: UnsafePointer<btf_type>,
                                behindPointer: Bool, level: Int) throws(BPFError) -> Bool {
        let localCount = Int(localType.vlen)
        let targetCount = Int(targetType.vlen)
        if localCount > targetCount { return false }
        for i in 0..<localCount {
            var matched = false
            for j in 0..<targetCount {
                if !namesMatch(localBTF, memberNameOffset(localType, i), targetBTF, memberNameOffset(targetType, j)) { continue }
                if try typesMatch(localBTF, memberType(localType, i), targetBTF, memberType(targetType, j),
                                  behindPointer: behindPointer, level: level + 1) {
                    matched = true
                    break
                }
            }
            if !matched { return false }
        }
        return true
    }

    /// `bpf_core_types_match` (`type_matches` relocations): the target type has
    /// the local type's shape: same names after typedefs, same int size and
    /// signedness, same array lengths, enums and structs with at least the
    /// local enumerators and members; behind a pointer, a struct/union and a
    /// forward declaration of the same kind match.
    static func typesMatch(_ localBTF: BTF, _ localID: UInt32, _ targetBTF: BTF, _ targetID: UInt32,
                           behindPointer: Bool = false, level: Int = 0) throws(BPFError) -> Bool {
        if level > 1000 { throw .EINVAL }
        var localID = localID
        var targetID = targetID
        var behindPointer = behindPointer
        var depth = 32
        while true {
            depth -= 1
            if depth < 0 { throw .EINVAL }
            let (l, lid) = localBTF.skipModifiersAndTypedefs(localID)
            let (t, tid) = targetBTF.skipModifiersAndTypedefs(targetID)
            localID = lid
            targetID = tid
            guard let localType = l, let targetType = t else { throw .EINVAL }
            if !namesMatch(localBTF, localType.nameOffset, targetBTF, targetType.nameOffset) { return false }

            let localKind = localType.kind
            let targetKind = targetType.kind
            switch localKind {
            case BTFKind.unknown:
                return localKind == targetKind
            case BTFKind.forward:
                let localFlag = localType.kindFlag
                if behindPointer {
                    if localKind == targetKind { return localFlag == targetType.kindFlag }
                    return (targetKind == BTFKind.structure && !localFlag) || (targetKind == BTFKind.union && localFlag)
                }
                if localKind != targetKind { return false }
                return localFlag == targetType.kindFlag
            case BTFKind.enumeration, BTFKind.enum64:
                if !isAnyEnum(targetKind) { return false }
                return enumsMatch(localBTF, localType, targetBTF, targetType)
            case BTFKind.structure, BTFKind.union:
                if behindPointer {
                    if localKind == targetKind { return true }
                    if targetKind != BTFKind.forward { return false }
                    return (localKind == BTFKind.union) == targetType.kindFlag
                }
                if localKind != targetKind { return false }
                return try compositesMatch(localBTF, localType, targetBTF, targetType, behindPointer: behindPointer, level: level)
            case BTFKind.int:
                if localKind != targetKind { return false }
                let localSigned = intEncoding(localType) & 1
                let targetSigned = intEncoding(targetType) & 1
                return localType.sizeOrType == targetType.sizeOrType && localSigned == targetSigned
            case BTFKind.pointer:
                if localKind != targetKind { return false }
                behindPointer = true
                localID = localType.sizeOrType
                targetID = targetType.sizeOrType
            case BTFKind.array:
                if localKind != targetKind { return false }
                if localType.word(2) != targetType.word(2) { return false }
                localID = localType.word(0)
                targetID = targetType.word(0)
            case BTFKind.functionPrototype:
                if localKind != targetKind { return false }
                let count = Int(localType.vlen)
                if count != Int(targetType.vlen) { return false }
                for i in 0..<count {
                    if !(try typesMatch(localBTF, localType.word(2 * i + 1), targetBTF, targetType.word(2 * i + 1),
                                        behindPointer: behindPointer, level: level + 1)) { return false }
                }
                localID = localType.sizeOrType
                targetID = targetType.sizeOrType
            default:
                Log.warn("libbpf: unexpected kind \(BTF.kindName(localType)) relocated, local [\(Int32(bitPattern: localID))], target [\(Int32(bitPattern: targetID))]\n")
                return false
            }
        }
    }
}

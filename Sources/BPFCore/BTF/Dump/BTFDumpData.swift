import CBPF

/// The state of one `btf_dump__dump_type_data` call (libbpf's `struct btf_dump_data`).
///
/// Like the reference, the array flags are not scoped: once a char array was seen
/// (`isArrayChar`) every later 1-byte integer of the same call prints as a char and
/// zero elements of later arrays are skipped, and once a char array hit its NUL
/// (`isArrayTerminated`, only reachable with emit_zeroes) later arrays print empty.
struct BTFDataDumpState {
    var dataEnd: UInt = 0
    /// The indent string, at most 31 bytes (libbpf copies it into a char[32]).
    var indent: [UInt8] = [9]
    var indentLevel: Int32 = 0
    var depth: Int32 = 0
    var compact = false
    var skipNames = false
    var emitZeroes = false
    var isArrayMember = false
    var isArrayChar = false
    var isArrayTerminated = false
}

/// `btf_dump__dump_type_data` options.
public struct BTFDumpDataOptions {
    public var indent: UnsafePointer<CChar>?
    public var indentLevel: Int32
    public var compact: Bool
    public var skipNames: Bool
    public var emitZeroes: Bool

    public init(indent: UnsafePointer<CChar>?, indentLevel: Int32, compact: Bool, skipNames: Bool, emitZeroes: Bool) {
        self.indent = indent
        self.indentLevel = indentLevel
        self.compact = compact
        self.skipNames = skipNames
        self.emitZeroes = emitZeroes
    }
}

/// Error codes as the reference's internal functions return them (negative errno).
private let eNODATA: Int32 = -61
private let eINVAL: Int32 = -22
private let e2BIG: Int32 = -7
private let eNOTSUP: Int32 = -95

extension BTFDump {
    /// `btf_dump__dump_type_data`: prints the value at `data` of type `id` the way
    /// libbpf 1.1 does (see btf.h), and returns the number of bytes the type
    /// occupies. Errors are the reference's: ENOENT for an unknown id, E2BIG when
    /// a scalar runs past `data + size`, EINVAL for types without a layout; output
    /// produced before an error is kept.
    public func dumpTypeData(id: UInt32, data: UnsafeRawPointer?, size: Int, options: BTFDumpDataOptions) throws(BPFError) -> Int {
        if btf.type(id) == nil { throw .ENOENT }
        // The reference computes with the pointer as given, NULL included; a
        // page-aligned stand-in that faults like NULL keeps alignment and bounds.
        let base = data ?? UnsafeRawPointer(bitPattern: 0x1000)!
        var state = BTFDataDumpState()
        state.dataEnd = UInt(bitPattern: base) &+ UInt(bitPattern: size)
        // The reference keeps the level in a __u8: -1 means 255.
        state.indentLevel = Int32(UInt8(truncatingIfNeeded: options.indentLevel))
        if let indent = options.indent {
            state.indent = []
            var p = UnsafeRawPointer(indent).assumingMemoryBound(to: UInt8.self)
            while p.pointee != 0 && state.indent.count < 31 {
                state.indent.append(p.pointee)
                p += 1
            }
        }
        state.compact = options.compact
        state.skipNames = options.skipNames
        state.emitZeroes = options.emitZeroes
        dataState = state
        let result = dumpData(name: nil, id: id, data: base, bitsOffset: 0, bitSize: 0)
        dataState = BTFDataDumpState()
        flush()
        if result < 0 { throw BPFError(-result) }
        return Int(result)
    }

    // MARK: - Layout helpers

    /// `skip_mods_and_typedefs`.
    func dataSkipModsAndTypedefs(_ id: UInt32) -> UnsafePointer<btf_type>? {
        var t = btf.type(id)
        var depth = 0
        while let current = t, BTF.isModifier(current.kind) || current.kind == BTFKind.typedef {
            t = btf.type(current.sizeOrType)
            depth += 1
            if depth > 1024 { return nil }
        }
        return t
    }

    /// `ptr_is_aligned`: `data` is aligned as `btf__align_of(id)` requires (false
    /// when the alignment cannot be determined).
    func dataIsAligned(_ id: UInt32, _ data: UnsafeRawPointer) -> Bool {
        let alignment: Int
        do throws(BPFError) { alignment = try btf.alignment(of: id) } catch { return false }
        if alignment == 0 { return false }
        return UInt(bitPattern: data) % UInt(alignment) == 0
    }

    /// `btf__resolve_size` as a number: the size, or the negative errno.
    func dataResolveSize(_ id: UInt32) -> Int64 {
        do throws(BPFError) { return try btf.resolveSize(id) } catch { return -Int64(error.code) }
    }

    @inline(__always)
    func dataIsSigned(_ t: UnsafePointer<btf_type>) -> Bool {
        (t.word(0) >> 24) & 0xf & 1 != 0
    }

    // MARK: - Punctuation

    /// `btf_dump_data_pfx`: the indent for the current depth (none when compact).
    func dataPrefix() {
        if dataState.compact { return }
        let level = dataState.indentLevel &+ dataState.depth
        if level <= 0 || dataState.indent.isEmpty { return }
        for _ in 0..<level { pending.append(contentsOf: dataState.indent) }
    }

    /// The delimiter and newline `btf_dump_type_values` appends after a value.
    func dataEndValue() {
        if dataState.depth == 0 { return }
        write(byte: UInt8(ascii: ","))
        if !dataState.compact { write(byte: 10) }
    }

    /// `btf_dump_data_newline`.
    func dataNewline() {
        if dataState.compact || dataState.depth == 0 { return }
        write(byte: 10)
    }

    // MARK: - The recursive dump

    /// `btf_dump_dump_type_data`: the size of the type, or a negative errno.
    func dumpData(name: UnsafePointer<CChar>?, id: UInt32, data: UnsafeRawPointer, bitsOffset: UInt8, bitSize: UInt8) -> Int32 {
        let size = dataCheckOverflow(id, data, bitsOffset)
        if size < 0 { return size }
        let zero = dataCheckZero(id, data, bitsOffset, bitSize)
        if zero != 0 {
            // Zeroed data is skipped, not an error.
            return zero == eNODATA ? size : zero
        }
        dataPrefix()
        if !dataState.skipNames {
            if let name, name.pointee != 0 {
                write(byte: UInt8(ascii: "."))
                write(cString: name)
                write(" = ")
            }
            dataWriteTypeCast(id, parenthesized: true)
        }
        guard let t = dataSkipModsAndTypedefs(id) else { return eINVAL }
        var err: Int32 = 0
        switch t.kind {
        case BTFKind.unknown, BTFKind.forward, BTFKind.function, BTFKind.functionPrototype, BTFKind.declTag:
            write("<unsupported kind:")
            writeUnsigned(UInt64(t.kind))
            write(">")
            err = eNOTSUP
        case BTFKind.int:
            err = bitSize != 0 ? dataBitfield(t, data, bitsOffset, bitSize) : dataInt(t, id, data)
        case BTFKind.float:
            err = dataFloat(t, id, data)
        case BTFKind.pointer:
            err = dataPointer(id, data)
        case BTFKind.array:
            err = dataArray(t, id, data)
        case BTFKind.structure, BTFKind.union:
            err = dataStruct(t, data)
        case BTFKind.enumeration, BTFKind.enum64:
            if bitSize != 0 {
                let (e, raw) = dataBitfieldValue(t, data, bitsOffset, bitSize)
                if e != 0 {
                    err = e
                } else {
                    // The reference passes the value through a local s64 and reads
                    // it back with the enum's size (little-endian low bytes).
                    var local = raw
                    err = withUnsafeBytes(of: &local) { bytes -> Int32 in
                        dataEnum(t, id, bytes.baseAddress!, forceAligned: true)
                    }
                }
            } else {
                err = dataEnum(t, id, data, forceAligned: false)
            }
        case BTFKind.variable:
            err = dataVariable(t, data)
        case BTFKind.dataSection:
            err = dataSection(t, data)
        default:
            Log.warn("libbpf: unexpected kind [\(t.kind)] for id [\(id)]\n")
            return eINVAL
        }
        flushIfLarge()
        return err < 0 ? err : size
    }

    /// `btf_dump_type_data_check_overflow`: the size of the type, or -E2BIG when a
    /// scalar (integer, float, pointer, enum) runs past the end of the data.
    func dataCheckOverflow(_ id: UInt32, _ data: UnsafeRawPointer, _ bitsOffset: UInt8) -> Int32 {
        let size = dataResolveSize(id)
        if size < 0 || size >= Int64(Int32.max) {
            Log.warn("libbpf: unexpected size [\(UInt64(bitPattern: size))] for id [\(id)]\n")
            return eINVAL
        }
        guard let t = dataSkipModsAndTypedefs(id) else {
            Log.warn("libbpf: unexpected error skipping mods/typedefs for id [\(id)]\n")
            return eINVAL
        }
        switch t.kind {
        case BTFKind.int, BTFKind.float, BTFKind.pointer, BTFKind.enumeration, BTFKind.enum64:
            let end = UInt(bitPattern: data) &+ UInt(bitsOffset / 8) &+ UInt(size)
            if end > dataState.dataEnd { return e2BIG }
        default:
            break
        }
        return Int32(size)
    }

    /// `btf_dump_type_data_check_zero`: -ENODATA when the value is to be skipped
    /// as zero, 0 when it is shown, another negative errno on error.
    ///
    /// As in the reference, a struct or union counts as zero exactly when its
    /// first member does, and a char array when its first char is NUL.
    func dataCheckZero(_ id: UInt32, _ data: UnsafeRawPointer, _ bitsOffset: UInt8, _ bitSize: UInt8) -> Int32 {
        if dataState.emitZeroes || dataState.depth == 0 || (dataState.isArrayMember && !dataState.isArrayChar) {
            return 0
        }
        guard let t = dataSkipModsAndTypedefs(id) else { return 0 }
        switch t.kind {
        case BTFKind.int:
            if bitSize != 0 {
                let (err, value) = dataBitfieldValue(t, data, bitsOffset, bitSize)
                if err != 0 { return err }
                return value == 0 ? eNODATA : 0
            }
            return dataBaseCheckZero(t, id, data)
        case BTFKind.float, BTFKind.pointer:
            return dataBaseCheckZero(t, id, data)
        case BTFKind.array:
            let elementID = t.word(0)
            let elementSize = UInt32(truncatingIfNeeded: dataResolveSize(elementID))
            let element = dataSkipModsAndTypedefs(elementID)
            let isChar = element.map { $0.kind == BTFKind.int } ?? false && elementSize == 1
            let count = t.word(2)
            var i: UInt32 = 0
            while i < count {
                if i == 0 && isChar && data.load(as: UInt8.self) == 0 { return eNODATA }
                let err = dataCheckZero(elementID, data + Int(i &* elementSize), bitsOffset, 0)
                if err != eNODATA { return err }
                i += 1
            }
            return eNODATA
        case BTFKind.structure, BTFKind.union:
            // The reference compares with ENODATA rather than -ENODATA here, so the
            // first member decides.
            if t.vlen == 0 { return eNODATA }
            let offset = t.word(2)
            let bitOffset = t.kindFlag ? offset & 0xffffff : offset
            let memberBitSize = t.kindFlag ? UInt8(truncatingIfNeeded: offset >> 24) : 0
            return dataCheckZero(t.word(1), data + Int(bitOffset / 8), UInt8(bitOffset % 8), memberBitSize)
        case BTFKind.enumeration, BTFKind.enum64:
            let (err, value) = dataEnumValue(t, id, data, forceAligned: false)
            if err != 0 { return err }
            return value == 0 ? eNODATA : 0
        default:
            return 0
        }
    }

    /// `btf_dump_base_type_check_zero`: integers, floats, pointers.
    func dataBaseCheckZero(_ t: UnsafePointer<btf_type>, _ id: UInt32, _ data: UnsafeRawPointer) -> Int32 {
        let count = t.kind == BTFKind.pointer ? pointerSize : Int(t.sizeOrType)
        if count < 1 || count > 16 {
            Log.warn("libbpf: unexpected size \(Int32(truncatingIfNeeded: count)) for id [\(id)]\n")
            return eINVAL
        }
        for i in 0..<count where data.load(fromByteOffset: i, as: UInt8.self) != 0 { return 0 }
        return eNODATA
    }

    /// `btf_dump_get_bitfield_value`: the bits of a bitfield, reading the whole
    /// (at most 8-byte) storage unit little-endian.
    func dataBitfieldValue(_ t: UnsafePointer<btf_type>, _ data: UnsafeRawPointer, _ bitsOffset: UInt8, _ bitSize: UInt8) -> (Int32, UInt64) {
        let size = t.sizeOrType
        if size > 8 {
            Log.warn("libbpf: unexpected bitfield size \(Int32(bitPattern: size))\n")
            return (eINVAL, 0)
        }
        var number: UInt64 = 0
        var i = Int(size) - 1
        while i >= 0 {
            number = number &* 256 &+ UInt64(data.load(fromByteOffset: i, as: UInt8.self))
            i -= 1
        }
        let copyBits = bitSize &+ bitsOffset  // a __u8 in the reference
        let leftShift = UInt16(64) &- UInt16(copyBits)
        let rightShift = UInt16(64) &- UInt16(bitSize)
        // x86-64 shifts use the count modulo 64.
        return (0, (number << UInt64(leftShift & 63)) >> UInt64(rightShift & 63))
    }

    // MARK: - Kinds

    /// `btf_dump_bitfield_data`: integer bitfields print in hex.
    func dataBitfield(_ t: UnsafePointer<btf_type>, _ data: UnsafeRawPointer, _ bitsOffset: UInt8, _ bitSize: UInt8) -> Int32 {
        let (err, value) = dataBitfieldValue(t, data, bitsOffset, bitSize)
        if err != 0 { return err }
        write("0x")
        writeHex(value)
        dataEndValue()
        return 0
    }

    /// `btf_dump_int_data`.
    func dataInt(_ t: UnsafePointer<btf_type>, _ id: UInt32, _ data: UnsafeRawPointer) -> Int32 {
        let size = t.sizeOrType
        if size == 0 || size > 16 {
            Log.warn("libbpf: unexpected size \(Int32(bitPattern: size)) for id [\(id)]\n")
            return eINVAL
        }
        let signed = dataIsSigned(t)
        switch size {
        case 16:
            let low = data.loadUnaligned(as: UInt64.self)
            let high = data.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            write("0x")
            if high == 0 {
                writeHex(low)
            } else {
                writeHex(high)
                writeHex(low, width: 16)
            }
        case 8:
            let value = data.loadUnaligned(as: UInt64.self)
            if signed { writeSigned(Int64(bitPattern: value)) } else { writeUnsigned(value) }
        case 4:
            let value = data.loadUnaligned(as: UInt32.self)
            if signed { writeSigned(Int64(Int32(bitPattern: value))) } else { writeUnsigned(UInt64(value)) }
        case 2:
            let value = data.loadUnaligned(as: UInt16.self)
            if signed { writeSigned(Int64(Int16(bitPattern: value))) } else { writeUnsigned(UInt64(value)) }
        case 1:
            let byte = data.load(as: UInt8.self)
            if dataState.isArrayChar {
                // A NUL ends the char array (and, in the reference, every later one).
                if dataState.isArrayTerminated { return 0 }
                if byte == 0 {
                    dataState.isArrayTerminated = true
                    return 0
                }
                if byte >= 0x20 && byte < 0x7f {
                    write(byte: UInt8(ascii: "'"))
                    write(byte: byte)
                    write(byte: UInt8(ascii: "'"))
                    dataEndValue()
                    return 0
                }
            }
            if signed { writeSigned(Int64(Int8(bitPattern: byte))) } else { writeUnsigned(UInt64(byte)) }
        default:
            Log.warn("libbpf: unexpected sz \(Int32(bitPattern: size)) for id [\(id)]\n")
            return eINVAL
        }
        dataEndValue()
        return 0
    }

    /// `btf_dump_float_data`: printf's %f, %lf, %Lf.
    func dataFloat(_ t: UnsafePointer<btf_type>, _ id: UInt32, _ data: UnsafeRawPointer) -> Int32 {
        let size = t.sizeOrType
        if size != 4 && size != 8 && size != 16 {
            Log.warn("libbpf: unexpected size \(Int32(bitPattern: size)) for id [\(id)]\n")
            return eINVAL
        }
        var value: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &value) { $0.baseAddress!.copyMemory(from: data, byteCount: Int(size)) }
        var small: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let length = withUnsafeBytes(of: &value) { v -> Int32 in
            withUnsafeMutableBytes(of: &small) { buffer -> Int32 in
                sbpf_format_float(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count,
                                  v.baseAddress!, Int32(size))
            }
        }
        if length < 0 { return 0 }
        if Int(length) < MemoryLayout.size(ofValue: small) {
            withUnsafeBytes(of: &small) { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<Int(length)])) }
        } else {
            // %Lf of a huge long double: thousands of digits.
            var big = [CChar](repeating: 0, count: Int(length) + 1)
            _ = withUnsafeBytes(of: &value) { v in
                big.withUnsafeMutableBufferPointer { sbpf_format_float($0.baseAddress!, $0.count, v.baseAddress!, Int32(size)) }
            }
            big.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: UInt8.self) { pending.append(contentsOf: $0[0..<Int(length)]) }
            }
        }
        dataEndValue()
        return 0
    }

    /// `btf_dump_ptr_data`: %p ("(nil)" for NULL) when aligned and host-sized,
    /// else plain hex of the target's pointer size.
    func dataPointer(_ id: UInt32, _ data: UnsafeRawPointer) -> Int32 {
        if dataIsAligned(id, data) && pointerSize == MemoryLayout<UnsafeRawPointer>.size {
            let value = data.loadUnaligned(as: UInt.self)
            if value == 0 {
                write("(nil)")
            } else {
                write("0x")
                writeHex(UInt64(value))
            }
        } else if pointerSize == 4 {
            write("0x")
            writeHex(UInt64(data.loadUnaligned(as: UInt32.self)))
        } else {
            write("0x")
            writeHex(data.loadUnaligned(as: UInt64.self))
        }
        dataEndValue()
        return 0
    }

    /// `btf_dump_get_enum_value`. Where the reference finds the value unaligned it
    /// reads it as a zero-bit bitfield, which (through an out-of-range shift its
    /// compiler folded) always yields 0.
    func dataEnumValue(_ t: UnsafePointer<btf_type>, _ id: UInt32, _ data: UnsafeRawPointer, forceAligned: Bool) -> (Int32, Int64) {
        let signed = t.kindFlag
        if !forceAligned && !dataIsAligned(id, data) {
            if t.sizeOrType > 8 {
                Log.warn("libbpf: unexpected bitfield size \(Int32(bitPattern: t.sizeOrType))\n")
                return (eINVAL, 0)
            }
            return (0, 0)
        }
        switch t.sizeOrType {
        case 8:
            return (0, data.loadUnaligned(as: Int64.self))
        case 4:
            let v = data.loadUnaligned(as: UInt32.self)
            return (0, signed ? Int64(Int32(bitPattern: v)) : Int64(v))
        case 2:
            let v = data.loadUnaligned(as: UInt16.self)
            return (0, signed ? Int64(Int16(bitPattern: v)) : Int64(v))
        case 1:
            let v = data.load(as: UInt8.self)
            return (0, signed ? Int64(Int8(bitPattern: v)) : Int64(v))
        default:
            Log.warn("libbpf: unexpected size \(Int32(bitPattern: t.sizeOrType)) for enum, id:[\(id)]\n")
            return (eINVAL, 0)
        }
    }

    /// `btf_dump_enum_data`: the enumerator's name, else the number. The reference's
    /// signed formats ("%d", "%lldLL") lost their delimiter to a `?:` that binds
    /// the appended "%s%s" to the unsigned format only; 32-bit enums print the
    /// value's low 32 bits.
    func dataEnum(_ t: UnsafePointer<btf_type>, _ id: UInt32, _ data: UnsafeRawPointer, forceAligned: Bool) -> Int32 {
        let (err, value) = dataEnumValue(t, id, data, forceAligned: forceAligned)
        if err != 0 { return err }
        let signed = t.kindFlag
        let count = Int(t.vlen)
        if t.kind == BTFKind.enumeration {
            for i in 0..<count where value == Int64(Int32(bitPattern: t.word(2 * i + 1))) {
                dataWriteRawName(t.word(2 * i))
                dataEndValue()
                return 0
            }
            if signed {
                writeSigned(Int64(Int32(truncatingIfNeeded: value)))
            } else {
                writeUnsigned(UInt64(UInt32(truncatingIfNeeded: value)))
                dataEndValue()
            }
        } else {
            for i in 0..<count {
                let enumerator = UInt64(t.word(3 * i + 2)) << 32 | UInt64(t.word(3 * i + 1))
                if UInt64(bitPattern: value) != enumerator { continue }
                dataWriteRawName(t.word(3 * i))
                dataEndValue()
                return 0
            }
            if signed {
                writeSigned(value)
                write("LL")
            } else {
                writeUnsigned(UInt64(bitPattern: value))
                write("ULL")
                dataEndValue()
            }
        }
        return 0
    }

    /// `btf_dump_array_data`: elements without casts; errors of elements are
    /// ignored (a partly available array prints what fits).
    func dataArray(_ t: UnsafePointer<btf_type>, _ id: UInt32, _ data: UnsafeRawPointer) -> Int32 {
        let elementID = t.word(0)
        let element = dataSkipModsAndTypedefs(elementID)
        let elementSize = dataResolveSize(elementID)
        if elementSize <= 0 {
            Log.warn("libbpf: unexpected elem size \(elementSize) for array type [\(id)]\n")
            return eINVAL
        }
        if let element, element.kind == BTFKind.int, elementSize == 1 { dataState.isArrayChar = true }
        dataState.depth += 1
        write(byte: UInt8(ascii: "["))
        dataNewline()
        let wasArrayMember = dataState.isArrayMember
        dataState.isArrayMember = true
        let count = t.word(2)
        var i: UInt32 = 0
        var p = data
        while i < count {
            if dataState.isArrayTerminated { break }
            _ = dumpData(name: nil, id: elementID, data: p, bitsOffset: 0, bitSize: 0)
            p += Int(elementSize)
            i += 1
        }
        dataState.isArrayMember = wasArrayMember
        dataState.depth -= 1
        dataPrefix()
        write(byte: UInt8(ascii: "]"))
        dataEndValue()
        return 0
    }

    /// `btf_dump_struct_data`: members in order; the first error ends the dump
    /// (leaving the depth raised, as the reference does).
    func dataStruct(_ t: UnsafePointer<btf_type>, _ data: UnsafeRawPointer) -> Int32 {
        dataState.depth += 1
        write(byte: UInt8(ascii: "{"))
        dataNewline()
        let bitfields = t.kindFlag
        for i in 0..<Int(t.vlen) {
            let offset = t.word(3 * i + 2)
            let bitOffset = bitfields ? offset & 0xffffff : offset
            let bitSize = bitfields ? UInt8(truncatingIfNeeded: offset >> 24) : 0
            let err = dumpData(name: btf.string(at: t.word(3 * i)), id: t.word(3 * i + 1),
                               data: data + Int(bitOffset / 8), bitsOffset: UInt8(bitOffset % 8), bitSize: bitSize)
            if err < 0 { return err }
        }
        dataState.depth -= 1
        dataPrefix()
        write(byte: UInt8(ascii: "}"))
        dataEndValue()
        return 0
    }

    /// `btf_dump_var_data`: `[static |extern ]type name = (type)value`.
    func dataVariable(_ v: UnsafePointer<btf_type>, _ data: UnsafeRawPointer) -> Int32 {
        switch v.word(0) {
        case 0: write("static ")
        case 2: write("extern ")
        default: break
        }
        let typeID = v.sizeOrType
        dataWriteTypeCast(typeID, parenthesized: false)
        write(byte: UInt8(ascii: " "))
        dataWriteRawName(v.nameOffset)
        write(" = ")
        return dumpData(name: nil, id: typeID, data: data, bitsOffset: 0, bitSize: 0)
    }

    /// `btf_dump_datasec_data`: `SEC("name") ` then each variable and ";".
    func dataSection(_ t: UnsafePointer<btf_type>, _ data: UnsafeRawPointer) -> Int32 {
        write("SEC(\"")
        dataWriteRawName(t.nameOffset)
        write("\") ")
        dataEndValue()
        for i in 0..<Int(t.vlen) {
            let err = dumpData(name: nil, id: t.word(3 * i), data: data + Int(t.word(3 * i + 1)), bitsOffset: 0, bitSize: 0)
            if err < 0 { return err }
            write(byte: UInt8(ascii: ";"))
        }
        return 0
    }
}

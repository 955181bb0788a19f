import CBPF

/// `enum bpf_core_relo_kind`: what a CO-RE relocation asks about its target.
public enum CORERelocationKind {
    public static let fieldByteOffset: UInt32 = 0
    public static let fieldByteSize: UInt32 = 1
    public static let fieldExists: UInt32 = 2
    public static let fieldSigned: UInt32 = 3
    public static let fieldLShiftU64: UInt32 = 4
    public static let fieldRShiftU64: UInt32 = 5
    public static let typeIDLocal: UInt32 = 6
    public static let typeIDTarget: UInt32 = 7
    public static let typeExists: UInt32 = 8
    public static let typeSize: UInt32 = 9
    public static let enumValueExists: UInt32 = 10
    public static let enumValueValue: UInt32 = 11
    public static let typeMatches: UInt32 = 12

    /// The reference's short names (log lines and spec strings).
    public static func name(_ kind: UInt32) -> StaticString {
        switch kind {
        case fieldByteOffset: return "byte_off"
        case fieldByteSize: return "byte_sz"
        case fieldExists: return "field_exists"
        case fieldSigned: return "signed"
        case fieldLShiftU64: return "lshift_u64"
        case fieldRShiftU64: return "rshift_u64"
        case typeIDLocal: return "local_type_id"
        case typeIDTarget: return "target_type_id"
        case typeExists: return "type_exists"
        case typeMatches: return "type_matches"
        case typeSize: return "type_size"
        case enumValueExists: return "enumval_exists"
        case enumValueValue: return "enumval_value"
        default: return "unknown"
        }
    }

    @inline(__always) public static func isFieldBased(_ kind: UInt32) -> Bool { kind <= fieldRShiftU64 }

    @inline(__always) public static func isTypeBased(_ kind: UInt32) -> Bool {
        kind == typeIDLocal || kind == typeIDTarget || kind == typeExists || kind == typeSize || kind == typeMatches
    }

    @inline(__always) public static func isEnumValueBased(_ kind: UInt32) -> Bool {
        kind == enumValueExists || kind == enumValueValue
    }
}

/// Small shared pieces of the CO-RE engine.
enum CORE {
    /// `BPF_CORE_SPEC_MAX_LEN`: the deepest access chain a spec may have.
    static let maxSpecLength = 64

    /// Length of a name without its `___flavor` suffix: the last `X___Y`
    /// (X and Y not underscores) cuts the name after X.
    static func essentialNameLength(_ name: UnsafePointer<CChar>) -> Int {
        let n = Int(strlen(name))
        return essentialNameLength(UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), length: n)
    }

    @inline(__always)
    static func essentialNameLength(_ s: UnsafePointer<UInt8>, length n: Int) -> Int {
        var i = n - 5
        let underscore = UInt8(ascii: "_")
        while i >= 0 {
            if s[i] != underscore && s[i + 1] == underscore && s[i + 2] == underscore && s[i + 3] == underscore
                && s[i + 4] != underscore {
                return i + 1
            }
            i -= 1
        }
        return n
    }

    /// `str_is_empty`: NULL or "".
    @inline(__always)
    static func isEmpty(_ s: UnsafePointer<CChar>?) -> Bool { s == nil || s![0] == 0 }

    /// Whether the two kinds can be CO-RE candidates of each other
    /// (`btf_kind_core_compat`): equal kinds, or any two enums.
    @inline(__always)
    static func kindsCompatible(_ a: UInt32, _ b: UInt32) -> Bool {
        a == b || (isAnyEnum(a) && isAnyEnum(b))
    }

    @inline(__always)
    static func isAnyEnum(_ kind: UInt32) -> Bool { kind == BTFKind.enumeration || kind == BTFKind.enum64 }

    @inline(__always)
    static func isComposite(_ kind: UInt32) -> Bool { kind == BTFKind.structure || kind == BTFKind.union }

    /// `btf_int_encoding` of an INT (BTF_INT_SIGNED = 1, CHAR = 2, BOOL = 4).
    @inline(__always)
    static func intEncoding(_ t: UnsafePointer<btf_type>) -> UInt32 { (t.word(0) >> 24) & 0x0f }

    /// `btf_int_offset` of an INT.
    @inline(__always)
    static func intOffset(_ t: UnsafePointer<btf_type>) -> UInt32 { (t.word(0) >> 16) & 0xff }

    /// `btf_member_bit_offset` of member `i` of a struct/union.
    @inline(__always)
    static func memberBitOffset(_ t: UnsafePointer<btf_type>, _ i: Int) -> UInt32 {
        let offset = t.word(3 * i + 2)
        return t.kindFlag ? offset & 0xffffff : offset
    }

    /// `btf_member_bitfield_size` of member `i` of a struct/union.
    @inline(__always)
    static func memberBitfieldSize(_ t: UnsafePointer<btf_type>, _ i: Int) -> UInt32 {
        t.kindFlag ? t.word(3 * i + 2) >> 24 : 0
    }

    @inline(__always) static func memberNameOffset(_ t: UnsafePointer<btf_type>, _ i: Int) -> UInt32 { t.word(3 * i) }
    @inline(__always) static func memberType(_ t: UnsafePointer<btf_type>, _ i: Int) -> UInt32 { t.word(3 * i + 1) }

    /// Name offset of enumerator `i` of an ENUM or ENUM64.
    @inline(__always)
    static func enumeratorNameOffset(_ t: UnsafePointer<btf_type>, _ i: Int) -> UInt32 {
        t.kind == BTFKind.enumeration ? t.word(2 * i) : t.word(3 * i)
    }

    /// Value of enumerator `i`: an ENUM's s32 sign-extended (as the reference
    /// stores it in a u64), an ENUM64's lo32 | hi32 << 32.
    @inline(__always)
    static func enumeratorValue(_ t: UnsafePointer<btf_type>, _ i: Int) -> UInt64 {
        if t.kind == BTFKind.enumeration {
            return UInt64(bitPattern: Int64(Int32(bitPattern: t.word(2 * i + 1))))
        }
        return UInt64(t.word(3 * i + 1)) | UInt64(t.word(3 * i + 2)) << 32
    }
}

extension Log {
    /// Whether a debug message would reach anyone: a test sink, or a user
    /// callback (the default printer drops debug messages). Lets hot paths skip
    /// formatting messages nobody reads.
    static var debugEnabled: Bool {
        if sink != nil { return true }
        guard let callback = printCallback else { return false }
        return callback != defaultPrintCallback
    }
}

/// printf-style pieces for messages built as bytes.
struct COREText {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(128) }

    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(cString s: UnsafePointer<CChar>?) {
        guard let s else {
            append("(null)")
            return
        }
        var p = UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self)
        while p.pointee != 0 {
            bytes.append(p.pointee)
            p += 1
        }
    }

    mutating func append(_ value: UInt64) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    mutating func append(_ value: UInt32) { append(UInt64(value)) }
    mutating func append(_ value: Int) { append(signed: Int64(value)) }
    mutating func append(_ value: Int32) { append(signed: Int64(value)) }

    mutating func append(signed value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(UInt64(0) &- UInt64(bitPattern: value))
        } else {
            append(UInt64(value))
        }
    }

    mutating func append(hex value: UInt32) {
        let digits: StaticString = "0123456789abcdef"
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var shift = 28
        while (value >> UInt32(shift)) & 0xf == 0 { shift -= 4 }
        while shift >= 0 {
            bytes.append(digits.utf8Start[Int((value >> UInt32(shift)) & 0xf)])
            shift -= 4
        }
    }

    /// Sends the text to the print callback at `level`.
    func emit(_ level: LogLevel) {
        var text: LogText = ""
        text.bytes = bytes
        Log.emit(level, text)
    }
}

extension BTFCoreRelocation {
    /// A record built in memory (tests, generated relocations).
    public init(instructionOffset: UInt32, typeID: UInt32, accessStringOffset: UInt32, kind: UInt32) {
        self.instructionOffset = instructionOffset
        self.typeID = typeID
        self.accessStringOffset = accessStringOffset
        self.kind = kind
    }
}

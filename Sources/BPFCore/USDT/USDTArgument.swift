import CBPF

// USDT argument specs (the SystemTap SDT note's argument string, x86-64 GAS
// operand syntax: "<size>@<operand>" separated by whitespace, size negative for
// signed values) and their encoding for the BPF side (usdt.bpf.h's
// struct __bpf_usdt_arg_spec / struct __bpf_usdt_spec). Pure: no kernel, no ELF.
//
// The accepted grammar is that of the reference, measured on it: each argument is
// tried as, in this order,
//     <size> @ <long> ( %<reg> )     memory at register + offset
//     <size> @ ( %<reg> )            memory at register
//     <size> @ %<reg>                register
//     <size> @ $<long>               constant
// with scanf's number and whitespace rules (decimal only, "0x10" reads as 0
// followed by garbage; values saturate at the long range), register names of at
// most 15 characters, and whitespace allowed around every token. One quirk is
// kept because it decides which strings are accepted: the length an argument
// consumed is only updated when its pattern reached its end, so an argument cut
// short ("8@(%rax" at the end of the string) reuses the last length set, which
// in the reference carries over from the previous argument string parsed (an
// uninitialised variable; 0 in a fresh process). `carriedLength` is that value.

/// One argument as the BPF side reads it.
public struct USDTArgument: Equatable {
    public enum Kind: UInt32 {
        case constant = 0       // BPF_USDT_ARG_CONST: the value is valueOffset
        case register = 1       // BPF_USDT_ARG_REG: pt_regs at registerOffset
        case registerDeref = 2  // BPF_USDT_ARG_REG_DEREF: user memory at register + valueOffset
    }

    public var kind: Kind
    public var valueOffset: UInt64
    public var registerOffset: Int16
    public var isSigned: Bool
    /// 64 minus the argument's size in bits: the BPF side shifts left and back.
    public var bitShift: UInt8

    public init(kind: Kind, valueOffset: UInt64, registerOffset: Int16, isSigned: Bool, bitShift: UInt8) {
        self.kind = kind
        self.valueOffset = valueOffset
        self.registerOffset = registerOffset
        self.isSigned = isSigned
        self.bitShift = bitShift
    }
}

/// Why an argument string was rejected (offsets index the argument string).
public enum USDTArgumentFailure: Equatable {
    /// More than USDTSpec.maxArguments arguments: E2BIG.
    case tooMany
    /// Argument #index (starting at `offset`) matches no pattern: EINVAL.
    case unrecognizedSpec(index: Int, offset: Int)
    /// An x86-64 register name we do not know: ENOENT.
    case unrecognizedRegister(name: [CChar])
    /// A size other than 1, 2, 4 or 8 (printed without sign): EINVAL.
    case unsupportedSize(index: Int, offset: Int, size: Int64)

    public var errorCode: Int32 {
        switch self {
        case .tooMany: return E2BIG
        case .unrecognizedSpec, .unsupportedSize: return EINVAL
        case .unrecognizedRegister: return ENOENT
        }
    }
}

public enum USDTArgumentParse: Equatable {
    case parsed([USDTArgument])
    case failed(USDTArgumentFailure)
}

/// A probe's argument specs plus the user's cookie: the value of one
/// `__bpf_usdt_specs` element.
public struct USDTSpec: Equatable {
    /// usdt.bpf.h's BPF_USDT_MAX_ARG_CNT.
    public static let maxArguments = 12
    /// sizeof(struct __bpf_usdt_arg_spec), sizeof(struct __bpf_usdt_spec).
    public static let argumentSize = 16
    public static let encodedSize = 208

    public var arguments: [USDTArgument]
    public var cookie: UInt64

    public init(arguments: [USDTArgument], cookie: UInt64) {
        self.arguments = arguments
        self.cookie = cookie
    }

    /// The map value: args[12] (val_off u64, arg_type u32, reg_off s16,
    /// arg_signed bool, arg_bitshift char), usdt_cookie u64 at 192, arg_cnt s16
    /// at 200, zero padding; at least `minimumSize` bytes.
    public func encoded(minimumSize: Int = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(USDTSpec.encodedSize, minimumSize))
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        for (i, argument) in arguments.prefix(USDTSpec.maxArguments).enumerated() {
            let base = i * USDTSpec.argumentSize
            put(argument.valueOffset, at: base, size: 8)
            put(UInt64(argument.kind.rawValue), at: base + 8, size: 4)
            put(UInt64(UInt16(bitPattern: argument.registerOffset)), at: base + 12, size: 2)
            bytes[base + 14] = argument.isSigned ? 1 : 0
            bytes[base + 15] = argument.bitShift
        }
        put(cookie, at: 192, size: 8)
        put(UInt64(arguments.count), at: 200, size: 2)
        return bytes
    }
}

public enum USDTArgumentParser {
    /// Parses a note's argument string (without its NUL).
    public static func parse(_ text: [UInt8]) -> USDTArgumentParse {
        var carried = 0
        return parse(text, carriedLength: &carried)
    }

    /// Parses with the length left by the previous parse (see the file comment);
    /// updates it.
    public static func parse(_ text: [UInt8], carriedLength consumed: inout Int) -> USDTArgumentParse {
        var arguments: [USDTArgument] = []
        var position = 0
        while position < text.count && text[position] != 0 {
            if arguments.count >= USDTSpec.maxArguments { return .failed(.tooMany) }
            let index = arguments.count
            var scanner = OperandScanner(text: text, position: position)
            let match = scanner.match()
            var argument: USDTArgument
            let size: Int64
            switch match {
            case .none:
                return .failed(.unrecognizedSpec(index: index, offset: position))
            case .memory(let s, let offset, let register, _):
                guard let registerOffset = X86Registers.ptRegsOffset(register) else {
                    return .failed(.unrecognizedRegister(name: register + [0]))
                }
                size = s
                argument = USDTArgument(kind: .registerDeref, valueOffset: UInt64(bitPattern: offset),
                                        registerOffset: registerOffset, isSigned: false, bitShift: 0)
            case .register(let s, let register, _):
                guard let registerOffset = X86Registers.ptRegsOffset(register) else {
                    return .failed(.unrecognizedRegister(name: register + [0]))
                }
                size = s
                argument = USDTArgument(kind: .register, valueOffset: 0, registerOffset: registerOffset,
                                        isSigned: false, bitShift: 0)
            case .constant(let s, let value, _):
                size = s
                argument = USDTArgument(kind: .constant, valueOffset: UInt64(bitPattern: value), registerOffset: 0,
                                        isSigned: false, bitShift: 0)
            }
            let magnitude = size < 0 ? 0 &- size : size
            switch magnitude {
            case 1, 2, 4, 8: break
            default: return .failed(.unsupportedSize(index: index, offset: position, size: magnitude))
            }
            argument.isSigned = size < 0
            argument.bitShift = UInt8(64 - magnitude * 8)
            arguments.append(argument)
            if let end = match.end { consumed = end - position }
            position += consumed
        }
        return .parsed(arguments)
    }
}

/// What one argument matched; `end` is where the pattern's trailing "%n" was
/// reached (nil when the text ended before it).
enum OperandMatch {
    case none
    case memory(size: Int64, offset: Int64, register: [CChar], end: Int?)
    case register(size: Int64, register: [CChar], end: Int?)
    case constant(size: Int64, value: Int64, end: Int?)

    var end: Int? {
        switch self {
        case .none: return nil
        case .memory(_, _, _, let end), .register(_, _, let end), .constant(_, _, let end): return end
        }
    }
}

/// The scanf subset the four operand patterns need, over bytes.
struct OperandScanner {
    let text: [UInt8]
    let start: Int
    var position: Int

    init(text: [UInt8], position: Int) {
        self.text = text
        self.start = position
        self.position = position
    }

    private var current: UInt8? { position < text.count && text[position] != 0 ? text[position] : nil }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0d) }

    mutating func skipSpace() {
        while let c = current, OperandScanner.isSpace(c) { position += 1 }
    }

    /// "%ld" / "%d": optional whitespace, sign, decimal digits (at least one);
    /// saturates like strtol; "%d" keeps the low 32 bits.
    mutating func integer(int32: Bool) -> Int64? {
        skipSpace()
        var p = position
        var negative = false
        if p < text.count, text[p] == UInt8(ascii: "-") || text[p] == UInt8(ascii: "+") {
            negative = text[p] == UInt8(ascii: "-")
            p += 1
        }
        var magnitude: UInt64 = 0
        var overflow = false
        var digits = 0
        while p < text.count, text[p] >= UInt8(ascii: "0"), text[p] <= UInt8(ascii: "9") {
            let digit = UInt64(text[p] - UInt8(ascii: "0"))
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(digit)
            if o1 || o2 { overflow = true } else { magnitude = a }
            digits += 1
            p += 1
        }
        if digits == 0 { return nil }
        position = p
        var value: Int64
        if negative {
            value = overflow || magnitude > UInt64(Int64.max) + 1 ? Int64.min : Int64(bitPattern: 0 &- magnitude)
        } else {
            value = overflow || magnitude > UInt64(Int64.max) ? Int64.max : Int64(magnitude)
        }
        if int32 { value = Int64(Int32(truncatingIfNeeded: value)) }
        return value
    }

    mutating func literal(_ c: UInt8) -> Bool {
        guard current == c else { return false }
        position += 1
        return true
    }

    /// "%15[^)]": 1...15 characters other than ')'.
    mutating func registerInParentheses() -> [CChar]? {
        var result: [CChar] = []
        while result.count < 15, let c = current, c != UInt8(ascii: ")") {
            result.append(CChar(bitPattern: c))
            position += 1
        }
        return result.isEmpty ? nil : result
    }

    /// "%15s": whitespace, then 1...15 non-whitespace characters.
    mutating func word() -> [CChar]? {
        skipSpace()
        var result: [CChar] = []
        while result.count < 15, let c = current, !OperandScanner.isSpace(c) {
            result.append(CChar(bitPattern: c))
            position += 1
        }
        return result.isEmpty ? nil : result
    }

    /// " <size> @" shared by all patterns.
    private mutating func sizeAndAt() -> Int64? {
        skipSpace()
        guard let size = integer(int32: true) else { return nil }
        skipSpace()
        return literal(UInt8(ascii: "@")) ? size : nil
    }

    /// Tries the four patterns in the reference's order on the text at `start`.
    mutating func match() -> OperandMatch {
        // " %d @ %ld ( %%%15[^)] ) %n": three conversions.
        position = start
        if let size = sizeAndAt(), let offset = integer(int32: false) {
            skipSpace()
            if literal(UInt8(ascii: "(")) {
                skipSpace()
                if literal(UInt8(ascii: "%")), let register = registerInParentheses() {
                    skipSpace()
                    let closed = literal(UInt8(ascii: ")"))
                    skipSpace()
                    return .memory(size: size, offset: offset, register: register, end: closed ? position : nil)
                }
            }
        }
        // " %d @ ( %%%15[^)] ) %n": two conversions.
        position = start
        if let size = sizeAndAt() {
            skipSpace()
            if literal(UInt8(ascii: "(")) {
                skipSpace()
                if literal(UInt8(ascii: "%")), let register = registerInParentheses() {
                    skipSpace()
                    let closed = literal(UInt8(ascii: ")"))
                    skipSpace()
                    return .memory(size: size, offset: 0, register: register, end: closed ? position : nil)
                }
            }
        }
        // " %d @ %%%15s %n"
        position = start
        if let size = sizeAndAt() {
            skipSpace()
            if literal(UInt8(ascii: "%")), let register = word() {
                skipSpace()
                return .register(size: size, register: register, end: position)
            }
        }
        // " %d @ $%ld %n"
        position = start
        if let size = sizeAndAt() {
            skipSpace()
            if literal(UInt8(ascii: "$")), let value = integer(int32: false) {
                skipSpace()
                return .constant(size: size, value: value, end: position)
            }
        }
        return .none
    }
}

/// x86-64 register names USDT operands use, and where struct pt_regs keeps them.
public enum X86Registers {
    // struct pt_regs (arch/x86/include/asm/ptrace.h, 64-bit): r15 r14 r13 r12 bp bx
    // r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss, 8 bytes each.
    private static let names: [(StaticString, Int16)] = [
        ("rip", 128), ("eip", 128),
        ("rax", 80), ("eax", 80), ("ax", 80), ("al", 80),
        ("rbx", 40), ("ebx", 40), ("bx", 40), ("bl", 40),
        ("rcx", 88), ("ecx", 88), ("cx", 88), ("cl", 88),
        ("rdx", 96), ("edx", 96), ("dx", 96), ("dl", 96),
        ("rsi", 104), ("esi", 104), ("si", 104), ("sil", 104),
        ("rdi", 112), ("edi", 112), ("di", 112), ("dil", 112),
        ("rbp", 32), ("ebp", 32), ("bp", 32), ("bpl", 32),
        ("rsp", 152), ("esp", 152), ("sp", 152), ("spl", 152),
        ("r8", 72), ("r8d", 72), ("r8w", 72), ("r8b", 72),
        ("r9", 64), ("r9d", 64), ("r9w", 64), ("r9b", 64),
        ("r10", 56), ("r10d", 56), ("r10w", 56), ("r10b", 56),
        ("r11", 48), ("r11d", 48), ("r11w", 48), ("r11b", 48),
        ("r12", 24), ("r12d", 24), ("r12w", 24), ("r12b", 24),
        ("r13", 16), ("r13d", 16), ("r13w", 16), ("r13b", 16),
        ("r14", 8), ("r14d", 8), ("r14w", 8), ("r14b", 8),
        ("r15", 0), ("r15d", 0), ("r15w", 0), ("r15b", 0),
    ]

    /// offsetof(struct pt_regs, <register>) for a name without '%' (case-sensitive).
    public static func ptRegsOffset(_ name: [CChar]) -> Int16? {
        for (candidate, offset) in names {
            let matches = candidate.withUTF8Buffer { buffer -> Bool in
                guard buffer.count == name.count else { return false }
                for i in 0..<buffer.count where UInt8(bitPattern: name[i]) != buffer[i] { return false }
                return true
            }
            if matches { return offset }
        }
        return nil
    }
}

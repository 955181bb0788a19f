import CBPF
import Testing
@testable import BPFCore

/// The Kconfig parser of extern resolution (Load/Kconfig.swift) and the kallsyms
/// reader (Load/Kallsyms.swift), on hand-made externs: the accepted and rejected
/// inputs and the messages are libbpf 1.1's (checked against it by
/// Tests/c/externs, which runs the whole load on both libraries).
@Suite(.serialized)
struct KconfigTests {
    /// A .kconfig extern laid out at `offset`.
    static func ext(_ name: String, _ type: KconfigType, size: Int, offset: Int, signed: Bool = false, weak: Bool = false) -> Extern {
        var e = Extern()
        e.kind = .kconfig
        e.name = name.utf8.map { CChar(bitPattern: $0) } + [0]
        e.kconfigType = type
        e.size = size
        e.alignment = min(size, 8)
        e.dataOffset = offset
        e.isSigned = signed
        e.isWeak = weak
        return e
    }

    /// Externs: b bool @0, t tristate @4, c char @8, s8 signed char @9,
    /// u16 @10, i32 signed @12, u64 @16, arr char[4] @24, big char[16] @28.
    static func externs() -> [Extern] {
        [ext("CONFIG_B", .bool, size: 1, offset: 0),
         ext("CONFIG_T", .tristate, size: 4, offset: 4),
         ext("CONFIG_C", .char, size: 1, offset: 8, signed: true),
         ext("CONFIG_S8", .char, size: 1, offset: 9, signed: true),
         ext("CONFIG_U16", .int, size: 2, offset: 10),
         ext("CONFIG_I32", .int, size: 4, offset: 12, signed: true),
         ext("CONFIG_U64", .int, size: 8, offset: 16),
         ext("CONFIG_ARR", .charArray, size: 4, offset: 24),
         ext("CONFIG_BIG", .charArray, size: 16, offset: 28)]
    }

    struct Outcome {
        var error: BPFError?
        var data: [UInt8]
        var externs: [Extern]
        var log: [String]

        func isSet(_ name: String) -> Bool {
            externs.first { $0.nameString == name }?.isSet ?? false
        }
        func u16(_ offset: Int) -> UInt16 { UInt16(data[offset]) | UInt16(data[offset + 1]) << 8 }
        func u32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(data[offset + $1]) << (8 * $1) } }
        func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(data[offset + $1]) << (8 * $1) } }
        func string(_ offset: Int) -> String {
            String(decoding: data[offset...].prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Runs the in-memory reader (the kconfig open option) over `text`.
    func parse(_ text: String, externs: [Extern] = KconfigTests.externs()) -> Outcome {
        var externs = externs
        var data = [UInt8](repeating: 0, count: 48)
        var log: [String] = []
        Log.sink = { level, message in log.append("\(level.rawValue) \(message)") }
        defer { Log.sink = nil }
        var failure: BPFError?
        data.withUnsafeMutableBytes { buffer in
            text.withCString { p in
                do throws(BPFError) {
                    try Kconfig.parse(text: p, externs: &externs, data: buffer.baseAddress!)
                } catch {
                    failure = error
                }
            }
        }
        return Outcome(error: failure, data: data, externs: externs, log: log)
    }

    // MARK: accepted

    @Test func tristateValues() {
        let o = parse("CONFIG_B=y\nCONFIG_T=m\nCONFIG_C=n\n")
        #expect(o.error == nil)
        #expect(o.data[0] == 1)
        #expect(o.u32(4) == 2)
        #expect(o.data[8] == UInt8(ascii: "n"))
        #expect(o.log == ["2 libbpf: extern (kcfg) 'CONFIG_B': set to y\n",
                          "2 libbpf: extern (kcfg) 'CONFIG_T': set to m\n",
                          "2 libbpf: extern (kcfg) 'CONFIG_C': set to n\n"])
    }

    @Test func onlyTheFirstCharacterOfATristateCounts() {
        let o = parse("CONFIG_B=yes\nCONFIG_T=no\n")
        #expect(o.error == nil)
        #expect(o.data[0] == 1)
        #expect(o.u32(4) == 0)
        #expect(o.isSet("CONFIG_T"))
        #expect(o.log.first == "2 libbpf: extern (kcfg) 'CONFIG_B': set to yes\n")
    }

    @Test func numbersInEveryBase() {
        let o = parse("CONFIG_U16=0xffff\nCONFIG_I32=-2147483648\nCONFIG_U64=01777777777777777777777\nCONFIG_C=0x7f\nCONFIG_S8=-128\n")
        #expect(o.error == nil)
        #expect(o.u16(10) == 0xffff)
        #expect(o.u32(12) == 0x8000_0000)
        #expect(o.u64(16) == UInt64.max)
        #expect(o.data[8] == 0x7f)
        #expect(o.data[9] == 0x80)
    }

    @Test func strtoullLeniency() {
        // leading blanks and '+' are strtoull's; a negative number wraps to 2^64-n
        let o = parse("CONFIG_U16= +12\nCONFIG_U64=-1\n")
        #expect(o.error == nil)
        #expect(o.u16(10) == 12)
        #expect(o.u64(16) == UInt64.max)
        #expect(o.log.first == "2 libbpf: extern (kcfg) 'CONFIG_U16': set to  +12\n")
    }

    @Test func stringsAreUnquotedAndTruncated() {
        let o = parse("CONFIG_ARR=\"ab\"\nCONFIG_BIG=\"a\"b\"\n")
        #expect(o.error == nil)
        #expect(o.string(24) == "ab")
        #expect(o.string(28) == "a\"b")
        let long = parse("CONFIG_ARR=\"abcdef\"\n")
        #expect(long.error == nil)
        #expect(long.string(24) == "abc")
        #expect(long.log.first == "0 libbpf: extern (kcfg) 'CONFIG_ARR': long string '\"abcdef\"' of (6 bytes) truncated to 3 bytes\n")
        #expect(long.log.last == "2 libbpf: extern (kcfg) 'CONFIG_ARR': set to \"abcdef\"\n")
        let exact = parse("CONFIG_ARR=\"abcd\"\n")
        #expect(exact.string(24) == "abc")
        #expect(exact.log.count == 2)
    }

    @Test func loneQuoteUnderflowsTheLength() {
        let o = parse("CONFIG_ARR=\"\n")
        #expect(o.error == nil)
        #expect(o.isSet("CONFIG_ARR"))
        #expect(o.log.first == "0 libbpf: extern (kcfg) 'CONFIG_ARR': long string '\"' of (18446744073709551615 bytes) truncated to 3 bytes\n")
    }

    @Test func ignoredLinesAndFirstAssignmentWins() {
        let o = parse("# CONFIG_B is not set\nFOO=1\n\n  CONFIG_U16=1\nCONFIG_U16=2\nCONFIG_U16=3\nCONFIG_UNKNOWN=zzz\nCONFIG_B=n")
        #expect(o.error == nil)
        #expect(o.u16(10) == 2)
        #expect(o.isSet("CONFIG_B"))
        #expect(!o.isSet("CONFIG_T"))
    }

    @Test func linesArriveInPiecesOf4095Bytes() {
        // fgets(buf, PATH_MAX): a piece that starts with CONFIG_ counts on its own
        let fits = String(repeating: "x", count: 4095) + "CONFIG_U16=7\n"
        #expect(parse(fits).u16(10) == 7)
        let split = String(repeating: "x", count: 4094) + "CONFIG_U16=7\n"
        #expect(!parse(split).isSet("CONFIG_U16"))
    }

    @Test func emptyTextSetsNothing() {
        let o = parse("")
        #expect(o.error == nil)
        #expect(o.log.isEmpty)
        #expect(!o.externs.contains { $0.isSet })
    }

    // MARK: rejected

    @Test func noSeparator() {
        let o = parse("CONFIG_UNRELATED\nCONFIG_B=y\n")
        #expect(o.error == .EINVAL)
        #expect(!o.isSet("CONFIG_B"))
        // the message still has the line's newline, as in the reference
        #expect(o.log == ["0 libbpf: failed to parse 'CONFIG_UNRELATED\n': no separator\n",
                          "0 libbpf: error parsing in-memory Kconfig line 'CONFIG_UNRELATED\n': -22\n"])
    }

    @Test func noValue() {
        let o = parse("CONFIG_B=\n")
        #expect(o.error == .EINVAL)
        #expect(o.log == ["0 libbpf: failed to parse 'CONFIG_B=': no value\n",
                          "0 libbpf: error parsing in-memory Kconfig line 'CONFIG_B=': -22\n"])
    }

    @Test func notAnInteger() {
        let o = parse("CONFIG_U16=12abc\n")
        #expect(o.error == .EINVAL)
        #expect(o.log == ["0 libbpf: failed to parse '12abc' as integer completely\n",
                          "0 libbpf: extern (kcfg) 'CONFIG_U16': value '12abc' isn't a valid integer\n",
                          "0 libbpf: error parsing in-memory Kconfig line 'CONFIG_U16': -22\n"])
        #expect(parse("CONFIG_U16=5\r\n").error == .EINVAL)
        #expect(parse("CONFIG_U16=0x\n").error == .EINVAL)
    }

    @Test func integerOverflow() {
        let o = parse("CONFIG_U64=99999999999999999999999\n")
        #expect(o.error == .ERANGE)
        #expect(o.log.first == "0 libbpf: failed to parse '99999999999999999999999' as integer: -34\n")
        #expect(o.log.last == "0 libbpf: error parsing in-memory Kconfig line 'CONFIG_U64': -34\n")
    }

    @Test func valuesMustFitTheExtern() {
        let u16 = parse("CONFIG_U16=65536\n")
        #expect(u16.error == .ERANGE)
        #expect(u16.log.first == "0 libbpf: extern (kcfg) 'CONFIG_U16': value '65536' doesn't fit in 2 bytes\n")
        #expect(parse("CONFIG_S8=128\n").error == .ERANGE)
        #expect(parse("CONFIG_S8=-129\n").error == .ERANGE)
        #expect(parse("CONFIG_I32=0x80000000\n").error == .ERANGE)
        #expect(parse("CONFIG_I32=-2147483649\n").error == .ERANGE)
        #expect(parse("CONFIG_C=250\n").error == .ERANGE)  // a signed char
    }

    @Test func valueKindMustMatchTheType() {
        let cases: [(String, String)] = [
            ("CONFIG_B=m\n", "0 libbpf: extern (kcfg) 'CONFIG_B': value 'm' implies tristate or char type\n"),
            ("CONFIG_U16=y\n", "0 libbpf: extern (kcfg) 'CONFIG_U16': value 'y' implies bool, tristate, or char type\n"),
            ("CONFIG_ARR=n\n", "0 libbpf: extern (kcfg) 'CONFIG_ARR': value 'n' implies bool, tristate, or char type\n"),
            ("CONFIG_B=1\n", "0 libbpf: extern (kcfg) 'CONFIG_B': value '1' implies integer type\n"),
            ("CONFIG_T=2\n", "0 libbpf: extern (kcfg) 'CONFIG_T': value '2' implies integer type\n"),
            ("CONFIG_ARR=12\n", "0 libbpf: extern (kcfg) 'CONFIG_ARR': value '12' implies integer type\n"),
            ("CONFIG_U16=\"1\"\n", "0 libbpf: extern (kcfg) 'CONFIG_U16': value '\"1\"' implies char array type\n"),
            ("CONFIG_ARR=\"ab\n", "0 libbpf: extern (kcfg) 'CONFIG_ARR': invalid string config '\"ab'\n"),
        ]
        for (text, message) in cases {
            let o = parse(text)
            #expect(o.error == .EINVAL, "\(text)")
            #expect(o.log.first == message, "\(text)")
        }
    }

    @Test func errorStopsTheReadButKeepsEarlierValues() {
        let o = parse("CONFIG_U16=3\nCONFIG_B=m\nCONFIG_T=y\n")
        #expect(o.error == .EINVAL)
        #expect(o.u16(10) == 3)
        #expect(!o.isSet("CONFIG_T"))
    }

    // MARK: set_kcfg_value_num (virtual externs)

    @Test func numbersIntoBoolCharAndInt() {
        var b = Self.ext("LINUX_B", .bool, size: 1, offset: 0)
        var bytes = [UInt8](repeating: 0, count: 8)
        Log.sink = { _, _ in }
        defer { Log.sink = nil }
        bytes.withUnsafeMutableBytes { p in
            #expect((try? Kconfig.setNumber(&b, p.baseAddress!, 1)) != nil)
            #expect(p[0] == 1)
            var b2 = Self.ext("LINUX_B", .bool, size: 1, offset: 0)
            #expect(throws: BPFError.EINVAL) { try Kconfig.setNumber(&b2, p.baseAddress!, 2) }
            var arr = Self.ext("LINUX_A", .charArray, size: 4, offset: 0)
            #expect(throws: BPFError.EINVAL) { try Kconfig.setNumber(&arr, p.baseAddress!, 0) }
            var tri = Self.ext("LINUX_T", .tristate, size: 4, offset: 0)
            #expect(throws: BPFError.EINVAL) { try Kconfig.setNumber(&tri, p.baseAddress!, 1) }
            var u8 = Self.ext("LINUX_U8", .int, size: 1, offset: 0)
            #expect(throws: BPFError.ERANGE) { try Kconfig.setNumber(&u8, p.baseAddress!, 0x6122c) }
        }
        #expect(b.isSet)
    }

    @Test func rangeRule() {
        #expect(Kconfig.fits(255, size: 1, signed: false))
        #expect(!Kconfig.fits(256, size: 1, signed: false))
        #expect(Kconfig.fits(127, size: 1, signed: true))
        #expect(!Kconfig.fits(128, size: 1, signed: true))
        #expect(Kconfig.fits(UInt64(bitPattern: -128), size: 1, signed: true))
        #expect(!Kconfig.fits(UInt64(bitPattern: -129), size: 1, signed: true))
        #expect(!Kconfig.fits(UInt64(bitPattern: -1), size: 4, signed: false))
        #expect(Kconfig.fits(UInt64.max, size: 8, signed: true))
    }

    // MARK: kallsyms

    func kallsyms(_ text: String) -> (BPFError?, [(UInt64, UInt8, String)], [String]) {
        var entries: [(UInt64, UInt8, String)] = []
        var log: [String] = []
        Log.sink = { _, message in log.append(message) }
        defer { Log.sink = nil }
        do throws(BPFError) {
            try Kallsyms.forEach(text: Array(text.utf8)) { address, type, name in
                entries.append((address, type, String(cString: name)))
                return nil
            }
        } catch {
            return (error, entries, log)
        }
        return (nil, entries, log)
    }

    @Test func kallsymsEntries() {
        let (error, entries, _) = kallsyms("ffffffff81000000 T _stext\nffffffffc0001000 t helper\t[mod]\n\n0000000000000000 A fixed_percpu_data\n")
        #expect(error == nil)
        #expect(entries.count == 3)
        #expect(entries[0].0 == 0xffff_ffff_8100_0000 && entries[0].1 == UInt8(ascii: "T") && entries[0].2 == "_stext")
        #expect(entries[1].2 == "helper")
        #expect(entries[2].0 == 0 && entries[2].2 == "fixed_percpu_data")
    }

    @Test func kallsymsMalformedEntry() {
        let (error, entries, log) = kallsyms("ffffffff81000000 T ok\nnot-hex T x\n")
        #expect(error == .EINVAL)
        #expect(entries.count == 1)
        #expect(log == ["libbpf: failed to read kallsyms entry: 0\n"])
        #expect(kallsyms("ffffffff81000000 T\n").2 == ["libbpf: failed to read kallsyms entry: 2\n"])
        #expect(kallsyms("ffffffff81000000").2 == ["libbpf: failed to read kallsyms entry: 1\n"])
    }

    @Test func kallsymsCallbackErrorStops() {
        var seen = 0
        var thrown: BPFError?
        do throws(BPFError) {
            try Kallsyms.forEach(text: Array("1 T a\n2 T b\n3 T c\n".utf8)) { _, _, _ in
                seen += 1
                return seen == 2 ? .EINVAL : nil
            }
        } catch {
            thrown = error
        }
        #expect(thrown == .EINVAL)
        #expect(seen == 2)
    }

    @Test func procKallsymsIsReadable() throws {
        var count = 0
        do throws(BPFError) {
            try Kallsyms.forEach { _, _, _ in
                count += 1
                return nil
            }
        } catch {
            return  // no /proc/kallsyms in this environment
        }
        #expect(count > 0)
    }
}

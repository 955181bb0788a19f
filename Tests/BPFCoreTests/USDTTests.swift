import Testing
@testable import BPFCore

/// USDT argument specs and SDT notes, without a kernel. Expected values follow
/// the x86-64 struct pt_regs layout and the rules measured on the reference
/// (see USDTArgument.swift).
@Suite struct USDTTests {
    func parse(_ text: String) -> USDTArgumentParse {
        USDTArgumentParser.parse(Array(text.utf8))
    }

    func args(_ text: String) -> [USDTArgument] {
        if case .parsed(let a) = parse(text) { return a }
        Issue.record("'\(text)' did not parse: \(parse(text))")
        return []
    }

    func reg(_ offset: Int16, signed: Bool = false, shift: UInt8 = 0) -> USDTArgument {
        USDTArgument(kind: .register, valueOffset: 0, registerOffset: offset, isSigned: signed, bitShift: shift)
    }

    @Test func registers() {
        #expect(args("8@%rax 8@%rbx 8@%rcx 8@%rdx 8@%rsi 8@%rdi 8@%rbp 8@%rsp 8@%rip 8@%r8 8@%r12 8@%r15")
            == [reg(80), reg(40), reg(88), reg(96), reg(104), reg(112), reg(32), reg(152), reg(128), reg(72), reg(24), reg(0)])
        #expect(args("-4@%eax 2@%ax 1@%al -1@%sil 4@%r9d 2@%r10w 1@%r11b 1@%dil 2@%bp 1@%spl")
            == [reg(80, signed: true, shift: 32), reg(80, shift: 48), reg(80, shift: 56), reg(104, signed: true, shift: 56),
                reg(64, shift: 32), reg(56, shift: 48), reg(48, shift: 56), reg(112, shift: 56), reg(32, shift: 48),
                reg(152, shift: 56)])
        #expect(parse("1@%ah") == .failed(.unrecognizedRegister(name: Array("ah".utf8CString))))
        #expect(parse("8@%ip") == .failed(.unrecognizedRegister(name: Array("ip".utf8CString))))
        #expect(parse("8@%RAX") == .failed(.unrecognizedRegister(name: Array("RAX".utf8CString))))
        // "%15s" stops at 15 characters; "%fs:0x28" is not a register.
        #expect(parse("8@%abcdefghijklmnopq") == .failed(.unrecognizedRegister(name: Array("abcdefghijklmno".utf8CString))))
        #expect(parse("8@%fs:0x28") == .failed(.unrecognizedRegister(name: Array("fs:0x28".utf8CString))))
    }

    @Test func memoryAndConstants() {
        #expect(args("-4@-1204(%rbp) 8@(%rax) 2@8(%rsp) 1@ 3 ( %rbx)") == [
            USDTArgument(kind: .registerDeref, valueOffset: UInt64(bitPattern: -1204), registerOffset: 32, isSigned: true, bitShift: 32),
            USDTArgument(kind: .registerDeref, valueOffset: 0, registerOffset: 80, isSigned: false, bitShift: 0),
            USDTArgument(kind: .registerDeref, valueOffset: 8, registerOffset: 152, isSigned: false, bitShift: 48),
            USDTArgument(kind: .registerDeref, valueOffset: 3, registerOffset: 40, isSigned: false, bitShift: 56),
        ])
        #expect(args("-4@$5 8@$-9 2@$+3 8@$99999999999999999999") == [
            USDTArgument(kind: .constant, valueOffset: 5, registerOffset: 0, isSigned: true, bitShift: 32),
            USDTArgument(kind: .constant, valueOffset: UInt64(bitPattern: -9), registerOffset: 0, isSigned: false, bitShift: 0),
            USDTArgument(kind: .constant, valueOffset: 3, registerOffset: 0, isSigned: false, bitShift: 48),
            USDTArgument(kind: .constant, valueOffset: UInt64(Int64.max), registerOffset: 0, isSigned: false, bitShift: 0),
        ])
        // Decimal only: "$0x10" reads 0, then "x10" is the next (bad) argument.
        #expect(parse("4@$1 1@$0x10") == .failed(.unrecognizedSpec(index: 2, offset: 9)))
    }

    @Test func separatorsAndCounts() {
        #expect(args("") == [])
        #expect(args("  8@%rax \t -2@$7\n").count == 2)
        #expect(parse("   ") == .failed(.unrecognizedSpec(index: 0, offset: 0)))
        #expect(parse("8@%rax junk") == .failed(.unrecognizedSpec(index: 1, offset: 7)))
        let twelve = (1...12).map { "1@$\($0)" }.joined(separator: " ")
        #expect(args(twelve).count == 12)
        #expect(parse(twelve + " 1@$13") == .failed(.tooMany))
        #expect(parse(twelve + " junk") == .failed(.tooMany))
    }

    @Test func sizes() {
        #expect(parse("3@%rax") == .failed(.unsupportedSize(index: 0, offset: 0, size: 3)))
        #expect(parse("8@%rax -16@%rax") == .failed(.unsupportedSize(index: 1, offset: 7, size: 16)))
        #expect(parse("0@$1") == .failed(.unsupportedSize(index: 0, offset: 0, size: 0)))
        // The register is checked before the size.
        #expect(parse("3@%xmm0") == .failed(.unrecognizedRegister(name: Array("xmm0".utf8CString))))
    }

    /// An argument whose pattern stops before its end keeps the previous length.
    @Test func truncatedOperandReusesLength() {
        #expect(parse("8@(%rax") == .failed(.tooMany))
        #expect(parse("1@$1 8@(%rax") == .failed(.unrecognizedSpec(index: 2, offset: 10)))
        #expect(parse("2@%ax 8@(%rax") == .failed(.unrecognizedSpec(index: 2, offset: 12)))
        #expect(parse("8@%rax,4@$7") == .failed(.unrecognizedRegister(name: Array("rax,4@$7".utf8CString))))
        #expect(parse("-8@16( %r12 )") == .failed(.unrecognizedRegister(name: Array("r12 ".utf8CString))))
    }

    @Test func encoding() {
        let spec = USDTSpec(arguments: [
            USDTArgument(kind: .registerDeref, valueOffset: UInt64(bitPattern: -8), registerOffset: 32, isSigned: true, bitShift: 32),
            USDTArgument(kind: .constant, valueOffset: 0x0102, registerOffset: 0, isSigned: false, bitShift: 56),
        ], cookie: 0x1122334455667788)
        let bytes = spec.encoded()
        #expect(bytes.count == 208)
        #expect(Array(bytes[0..<16]) == [0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 32, 0, 1, 32])
        #expect(Array(bytes[16..<32]) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 56])
        #expect(bytes[32..<192].allSatisfy { $0 == 0 })
        #expect(Array(bytes[192..<202]) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 2, 0])
        #expect(spec.encoded(minimumSize: 256).count == 256)
    }

    @Test func notes() {
        var descriptor: [UInt8] = []
        for value: UInt64 in [0x401106, 0x402014, 0x404030] {
            for i in 0..<8 { descriptor.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
        }
        descriptor += Array("prov\0name\0-4@%edi\0".utf8)
        let note = descriptor.withUnsafeBytes { USDTNote.parse(descriptor: $0) }
        #expect(note == USDTNote(location: 0x401106, base: 0x402014, semaphore: 0x404030, provider: Array("prov".utf8CString),
                                 name: Array("name".utf8CString), arguments: Array("-4@%edi".utf8CString)))
        #expect(note?.matches(provider: "prov", name: "name") == true)
        #expect(note?.matches(provider: "prov", name: "nam") == false)
        // Prelink: the location moves with .stapsdt.base.
        #expect(note?.adjustedLocation(baseSection: 0x402004) == 0x4010f6)
        #expect(note?.adjustedLocation(baseSection: nil) == 0x401106)
        // Unterminated or short descriptors are invalid.
        let cut = Array(descriptor.dropLast())
        #expect(cut.withUnsafeBytes { USDTNote.parse(descriptor: $0) } == nil)
        #expect(Array(descriptor.prefix(20)).withUnsafeBytes { USDTNote.parse(descriptor: $0) } == nil)
    }

    @Test func segments() {
        let segments = [
            USDTSegment(start: 0x400000, end: 0x4005a8, fileOffset: 0, isExecutable: false),
            USDTSegment(start: 0x401000, end: 0x401241, fileOffset: 0x1000, isExecutable: true),
            USDTSegment(start: 0x403dd8, end: 0x404038, fileOffset: 0x2dd8, isExecutable: false),
        ]
        #expect(USDTSegment.find(segments, containing: 0x40122c)?.fileOffset(of: 0x40122c) == 0x122c)
        #expect(USDTSegment.find(segments, containing: 0x404030)?.fileOffset(of: 0x404030) == 0x3030)
        #expect(USDTSegment.find(segments, containing: 0x401241) == nil)
        #expect(USDTSegment.find(segments, containing: 0x7777777) == nil)
    }
}

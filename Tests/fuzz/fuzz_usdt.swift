// libFuzzer entry for the USDT parsers: the SDT note descriptor
// (USDTNote.parse) and the argument-spec parser (USDTArgumentParser.parse),
// with the spec encoding behind them (USDTSpec.encoded) and the register table
// (X86Registers.ptRegsOffset). Built by Tests/fuzz/run-object.sh
// (FUZZ_TARGET=fuzz_usdt) in normal Swift together with Sources/BPFCore and
// Sources/LibBPF as one module, with -sanitize=fuzzer,address, in one binary
// with fuzz_linker.swift, whose libFuzzer entry points call this file's
// functions when the binary runs under the name fuzz_usdt.
//
// Input layout: byte 0 picks the target (even: a note descriptor, odd: an
// argument string), byte 1 is the length carried over from a previous parse
// (see USDTArgument.swift), the rest is the payload.
//
// Besides "no crash, no ASan/LSan report, no Swift trap", each input checks:
//   - a parsed note's strings are NUL-terminated and lie inside the
//     descriptor; the note written back (3 addresses + 3 strings) reparses to
//     the same note;
//   - a parsed argument string has at most 12 arguments, each with a size of
//     1, 2, 4 or 8 bytes (bit shift 56, 48, 32 or 0) and a known register; it
//     encodes to 208 bytes (or minimumSize) with its count at offset 200;
//   - parsing is a function of (text, carried length): the same again gives
//     the same result and carried length.
import CBPF

func usdtCheck(_ condition: Bool, _ what: StaticString) {
    if !condition { fatalError("invariant violated: \(what)") }
}

func fuzzUSDTInitialize() {
    Log.sink = { _, _ in }
}

func checkArguments(_ text: [UInt8], carried: Int) {
    var carriedA = carried
    var carriedB = carried
    let a = USDTArgumentParser.parse(text, carriedLength: &carriedA)
    let b = USDTArgumentParser.parse(text, carriedLength: &carriedB)
    usdtCheck(a == b && carriedA == carriedB, "argument parsing is deterministic")
    switch a {
    case .parsed(let arguments):
        usdtCheck(arguments.count <= USDTSpec.maxArguments, "at most 12 arguments")
        for argument in arguments {
            usdtCheck([0, 32, 48, 56].contains(argument.bitShift), "argument size is 1, 2, 4 or 8")
            if argument.kind != .constant {
                usdtCheck(argument.registerOffset >= 0 && argument.registerOffset <= 160 &&
                          argument.registerOffset % 8 == 0, "register offset inside pt_regs")
            }
        }
        let spec = USDTSpec(arguments: arguments, cookie: UInt64(text.count))
        let minimum = text.count > 0 ? Int(text[0]) : 0
        let bytes = spec.encoded(minimumSize: minimum)
        usdtCheck(bytes.count == max(USDTSpec.encodedSize, minimum), "encoded size")
        usdtCheck(Int(bytes[200]) | Int(bytes[201]) << 8 == arguments.count, "encoded argument count")
    case .failed(let failure):
        usdtCheck(failure.errorCode > 0, "a failure has an errno")
        if case .unrecognizedRegister(let name) = failure {
            usdtCheck(name.last == 0, "register name is NUL-terminated")
            usdtCheck(X86Registers.ptRegsOffset(name) == nil && X86Registers.ptRegsOffset(Array(name.dropLast())) == nil,
                      "an unrecognized register is unknown")
        }
    }
}

func checkNote(_ payload: [UInt8], carried: Int) {
    let parsed = payload.withUnsafeBytes { USDTNote.parse(descriptor: $0) }
    guard let note = parsed else { return }
    let strings = note.provider.count + note.name.count + note.arguments.count
    usdtCheck(24 + strings <= payload.count, "note strings lie inside the descriptor")
    for s in [note.provider, note.name, note.arguments] {
        usdtCheck(s.last == 0 && !s.dropLast().contains(0), "note string is one C string")
    }
    var again: [UInt8] = []
    for value in [note.location, note.base, note.semaphore] {
        for i in 0..<8 { again.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
    for s in [note.provider, note.name, note.arguments] { again += s.map { UInt8(bitPattern: $0) } }
    let reparsed = again.withUnsafeBytes { USDTNote.parse(descriptor: $0) }
    usdtCheck(reparsed == note, "a note written back reparses to itself")
    _ = note.adjustedLocation(baseSection: note.semaphore)
    _ = note.adjustedLocation(baseSection: nil)
    let segment = USDTSegment(start: note.base, end: note.semaphore, fileOffset: note.location, isExecutable: true)
    if let found = USDTSegment.find([segment], containing: note.location) {
        _ = found.fileOffset(of: note.location)
    }
    _ = note.provider.withUnsafeBufferPointer { p in
        note.name.withUnsafeBufferPointer { n in note.matches(provider: p.baseAddress!, name: n.baseAddress!) }
    }
    checkArguments(note.arguments.dropLast().map { UInt8(bitPattern: $0) }, carried: carried)
}

func fuzzUSDTOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if size < 2 { return 0 }
    let payload = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    let carried = Int(data[1])
    if data[0] & 1 == 0 {
        checkNote(payload, carried: carried)
    } else {
        checkArguments(payload, carried: carried)
    }
    return 0
}

// libFuzzer entry for the BPF static linker's input reader: bpf_linker__new,
// bpf_linker__add_file (ELF sections, symbols, relocations, .BTF, .BTF.ext of
// an arbitrary file and the merge steps behind them), bpf_linker__finalize and
// bpf_linker__free, through the C ABI the library exports. Built by
// Tests/fuzz/run-object.sh (FUZZ_TARGET=fuzz_linker) in normal Swift together
// with Sources/BPFCore and Sources/LibBPF as one module, with
// -sanitize=fuzzer,address. The same binary serves fuzz_usdt (fuzz_usdt.swift):
// the libFuzzer entry points here pick the target by the name the binary runs
// under (argv[0]: .../fuzz_usdt, else the linker).
//
// Files: the input is written to a memfd and handed to add_file as
// /proc/self/fd/N; the output goes to another memfd (truncated after every
// input), so nothing is written to disk.
//
// Besides "no crash, no ASan/LSan report, no Swift trap", each input checks:
//   - add_file and finalize return 0 or a negative errno, never anything else;
//   - the same bytes link the same way twice (no hidden state), and when
//     finalize succeeded, the two outputs are byte-identical;
// inputs of odd length are added twice (the file linked with itself: the
// duplicate-symbol and same-section merge paths).
import CBPF

// glibc's memfd_create (not in the Swift Glibc module's view without _GNU_SOURCE).
@_silgen_name("memfd_create")
func fuzzMemfdCreate(_ name: UnsafePointer<CChar>, _ flags: UInt32) -> Int32

nonisolated(unsafe) var parsersTargetIsUSDT = false

nonisolated(unsafe) var linkerInputFD: Int32 = -1
nonisolated(unsafe) var linkerOutputFD: Int32 = -1
nonisolated(unsafe) var linkerInputPath: [CChar] = []
nonisolated(unsafe) var linkerOutputPath: [CChar] = []

func linkerCheck(_ condition: Bool, _ what: StaticString) {
    if !condition { fatalError("invariant violated: \(what)") }
}

func procFDPath(_ fd: Int32) -> [CChar] {
    Array("/proc/self/fd/\(fd)".utf8CString)
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzParsersInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    fuzzPlantedInit()
    if let name = argv.pointee[0] {
        let text = String(cString: name)
        parsersTargetIsUSDT = text.hasSuffix("/fuzz_usdt") || text == "fuzz_usdt"
    }
    if parsersTargetIsUSDT {
        fuzzUSDTInitialize()
    } else {
        fuzzLinkerInitialize()
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsersOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzPlanted(data, size)
    return parsersTargetIsUSDT ? fuzzUSDTOneInput(data, size) : fuzzLinkerOneInput(data, size)
}

func fuzzLinkerInitialize() {
    // Messages are formatted (that code runs) but not printed.
    Log.sink = { _, _ in }
    linkerInputFD = fuzzMemfdCreate("fuzz_linker_in", 0)
    linkerOutputFD = fuzzMemfdCreate("fuzz_linker_out", 0)
    if linkerInputFD < 0 || linkerOutputFD < 0 { fatalError("memfd_create failed") }
    linkerInputPath = procFDPath(linkerInputFD)
    linkerOutputPath = procFDPath(linkerOutputFD)
}

/// The output's bytes (empty when finalize failed).
func readOutput() -> [UInt8] {
    let size = lseek(linkerOutputFD, 0, SEEK_END)
    if size <= 0 { return [] }
    var bytes = [UInt8](repeating: 0, count: Int(size))
    let got = bytes.withUnsafeMutableBytes { pread(linkerOutputFD, $0.baseAddress, Int(size), 0) }
    linkerCheck(got == size, "the output memfd reads back")
    return bytes
}

/// One link of the input: (add_file results..., finalize result or 1 when not run), output bytes.
func linkOnce(twice: Bool) -> ([Int32], [UInt8]) {
    _ = ftruncate(linkerOutputFD, 0)
    var results: [Int32] = []
    let linker = linkerOutputPath.withUnsafeBufferPointer { abi_bpf_linker__new($0.baseAddress, nil) }
    guard let linker else { fatalError("bpf_linker__new failed on a memfd") }
    var ok = true
    for _ in 0..<(twice ? 2 : 1) {
        let r = linkerInputPath.withUnsafeBufferPointer { abi_bpf_linker__add_file(linker, $0.baseAddress, nil) }
        linkerCheck(r <= 0, "add_file returns 0 or a negative errno")
        results.append(r)
        if r != 0 { ok = false; break }
    }
    if ok {
        let r = abi_bpf_linker__finalize(linker)
        linkerCheck(r <= 0, "finalize returns 0 or a negative errno")
        results.append(r)
        if r != 0 { ok = false }
    } else {
        results.append(1)
    }
    abi_bpf_linker__free(linker)
    let output = ok ? readOutput() : []
    _ = ftruncate(linkerOutputFD, 0)
    return (results, output)
}

func fuzzLinkerOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if size == 0 { return 0 }
    _ = ftruncate(linkerInputFD, 0)
    let written = pwrite(linkerInputFD, data, size, 0)
    linkerCheck(written == size, "the input memfd takes the bytes")
    let twice = size & 1 == 1
    let first = linkOnce(twice: twice)
    let second = linkOnce(twice: twice)
    linkerCheck(first.0 == second.0, "the same bytes link the same way twice")
    linkerCheck(first.1 == second.1, "the same bytes give the same output twice")
    _ = ftruncate(linkerInputFD, 0)
    return 0
}

// --selftest of Tests/c/fuzz_parsers: with FUZZ_PLANTED=1 in the environment,
// an input starting with "SWIFTBPF-PLANTED-CRASH" traps and one starting with
// "SWIFTBPF-PLANTED-LEAK" leaks 64 bytes, so the runner's verdict can be shown
// to catch both. Off (never checked) otherwise.
// Only the kind named by FUZZ_PLANTED (CRASH or LEAK) is armed: libFuzzer's
// memcmp hooks would otherwise mutate one marker into the other.
nonisolated(unsafe) var plantedArmed = false
nonisolated(unsafe) var plantedLeak = false
/// The leaked block's address, disguised (so LeakSanitizer sees no pointer to it,
/// and the allocation cannot be optimised away).
nonisolated(unsafe) var plantedHidden: UInt = 0

func fuzzPlantedInit() {
    guard let value = getenv("FUZZ_PLANTED") else { return }
    plantedArmed = true
    plantedLeak = strcmp(value, "LEAK") == 0
}

func fuzzPlanted(_ data: UnsafePointer<UInt8>, _ size: Int) {
    if !plantedArmed { return }
    func startsWith(_ marker: StaticString) -> Bool {
        let count = marker.utf8CodeUnitCount
        return size >= count && memcmp(data, marker.utf8Start, count) == 0
    }
    if !plantedLeak && startsWith("SWIFTBPF-PLANTED-CRASH") { fatalError("planted crash (selftest)") }
    if plantedLeak && startsWith("SWIFTBPF-PLANTED-LEAK") {
        plantedHidden = UInt(bitPattern: malloc(64)) ^ 0x5a5a_5a5a
    }
}

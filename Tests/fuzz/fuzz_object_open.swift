// libFuzzer entry for bpf_object__open_mem (the whole open pipeline: ELF
// collection, BTF and .BTF.ext parsing, BTF finalisation, externs, BTF-defined
// and internal maps, struct_ops, program setup, relocation collection). Built by
// Tests/fuzz/run-object.sh in normal Swift together with Sources/BPFCore and
// Sources/LibBPF as one module, with -sanitize=fuzzer,address.
//
// Besides "no crash, no ASan/LSan report, no Swift trap", each input checks,
// through the C ABI the library exports:
//   - a failed open returns NULL with a positive errno;
//   - an opened object answers its accessors: every program has a name, a
//     section name and as many instructions as insn_cnt says; every map a name
//     and, for internal maps, an initial value of value_size bytes; the
//     finalised BTF (when any) serialises and reparses to as many types;
//   - opening the same bytes again gives the same outcome (no hidden state).
// relaxed_maps is set for inputs of odd length, so both map-definition modes run.
import CBPF

@_cdecl("LLVMFuzzerInitialize")
public func fuzzObjectInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    // Messages are formatted (that code runs) but not printed.
    Log.sink = { _, _ in }
    return 0
}

func objectCheck(_ condition: Bool, _ what: StaticString) {
    if !condition { fatalError("invariant violated: \(what)") }
}

/// Opens `data` and returns a summary (nil: the open failed), after checking the
/// object's accessors.
func openAndSummarize(_ data: UnsafeRawPointer, _ size: Int) -> [Int]? {
    var opts = bpf_object_open_opts()
    opts.sz = MemoryLayout<bpf_object_open_opts>.size
    let name: StaticString = "fuzzobj"
    opts.object_name = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    opts.relaxed_maps = size & 1 == 1
    sbpf_set_errno(0)
    guard let obj = abi_bpf_object__open_mem(data, size, &opts) else {
        let error = sbpf_errno()
        objectCheck(error > 0, "a failed open sets a positive errno")
        return nil
    }
    defer { abi_bpf_object__close(obj) }
    var summary: [Int] = []
    var prog = abi_bpf_object__next_program(obj, nil)
    while let p = prog {
        objectCheck(abi_bpf_program__name(p) != nil, "program has a name")
        objectCheck(abi_bpf_program__section_name(p) != nil, "program has a section name")
        let count = abi_bpf_program__insn_cnt(p)
        objectCheck(count > 0, "program has instructions")
        if let insns = abi_bpf_program__insns(p) {
            // touch the first and the last instruction (ASan checks the bounds)
            summary.append(Int(insns[0].code) &+ Int(insns[count - 1].code))
        }
        summary.append(count)
        prog = abi_bpf_object__next_program(obj, p)
    }
    var map = abi_bpf_object__next_map(obj, nil)
    while let m = map {
        objectCheck(abi_bpf_map__name(m) != nil, "map has a name")
        var initialSize = 0
        if let value = abi_bpf_map__initial_value(m, &initialSize) {
            objectCheck(initialSize == Int(abi_bpf_map__value_size(m)), "initial value has value_size bytes")
            if initialSize > 0 {
                let bytes = value.assumingMemoryBound(to: UInt8.self)
                summary.append(Int(bytes[0]) &+ Int(bytes[initialSize - 1]))
            }
        }
        summary.append(Int(abi_bpf_map__key_size(m)))
        summary.append(Int(abi_bpf_map__value_size(m)))
        map = abi_bpf_object__next_map(obj, m)
    }
    if let btf = abi_bpf_object__btf(obj) {
        let types = abi_btf__type_cnt(btf)
        summary.append(Int(types))
        var rawSize: UInt32 = 0
        if let raw = abi_btf__raw_data(btf, &rawSize) {
            if let again = abi_btf__new(raw, rawSize) {
                objectCheck(abi_btf__type_cnt(again) == types, "finalised BTF reparses to as many types")
                abi_btf__free(again)
            }
        }
    }
    return summary
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzObjectOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if size == 0 { return 0 }
    let first = openAndSummarize(UnsafeRawPointer(data), size)
    let second = openAndSummarize(UnsafeRawPointer(data), size)
    objectCheck((first == nil) == (second == nil), "the same bytes open the same way twice")
    if let first, let second { objectCheck(first == second, "the same bytes give the same object twice") }
    return 0
}

// libFuzzer entry for the BTF and .BTF.ext parsers: built by Tests/fuzz/run.sh in
// normal Swift together with Sources/BPFCore and Sources/LibBPF as one module,
// with -sanitize=fuzzer,address. One binary serves both targets; the name it is
// run under picks the target (fuzz_btf, fuzz_btf_ext).
//
// Besides "no crash, no ASan report, no Swift trap", each input checks
// invariants the parsers promise, through the C ABI the library exports:
//   btf:  an accepted blob answers every query; raw_data reparses to the same
//         types; the other byte order's raw_data reparses to the same types
//         (swapped back); the blob parses the same way as split BTF on a base.
//   ext:  an accepted blob's raw data is the input, and the parsed model's
//         sections and records lie inside it with the declared record size.
import CBPF

nonisolated(unsafe) var fuzzTarget = 0  // 0: btf, 1: ext
nonisolated(unsafe) var splitBase: OpaquePointer? = nil

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    if let name = argv.pointee[0] {
        var text = String(cString: name)
        if let slash = text.lastIndex(of: "/") { text = String(text[text.index(after: slash)...]) }
        fuzzTarget = text.hasSuffix("_ext") ? 1 : 0
    }
    // Messages are formatted (that code runs) but not printed.
    Log.sink = { _, _ in }
    // A small base for the split-BTF pass: int, long, struct { int a; }.
    let base = abi_btf__new_empty()!
    let int = abi_btf__add_int(base, "int", 4, 1)
    _ = abi_btf__add_int(base, "long", 8, 1)
    _ = abi_btf__add_struct(base, "s", 4)
    _ = abi_btf__add_field(base, "a", int, 0, 0)
    splitBase = base
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if fuzzTarget == 1 {
        fuzzExt(data, size)
    } else {
        fuzzBTF(UnsafeRawPointer(data), size)
    }
    return 0
}

func check(_ condition: Bool, _ what: StaticString) {
    if !condition { fatalError("invariant violated: \(what)") }
}

/// The raw words of a type record, as the C API shows them.
func recordWords(_ h: OpaquePointer, _ id: UInt32) -> [UInt32] {
    guard let t = abi_btf__type_by_id(h, id) else { return [] }
    let kind = (t.pointee.info >> 24) & 0x1f
    let words = 3 + ((BTFKind.recordSize(kind: kind, vlen: t.pointee.info & 0xffff) ?? 12) - 12) / 4
    let p = UnsafeRawPointer(t)
    var out: [UInt32] = []
    for i in 0..<words { out.append(p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
    return out
}

func sameTypes(_ a: OpaquePointer, _ b: OpaquePointer) -> Bool {
    let count = abi_btf__type_cnt(a)
    if count != abi_btf__type_cnt(b) { return false }
    for id in 0..<count where recordWords(a, id) != recordWords(b, id) { return false }
    return true
}

/// Whether the input's header (read in its own byte order) is the standard
/// 24 bytes with types at offset 0 and strings right after them: the layout a
/// re-serialization reproduces exactly.
func canonical(_ data: UnsafeRawPointer, _ size: Int) -> Bool {
    if size < 24 { return false }
    let swapped = data.loadUnaligned(as: UInt16.self) == 0x9feb
    let w = { (i: Int) -> UInt32 in
        let v = data.loadUnaligned(fromByteOffset: i, as: UInt32.self)
        return swapped ? v.byteSwapped : v
    }
    return w(4) == 24 && w(8) == 0 && w(16) == w(12)
}

func queries(_ h: OpaquePointer) {
    let count = abi_btf__type_cnt(h)
    let limit = min(count &+ 2, 300)
    for id in 0..<limit {
        if let t = abi_btf__type_by_id(h, id) {
            if id > 0, let name = abi_btf__name_by_offset(h, t.pointee.name_off) {
                let found = abi_btf__find_by_name(h, name)
                check(found >= 0 && found <= Int32(bitPattern: id), "find_by_name finds this type or an earlier one")
                let kind = (t.pointee.info >> 24) & 0x1f
                let byKind = abi_btf__find_by_name_kind(h, name, kind)
                check(byKind >= 0 && byKind <= Int32(bitPattern: id), "find_by_name_kind finds this type or an earlier one")
            }
        } else {
            check(id >= count, "type_by_id answers every id below type_cnt")
        }
        _ = abi_btf__resolve_size(h, id)
        _ = abi_btf__resolve_type(h, id)
        _ = abi_btf__align_of(h, id)
    }
    for offset: UInt32 in [0, 1, 2, 3, 7, 100, 0x7fff_ffff, 0xffff_ffff] {
        _ = abi_btf__name_by_offset(h, offset)
    }
    _ = abi_btf__find_by_name(h, "int")
    _ = abi_btf__find_by_name_kind(h, "nonexistent", 4)
    _ = abi_btf__pointer_size(h)
}

func fuzzBTF(_ data: UnsafeRawPointer, _ size: Int) {
    if let h = abi_btf__new(data, UInt32(size)) {
        queries(h)
        // raw_data in the input's byte order: the input itself while unmodified
        // (host order); for big-endian input a re-serialization which, as in
        // libbpf, copies the header as it was while writing the sections back to
        // back, so only a canonical layout is sure to reparse.
        var rawSize: UInt32 = 0
        let hostOrder = abi_btf__endianness(h).rawValue == 0
        let layoutCanonical = canonical(data, size)
        if let raw = abi_btf__raw_data(h, &rawSize) {
            if hostOrder {
                check(Int(rawSize) == size && memcmp(raw, data, size) == 0, "raw_data of an unmodified BTF is the input")
            }
            if let again = abi_btf__new(raw, rawSize) {
                if hostOrder || layoutCanonical { check(sameTypes(h, again), "raw_data reparses to the same types") }
                abi_btf__free(again)
            } else {
                check(!hostOrder && !layoutCanonical, "raw_data reparses")
            }
        }
        // The other byte order, the same way.
        let native = abi_btf__endianness(h)
        let other = btf_endianness(rawValue: native.rawValue == 0 ? 1 : 0)
        _ = abi_btf__set_endianness(h, other)
        if let swapped = abi_btf__raw_data(h, &rawSize) {
            if let again = abi_btf__new(swapped, rawSize) {
                if layoutCanonical {
                    check(abi_btf__endianness(again) == other, "swapped raw_data parses as the other byte order")
                    check(sameTypes(h, again), "swapped raw_data reparses to the same types")
                }
                abi_btf__free(again)
            } else {
                check(!layoutCanonical, "swapped raw_data of a canonical layout reparses")
            }
        }
        _ = abi_btf__set_endianness(h, native)
        _ = abi_btf__raw_data(h, &rawSize)
        abi_btf__free(h)
    }
    // The same bytes as split BTF on the small base.
    if let split = abi_btf__new_split(data, UInt32(size), splitBase) {
        queries(split)
        abi_btf__free(split)
    }
}

func fuzzExt(_ data: UnsafePointer<UInt8>, _ size: Int) {
    guard let h = abi_btf_ext__new(data, UInt32(size)) else { return }
    defer { abi_btf_ext__free(h) }
    var rawSize: UInt32 = 0
    let raw = abi_btf_ext__get_raw_data(h, &rawSize)
    check(raw != nil && Int(rawSize) == size && memcmp(raw!, data, size) == 0, "btf_ext raw data is the input")
    let ext = Unmanaged<BTFExt>.fromOpaque(UnsafeRawPointer(h)).takeUnretainedValue()
    check(ext.headerLength >= 24 && Int(ext.headerLength) < size, "header length within the data")
    checkInfo(ext.functionInfo, size: size)
    checkInfo(ext.lineInfo, size: size)
    checkInfo(ext.coreRelocations, size: size)
    if ext.headerLength < 32 { check(ext.coreRelocations.isEmpty, "no CO-RE relocations without their header fields") }
}

func checkInfo<Record: BTFExtRecord>(_ info: BTFExtInfo<Record>, size: Int) {
    if info.isEmpty {
        check(info.recordSize == 0 && info.length == 0, "an absent block has no record size")
        return
    }
    check(info.recordSize >= Record.minimumSize && info.recordSize % 4 == 0, "record size valid")
    check(Int(info.offset) + Int(info.length) <= size, "block inside the data")
    var total = 0
    for section in info.sections {
        check(!section.records.isEmpty, "every section has records")
        let end = Int(section.recordsOffset) + section.records.count * Int(info.recordSize)
        check(Int(section.recordsOffset) >= Int(info.offset) + 8 && end <= Int(info.offset) + Int(info.length), "records inside the block")
        total += 8 + section.records.count * Int(info.recordSize)
    }
    check(total == Int(info.length), "sections fill the block exactly")
}

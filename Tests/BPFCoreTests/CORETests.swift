import CBPF
import Testing
@testable import BPFCore

/// The CO-RE engine against hand-built local and target BTFs: every relocation
/// kind's values, flavors, candidate narrowing, ambiguity, missing fields
/// (poisoning), bitfields, arrays, instruction patching and module targets.
/// (Whole objects are compared with libbpf 1.1 in Tests/c/core.)
@Suite(.serialized) struct CORETests {
    typealias Kind = CORERelocationKind

    // MARK: - Fixtures

    /// Local (object) types.
    struct Local {
        let btf: BTF
        var int: UInt32 = 0, uint: UInt32 = 0, long: UInt32 = 0
        var s: UInt32 = 0          // struct s
        var v1: UInt32 = 0         // struct s___v1
        var e: UInt32 = 0          // enum e (signed)
        var big: UInt32 = 0        // enum64 big
        var typedefS: UInt32 = 0   // typedef s_t
        var anon: UInt32 = 0       // an anonymous struct
        var tint: UInt32 = 0       // typedef tint (int)
        var missing: UInt32 = 0    // struct nothere (no target anywhere)
    }

    /// struct s { int a; long b; unsigned c:3, d:5, w:10; struct { int x, y; };
    ///            int arr[4]; int flex[]; } and friends.
    static func makeLocal() throws -> Local {
        let btf = try BTF.empty(base: nil)
        var l = Local(btf: btf)
        l.int = try btf.addInt(name: "int", byteSize: 4, encoding: 1)
        l.uint = try btf.addInt(name: "unsigned int", byteSize: 4, encoding: 0)
        l.long = try btf.addInt(name: "long", byteSize: 8, encoding: 1)
        let inner = try btf.addComposite(kind: BTFKind.structure, name: nil, byteSize: 8)
        try btf.addField(name: "x", type: Int32(l.int), bitOffset: 0, bitSize: 0)
        try btf.addField(name: "y", type: Int32(l.int), bitOffset: 32, bitSize: 0)
        let arr = try btf.addArray(indexType: Int32(l.int), elementType: Int32(l.int), count: 4)
        let flex = try btf.addArray(indexType: Int32(l.int), elementType: Int32(l.int), count: 0)
        l.s = try btf.addComposite(kind: BTFKind.structure, name: "s", byteSize: 48)
        try btf.addField(name: "a", type: Int32(l.int), bitOffset: 0, bitSize: 0)        // 0
        try btf.addField(name: "b", type: Int32(l.long), bitOffset: 64, bitSize: 0)      // 1
        try btf.addField(name: "c", type: Int32(l.uint), bitOffset: 128, bitSize: 3)     // 2
        try btf.addField(name: "d", type: Int32(l.uint), bitOffset: 131, bitSize: 5)     // 3
        try btf.addField(name: "w", type: Int32(l.uint), bitOffset: 136, bitSize: 10)    // 4
        try btf.addField(name: nil, type: Int32(inner), bitOffset: 192, bitSize: 0)      // 5
        try btf.addField(name: "arr", type: Int32(arr), bitOffset: 256, bitSize: 0)      // 6
        try btf.addField(name: "flex", type: Int32(flex), bitOffset: 384, bitSize: 0)    // 7
        l.v1 = try btf.addComposite(kind: BTFKind.structure, name: "s___v1", byteSize: 8)
        try btf.addField(name: "a", type: Int32(l.int), bitOffset: 0, bitSize: 0)
        try btf.addField(name: "gone", type: Int32(l.int), bitOffset: 32, bitSize: 0)
        l.e = try btf.addEnum(kind: BTFKind.enumeration, name: "e", byteSize: 4, signed: false)
        try btf.addEnumValue(name: "A", value: 1)
        try btf.addEnumValue(name: "B", value: -2)
        try btf.addEnumValue(name: "C___old", value: 3)
        l.big = try btf.addEnum(kind: BTFKind.enum64, name: "big", byteSize: 8, signed: false)
        try btf.addEnum64Value(name: "BIG", value: 0x1_0000_0002)
        l.typedefS = try btf.addTypedef(name: "s_t", type: Int32(l.s))
        l.anon = try btf.addComposite(kind: BTFKind.structure, name: nil, byteSize: 4)
        try btf.addField(name: "q", type: Int32(l.int), bitOffset: 0, bitSize: 0)
        l.tint = try btf.addTypedef(name: "tint", type: Int32(l.int))
        l.missing = try btf.addComposite(kind: BTFKind.structure, name: "nothere", byteSize: 4)
        try btf.addField(name: "z", type: Int32(l.int), bitOffset: 0, bitSize: 0)
        return l
    }

    /// Target types: the same names, another layout.
    struct Target {
        let btf: BTF
        var s: UInt32 = 0, e: UInt32 = 0, big: UInt32 = 0, typedefS: UInt32 = 0, tint: UInt32 = 0
    }

    static func makeTarget(extra: ((BTF, UInt32, UInt32) throws -> Void)? = nil) throws -> Target {
        let btf = try BTF.empty(base: nil)
        var t = Target(btf: btf)
        let int = try btf.addInt(name: "int", byteSize: 4, encoding: 1)
        let uint = try btf.addInt(name: "unsigned int", byteSize: 4, encoding: 0)
        let long = try btf.addInt(name: "long", byteSize: 8, encoding: 1)
        let inner = try btf.addComposite(kind: BTFKind.structure, name: nil, byteSize: 8)
        try btf.addField(name: "y", type: Int32(int), bitOffset: 0, bitSize: 0)
        try btf.addField(name: "x", type: Int32(int), bitOffset: 32, bitSize: 0)
        let arr = try btf.addArray(indexType: Int32(int), elementType: Int32(int), count: 8)
        let flex = try btf.addArray(indexType: Int32(int), elementType: Int32(int), count: 0)
        t.s = try btf.addComposite(kind: BTFKind.structure, name: "s", byteSize: 72)
        try btf.addField(name: "pad", type: Int32(long), bitOffset: 0, bitSize: 0)
        try btf.addField(name: "a", type: Int32(int), bitOffset: 64, bitSize: 0)
        try btf.addField(name: "b", type: Int32(long), bitOffset: 128, bitSize: 0)
        try btf.addField(name: "c", type: Int32(uint), bitOffset: 192, bitSize: 3)
        try btf.addField(name: "d", type: Int32(uint), bitOffset: 203, bitSize: 5)
        try btf.addField(name: "w", type: Int32(uint), bitOffset: 220, bitSize: 10)
        try btf.addField(name: nil, type: Int32(inner), bitOffset: 256, bitSize: 0)
        try btf.addField(name: "arr", type: Int32(arr), bitOffset: 320, bitSize: 0)
        try btf.addField(name: "flex", type: Int32(flex), bitOffset: 576, bitSize: 0)
        t.e = try btf.addEnum(kind: BTFKind.enumeration, name: "e", byteSize: 4, signed: false)
        try btf.addEnumValue(name: "B", value: 5)
        try btf.addEnumValue(name: "A", value: 7)
        try btf.addEnumValue(name: "C", value: 9)
        t.big = try btf.addEnum(kind: BTFKind.enum64, name: "big", byteSize: 8, signed: false)
        try btf.addEnum64Value(name: "BIG", value: 0xffff_ffff_0000_0001)
        t.typedefS = try btf.addTypedef(name: "s_t", type: Int32(t.s))
        t.tint = try btf.addTypedef(name: "tint", type: Int32(int))
        try extra?(btf, int, long)
        return t
    }

    nonisolated(unsafe) static let programName: UnsafePointer<CChar> = UnsafePointer(strdup("prog")!)

    static func relocation(_ btf: BTF, _ typeID: UInt32, _ access: String, _ kind: UInt32, insn: UInt32 = 0) throws -> BTFCoreRelocation {
        BTFCoreRelocation(instructionOffset: insn * 8, typeID: typeID, accessStringOffset: try btf.addString(access), kind: kind)
    }

    static func resolve(_ engine: COREEngine, _ relocation: BTFCoreRelocation, index: Int = 0) throws -> CORERelocationResult {
        try engine.resolve(programName: programName, relocation: relocation, index: index)
    }

    /// Runs `body` with library messages captured.
    static func capturingLog(_ body: () throws -> Void) rethrows -> [String] {
        var lines: [String] = []
        Log.sink = { _, text in lines.append(text) }
        defer { Log.sink = nil }
        try body()
        return lines
    }

    static func insn(_ code: Int32, dst: UInt8 = 0, src: UInt8 = 0, off: Int16 = 0, imm: Int32 = 0) -> bpf_insn {
        var i = bpf_insn()
        i.code = UInt8(code)
        i.dst_reg = dst
        i.src_reg = src
        i.off = off
        i.imm = imm
        return i
    }

    // MARK: - Names and specs

    @Test func essentialNamesDropTheLastFlavor() {
        func length(_ s: String) -> Int { s.withCString { CORE.essentialNameLength($0) } }
        #expect(length("task_struct") == 11)
        #expect(length("task_struct___old") == 11)
        #expect(length("a___b___c") == 5)        // only the last flavor goes
        #expect(length("a____b") == 6)           // X___Y needs non-underscores around
        #expect(length("___x") == 4)
        #expect(length("x___") == 4)
        #expect(length("ab") == 2)
        #expect(length("") == 0)
    }

    @Test func accessStringsParseAndFormatAsTheReference() throws {
        let l = try Self.makeLocal()
        func spec(_ access: String, _ kind: UInt32 = Kind.fieldByteOffset, type: UInt32? = nil) throws -> CORESpec {
            try CORESpec.parse(programName: Self.programName, btf: l.btf,
                               relocation: Self.relocation(l.btf, type ?? l.s, access, kind))
        }
        func text(_ s: CORESpec) -> String { String(decoding: s.format().text.bytes, as: UTF8.self) }
        #expect(text(try spec("0:1")) == "<byte_off> [7] struct s.b (0:1 @ offset 8)")
        #expect(text(try spec("0:2", Kind.fieldLShiftU64)) == "<lshift_u64> [7] struct s.c (0:2 @ offset 16)")
        #expect(text(try spec("0:3", Kind.fieldByteSize)) == "<byte_sz> [7] struct s.d (0:3 @ offset 16.3)")
        // an anonymous member adds a raw index but no accessor
        #expect(text(try spec("0:5:1")) == "<byte_off> [7] struct s.y (0:5:1 @ offset 28)")
        #expect(text(try spec("0:6:2")) == "<byte_off> [7] struct s.arr[2] (0:6:2 @ offset 40)")
        #expect(text(try spec("2")) == "<byte_off> [7] struct s[2] (2 @ offset 96)")
        // a flexible array member takes any index
        #expect(text(try spec("0:7:100")) == "<byte_off> [7] struct s.flex[100] (0:7:100 @ offset 448)")
        #expect(text(try spec("0", Kind.typeSize)) == "<type_size> [7] struct s")
        #expect(text(try spec("1", Kind.enumValueValue, type: l.e)) == "<enumval_value> [9] enum e::B = -2")
        #expect(text(try spec("0", Kind.enumValueExists, type: l.big)) == "<enumval_exists> [10] enum64 big::BIG = 4294967298")
        #expect(text(try spec("0:1", type: l.typedefS)) == "<byte_off> [11] typedef s_t.b (0:1 @ offset 8)")
        // sscanf("%d") accepts white space and a sign
        #expect(try spec("0: +1").raw == [0, 1])

        for bad in ["", ":0", "0:", "0::1", "x", "0:x", "0:8", "0:6:4", "0:1:0"] {
            #expect(throws: BPFError.EINVAL, "\(bad)") { try spec(bad) }
        }
        #expect(throws: BPFError.EINVAL) { try spec("1", Kind.typeExists) }
        #expect(throws: BPFError.EINVAL) { try spec("3", Kind.enumValueExists, type: l.e) }
        #expect(throws: BPFError.EINVAL) { try spec("0:0", Kind.enumValueExists, type: l.e) }
        #expect(throws: BPFError.E2BIG) { try spec(Array(repeating: "0", count: 65).joined(separator: ":")) }
    }

    // MARK: - Field relocations

    @Test func fieldRelocationsFollowTheTargetLayout() throws {
        let l = try Self.makeLocal()
        let t = try Self.makeTarget()
        let engine = COREEngine(localBTF: l.btf, target: t.btf)
        func value(_ access: String, _ kind: UInt32) throws -> (UInt64, UInt64, Bool) {
            let r = try Self.resolve(engine, Self.relocation(l.btf, l.s, access, kind))
            #expect(!r.poison)
            return (r.originalValue, r.newValue, r.validate)
        }
        #expect(try value("0:0", Kind.fieldByteOffset) == (0, 8, true))
        #expect(try value("0:1", Kind.fieldByteOffset) == (8, 16, true))
        #expect(try value("0:1", Kind.fieldByteSize) == (8, 8, true))
        #expect(try value("0:0", Kind.fieldExists) == (1, 1, true))
        #expect(try value("0:0", Kind.fieldSigned) == (1, 1, true))
        #expect(try value("0:2", Kind.fieldSigned) == (0, 0, true))
        // anonymous members: y is first in the target's inner struct
        #expect(try value("0:5:1", Kind.fieldByteOffset) == (28, 32, true))
        #expect(try value("0:6:3", Kind.fieldByteOffset) == (44, 52, true))
        #expect(try value("0:6", Kind.fieldByteSize) == (16, 32, true))
        #expect(try value("0:7:5", Kind.fieldByteOffset) == (68, 92, true))
        // whole-element access of an array of structs
        #expect(try value("1", Kind.fieldByteOffset) == (48, 72, true))
    }

    @Test func bitfieldsGetTheSmallestCoveringLoad() throws {
        let l = try Self.makeLocal()
        let t = try Self.makeTarget()
        let engine = COREEngine(localBTF: l.btf, target: t.btf)
        func value(_ access: String, _ kind: UInt32) throws -> (UInt64, UInt64, Bool) {
            let r = try Self.resolve(engine, Self.relocation(l.btf, l.s, access, kind))
            return (r.originalValue, r.newValue, r.validate)
        }
        // c: local bits 128..131, target 192..195 (4-byte loads)
        #expect(try value("0:2", Kind.fieldByteOffset) == (16, 24, false))
        #expect(try value("0:2", Kind.fieldByteSize) == (4, 4, false))
        #expect(try value("0:2", Kind.fieldLShiftU64) == (61, 61, false))
        #expect(try value("0:2", Kind.fieldRShiftU64) == (61, 61, true))
        // d: target bits 203..208 within the word at byte 24
        #expect(try value("0:3", Kind.fieldLShiftU64) == (56, 48, false))
        #expect(try value("0:3", Kind.fieldRShiftU64) == (59, 59, true))
        // w: target bits 220..230 cross a 4-byte boundary: an 8-byte load at 24
        #expect(try value("0:4", Kind.fieldByteSize) == (4, 8, false))
        #expect(try value("0:4", Kind.fieldByteOffset) == (16, 24, false))
        #expect(try value("0:4", Kind.fieldLShiftU64) == (46, 26, false))
        #expect(try value("0:4", Kind.fieldRShiftU64) == (54, 54, true))
    }

    @Test func aBitfieldNoLoadCanReadFails() throws {
        let l = try Self.makeLocal()
        let target = try BTF.empty(base: nil)
        let ull = try target.addInt(name: "unsigned long long", byteSize: 8, encoding: 0)
        _ = try target.addComposite(kind: BTFKind.structure, name: "s", byteSize: 16)
        try target.addField(name: "c", type: Int32(ull), bitOffset: 60, bitSize: 8)
        let engine = COREEngine(localBTF: l.btf, target: target)
        let log = try Self.capturingLog {
            #expect(throws: BPFError.E2BIG) { try Self.resolve(engine, Self.relocation(l.btf, l.s, "0:2", Kind.fieldByteOffset, insn: 3)) }
        }
        #expect(log.contains("libbpf: prog 'prog': relo 0 at insn #3 can't be satisfied for bitfield\n"))
    }

    @Test func arrayAccessorsOnlyHaveOffsetAndSize() throws {
        let l = try Self.makeLocal()
        let t = try Self.makeTarget()
        let engine = COREEngine(localBTF: l.btf, target: t.btf)
        let log = try Self.capturingLog {
            #expect(throws: BPFError.EINVAL) { try Self.resolve(engine, Self.relocation(l.btf, l.s, "0:6:1", Kind.fieldSigned, insn: 7)) }
        }
        #expect(log.contains("libbpf: prog 'prog': relo 3 at insn #7 can't be applied to array access\n"))
    }

    // MARK: - Candidates

    @Test func flavorsMatchAndCandidatesNarrow() throws {
        let l = try Self.makeLocal()
        // s and s___v2 both have 'a' (same offset); only s___v2 has 'gone'
        let t = try Self.makeTarget { btf, int, _ in
            _ = try btf.addComposite(kind: BTFKind.structure, name: "s___v2", byteSize: 16)
            try btf.addField(name: "gone", type: Int32(int), bitOffset: 0, bitSize: 0)
            try btf.addField(name: "a", type: Int32(int), bitOffset: 64, bitSize: 0)
            _ = try btf.addComposite(kind: BTFKind.union, name: "s___v3", byteSize: 4)  // other kind
        }
        let engine = COREEngine(localBTF: l.btf, target: t.btf)
        var results: [CORERelocationResult] = []
        let log = try Self.capturingLog {
            results.append(try Self.resolve(engine, Self.relocation(l.btf, l.v1, "0:0", Kind.fieldByteOffset), index: 0))
            results.append(try Self.resolve(engine, Self.relocation(l.btf, l.v1, "0:1", Kind.fieldExists), index: 1))
        }
        #expect(results[0].newValue == 8)
        #expect(results[1].newValue == 1)
        #expect(log == [
            "libbpf: CO-RE relocating [8] struct s___v1: found target candidate [7] struct s in [vmlinux]\n",
            "libbpf: CO-RE relocating [8] struct s___v1: found target candidate [12] struct s___v2 in [vmlinux]\n",
            "libbpf: prog 'prog': relo #0: <byte_off> [8] struct s___v1.a (0:0 @ offset 0)\n",
            "libbpf: prog 'prog': relo #0: matching candidate #0 <byte_off> [7] struct s.a (0:1 @ offset 8)\n",
            "libbpf: prog 'prog': relo #0: matching candidate #1 <byte_off> [12] struct s___v2.a (0:1 @ offset 8)\n",
            "libbpf: prog 'prog': relo #1: <field_exists> [8] struct s___v1.gone (0:1 @ offset 4)\n",
            "libbpf: prog 'prog': relo #1: non-matching candidate #0 <field_exists> [7] struct s (0 @ offset 0)\n",
            "libbpf: prog 'prog': relo #1: matching candidate #1 <field_exists> [12] struct s___v2.gone (0:0 @ offset 0)\n",
        ])
        // relocation #1 matched only s___v2: later ones of s___v1 only try it
        let after = try Self.capturingLog {
            _ = try Self.resolve(engine, Self.relocation(l.btf, l.v1, "0:0", Kind.fieldByteOffset), index: 2)
        }
        #expect(after.filter { $0.contains("candidate") } == [
            "libbpf: prog 'prog': relo #2: matching candidate #0 <byte_off> [12] struct s___v2.a (0:1 @ offset 8)\n",
        ])
        let missing = try Self.resolve(engine, Self.relocation(l.btf, l.s, "0:0", Kind.fieldExists), index: 3)
        #expect(missing.newValue == 1)
    }

    @Test func candidatesThatDisagreeAreAnError() throws {
        let l = try Self.makeLocal()
        let offsets = try Self.makeTarget { btf, int, _ in
            _ = try btf.addComposite(kind: BTFKind.structure, name: "s___other", byteSize: 8)
            try btf.addField(name: "a", type: Int32(int), bitOffset: 32, bitSize: 0)
        }
        var engine = COREEngine(localBTF: l.btf, target: offsets.btf)
        var log = try Self.capturingLog {
            #expect(throws: BPFError.EINVAL) { try Self.resolve(engine, Self.relocation(l.btf, l.s, "0:0", Kind.fieldByteOffset)) }
        }
        #expect(log.last == "libbpf: prog 'prog': relo #0: field offset ambiguity: 32 != 64\n")

        engine = COREEngine(localBTF: l.btf, target: offsets.btf)
        log = try Self.capturingLog {
            #expect(throws: BPFError.EINVAL) { try Self.resolve(engine, Self.relocation(l.btf, l.s, "0", Kind.typeSize)) }
        }
        #expect(log.last == "libbpf: prog 'prog': relo #0: relocation decision ambiguity: success 8 != success 72\n")
    }

    @Test func anonymousLocalTypesHaveNoCandidates() throws {
        let l = try Self.makeLocal()
        let t = try Self.makeTarget()
        let engine = COREEngine(localBTF: l.btf, target: t.btf)
        let log = try Self.capturingLog {
            #expect(throws: BPFError.EINVAL) { try Self.resolve(engine, Self.relocation(l.btf, l.anon, "0:0", Kind.fieldByteOffset)) }
            // the local type id needs no candidate
            let local = try Self.resolve(engine, Self.relocation(l.btf, l.anon, "0", Kind.typeIDLocal))
            #expect(local.newValue == UInt64(l.anon) && !local.validate)
        }
        #expect(log.first == "libbpf: prog 'prog': relo #0: target candidate search failed for [12] struct : -22\n")
    }

    @Test func moduleTargetsAreSearchedOnlyWhenTheKernelHasNoCandidate() throws {
        let l = try Self.makeLocal()
        let t = try Self.makeTarget()
        let module = try BTF.empty(base: t.btf)
        let int = try module.addInt(name: "int", byteSize: 4, encoding: 1)
        let v1 = try module.addComposite(kind: BTFKind.structure, name: "s___v1", byteSize: 8)
        try module.addField(name: "a", type: Int32(int), bitOffset: 32, bitSize: 0)
        var calls = 0
        let engine = COREEngine(localBTF: l.btf, target: t.btf, moduleProvider: { () throws(BPFError) -> [CORETarget] in
            calls += 1
            return [CORETarget(btf: module, name: "mod")]
        })
        // s___v1 has an 's' candidate in the kernel: no module search
        _ = try Self.resolve(engine, Self.relocation(l.btf, l.v1, "0:0", Kind.fieldByteOffset))
        #expect(calls == 0)
        // 'e'-less local types: the module has none either
        let noKernel = try BTF.empty(base: nil)
        _ = try noKernel.addInt(name: "int", byteSize: 4, encoding: 1)
        let onlyModule = COREEngine(localBTF: l.btf, target: noKernel, moduleProvider: { () throws(BPFError) -> [CORETarget] in
            calls += 1
            return [CORETarget(btf: module, name: "mod")]
        })
        var result = CORERelocationResult()
        let log = try Self.capturingLog {
            result = try Self.resolve(onlyModule, Self.relocation(l.btf, l.v1, "0:0", Kind.fieldByteOffset))
            _ = try Self.resolve(onlyModule, Self.relocation(l.btf, l.e, "0", Kind.enumValueExists))
        }
        #expect(calls == 1)
        #expect(result.newValue == 4)
        #expect(log.first == "libbpf: CO-RE relocating [8] struct s___v1: found target candidate [\(v1)] struct s___v1 in [mod]\n")
        // a custom target BTF never looks at modules
        let custom = COREEngine(localBTF: l.btf, target: noKernel, isCustomTarget: true, moduleProvider: { () throws(BPFError) -> [CORETarget] in
            calls += 1
            return []
        })
        _ = try Self.resolve(custom, Self.relocation(l.btf, l.v1, "0:0", Kind.fieldExists))
        #expect(calls == 1)
    }

    // MARK: - Type and enum relocations

    @Test func typeRelocations() throws {
        let l = try Self.makeLocal()
        let t = try Self.makeTarget()
        let engine = COREEngine(localBTF: l.btf, target: t.btf)
        func value(_ type: UInt32, _ kind: UInt32) throws -> CORERelocationResult {
            try Self.resolve(engine, Self.relocation(l.btf, type, "0", kind))
        }
        #expect(try value(l.s, Kind.typeExists).newValue == 1)
        #expect(try value(l.s, Kind.typeSize).originalValue == 48)
        #expect(try value(l.s, Kind.typeSize).newValue == 72)
        #expect(try value(l.typedefS, Kind.typeSize).newValue == 72)
        let target = try value(l.s, Kind.typeIDTarget)
        #expect(target.originalValue == UInt64(l.s) && target.newValue == UInt64(t.s) && !target.validate)
        #expect(try value(l.typedefS, Kind.typeIDTarget).newValue == UInt64(t.typedefS))
        #expect(try value(l.tint, Kind.typeMatches).newValue == 1)
        // the layouts differ, so s does not "match"
        #expect(try value(l.s, Kind.typeMatches).newValue == 0)
        // no target: 0, never poisoned
        for kind in [Kind.typeExists, Kind.typeSize, Kind.typeIDTarget, Kind.typeMatches] {
            let r = try value(l.missing, kind)
            #expect(r.newValue == 0 && !r.poison, "kind \(kind)")
        }
        let local = try value(l.missing, Kind.typeIDLocal)
        #expect(local.newValue == UInt64(l.missing))
    }

    @Test func enumRelocations() throws {
        let l = try Self.makeLocal()
        let t = try Self.makeTarget()
        let engine = COREEngine(localBTF: l.btf, target: t.btf)
        func value(_ type: UInt32, _ access: String, _ kind: UInt32) throws -> CORERelocationResult {
            try Self.resolve(engine, Self.relocation(l.btf, type, access, kind))
        }
        #expect(try value(l.e, "0", Kind.enumValueValue).newValue == 7)
        let b = try value(l.e, "1", Kind.enumValueValue)
        #expect(b.originalValue == UInt64(bitPattern: -2) && b.newValue == 5)
        // C___old matches C by essential name
        #expect(try value(l.e, "2", Kind.enumValueValue).newValue == 9)
        #expect(try value(l.e, "2", Kind.enumValueExists).newValue == 1)
        let big = try value(l.big, "0", Kind.enumValueValue)
        #expect(big.originalValue == 0x1_0000_0002 && big.newValue == 0xffff_ffff_0000_0001)
        // missing enumerator: exists is 0, value poisons
        let noTarget = COREEngine(localBTF: l.btf, target: try BTF.empty(base: nil))
        #expect(try Self.resolve(noTarget, Self.relocation(l.btf, l.e, "0", Kind.enumValueExists)).newValue == 0)
        #expect(try Self.resolve(noTarget, Self.relocation(l.btf, l.e, "0", Kind.enumValueValue)).poison)
    }

    // MARK: - Missing fields and patching

    @Test func missingFieldsPoisonTheirInstructions() throws {
        let l = try Self.makeLocal()
        let engine = COREEngine(localBTF: l.btf, target: try BTF.empty(base: nil))
        var insns = [
            Self.insn(BPF_ALU64 | BPF_MOV | BPF_K, dst: 1, imm: 8),
            Self.insn(BPF_LDX | BPF_MEM | BPF_DW, dst: 2, src: 1, off: 8),
            Self.insn(BPF_LD | BPF_IMM | BPF_DW, dst: 3, imm: 1), Self.insn(0),
            Self.insn(BPF_ALU64 | BPF_MOV | BPF_K, dst: 1, imm: 1),
        ]
        let log = try Self.capturingLog {
            try engine.apply(programName: Self.programName, relocation: Self.relocation(l.btf, l.s, "0:1", Kind.fieldByteOffset),
                             index: 0, instructions: &insns, instructionIndex: 1)
            try engine.apply(programName: Self.programName, relocation: Self.relocation(l.btf, l.e, "0", Kind.enumValueValue),
                             index: 1, instructions: &insns, instructionIndex: 2)
            try engine.apply(programName: Self.programName, relocation: Self.relocation(l.btf, l.s, "0:1", Kind.fieldExists),
                             index: 2, instructions: &insns, instructionIndex: 4)
        }
        for i in 1...3 {
            #expect(insns[i].code == UInt8(BPF_JMP | BPF_CALL) && insns[i].imm == 0xbad2310 && insns[i].off == 0
                && insns[i].dst_reg == 0 && insns[i].src_reg == 0)
        }
        #expect(insns[0].imm == 8)
        #expect(insns[4].imm == 0)
        #expect(log.contains("libbpf: prog 'prog': relo #0: substituting insn #1 w/ invalid insn\n"))
        // the second half of an ld_imm64 first
        let order = log.filter { $0.contains("substituting insn #2") || $0.contains("substituting insn #3") }
        #expect(order == ["libbpf: prog 'prog': relo #1: substituting insn #3 w/ invalid insn\n",
                          "libbpf: prog 'prog': relo #1: substituting insn #2 w/ invalid insn\n"])
        #expect(log.contains("libbpf: prog 'prog': relo #2: patched insn #4 (ALU/ALU64) imm 1 -> 0\n"))
    }

    @Test func patchingChecksTheInstruction() throws {
        func patch(_ insns: inout [bpf_insn], _ r: CORERelocationResult, at index: Int = 0) throws {
            try CORE.patch(programName: Self.programName, instructions: &insns, index: index, relocationIndex: 0, result: r)
        }
        var r = CORERelocationResult()
        r.originalValue = 8
        r.newValue = 16
        // ALU: the immediate must hold the local value
        var alu = [Self.insn(BPF_ALU64 | BPF_ADD | BPF_K, imm: 5)]
        let log = try Self.capturingLog {
            #expect(throws: BPFError.EINVAL) { try patch(&alu, r) }
        }
        #expect(log == ["libbpf: prog 'prog': relo #0: unexpected insn #0 (ALU/ALU64) value: got 5, exp 8 -> 16\n"])
        var aluX = [Self.insn(BPF_ALU64 | BPF_ADD | BPF_X, imm: 8)]
        #expect(throws: BPFError.EINVAL) { try patch(&aluX, r) }
        // LDX: offset, then size
        var ldx = [Self.insn(BPF_LDX | BPF_MEM | BPF_DW, dst: 1, src: 2, off: 8)]
        r.originalSize = 8
        r.newSize = 4
        try patch(&ldx, r)
        #expect(ldx[0].off == 16 && ldx[0].code == UInt8(BPF_LDX | BPF_MEM | BPF_W))
        var big = [Self.insn(BPF_LDX | BPF_MEM | BPF_W, off: 8)]
        r.newValue = 40000
        r.newSize = 8
        r.originalSize = 8
        #expect(throws: BPFError.ERANGE) { try patch(&big, r) }
        // a size change that would change the value read: poisoned
        var signed = [Self.insn(BPF_LDX | BPF_MEM | BPF_DW, off: 8)]
        r.newValue = 16
        r.failMemorySizeAdjust = true
        try patch(&signed, r)
        #expect(signed[0].imm == 0xbad2310)
        // ld_imm64: both halves
        var wide = [Self.insn(BPF_LD | BPF_IMM | BPF_DW, imm: 8), Self.insn(0)]
        r = CORERelocationResult()
        r.originalValue = 8
        r.newValue = 0xffff_ffff_0000_0001
        try patch(&wide, r)
        #expect(wide[0].imm == 1 && wide[1].imm == -1)
        var malformed = [Self.insn(BPF_LD | BPF_IMM | BPF_DW, imm: 8), Self.insn(0, dst: 1)]
        #expect(throws: BPFError.EINVAL) { try patch(&malformed, r) }
        // validation off (type ids): any old value is fine
        var id = [Self.insn(BPF_ALU64 | BPF_MOV | BPF_K, imm: 99)]
        r.validate = false
        r.newValue = 3
        try patch(&id, r)
        #expect(id[0].imm == 3)
        // jumps cannot be relocated
        var jump = [Self.insn(BPF_JMP | BPF_JA, off: -1)]
        let jumpLog = try Self.capturingLog {
            #expect(throws: BPFError.EINVAL) { try patch(&jump, r) }
        }
        #expect(jumpLog == ["libbpf: prog 'prog': relo #0: trying to relocate unrecognized insn #0, code:0x5, src:0x0, dst:0x0, off:0xffffffff, imm:0x0\n"])
    }

    @Test func loadSizeChangesOnlyForUnsignedIntsAndPointers() throws {
        let l = try Self.makeLocal()
        let ulong = try l.btf.addInt(name: "unsigned long", byteSize: 8, encoding: 0)
        let local = try l.btf.addComposite(kind: BTFKind.structure, name: "sz", byteSize: 16)
        try l.btf.addField(name: "u", type: Int32(ulong), bitOffset: 0, bitSize: 0)
        try l.btf.addField(name: "i", type: Int32(l.long), bitOffset: 64, bitSize: 0)
        let target = try BTF.empty(base: nil)
        let uint = try target.addInt(name: "unsigned int", byteSize: 4, encoding: 0)
        let int = try target.addInt(name: "int", byteSize: 4, encoding: 1)
        _ = try target.addComposite(kind: BTFKind.structure, name: "sz", byteSize: 8)
        try target.addField(name: "u", type: Int32(uint), bitOffset: 0, bitSize: 0)
        try target.addField(name: "i", type: Int32(int), bitOffset: 32, bitSize: 0)
        let engine = COREEngine(localBTF: l.btf, target: target)
        let u = try Self.resolve(engine, Self.relocation(l.btf, local, "0:0", Kind.fieldByteOffset))
        #expect(u.originalSize == 8 && u.newSize == 4 && !u.failMemorySizeAdjust)
        let i = try Self.resolve(engine, Self.relocation(l.btf, local, "0:1", Kind.fieldByteOffset))
        #expect(i.newValue == 4 && i.failMemorySizeAdjust)
    }

    // MARK: - Compatibility rules

    @Test func fieldTypesMustBeCompatible() throws {
        let local = try BTF.empty(base: nil)
        let int = try local.addInt(name: "int", byteSize: 4, encoding: 1)
        let ptr = try local.addPointer(to: Int32(int))
        let color = try local.addEnum(kind: BTFKind.enumeration, name: "color", byteSize: 4, signed: false)
        try local.addEnumValue(name: "R", value: 0)
        let s = try local.addComposite(kind: BTFKind.structure, name: "f", byteSize: 24)
        try local.addField(name: "p", type: Int32(ptr), bitOffset: 0, bitSize: 0)
        try local.addField(name: "e", type: Int32(color), bitOffset: 64, bitSize: 0)
        try local.addField(name: "i", type: Int32(int), bitOffset: 96, bitSize: 0)
        let target = try BTF.empty(base: nil)
        let tint = try target.addInt(name: "int", byteSize: 4, encoding: 1)
        let shade = try target.addEnum(kind: BTFKind.enumeration, name: "shade", byteSize: 4, signed: false)
        try target.addEnumValue(name: "R", value: 0)
        _ = try target.addComposite(kind: BTFKind.structure, name: "f", byteSize: 12)
        try target.addField(name: "p", type: Int32(tint), bitOffset: 0, bitSize: 0)      // int for a pointer
        try target.addField(name: "e", type: Int32(shade), bitOffset: 32, bitSize: 0)   // another enum name
        try target.addField(name: "i", type: Int32(shade), bitOffset: 64, bitSize: 0)   // enum for an int
        let engine = COREEngine(localBTF: local, target: target)
        for access in ["0:0", "0:1", "0:2"] {
            let r = try Self.resolve(engine, Self.relocation(local, s, access, Kind.fieldExists))
            #expect(r.newValue == 0, "\(access)")
        }
    }

    @Test func functionPointerTypesCompareTheirPrototypes() throws {
        func build(_ params: Int) throws -> (BTF, UInt32) {
            let btf = try BTF.empty(base: nil)
            let int = try btf.addInt(name: "int", byteSize: 4, encoding: 1)
            let proto = try btf.addFunctionPrototype(returnType: Int32(int))
            for _ in 0..<params { try btf.addFunctionParameter(name: nil, type: Int32(int)) }
            let ptr = try btf.addPointer(to: Int32(proto))
            return (btf, try btf.addTypedef(name: "cb_t", type: Int32(ptr)))
        }
        let (local, cb) = try build(2)
        let (same, _) = try build(2)
        let (other, _) = try build(1)
        #expect(try Self.resolve(COREEngine(localBTF: local, target: same), Self.relocation(local, cb, "0", Kind.typeExists)).newValue == 1)
        #expect(try Self.resolve(COREEngine(localBTF: local, target: other), Self.relocation(local, cb, "0", Kind.typeExists)).newValue == 0)
    }

    // MARK: - Candidate search

    @Test func oneSearchAnswersEveryDeclaredType() throws {
        let target = try BTF.empty(base: nil)
        let int = try target.addInt(name: "int", byteSize: 4, encoding: 1)
        var expected: [UInt32] = []
        for name in ["a", "a___1", "b", "a___2", "ab", "a_", "a___"] {
            let id = try target.addComposite(kind: BTFKind.structure, name: name, byteSize: 4)
            try target.addField(name: "x", type: Int32(int), bitOffset: 0, bitSize: 0)
            if name == "a" || name == "a___1" || name == "a___2" { expected.append(id) }
        }
        _ = try target.addComposite(kind: BTFKind.union, name: "a", byteSize: 4)
        let e = try target.addEnum(kind: BTFKind.enum64, name: "a", byteSize: 8, signed: false)
        func request(_ name: String, _ kind: UInt32) -> CORECandidateSearch.Request {
            let bytes = UnsafePointer<UInt8>(strdup(name)!.withMemoryRebound(to: UInt8.self, capacity: 1) { $0 })
            let essential = CORE.essentialNameLength(bytes, length: name.utf8.count)
            return .init(localID: 1, kind: kind, name: bytes, essentialLength: essential,
                         hash: CORECandidateSearch.hash(bytes, essential))
        }
        let search = CORECandidateSearch([request("a___local", BTFKind.structure), request("a", BTFKind.enumeration),
                                          request("b", BTFKind.structure), request("zz", BTFKind.structure)])
        let found = search.run(target, firstID: 1)
        #expect(found[0] == expected)
        #expect(found[1] == [e])           // enum and enum64 are compatible
        #expect(found[2].count == 1)
        #expect(found[3].isEmpty)
    }
}

import CBPF
import Testing
@testable import BPFCore

/// The linker's BTF compatibility rules for globals (extern vs definition), on
/// hand-built BTF. Whole links are compared with the reference by Tests/c/linker.
@Suite(.serialized) struct LinkerTests {
    /// Runs `body` with the library's log captured.
    /// `globalsMatch` for a symbol name that stays valid during the check.
    func check(_ name: String, _ dst: BTF, _ d: UInt32, _ src: BTF, _ s: UInt32) -> (Bool, [String]) {
        name.withCString { symbol in logged { LinkerTypeCheck(symbol: symbol, dst: dst, src: src).globalsMatch(d, s) } }
    }

    func logged(_ body: () -> Bool) -> (Bool, [String]) {
        var lines: [String] = []
        Log.sink = { _, text in lines.append(text) }
        defer { Log.sink = nil }
        let result = body()
        return (result, lines)
    }

    /// A BTF with one global VAR `x` of an int of `size` bytes named `name`.
    func variable(intName: String, size: Int) throws -> (BTF, UInt32) {
        let btf = try BTF.empty(base: nil)
        let int = try btf.addInt(name: intName, byteSize: size, encoding: 1)
        let v = try btf.addVariable(name: "x", linkage: 1, type: Int32(int))
        return (btf, v)
    }

    @Test func sameIntegerSizesMatch() throws {
        let (a, va) = try variable(intName: "int", size: 4)
        let (b, vb) = try variable(intName: "signed", size: 4)
        let (ok, log) = check("x", a, va, b, vb)
        #expect(ok)  // integer names are not compared, only sizes
        #expect(log.isEmpty)
    }

    @Test func differentIntegerSizesConflict() throws {
        let (a, va) = try variable(intName: "int", size: 4)
        let (b, vb) = try variable(intName: "long", size: 8)
        let (ok, log) = check("x", a, va, b, vb)
        #expect(!ok)
        #expect(log == ["libbpf: global 'x': incompatible int '(null)' size 4 and 8\n"])
    }

    func function(params: Int) throws -> (BTF, UInt32) {
        let btf = try BTF.empty(base: nil)
        let int = try btf.addInt(name: "int", byteSize: 4, encoding: 1)
        let proto = try btf.addFunctionPrototype(returnType: Int32(int))
        for _ in 0..<params { try btf.addFunctionParameter(name: "p", type: Int32(int)) }
        return (btf, try btf.addFunction(name: "f", linkage: 1, prototype: Int32(proto)))
    }

    @Test func parameterCountsConflict() throws {
        let (a, fa) = try function(params: 2)
        let (b, fb) = try function(params: 1)
        let (ok, log) = check("f", a, fa, b, fb)
        #expect(!ok)
        #expect(log == ["libbpf: global 'f': incompatible number of func_proto params 2 and 1\n"])
        let (c, fc) = try function(params: 2)
        #expect(check("f", a, fa, c, fc).0)
    }

    /// `struct { int (*type)[2]; int (*max_entries)[N]; } m SEC(".maps");`
    func map(maxEntries: UInt32) throws -> (BTF, UInt32) {
        let btf = try BTF.empty(base: nil)
        let int = try btf.addInt(name: "int", byteSize: 4, encoding: 1)
        let index = try btf.addInt(name: "__ARRAY_SIZE_TYPE__", byteSize: 4, encoding: 0)
        let a2 = try btf.addArray(indexType: Int32(index), elementType: Int32(int), count: 2)
        let p2 = try btf.addPointer(to: Int32(a2))
        let an = try btf.addArray(indexType: Int32(index), elementType: Int32(int), count: maxEntries)
        let pn = try btf.addPointer(to: Int32(an))
        let s = try btf.addComposite(kind: BTFKind.structure, name: nil, byteSize: 16)
        try btf.addField(name: "type", type: Int32(p2), bitOffset: 0, bitSize: 0)
        try btf.addField(name: "max_entries", type: Int32(pn), bitOffset: 64, bitSize: 0)
        let v = try btf.addVariable(name: "m", linkage: 1, type: Int32(s))
        _ = try btf.addDataSection(name: ".maps", byteSize: 16)
        try btf.addDataSectionVariable(type: Int32(v), offset: 0, byteSize: 16)
        return (btf, v)
    }

    @Test func mapDefinitionsCompareFieldByField() throws {
        let (a, ma) = try map(maxEntries: 4)
        let (b, mb) = try map(maxEntries: 8)
        let (ok, log) = check("m", a, ma, b, mb)
        #expect(!ok)
        #expect(log == ["libbpf: global 'm': map max_entries mismatch\n"])
        let (c, mc) = try map(maxEntries: 4)
        #expect(check("m", a, ma, c, mc).0)
    }

    @Test func names() {
        let n = linkerName("abc")
        #expect(n == [97, 98, 99, 0])
        #expect(linkerNameEquals(n, "abc"))
        #expect(!linkerNameEquals(n, "ab"))
        #expect(linkerHasPrefix(linkerName(".debug_info"), ".debug_"))
        #expect(linkerHasPrefix(linkerName(".debug_"), ".debug_"))
        #expect(!linkerHasPrefix(linkerName(".deb"), ".debug_"))
        #expect(!linkerHasPrefix(linkerName(".text"), ".debug_"))
        #expect(linkerNameIs(linkerName(".BTF"), ".BTF"))
        #expect(!linkerNameIs(linkerName(".BTF.ext"), ".BTF"))
    }
}

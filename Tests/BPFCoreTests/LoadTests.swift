import CBPF
import Testing
@testable import BPFCore
@testable import LibBPF

/// Load-stage pieces the differential test (Tests/c/object_load) cannot reach on
/// a kernel that has every feature: BTF sanitisation for kernels lacking BTF
/// kinds, and the small helpers of the load stages.
@Suite(.serialized) struct LoadTests {
    func kind(_ btf: BTF, _ id: UInt32) -> UInt32 { btf.type(id)!.kind }

    @Test func sanitizeRewritesEveryMissingKind() throws {
        let btf = try BTF.empty(base: nil)
        let int = try btf.addInt(name: "int", byteSize: 4, encoding: Int32(BTF_INT_SIGNED))          // 1
        let variable = try btf.addVariable(name: "x", linkage: 1, type: Int32(int))                 // 2
        let section = try btf.addDataSection(name: ".data.x", byteSize: 4)                          // 3
        try btf.addDataSectionVariable(type: Int32(variable), offset: 4, byteSize: 4)
        let proto = try btf.addFunctionPrototype(returnType: Int32(int))                            // 4
        try btf.addFunctionParameter(name: "a", type: Int32(int))
        let function = try btf.addFunction(name: "f", linkage: 1, prototype: Int32(proto))          // 5
        let float = try btf.addFloat(name: "float", byteSize: 8)                                    // 6
        let tag = try btf.addTypeTag(value: "user", type: Int32(int))                               // 7
        let decl = try btf.addDeclTag(value: "d", type: Int32(variable), componentIndex: -1)        // 8
        let enumeration = try btf.addEnum(kind: BTFKind.enumeration, name: "e", byteSize: 4, signed: true)  // 9
        try btf.addEnumValue(name: "A", value: -1)
        let enum64 = try btf.addEnum(kind: BTFKind.enum64, name: "e64", byteSize: 8, signed: false)  // 10
        try btf.addEnum64Value(name: "B", value: 1 << 40)
        try btf.addEnum64Value(name: "C", value: 2)

        try BPFObject.sanitize(btf, MissingBTFKinds(allMissing: true))

        #expect(kind(btf, variable) == BTFKind.int && btf.type(variable)!.sizeOrType == 1)
        #expect(btf.type(variable)!.word(0) == 8)  // BTF_INT_ENC(0, 0, 8)
        let s = btf.type(section)!
        #expect(s.kind == BTFKind.structure && s.vlen == 1 && s.sizeOrType == 4)
        #expect(String(cString: btf.name(of: s)!) == "_data_x")
        #expect(s.word(0) == btf.type(variable)!.nameOffset && s.word(1) == variable && s.word(2) == 32)
        #expect(kind(btf, proto) == BTFKind.enumeration && btf.type(proto)!.vlen == 1 && btf.type(proto)!.sizeOrType == 4)
        #expect(kind(btf, function) == BTFKind.typedef && btf.type(function)!.vlen == 0)
        #expect(kind(btf, float) == BTFKind.structure && btf.type(float)!.nameOffset == 0 && btf.type(float)!.sizeOrType == 8)
        #expect(kind(btf, tag) == BTFKind.const && btf.type(tag)!.nameOffset == 0)
        #expect(kind(btf, decl) == BTFKind.int)
        #expect(kind(btf, enumeration) == BTFKind.enumeration && !btf.type(enumeration)!.kindFlag)
        let u = btf.type(enum64)!
        #expect(u.kind == BTFKind.union && u.vlen == 2 && u.sizeOrType == 8)
        let placeholder = btf.typeCount - 1
        #expect(String(cString: btf.name(of: btf.type(placeholder)!)!) == "enum64_placeholder")
        #expect(u.word(1) == placeholder && u.word(2) == 0 && u.word(4) == placeholder && u.word(5) == 0)
    }

    @Test func sanitizeOnlyGlobalFunctions() throws {
        let btf = try BTF.empty(base: nil)
        let int = try btf.addInt(name: "int", byteSize: 4, encoding: 0)
        let proto = try btf.addFunctionPrototype(returnType: Int32(int))
        let function = try btf.addFunction(name: "g", linkage: 1, prototype: Int32(proto))
        var missing = MissingBTFKinds(allMissing: false)
        missing.globalFunction = true
        try BPFObject.sanitize(btf, missing)
        #expect(kind(btf, function) == BTFKind.function && btf.type(function)!.vlen == 0)
        #expect(kind(btf, proto) == BTFKind.functionPrototype)
    }

    @Test func directoryNames() {
        func dir(_ s: String) -> String {
            var copy = s
            return copy.withUTF8 { bytes in
                withNulTerminated(bytes) { p in directoryName(p).withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
            }
        }
        #expect(dir("/sys/fs/bpf/x") == "/sys/fs/bpf")
        #expect(dir("/x") == "/")
        #expect(dir("x") == ".")
        #expect(dir("a/b//") == "a")
        #expect(dir("//") == "/")
        #expect(dir("") == ".")
        #expect(dir("a//b") == "a")
    }

    @Test func oneDecimalRoundsLikePrintf() {
        #expect(oneDecimal(8 * 1024 * 1024, 1024 * 1024) == "8.0")
        #expect(oneDecimal(1536, 1024) == "1.5")
        #expect(oneDecimal(1024 + 51, 1024) == "1.0")   // 1.0498
        #expect(oneDecimal(1024 + 52, 1024) == "1.1")   // 1.0507
        #expect(oneDecimal(65536 + 3277, 65536) == "1.1")
    }

    @Test func parsesVerifierCallLines() {
        let object = BPFObject(path: "/x", name: "x")
        var line: [CChar] = Array("123: (85) call unknown#2001000345\n".utf8CString)
        let parsed = line.withUnsafeMutableBufferPointer { object.parseCallLine($0.baseAddress!) }
        #expect(parsed?.0 == 123 && parsed?.1 == 2001000345)
        var other: [CChar] = Array("5: (b7) r0 = 0\n".utf8CString)
        #expect(other.withUnsafeMutableBufferPointer { object.parseCallLine($0.baseAddress!) } == nil)
    }
}

import CBPF
import Testing
@testable import BPFCore

/// What the open path does lazily or once instead of per object (bench/open_close.sh):
/// internal maps' buffers mapped on first use, the Ubuntu kernel-version check
/// not repeated, cheaper name comparisons.
struct ObjectOpenCostTests {
    func internalMap(valueSize: UInt32) -> (BPFObject, BPFMap) {
        let object = "obj".withCString { BPFObject(path: $0, name: $0) }
        let map = ".data".withCString { BPFMap(object: object, name: $0) }
        map.kind = .data
        map.valueSize = valueSize
        map.maxEntries = 1
        return (object, map)
    }

    @Test func initialValueIsMappedOnFirstUseWithTheSectionBytes() throws {
        let (object, map) = internalMap(valueSize: 3)
        try map.allocateInitialValue([1, 2, 3], size: 3)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect(map.mmapSize == page)
        #expect(map.mapping == nil)  // nothing mapped by the open itself
        let p = try #require(map.mmaped)
        #expect(map.mapping == p)
        #expect(UInt(bitPattern: p) % UInt(page) == 0)
        let bytes = UnsafeRawBufferPointer(start: p, count: map.mmapSize)
        #expect(Array(bytes[0..<4]) == [1, 2, 3, 0])
        #expect(bytes[3...].allSatisfy { $0 == 0 })
        #expect(map.mmaped == p)  // the same mapping afterwards
        p.storeBytes(of: 9, as: UInt8.self)  // writable, as the reference's
        #expect(map.mmaped!.load(as: UInt8.self) == 9)
        _ = object
    }

    @Test func bssBufferIsZeroes() throws {
        let (object, map) = internalMap(valueSize: 100)
        try map.allocateInitialValue(nil, size: 100)
        let p = try #require(map.mmaped)
        #expect(UnsafeRawBufferPointer(start: p, count: map.mmapSize).allSatisfy { $0 == 0 })
        _ = object
    }

    @Test func largeBufferIsMappedAtOpen() throws {
        let (object, map) = internalMap(valueSize: UInt32(BPFMap.lazyMappingLimit + 1))
        try map.allocateInitialValue([7], size: 1)
        #expect(map.mapping != nil)
        #expect(map.mmaped?.load(as: UInt8.self) == 7)
        _ = object
    }

    @Test func mapWithoutInitialValueHasNoBuffer() {
        let (object, map) = internalMap(valueSize: 4)
        map.kind = .none
        #expect(map.mmaped == nil)
        _ = object
    }

    @Test func kernelVersionAtOpenIsStableAndLeavesTheCheckErrno() {
        let ubuntu = faccessat(AT_FDCWD, "/proc/version_signature", R_OK, AT_EACCESS) == 0
        let expectedErrno = sbpf_errno()
        let first = BPFObject.kernelVersionAtOpen()
        sbpf_set_errno(0)
        let second = BPFObject.kernelVersionAtOpen()
        #expect(first == second)
        #expect(first == KernelVersion.current())
        if !ubuntu { #expect(sbpf_errno() == expectedErrno) }
    }

    @Test func cStringEqualsIsStrcmpEquality() {
        func eq(_ a: String, _ b: String) -> Bool { a.withCString { x in b.withCString { cStringEquals(x, $0) } } }
        #expect(eq("type", "type"))
        #expect(eq("", ""))
        #expect(!eq("type", "typ"))
        #expect(!eq("key", "key_size"))
        #expect(!eq("", "a"))
        #expect(!eq("value", "values"))
    }

    @Test func sectionPatternsStillMatchAfterTheFirstByteCheck() {
        func matches(_ pattern: String, _ name: String) -> Bool {
            pattern.withCString { p in name.withCString { SectionDefinitions.matches(pattern: p, name: $0) } }
        }
        #expect(matches("", ""))
        #expect(!matches("", "x"))
        #expect(matches("xdp", "xdp"))
        #expect(!matches("xdp", "tc"))
        #expect(matches("kprobe/", "kprobe/foo"))
        #expect(matches("kprobe+", "kprobe"))
        #expect(!matches("kprobe+", "uprobe"))
    }
}

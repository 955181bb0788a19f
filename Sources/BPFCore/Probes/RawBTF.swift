import CBPF

/// A tiny BTF blob assembled in memory: header, type section, string section, in
/// the host's byte order as BPF_BTF_LOAD expects. Enough for the few types the
/// feature probes need (ints and structs); type ids are assigned from 1 in the
/// order the types are added, and equal names share one string, so the blob is
/// byte-for-byte what the reference loads for the same types.
public struct RawBTF {
    /// The type section, already encoded.
    public private(set) var typeSection: [UInt8] = []
    /// The string section; offset 0 is the empty name.
    public private(set) var stringSection: [UInt8] = [0]
    /// The id the next added type gets (id 0 is `void`).
    public private(set) var nextTypeID: UInt32 = 1

    /// A struct member: its name, its type id and its offset in bits.
    public struct Member {
        public var name: StaticString
        public var type: UInt32
        public var bitOffset: UInt32
        public init(_ name: StaticString, type: UInt32, bitOffset: UInt32) {
            self.name = name
            self.type = type
            self.bitOffset = bitOffset
        }
    }

    /// BTF_MAGIC, BTF_VERSION and the size of `struct btf_header`.
    static let magic: UInt16 = 0xEB9F
    static let version: UInt8 = 1
    static let headerLength: UInt32 = 24
    static let kindInt: UInt32 = 1
    static let kindStruct: UInt32 = 4
    /// BTF_INT_SIGNED in an int's encoding byte.
    static let intSigned: UInt32 = 1

    public init() {}

    /// The offset of `name` in the string section, adding it on first use.
    /// An empty name is offset 0.
    public mutating func stringOffset(_ name: StaticString) -> UInt32 {
        var bytes: [UInt8] = []
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        if bytes.isEmpty { return 0 }
        // Look for an existing, NUL-terminated copy starting at a string boundary.
        var start = 1
        while start < stringSection.count {
            var end = start
            while stringSection[end] != 0 { end += 1 }
            if end - start == bytes.count {
                var same = true
                var i = 0
                while i < bytes.count {
                    if stringSection[start + i] != bytes[i] { same = false; break }
                    i += 1
                }
                if same { return UInt32(start) }
            }
            start = end + 1
        }
        let offset = UInt32(stringSection.count)
        stringSection.append(contentsOf: bytes)
        stringSection.append(0)
        return offset
    }

    /// BTF_KIND_INT; `name` may be empty (an anonymous int, as the reference's probe uses).
    @discardableResult
    public mutating func addInt(name: StaticString, bits: UInt32, byteSize: UInt32, signed: Bool) -> UInt32 {
        let nameOffset = stringOffset(name)
        appendType(nameOffset: nameOffset, kind: RawBTF.kindInt, vlen: 0, sizeOrType: byteSize)
        // encoding << 24 | bit offset << 16 | bit count
        append((signed ? RawBTF.intSigned : 0) << 24 | bits)
        return takeID()
    }

    /// BTF_KIND_STRUCT with its members.
    @discardableResult
    public mutating func addStruct(name: StaticString, byteSize: UInt32, members: [Member]) -> UInt32 {
        let nameOffset = stringOffset(name)
        appendType(nameOffset: nameOffset, kind: RawBTF.kindStruct, vlen: UInt32(members.count), sizeOrType: byteSize)
        for member in members {
            append(stringOffset(member.name))
            append(member.type)
            append(member.bitOffset)
        }
        return takeID()
    }

    /// Header + types + strings, ready for BPF_BTF_LOAD.
    public func encoded() -> [UInt8] {
        var blob: [UInt8] = []
        blob.reserveCapacity(Int(RawBTF.headerLength) + typeSection.count + stringSection.count)
        appendNative(RawBTF.magic, to: &blob)
        appendNative(RawBTF.version, to: &blob)
        appendNative(UInt8(0), to: &blob)                          // flags
        appendNative(RawBTF.headerLength, to: &blob)
        appendNative(UInt32(0), to: &blob)                         // type_off
        appendNative(UInt32(typeSection.count), to: &blob)         // type_len
        appendNative(UInt32(typeSection.count), to: &blob)         // str_off
        appendNative(UInt32(stringSection.count), to: &blob)       // str_len
        blob.append(contentsOf: typeSection)
        blob.append(contentsOf: stringSection)
        return blob
    }

    private mutating func appendType(nameOffset: UInt32, kind: UInt32, vlen: UInt32, sizeOrType: UInt32) {
        append(nameOffset)
        append(kind << 24 | (vlen & 0xffff))
        append(sizeOrType)
    }

    private mutating func takeID() -> UInt32 {
        defer { nextTypeID += 1 }
        return nextTypeID
    }

    private mutating func append(_ word: UInt32) {
        appendNative(word, to: &typeSection)
    }
}

/// Appends the bytes of `value` in host byte order (BTF is native-endian).
private func appendNative<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
}

extension RawBTF {
    /// The BTF the reference creates local-storage probe maps with:
    ///
    ///     int                                             [1]
    ///     struct bpf_spin_lock { int val; };              [2]
    ///     struct val { int cnt; struct bpf_spin_lock l; } [3]
    ///
    /// The storage map kinds (sk/inode/task/cgrp) refuse to exist without BTF for
    /// their key and value; the probe maps use key type 1 and value type 3.
    public static func localStorageProbe() -> RawBTF {
        var btf = RawBTF()
        let int = btf.addInt(name: "", bits: 32, byteSize: 4, signed: true)
        let spinLock = btf.addStruct(name: "bpf_spin_lock", byteSize: 4, members: [Member("val", type: int, bitOffset: 0)])
        btf.addStruct(name: "val", byteSize: 8, members: [
            Member("cnt", type: int, bitOffset: 0),
            Member("l", type: spinLock, bitOffset: 32),
        ])
        return btf
    }

    /// Key and value type ids of `localStorageProbe()`.
    public static let localStorageKeyTypeID: UInt32 = 1
    public static let localStorageValueTypeID: UInt32 = 3

    /// Loads the blob with BPF_BTF_LOAD (no log) and returns the BTF fd.
    public func load() throws(BPFError) -> Int32 {
        ResourceLimits.bumpMemlockIfNeeded()
        var blob = encoded()
        let result: Result<Int32, BPFError> = blob.withUnsafeMutableBytes { bytes in
            var attr = bpf_attr()
            attr.btf = BPFSyscall.address(bytes.baseAddress)
            attr.btf_size = UInt32(bytes.count)
            do throws(BPFError) {
                return .success(try BPFSyscall.runReturningFD(BPF_BTF_LOAD, &attr, size: SBPF_ATTR_BTF_LOAD))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

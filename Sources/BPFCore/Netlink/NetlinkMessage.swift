import CBPF

// rtnetlink messages as value types: a request builder and read-only views of the
// kernel's replies. No kernel access here (see NetlinkSocket.swift), so all of it is
// unit-testable.

/// Netlink protocol numbers (linux/netlink.h). Written out because the C macros
/// import with assorted integer types.
public enum NetlinkConstant {
    public static let headerSize = 16              // sizeof(struct nlmsghdr)
    public static let attributeHeaderSize = 4      // sizeof(struct nlattr)
    public static let errorHeaderSize = 20         // sizeof(struct nlmsgerr)

    // nlmsg_flags
    public static let request: UInt16 = 0x1        // NLM_F_REQUEST
    public static let multi: UInt16 = 0x2          // NLM_F_MULTI
    public static let ack: UInt16 = 0x4            // NLM_F_ACK
    public static let echo: UInt16 = 0x8           // NLM_F_ECHO
    public static let dump: UInt16 = 0x300         // NLM_F_DUMP (ROOT | MATCH)
    public static let replace: UInt16 = 0x100      // NLM_F_REPLACE (new requests)
    public static let exclusive: UInt16 = 0x200    // NLM_F_EXCL (new requests)
    public static let create: UInt16 = 0x400       // NLM_F_CREATE (new requests)
    public static let capped: UInt16 = 0x100       // NLM_F_CAPPED (acks)
    public static let ackTLVs: UInt16 = 0x200      // NLM_F_ACK_TLVS (acks)

    // nlmsg_type
    public static let error: UInt16 = 2            // NLMSG_ERROR
    public static let done: UInt16 = 3             // NLMSG_DONE

    // nla_type
    public static let nestedFlag: UInt16 = 0x8000  // NLA_F_NESTED
    public static let typeMask: UInt16 = 0x3fff    // NLA_TYPE_MASK

    // extended ack attributes (enum nlmsgerr_attrs)
    public static let errorAttributeMessage = 1    // NLMSGERR_ATTR_MSG
    public static let errorAttributeMax = Int(NLMSGERR_ATTR_MAX.rawValue)

    /// NLMSG_ALIGN / NLA_ALIGN: 4 bytes.
    @inline(__always)
    public static func align(_ length: Int) -> Int { (length + 3) & ~3 }
}

/// One request: nlmsghdr, the family's fixed header (ifinfomsg, tcmsg), then
/// attributes, each padded to 4 bytes. nlmsg_len counts the padding, as the kernel's
/// own builders do.
public struct NetlinkRequest {
    public private(set) var bytes: [UInt8]

    /// A request of `type` with `flags` and a zeroed fixed header of `fixedSize` bytes.
    public init(type: UInt16, flags: UInt16, fixedSize: Int) {
        bytes = [UInt8](repeating: 0, count: NetlinkConstant.headerSize + NetlinkConstant.align(fixedSize))
        store(UInt32(bytes.count), at: 0)
        store(type, at: 4)
        store(flags, at: 6)
    }

    public var type: UInt16 { load(at: 4) }
    public var flags: UInt16 { load(at: 6) }
    public var sequence: UInt32 {
        get { load(at: 8) }
        set { store(newValue, at: 8) }
    }

    /// Writes into the fixed header at `offset` from its start.
    public mutating func setFixed<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        store(value, at: NetlinkConstant.headerSize + offset)
    }

    /// Appends one attribute with `payload` (unpadded length in nla_len).
    public mutating func appendAttribute(type: UInt16, payload: [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0])
        bytes.append(contentsOf: payload)
        store(UInt16(NetlinkConstant.attributeHeaderSize + payload.count), at: start)
        store(type, at: start + 2)
        pad()
    }

    public mutating func appendUInt32(type: UInt16, _ value: UInt32) {
        appendAttribute(type: type, payload: [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                                              UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)])
    }

    public mutating func appendInt32(type: UInt16, _ value: Int32) {
        appendUInt32(type: type, UInt32(bitPattern: value))
    }

    /// A NUL-terminated string attribute (`text` without its NUL).
    public mutating func appendString(type: UInt16, _ text: [UInt8]) {
        appendAttribute(type: type, payload: text + [0])
    }

    /// Opens a nested attribute (NLA_F_NESTED is added); close it with `endNested`.
    public mutating func beginNested(type: UInt16) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0])
        store(type | NetlinkConstant.nestedFlag, at: start + 2)
        return start
    }

    /// Sets the nested attribute's length to everything appended since `beginNested`.
    public mutating func endNested(_ start: Int) {
        store(UInt16(bytes.count - start), at: start)
    }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
        store(UInt32(bytes.count), at: 0)
    }

    private mutating func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { raw in
            for i in 0..<raw.count { bytes[offset + i] = raw[i] }
        }
    }

    private func load<T: FixedWidthInteger>(at offset: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size {
            value |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i)
        }
        return value
    }
}

/// A little-endian read of a `T` at `offset` of `bytes`, or nil past the end.
@inline(__always)
func netlinkLoad<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, as: T.Type) -> T? {
    guard offset >= 0, offset + MemoryLayout<T>.size <= bytes.count else { return nil }
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
}

/// One message of a reply datagram, viewed in place.
public struct NetlinkMessageView {
    /// The datagram; the message is `bytes[offset ..< offset + length]`.
    public let bytes: UnsafeRawBufferPointer
    public let offset: Int
    public let length: Int

    public var type: UInt16 { netlinkLoad(bytes, offset + 4, as: UInt16.self) ?? 0 }
    public var flags: UInt16 { netlinkLoad(bytes, offset + 6, as: UInt16.self) ?? 0 }
    public var sequence: UInt32 { netlinkLoad(bytes, offset + 8, as: UInt32.self) ?? 0 }
    public var portID: UInt32 { netlinkLoad(bytes, offset + 12, as: UInt32.self) ?? 0 }

    /// A field of the payload (after nlmsghdr) at `payloadOffset`, or nil when the
    /// message is too short for it.
    public func field<T: FixedWidthInteger>(_ payloadOffset: Int, as type: T.Type) -> T? {
        let at = NetlinkConstant.headerSize + payloadOffset
        guard at + MemoryLayout<T>.size <= length else { return nil }
        return netlinkLoad(bytes, offset + at, as: T.self)
    }

    /// The attributes after a fixed header of `fixedSize` bytes.
    public func attributes(afterFixed fixedSize: Int, maxType: Int) throws(BPFError) -> NetlinkAttributes {
        let start = NetlinkConstant.headerSize + NetlinkConstant.align(fixedSize)
        return try NetlinkAttributes.parse(bytes, from: offset + start, count: length - start, maxType: maxType)
    }

    /// Walks the messages of a datagram of `count` bytes as NLMSG_OK/NLMSG_NEXT do:
    /// stops at the first header that is short or longer than what is left.
    public static func forEach(in bytes: UnsafeRawBufferPointer, count: Int,
                               _ body: (NetlinkMessageView) -> Bool) {
        var offset = 0
        while count - offset >= NetlinkConstant.headerSize {
            guard let length = netlinkLoad(bytes, offset, as: UInt32.self) else { return }
            let len = Int(length)
            if len < NetlinkConstant.headerSize || len > count - offset { return }
            if !body(NetlinkMessageView(bytes: bytes, offset: offset, length: len)) { return }
            offset += NetlinkConstant.align(len)
        }
    }
}

/// One attribute's payload inside a reply.
public struct NetlinkAttribute {
    public let bytes: UnsafeRawBufferPointer
    public let offset: Int   // of the payload
    public let length: Int   // of the payload

    /// A u8/u32 read; the reference reads the value whatever nla_len says, here a
    /// short attribute reads as its available bytes (never past the buffer).
    public var uint32: UInt32 { readUnsigned(4) }
    public var uint8: UInt8 { UInt8(truncatingIfNeeded: readUnsigned(1)) }

    private func readUnsigned(_ size: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<size where offset + i < bytes.count {
            value |= UInt32(bytes[offset + i]) << (8 * UInt32(i))
        }
        return value
    }

    /// The payload as a C string (validated NUL-terminated when parsed as a string).
    public var cString: UnsafePointer<CChar>? {
        guard let base = bytes.baseAddress else { return nil }
        return (base + offset).assumingMemoryBound(to: CChar.self)
    }

    /// The nested attributes inside this one.
    public func nested(maxType: Int) throws(BPFError) -> NetlinkAttributes {
        try NetlinkAttributes.parse(bytes, from: offset, count: length, maxType: maxType)
    }
}

/// The attributes of one level, indexed by type (NLA_TYPE_MASK applied), as libbpf's
/// parser fills its table: types above `maxType` are skipped, a repeated type keeps
/// the last one (with a warning), parsing stops quietly at a malformed length.
public struct NetlinkAttributes {
    public private(set) var entries: [NetlinkAttribute?]

    public subscript(type: Int) -> NetlinkAttribute? {
        type >= 0 && type < entries.count ? entries[type] : nil
    }

    /// Parses `count` bytes at `from`. Types listed in `strings` must be non-empty and
    /// NUL-terminated (NLA_STRING), else the parse fails with EINVAL.
    public static func parse(_ bytes: UnsafeRawBufferPointer, from start: Int, count: Int, maxType: Int,
                             strings: [Int] = []) throws(BPFError) -> NetlinkAttributes {
        var table = NetlinkAttributes(entries: [NetlinkAttribute?](repeating: nil, count: maxType + 1))
        let header = NetlinkConstant.attributeHeaderSize
        var offset = start
        var remaining = count
        while remaining >= header {
            guard let rawLength = netlinkLoad(bytes, offset, as: UInt16.self),
                  let rawType = netlinkLoad(bytes, offset + 2, as: UInt16.self) else { break }
            let length = Int(rawLength)
            if length < header || length > remaining { break }
            let type = Int(rawType & NetlinkConstant.typeMask)
            if type <= maxType {
                let payload = NetlinkAttribute(bytes: bytes, offset: offset + header, length: length - header)
                if strings.contains(type) {
                    if payload.length == 0 { throw .EINVAL }
                    if bytes[payload.offset + payload.length - 1] != 0 { throw .EINVAL }
                }
                if table.entries[type] != nil {
                    Log.warn("libbpf: Attribute of type \(hashHex: UInt32(type)) found multiple times in message, previous attribute is being ignored.\n")
                }
                table.entries[type] = payload
            }
            let step = NetlinkConstant.align(length)
            offset += step
            remaining -= step
        }
        return table
    }
}

extension LogText.Interpolation {
    /// printf's "%#x": "0" for zero, else "0x" and lowercase hex digits.
    mutating func appendInterpolation(hashHex value: UInt32) {
        if value == 0 {
            appendLiteral("0")
        } else {
            appendLiteral("0x")
            appendInterpolation(hex: UInt64(value))
        }
    }
}

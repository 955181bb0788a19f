import CBPF

/// `.BTF.ext`: per-function and per-line debug info and CO-RE relocations of a BPF
/// object, keyed by ELF section name (`struct btf_ext`).
///
/// Layout (host byte order; libbpf 1.1 rejects the other one):
///
///     btf_ext_header { u16 magic, u8 version, u8 flags, u32 hdr_len,
///                      u32 func_info_off, func_info_len, line_info_off, line_info_len,
///                      [u32 core_relo_off, core_relo_len] }
///     then, at hdr_len + *_off, each info block:
///       u32 record_size
///       repeated: btf_ext_info_sec { u32 sec_name_off, u32 num_info }
///                 followed by num_info records of record_size bytes
///
/// Parsing follows libbpf 1.1's `btf_ext__new` check for check, with its error codes
/// and messages; like it, it does not check section name offsets, type ids or
/// instruction offsets (the object loader does, against the BTF and the ELF).
/// The bytes are kept unchanged for `btf_ext__raw_data`; the parsed blocks are
/// value types the loader can walk.
public final class BTFExt {
    /// A copy of the bytes given to `parse` (owned; what `btf_ext__raw_data` returns).
    public let data: BTFBuffer
    /// The header's `hdr_len` (at least 24; 32 or more when CO-RE relocations are present).
    public let headerLength: UInt32
    public let functionInfo: BTFExtInfo<BTFFunctionInfo>
    public let lineInfo: BTFExtInfo<BTFLineInfo>
    /// Empty when the header is too short to describe them (pre-CO-RE objects).
    public let coreRelocations: BTFExtInfo<BTFCoreRelocation>

    init(data: BTFBuffer, headerLength: UInt32, functionInfo: BTFExtInfo<BTFFunctionInfo>,
         lineInfo: BTFExtInfo<BTFLineInfo>, coreRelocations: BTFExtInfo<BTFCoreRelocation>) {
        self.data = data
        self.headerLength = headerLength
        self.functionInfo = functionInfo
        self.lineInfo = lineInfo
        self.coreRelocations = coreRelocations
    }

    deinit { data.free() }

    /// The raw bytes, as given (`btf_ext__raw_data`). Valid while the object lives.
    public var rawData: (UnsafeRawPointer?, Int) { (data.base.map { UnsafeRawPointer($0) }, data.count) }

    // MARK: - Parsing

    /// Header field offsets (`struct btf_ext_header`, libbpf_internal.h).
    enum Header {
        static let magic = 0, version = 2, flags = 3, hdrLen = 4
        static let funcInfoOff = 8, funcInfoLen = 12, lineInfoOff = 16, lineInfoLen = 20
        static let coreReloOff = 24, coreReloLen = 28
        /// offsetofend(hdr_len), offsetofend(line_info_len), offsetofend(core_relo_len)
        static let minimumSize: UInt32 = 8
        static let infoSize: UInt32 = 24
        static let coreSize: UInt32 = 32
    }

    /// `btf_ext__new`: parses `size` bytes at `bytes` (copied).
    public static func parse(_ bytes: UnsafeRawPointer?, size: Int) throws(BPFError) -> BTFExt {
        // libbpf takes a __u32 size.
        let size32 = UInt32(truncatingIfNeeded: size)
        var buffer = try BTFBuffer(copying: bytes, count: Int(size32))
        if buffer.base == nil { try buffer.reserve(1) }  // an empty copy still has storage, as malloc(0)
        do throws(BPFError) {
            return try parse(adopting: buffer)
        } catch {
            buffer.free()
            throw error
        }
    }

    /// Parses bytes already in a buffer (owned by the result on success only).
    static func parse(adopting buffer: BTFBuffer) throws(BPFError) -> BTFExt {
        let size = UInt32(truncatingIfNeeded: buffer.count)
        let raw = UnsafeRawPointer(buffer.base!)
        try checkHeader(raw, size: size)
        let headerLength = raw.loadUnaligned(fromByteOffset: Header.hdrLen, as: UInt32.self)
        if headerLength < Header.infoSize { throw .EINVAL }
        let block = BlockReader(data: raw, size: size, headerLength: headerLength)
        let functions = try block.read(BTFFunctionInfo.self, name: "func_info",
                                       offset: Header.funcInfoOff, length: Header.funcInfoLen)
        let lines = try block.read(BTFLineInfo.self, name: "line_info",
                                   offset: Header.lineInfoOff, length: Header.lineInfoLen)
        var relocations = BTFExtInfo<BTFCoreRelocation>()
        if headerLength >= Header.coreSize {
            relocations = try block.read(BTFCoreRelocation.self, name: "core_relo",
                                         offset: Header.coreReloOff, length: Header.coreReloLen)
        }
        return BTFExt(data: buffer, headerLength: headerLength, functionInfo: functions,
                      lineInfo: lines, coreRelocations: relocations)
    }

    /// `btf_ext_parse_hdr`: size, magic, version, flags, and that there is data.
    static func checkHeader(_ raw: UnsafeRawPointer, size: UInt32) throws(BPFError) {
        if size < Header.minimumSize || size < raw.loadUnaligned(fromByteOffset: Header.hdrLen, as: UInt32.self) {
            Log.debug("libbpf: BTF.ext header not found")  // sic: no newline in libbpf 1.1
            throw .EINVAL
        }
        let magic = raw.loadUnaligned(fromByteOffset: Header.magic, as: UInt16.self)
        if magic == BTF.magic.byteSwapped {
            Log.warn("libbpf: BTF.ext in non-native endianness is not supported\n")
            throw .ENOTSUP
        } else if magic != BTF.magic {
            Log.debug("libbpf: Invalid BTF.ext magic:\(hex(UInt32(magic)))\n")
            throw .EINVAL
        }
        let version = raw.load(fromByteOffset: Header.version, as: UInt8.self)
        if version != 1 {
            Log.debug("libbpf: Unsupported BTF.ext version:\(version)\n")
            throw .ENOTSUP
        }
        let flags = raw.load(fromByteOffset: Header.flags, as: UInt8.self)
        if flags != 0 {
            Log.debug("libbpf: Unsupported BTF.ext flags:\(hex(UInt32(flags)))\n")
            throw .ENOTSUP
        }
        if size == raw.loadUnaligned(fromByteOffset: Header.hdrLen, as: UInt32.self) {
            Log.debug("libbpf: BTF.ext has no data\n")
            throw .EINVAL
        }
    }

    /// Reads one info block (`btf_ext_setup_info`).
    struct BlockReader {
        let data: UnsafeRawPointer
        let size: UInt32
        let headerLength: UInt32

        func word(_ offset: UInt64) -> UInt32 {
            data.loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self)
        }

        func read<Record: BTFExtRecord>(_: Record.Type, name: StaticString, offset offsetField: Int,
                                        length lengthField: Int) throws(BPFError) -> BTFExtInfo<Record> {
            let offset = data.loadUnaligned(fromByteOffset: offsetField, as: UInt32.self)
            let length = data.loadUnaligned(fromByteOffset: lengthField, as: UInt32.self)
            var info = BTFExtInfo<Record>()
            if length == 0 { return info }
            if offset & 3 != 0 {
                Log.debug("libbpf: .BTF.ext \(name) section is not aligned to 4 bytes\n")
                throw .EINVAL
            }
            let start = UInt64(headerLength) + UInt64(offset)
            if start + UInt64(length) > UInt64(size) {
                Log.debug("libbpf: \(name) section (off:\(offset) len:\(length)) is beyond the end of the ELF section .BTF.ext\n")
                throw .EINVAL
            }
            if length < 4 {
                Log.debug("libbpf: .BTF.ext \(name) record size not found\n")
                throw .EINVAL
            }
            let recordSize = word(start)
            if recordSize < Record.minimumSize || recordSize & 3 != 0 {
                Log.debug("libbpf: \(name) section in .BTF.ext has invalid record size \(recordSize)\n")
                throw .EINVAL
            }
            var left = UInt64(length) - 4
            if left == 0 {
                Log.debug("libbpf: \(name) section in .BTF.ext has no records")  // sic: no newline
                throw .EINVAL
            }
            var position = start + 4
            while left > 0 {
                if left < 8 {
                    Log.debug("libbpf: \(name) section header is not found in .BTF.ext\n")
                    throw .EINVAL
                }
                let nameOffset = word(position)
                let count = word(position + 4)
                let total = 8 + UInt64(count) * UInt64(recordSize)
                if count == 0 || left < total {
                    Log.debug("libbpf: \(name) section has incorrect num_records in .BTF.ext\n")
                    throw .EINVAL
                }
                var section = BTFExtSection<Record>(nameOffset: nameOffset, recordsOffset: UInt32(position + 8))
                section.records = BTFExtRecords(data + Int(position + 8), count: Int(count), stride: Int(recordSize))
                info.sections.append(section)
                left -= total
                position += total
            }
            info.recordSize = recordSize
            info.offset = UInt32(start + 4)
            info.length = length - 4
            return info
        }
    }
}

// MARK: - The parsed model

/// One kind of `.BTF.ext` record: its minimum size (records may be larger; the
/// extra bytes belong to newer formats and are kept in the raw data) and how to
/// read the fields this library knows.
public protocol BTFExtRecord {
    static var minimumSize: UInt32 { get }
    init(_ bytes: UnsafeRawPointer)
}

/// `bpf_func_info_min`: the BTF function (FUNC type) starting at an instruction.
public struct BTFFunctionInfo: BTFExtRecord, Equatable {
    /// Byte offset of the instruction within its ELF section (not an index).
    public var instructionOffset: UInt32
    public var typeID: UInt32
    public static var minimumSize: UInt32 { 8 }
    public init(instructionOffset: UInt32, typeID: UInt32) {
        self.instructionOffset = instructionOffset
        self.typeID = typeID
    }
    public init(_ bytes: UnsafeRawPointer) {
        instructionOffset = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        typeID = bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
    }
}

/// `bpf_line_info_min`: source position of an instruction.
public struct BTFLineInfo: BTFExtRecord, Equatable {
    public var instructionOffset: UInt32
    /// String offsets (in .BTF) of the file name and of the source line text.
    public var fileNameOffset: UInt32
    public var lineOffset: UInt32
    /// Line number << 10 | column (`BPF_LINE_INFO_LINE_NUM` / `_LINE_COL`).
    public var lineColumn: UInt32
    public var lineNumber: UInt32 { lineColumn >> 10 }
    public var column: UInt32 { lineColumn & 0x3ff }
    public static var minimumSize: UInt32 { 16 }
    public init(_ bytes: UnsafeRawPointer) {
        instructionOffset = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        fileNameOffset = bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        lineOffset = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        lineColumn = bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
    }
}

/// `bpf_core_relo`: one CO-RE relocation.
public struct BTFCoreRelocation: BTFExtRecord, Equatable {
    public var instructionOffset: UInt32
    /// The local (object BTF) type the access starts from.
    public var typeID: UInt32
    /// String offset (in .BTF) of the access spec, such as "0:1:2".
    public var accessStringOffset: UInt32
    /// `enum bpf_core_relo_kind`.
    public var kind: UInt32
    public static var minimumSize: UInt32 { 16 }
    public init(_ bytes: UnsafeRawPointer) {
        instructionOffset = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        typeID = bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        accessStringOffset = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        kind = bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
    }
}

/// The records of one ELF (code) section within an info block (`btf_ext_info_sec`).
public struct BTFExtSection<Record: BTFExtRecord> {
    /// String offset (in .BTF) of the ELF section name, such as "kprobe/sys_open".
    public var nameOffset: UInt32
    /// Where this section's first record starts in the raw `.BTF.ext` bytes.
    public var recordsOffset: UInt32
    public var records: BTFExtRecords<Record> = []
}

/// A section's records, decoded from the `.BTF.ext` bytes on access rather than
/// copied out of them (the raw bytes are kept anyway, for `btf_ext__raw_data`):
/// valid while the `BTFExt` they came from lives. An array literal makes one that
/// holds its records (tests, hand-built models).
public struct BTFExtRecords<Record: BTFExtRecord>: RandomAccessCollection, ExpressibleByArrayLiteral {
    let base: UnsafeRawPointer?
    let stride: Int
    let rawCount: Int
    let stored: [Record]?

    init(_ base: UnsafeRawPointer, count: Int, stride: Int) {
        self.base = base
        self.stride = stride
        rawCount = count
        stored = nil
    }

    public init(arrayLiteral elements: Record...) {
        base = nil
        stride = 0
        rawCount = 0
        stored = elements
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { stored?.count ?? rawCount }

    public subscript(position: Int) -> Record {
        if let stored { return stored[position] }
        precondition(position >= 0 && position < rawCount, "BTFExtRecords index out of range")
        return Record(base! + position * stride)
    }
}

extension BTFExtRecords: Equatable where Record: Equatable {
    public static func == (a: BTFExtRecords, b: BTFExtRecords) -> Bool {
        if a.count != b.count { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }
}

/// One info block (`struct btf_ext_info`): func_info, line_info or core_relo.
public struct BTFExtInfo<Record: BTFExtRecord> {
    /// The record size the producer used (≥ `Record.minimumSize`); 0 when absent.
    public var recordSize: UInt32 = 0
    /// Offset and length, in the raw bytes, of the section entries after the
    /// record-size word (libbpf's `info`/`len`).
    public var offset: UInt32 = 0
    public var length: UInt32 = 0
    public var sections: [BTFExtSection<Record>] = []

    public init() {}

    public var isEmpty: Bool { sections.isEmpty }
    /// Number of records over all sections.
    public var recordCount: Int {
        var total = 0
        for section in sections { total += section.records.count }
        return total
    }
}

import CBPF

/// `struct bpf_prog_linfo`: a private copy of a loaded program's line info (as
/// `bpf_prog_get_info_by_fd` returns it) that answers "which line record applies
/// to instruction N" and "which line record applies to jited address A of
/// function F". Pure logic: the kernel is not involved.
///
/// Behaviour measured on the reference (libbpf 1.1.2):
/// - the line records are copied byte for byte with the caller's record size
///   (any size >= 4, the `insn_off` field); the pointers the lookups return point
///   into that copy, `recordSize` bytes apart, so the caller's buffers may be
///   freed after `new`. `nr_line_info == 0` or a record size below 4: EINVAL.
/// - the jited data is used only when all of it is present and consistent in
///   shape: `nr_jited_line_info == nr_line_info`, a jited record size of at least
///   8 (each record's first 8 bytes, read unaligned, are the address),
///   `nr_jited_ksyms == nr_jited_func_lens != 0` and all three arrays non-NULL;
///   otherwise it is silently ignored (address lookups then fail with ENOENT).
/// - when used, the jited lines are split into functions: the first jited line
///   must be at `jited_ksyms[0]`; function i (i >= 1) starts at the first line
///   after function i-1's start whose address equals `jited_ksyms[i]`; every
///   line passed over on the way must be strictly above the previous one and
///   less than `jited_func_lens[i-1]` bytes past `jited_ksyms[i-1]`. A failed
///   check, or a start never found, is EINVAL. The last function's lines are
///   not checked (neither order nor length).
/// - lookups start at record `nr_skip` (of the whole array, or of the
///   function), fail with ENOENT when that is out of range or already above the
///   key, then scan forward and return the record before the first one whose key
///   is above the searched one (the last record when there is none): a linear
///   scan, which matters only for unsorted input.
public final class ProgLineInfo {
    /// The copied line records, `count * recordSize` bytes (malloc'd).
    public let records: UnsafeMutableRawPointer
    public let count: UInt32
    public let recordSize: UInt32
    /// One address per line record when the jited data is used; else empty.
    let jitedAddresses: [UInt64]
    /// Per jited function: index of its first line record, and how many it has.
    let functionStarts: [UInt32]
    let functionCounts: [UInt32]

    /// The smallest record size accepted: `bpf_line_info.insn_off`.
    static let minimumRecordSize: UInt32 = 4
    /// The smallest jited record size used: one address.
    static let minimumJitedRecordSize: UInt32 = 8

    /// Copies `count` records of `recordSize` bytes from `lineInfo`.
    /// `jitedAddresses` (one per record) with `ksyms` and `functionLengths` (one
    /// per function) is the jited data, nil when it is not used. EINVAL for an
    /// empty line info, a record size below 4, a NULL `lineInfo` with records
    /// (which the reference dereferences) or jited data that does not split into
    /// the functions; ENOMEM when the copy cannot be made.
    public init(lineInfo: UnsafeRawPointer?, count: UInt32, recordSize: UInt32,
                jitedAddresses: [UInt64]?, ksyms: [UInt64], functionLengths: [UInt32]) throws(BPFError) {
        guard count != 0, recordSize >= ProgLineInfo.minimumRecordSize, let lineInfo else { throw .EINVAL }
        var starts: [UInt32] = []
        var counts: [UInt32] = []
        if let jitedAddresses {
            guard jitedAddresses.count == Int(count), !ksyms.isEmpty,
                  ksyms.count == functionLengths.count else { throw .EINVAL }
            (starts, counts) = try ProgLineInfo.splitFunctions(addresses: jitedAddresses, ksyms: ksyms,
                                                               lengths: functionLengths)
        }
        let bytes = Int(count) * Int(recordSize)
        guard let copy = malloc(bytes) else { throw .ENOMEM }
        copy.copyMemory(from: lineInfo, byteCount: bytes)
        self.records = copy
        self.count = count
        self.recordSize = recordSize
        self.jitedAddresses = jitedAddresses ?? []
        self.functionStarts = starts
        self.functionCounts = counts
    }

    /// `bpf_prog_linfo__new`: from the arrays a `bpf_prog_info` points to. The
    /// jited data is read (and later used) only when it is complete and its
    /// counts agree (see the type's documentation); otherwise it is ignored.
    public convenience init(info: bpf_prog_info) throws(BPFError) {
        let count = info.nr_line_info
        var jited: [UInt64]? = nil
        var ksyms: [UInt64] = []
        var lengths: [UInt32] = []
        if count != 0, info.nr_jited_line_info == count,
           info.jited_line_info_rec_size >= ProgLineInfo.minimumJitedRecordSize,
           info.nr_jited_ksyms != 0, info.nr_jited_ksyms == info.nr_jited_func_lens,
           let base = UnsafeRawPointer(bitPattern: UInt(info.jited_line_info)),
           let ks = UnsafePointer<UInt64>(bitPattern: UInt(info.jited_ksyms)),
           let fl = UnsafePointer<UInt32>(bitPattern: UInt(info.jited_func_lens)) {
            let stride = Int(info.jited_line_info_rec_size)
            var addresses: [UInt64] = []
            addresses.reserveCapacity(Int(count))
            for i in 0..<Int(count) {
                addresses.append(base.loadUnaligned(fromByteOffset: i * stride, as: UInt64.self))
            }
            jited = addresses
            ksyms = Array(UnsafeBufferPointer(start: ks, count: Int(info.nr_jited_ksyms)))
            lengths = Array(UnsafeBufferPointer(start: fl, count: Int(info.nr_jited_func_lens)))
        }
        try self.init(lineInfo: UnsafeRawPointer(bitPattern: UInt(info.line_info)), count: count,
                      recordSize: info.line_info_rec_size, jitedAddresses: jited, ksyms: ksyms,
                      functionLengths: lengths)
    }

    deinit { free(records) }

    /// Splits the jited line addresses into functions (see the type's rules).
    static func splitFunctions(addresses: [UInt64], ksyms: [UInt64],
                               lengths: [UInt32]) throws(BPFError) -> ([UInt32], [UInt32]) {
        guard !addresses.isEmpty, addresses[0] == ksyms[0] else { throw .EINVAL }
        var starts: [UInt32] = [0]
        starts.reserveCapacity(ksyms.count)
        var previousStart = 0
        for f in 1..<ksyms.count {
            var j = previousStart + 1
            while true {
                guard j < addresses.count else { throw .EINVAL }
                let address = addresses[j]
                if address == ksyms[f] { break }
                guard address > addresses[j - 1],
                      address &- ksyms[f - 1] < UInt64(lengths[f - 1]) else { throw .EINVAL }
                j += 1
            }
            starts.append(UInt32(j))
            previousStart = j
        }
        var counts: [UInt32] = []
        counts.reserveCapacity(starts.count)
        for f in 0..<starts.count {
            let end = f + 1 < starts.count ? starts[f + 1] : UInt32(addresses.count)
            counts.append(end - starts[f])
        }
        return (starts, counts)
    }

    /// Number of jited functions (0 when the jited data is not used).
    public var functionCount: Int { functionStarts.count }

    /// The instruction offset of record `index` (the first 4 bytes).
    @inline(__always)
    func insnOffset(_ index: Int) -> UInt32 {
        records.loadUnaligned(fromByteOffset: index * Int(recordSize), as: UInt32.self)
    }

    /// Where record `index` starts in the copy.
    @inline(__always)
    public func record(at index: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(records + index * Int(recordSize))
    }

    /// `bpf_prog_linfo__lfind`: the index of the record for `insnOffset`,
    /// searching from record `skip`; nil (ENOENT) when there is none.
    public func find(insnOffset: UInt32, skip: UInt32) -> Int? {
        guard skip < count else { return nil }
        let start = Int(skip)
        guard insnOffset >= self.insnOffset(start) else { return nil }
        var j = start + 1
        while j < Int(count), self.insnOffset(j) <= insnOffset { j += 1 }
        return j - 1
    }

    /// `bpf_prog_linfo__lfind_addr_func`: the index of the record for jited
    /// address `address` in function `function`, searching from that function's
    /// line `skip`; nil (ENOENT) when there is none.
    public func find(address: UInt64, function: UInt32, skip: UInt32) -> Int? {
        guard Int(function) < functionStarts.count else { return nil }
        let first = Int(functionStarts[Int(function)])
        let n = Int(functionCounts[Int(function)])
        guard skip < UInt32(n) else { return nil }
        let start = first + Int(skip)
        guard address >= jitedAddresses[start] else { return nil }
        var j = start + 1
        while j < first + n, jitedAddresses[j] <= address { j += 1 }
        return j - 1
    }
}

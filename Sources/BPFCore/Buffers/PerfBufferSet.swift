import CBPF

/// Walking the records of a perf event ring (the mmap'ed metadata page followed by
/// a power-of-two data area), as perf_event_open(2) documents it.
public enum PerfRecords {
    /// enum bpf_perf_event_ret.
    public static let done: Int32 = 0      // LIBBPF_PERF_EVENT_DONE
    public static let error: Int32 = -1    // LIBBPF_PERF_EVENT_ERROR
    public static let more: Int32 = -2     // LIBBPF_PERF_EVENT_CONT

    static let dataHeadOffset = MemoryLayout<perf_event_mmap_page>.offset(of: \.data_head)!
    static let dataTailOffset = MemoryLayout<perf_event_mmap_page>.offset(of: \.data_tail)!

    /// Hands every record between data_tail and data_head to `handle` (a record
    /// that wraps around the end of the data area is first copied into `copy`),
    /// until `handle` returns something other than `more`; then publishes the new
    /// data_tail (past the last record handled). Returns the last result (`more`
    /// when the ring was drained), or `error` if the copy buffer cannot grow.
    @inline(__always)
    @_optimize(speed)
    public static func walk(base: UnsafeMutableRawPointer, dataSize: Int, pageSize: Int,
                            copy: inout PerfCopyBuffer, _ handle: (UnsafeMutableRawPointer) -> Int32) -> Int32 {
        let head = SharedMemory.loadAcquire64(base + dataHeadOffset)
        var tail = base.load(fromByteOffset: dataTailOffset, as: UInt64.self)
        let ring = base + pageSize
        let mask = UInt64(dataSize - 1)
        var result = more
        while head != tail {
            let offset = Int(truncatingIfNeeded: tail & mask)
            var record = ring + offset
            // struct perf_event_header { u32 type; u16 misc; u16 size; }
            let size = Int(record.load(fromByteOffset: 6, as: UInt16.self))
            if offset + size > dataSize {
                guard let buffer = copy.reserve(size) else {
                    result = error
                    break
                }
                let first = dataSize - offset
                buffer.copyMemory(from: record, byteCount: first)
                (buffer + first).copyMemory(from: ring, byteCount: size - first)
                record = buffer
            }
            result = handle(record)
            tail &+= UInt64(size)
            if result != more { break }
        }
        SharedMemory.storeRelease64(base + dataTailOffset, tail)
        return result
    }
}

/// The malloc'ed buffer a wrapped record is reassembled in (grown on demand).
public struct PerfCopyBuffer: ~Copyable {
    var storage: UnsafeMutableRawPointer?
    var size = 0

    public init() {}

    mutating func reserve(_ needed: Int) -> UnsafeMutableRawPointer? {
        if size < needed {
            free(storage)
            storage = malloc(needed)
            size = storage == nil ? 0 : needed
        }
        return storage
    }

    deinit { free(storage) }
}

/// One CPU's perf event: its fd, the mapping and the map slot it was stored in.
final class PerfCPUBuffer {
    let cpu: Int32
    let mapKey: Int32
    var fd: Int32 = -1
    var base: UnsafeMutableRawPointer?
    var copy = PerfCopyBuffer()

    init(cpu: Int32, mapKey: Int32) {
        self.cpu = cpu
        self.mapKey = mapKey
    }
}

/// What perf_buffer__new / perf_buffer__new_raw configure.
public struct PerfBufferParameters {
    public var attr: UnsafeMutableRawPointer
    public var sampleCallback: perf_buffer_sample_fn?
    public var lostCallback: perf_buffer_lost_fn?
    public var eventCallback: perf_buffer_event_fn?
    public var context: UnsafeMutableRawPointer?
    /// Raw mode's explicit CPU list (count > 0): CPU ids and map keys.
    public var cpuCount: Int32 = 0
    public var cpus: UnsafeMutablePointer<Int32>?
    public var mapKeys: UnsafeMutablePointer<Int32>?

    public init(attr: UnsafeMutableRawPointer) { self.attr = attr }
}

/// `struct perf_buffer`: one perf event per CPU (BPF output events), each mmap'ed
/// and stored in its slot of a BPF_MAP_TYPE_PERF_EVENT_ARRAY, with one epoll set.
public final class PerfBufferSet {
    let mapFD: Int32
    let pageSize: Int
    let dataSize: Int
    var epollFD: Int32 = -1
    var buffers: [PerfCPUBuffer] = []
    var events = EpollEvents(capacity: 1)
    let sampleCallback: perf_buffer_sample_fn?
    let lostCallback: perf_buffer_lost_fn?
    let eventCallback: perf_buffer_event_fn?
    let context: UnsafeMutableRawPointer?

    private init(mapFD: Int32, pageCount: Int, _ p: PerfBufferParameters) {
        self.mapFD = mapFD
        pageSize = systemPageSize()
        dataSize = pageSize &* pageCount
        sampleCallback = p.sampleCallback
        lostCallback = p.lostCallback
        eventCallback = p.eventCallback
        context = p.context
    }

    /// The ready buffers' count and fds.
    public var bufferCount: Int { buffers.count }
    public var epollDescriptor: Int32 { epollFD }

    /// Buffer `index`, or EINVAL past the end.
    func buffer(_ index: Int) throws(BPFError) -> PerfCPUBuffer {
        if index < 0 || index >= buffers.count { throw .EINVAL }
        return buffers[index]
    }

    public func bufferFD(_ index: Int) throws(BPFError) -> Int32 { try buffer(index).fd }

    /// The mapping of buffer `index` (metadata page first) and its data size.
    public func bufferMemory(_ index: Int) throws(BPFError) -> (UnsafeMutableRawPointer?, Int) {
        (try buffer(index).base, dataSize)
    }

    /// perf_buffer__new(_raw) after the argument checks of the exports.
    public static func create(mapFD: Int32, pageCount: Int, _ p: PerfBufferParameters) throws(BPFError) -> PerfBufferSet {
        if pageCount == 0 || pageCount & (pageCount - 1) != 0 {
            Log.warn("libbpf: page count should be power of two, but is \(UInt(bitPattern: pageCount))\n")
            throw .EINVAL
        }
        var info = bpf_map_info()
        var haveInfo = false
        do {
            info = try queryMapInfo(fd: mapFD)
            haveInfo = true
        } catch {
            if error != .EINVAL {
                Log.warn("libbpf: failed to get map info for map FD \(mapFD): \(errorText(error.code))\n")
                throw error
            }
            Log.debug("libbpf: failed to get map info for FD \(mapFD); API not supported? Ignoring...\n")
        }
        if haveInfo && info.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY.rawValue {
            let name = withUnsafeBytes(of: info.name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            Log.warn("libbpf: map '\(name)' should be BPF_MAP_TYPE_PERF_EVENT_ARRAY\n")
            throw .EINVAL
        }
        let set = PerfBufferSet(mapFD: mapFD, pageCount: pageCount, p)
        do {
            set.epollFD = try Epoll.create()
        } catch {
            Log.warn("libbpf: failed to create epoll instance: \(errorText(error.code))\n")
            throw error
        }
        var count: Int
        if p.cpuCount > 0 {
            count = Int(p.cpuCount)
        } else {
            count = try CPUs.possibleCount()
            if info.max_entries != 0 && Int(info.max_entries) < count { count = Int(info.max_entries) }
        }
        set.events.grow(to: count)
        let online: CPUMask
        do {
            online = try CPUs.readMask(path: "/sys/devices/system/cpu/online")
        } catch {
            Log.warn("libbpf: failed to get online CPU mask: -\(error.code)\n")
            throw error
        }
        for i in 0..<count {
            let cpu = p.cpuCount > 0 ? p.cpus![i] : Int32(i)
            let key = p.cpuCount > 0 ? p.mapKeys![i] : Int32(i)
            // Without an explicit list, only the CPUs that are online.
            if p.cpuCount <= 0 && (Int(cpu) >= online.cpus.count || !online.cpus[Int(cpu)]) { continue }
            let buffer = try set.openBuffer(cpu: cpu, mapKey: key, attr: p.attr)
            set.buffers.append(buffer)
            var slotKey = key
            var slotFD = buffer.fd
            do {
                try MapCommands.element(BPF_MAP_UPDATE_ELEM, fd: mapFD, key: &slotKey, value: &slotFD, flags: 0)
            } catch {
                Log.warn("libbpf: failed to set cpu #\(cpu), key \(key) -> perf FD \(buffer.fd): \(errorText(error.code))\n")
                throw error
            }
            do {
                try Epoll.add(set.epollFD, fd: buffer.fd, events: EpollConstants.readable, data: UInt64(set.buffers.count - 1))
            } catch {
                Log.warn("libbpf: failed to epoll_ctl cpu #\(cpu) perf FD \(buffer.fd): \(errorText(error.code))\n")
                throw error
            }
        }
        return set
    }

    /// Opens, maps and enables the perf event of one CPU.
    private func openBuffer(cpu: Int32, mapKey: Int32, attr: UnsafeMutableRawPointer) throws(BPFError) -> PerfCPUBuffer {
        let buffer = PerfCPUBuffer(cpu: cpu, mapKey: mapKey)
        // pid -1 (any task), that CPU, no group, PERF_FLAG_FD_CLOEXEC.
        buffer.fd = sbpf_perf_event_open(attr.assumingMemoryBound(to: perf_event_attr.self), -1, cpu, -1, 8)
        if buffer.fd < 0 {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to open perf buffer event on cpu #\(cpu): \(errorText(error.code))\n")
            throw error
        }
        do {
            buffer.base = try mapShared(fd: buffer.fd, length: dataSize + pageSize, writable: true, offset: 0)
        } catch {
            Log.warn("libbpf: failed to mmap perf buffer on cpu #\(cpu): \(errorText(error.code))\n")
            release(buffer)
            throw error
        }
        if sbpf_perf_event_enable(buffer.fd) < 0 {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to enable perf buffer event on cpu #\(cpu): \(errorText(error.code))\n")
            release(buffer)
            throw error
        }
        return buffer
    }

    /// Unmaps, disables and closes one CPU's event.
    private func release(_ buffer: PerfCPUBuffer) {
        if let base = buffer.base, munmap(base, dataSize + pageSize) != 0 {
            Log.warn("libbpf: failed to munmap cpu_buf #\(buffer.cpu)\n")
        }
        buffer.base = nil
        if buffer.fd >= 0 {
            _ = sbpf_perf_event_disable(buffer.fd)
            _ = close(buffer.fd)
            buffer.fd = -1
        }
    }

    /// Drains one buffer: 0 when every record was handled, else what stopped the walk
    /// (a raw callback's result, or LIBBPF_PERF_EVENT_ERROR). Like the reference,
    /// errno is set from the walk's negative result even when it merely drained
    /// the ring (LIBBPF_PERF_EVENT_CONT, i.e. ENOENT).
    @_optimize(speed)
    func process(_ buffer: PerfCPUBuffer) -> Int32 {
        let cpu = buffer.cpu
        let context = self.context
        let result: Int32
        if let eventCallback {
            result = PerfRecords.walk(base: buffer.base!, dataSize: dataSize, pageSize: pageSize, copy: &buffer.copy) { record in
                eventCallback(context, cpu, record.assumingMemoryBound(to: perf_event_header.self)).rawValue
            }
        } else {
            let sampleCallback = self.sampleCallback
            let lostCallback = self.lostCallback
            result = PerfRecords.walk(base: buffer.base!, dataSize: dataSize, pageSize: pageSize, copy: &buffer.copy) { record in
                let type = record.load(as: UInt32.self)
                if type == PERF_RECORD_SAMPLE.rawValue {
                    // struct { perf_event_header; u32 size; char data[]; }
                    sampleCallback?(context, cpu, record + 12, record.load(fromByteOffset: 8, as: UInt32.self))
                } else if type == PERF_RECORD_LOST.rawValue {
                    // struct { perf_event_header; u64 id; u64 lost; }
                    lostCallback?(context, cpu, record.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                } else {
                    Log.warn("libbpf: unknown perf sample type \(Int32(bitPattern: type))\n")
                    return PerfRecords.error
                }
                return PerfRecords.more
            }
        }
        if result < 0 { sbpf_set_errno(0 &- result) }
        return result == PerfRecords.more ? 0 : result
    }

    /// perf_buffer__consume: every buffer; the first non-zero result is logged and returned.
    @_optimize(speed)
    public func consume() -> Int32 {
        for (i, buffer) in buffers.enumerated() {
            let result = process(buffer)
            if result != 0 {
                Log.warn("libbpf: perf_buffer: failed to process records in buffer #\(i): \(result)\n")
                return result
            }
        }
        return 0
    }

    /// perf_buffer__poll: the number of buffers epoll reported, after draining them.
    @_optimize(speed)
    public func poll(timeout: Int32) throws(BPFError) -> Int32 {
        let ready = try events.wait(epollFD, maxEvents: buffers.count, timeout: timeout)
        for i in 0..<ready {
            let result = process(buffers[Int(truncatingIfNeeded: events.data(i))])
            if result != 0 {
                Log.warn("libbpf: error while processing records: \(result)\n")
                return result
            }
        }
        return Int32(ready)
    }

    /// perf_buffer__consume_buffer.
    @_optimize(speed)
    public func consumeBuffer(_ index: Int) throws(BPFError) -> Int32 {
        process(try buffer(index))
    }

    deinit {
        for buffer in buffers {
            var key = buffer.mapKey
            do {
                try MapCommands.element(BPF_MAP_DELETE_ELEM, fd: mapFD, key: &key, value: nil, flags: 0)
            } catch {}
            release(buffer)
        }
        if epollFD >= 0 { _ = close(epollFD) }
    }
}

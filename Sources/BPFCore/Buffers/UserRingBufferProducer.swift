import CBPF

/// The producer side of a ring in user memory, independent of how it is mapped
/// (unit tests drive it over plain memory): positions are u64 counters, the data
/// area is `mask + 1` bytes mapped twice in a row.
public struct UserRingProducer {
    let consumerPos: UnsafeRawPointer
    let producerPos: UnsafeMutableRawPointer
    let data: UnsafeMutableRawPointer
    let mask: UInt64

    public init(consumerPos: UnsafeRawPointer, producerPos: UnsafeMutableRawPointer, data: UnsafeMutableRawPointer, mask: UInt64) {
        self.consumerPos = consumerPos
        self.producerPos = producerPos
        self.data = data
        self.mask = mask
    }

    /// Reserves `size` bytes: E2BIG for a size with a flag bit or larger than the
    /// ring, ENOSPC when the free space is too small. The header is written busy
    /// and the producer position published before the sample is returned, so the
    /// kernel stops at it until it is submitted or discarded.
    public func reserve(_ size: UInt32) throws(BPFError) -> UnsafeMutableRawPointer {
        let consumer = SharedMemory.loadAcquire64(consumerPos)
        let producer = SharedMemory.loadAcquire64(producerPos)
        let capacity = mask &+ 1
        if size & (RingRecords.busyBit | RingRecords.discardBit) != 0 { throw .E2BIG }
        let total = RingRecords.footprint(size)
        if total > capacity { throw .E2BIG }
        if capacity &- (producer &- consumer) < total { throw .ENOSPC }
        let header = data + Int(truncatingIfNeeded: producer & mask)
        header.storeBytes(of: size | RingRecords.busyBit, toByteOffset: 0, as: UInt32.self)
        header.storeBytes(of: 0, toByteOffset: 4, as: UInt32.self)
        SharedMemory.storeRelease64(producerPos, producer &+ total)
        return data + Int(truncatingIfNeeded: (producer &+ UInt64(RingRecords.headerSize)) & mask)
    }

    /// Clears the busy bit of `sample`'s header (and sets the discard bit).
    public func commit(_ sample: UnsafeMutableRawPointer, discard: Bool) {
        let offset = UInt64(bitPattern: Int64(sample - data)) &+ (mask &+ 1) &- UInt64(RingRecords.headerSize)
        let header = data + Int(truncatingIfNeeded: offset & mask)
        var word = header.load(as: UInt32.self) & ~RingRecords.busyBit
        if discard { word |= RingRecords.discardBit }
        _ = SharedMemory.exchange32(header, word)
    }
}

/// `struct user_ring_buffer`: a BPF_MAP_TYPE_USER_RINGBUF map mapped for writing
/// (consumer page read-only, producer page and data read-write), with an epoll
/// instance that reports when the kernel made room.
public final class UserRingBufferProducer {
    let epollFD: Int32
    let pageSize: Int
    var consumerPage: UnsafeMutableRawPointer?
    var producerPage: UnsafeMutableRawPointer?
    var mask: UInt64 = 0
    var ring: UserRingProducer?
    var event = EpollEvents(capacity: 1)

    private init(epollFD: Int32) {
        self.epollFD = epollFD
        pageSize = systemPageSize()
    }

    /// user_ring_buffer__new after the opts check.
    public static func create(mapFD: Int32) throws(BPFError) -> UserRingBufferProducer {
        let epollFD: Int32
        do {
            epollFD = try Epoll.create()
        } catch {
            Log.warn("libbpf: user ringbuf: failed to create epoll instance: -\(error.code)\n")
            throw error
        }
        let producer = UserRingBufferProducer(epollFD: epollFD)
        try producer.map(mapFD)
        return producer
    }

    private func map(_ mapFD: Int32) throws(BPFError) {
        let info: bpf_map_info
        do {
            info = try queryMapInfo(fd: mapFD)
        } catch {
            Log.warn("libbpf: user ringbuf: failed to get map info for fd=\(mapFD): -\(error.code)\n")
            throw error
        }
        if info.type != BPF_MAP_TYPE_USER_RINGBUF.rawValue {
            Log.warn("libbpf: user ringbuf: map fd=\(mapFD) is not BPF_MAP_TYPE_USER_RINGBUF\n")
            throw .EINVAL
        }
        mask = UInt64(info.max_entries) &- 1
        do {
            consumerPage = try mapShared(fd: mapFD, length: pageSize, writable: false, offset: 0)
        } catch {
            Log.warn("libbpf: user ringbuf: failed to mmap consumer page for map fd=\(mapFD): -\(error.code)\n")
            throw error
        }
        do {
            producerPage = try mapShared(fd: mapFD, length: pageSize + 2 * Int(info.max_entries), writable: true, offset: pageSize)
        } catch {
            Log.warn("libbpf: user ringbuf: failed to mmap data pages for map fd=\(mapFD): -\(error.code)\n")
            throw error
        }
        do {
            try Epoll.add(epollFD, fd: mapFD, events: EpollConstants.writable, data: 0)
        } catch {
            Log.warn("libbpf: user ringbuf: failed to epoll add map fd=\(mapFD): -\(error.code)\n")
            throw error
        }
        ring = UserRingProducer(consumerPos: consumerPage!, producerPos: producerPage!,
                                data: producerPage! + pageSize, mask: mask)
    }

    public func reserve(_ size: UInt32) throws(BPFError) -> UnsafeMutableRawPointer {
        try ring!.reserve(size)
    }

    /// user_ring_buffer__reserve_blocking: retries while the ring is full, waiting on
    /// epoll for the kernel to consume, until `timeout` ms (-1: forever) have passed;
    /// then one last attempt whose error is the result.
    public func reserveBlocking(_ size: UInt32, timeout: Int32) throws(BPFError) -> UnsafeMutableRawPointer {
        if timeout < 0 && timeout != -1 { throw .EINVAL }
        let start = timeout == -1 ? 0 : UserRingBufferProducer.monotonicNanoseconds()
        var elapsedMs: Int64 = 0
        while true {
            do {
                return try reserve(size)
            } catch {
                if error != .ENOSPC { throw error }
            }
            let remaining = timeout == -1 ? -1 : Int32(truncatingIfNeeded: Int64(timeout) - elapsedMs)
            _ = try event.wait(epollFD, maxEvents: 1, timeout: remaining)
            if timeout == -1 { continue }
            elapsedMs = (UserRingBufferProducer.monotonicNanoseconds() - start) / 1_000_000
            if elapsedMs > Int64(timeout) { break }
        }
        return try reserve(size)
    }

    public func submit(_ sample: UnsafeMutableRawPointer) { ring!.commit(sample, discard: false) }
    public func discard(_ sample: UnsafeMutableRawPointer) { ring!.commit(sample, discard: true) }

    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    deinit {
        if let consumerPage { _ = munmap(consumerPage, pageSize) }
        if let producerPage { _ = munmap(producerPage, pageSize + 2 * Int(mask &+ 1)) }
        _ = close(epollFD)
    }
}

import CBPF

/// The record format of BPF ring buffers (BPF_MAP_TYPE_RINGBUF and USER_RINGBUF),
/// as the kernel documents it: every record starts with an 8-byte header whose
/// first u32 is the payload length plus two flag bits; records are 8-byte aligned.
/// The data area is mapped twice in a row, so a record that wraps is contiguous.
public enum RingRecords {
    public static let busyBit: UInt32 = 1 << 31      // BPF_RINGBUF_BUSY_BIT
    public static let discardBit: UInt32 = 1 << 30   // BPF_RINGBUF_DISCARD_BIT
    public static let headerSize = 8                 // BPF_RINGBUF_HDR_SZ

    /// Bytes a record with header word `header` takes in the ring.
    @inline(__always)
    public static func footprint(_ header: UInt32) -> UInt64 {
        let length = UInt64(header & ~(busyBit | discardBit)) + UInt64(headerSize)
        return (length + 7) & ~7
    }

    /// Consumes the committed records of one ring: reads the producer position,
    /// hands every record that is neither busy nor discarded to `deliver`, and
    /// publishes the consumer position after each record. Stops at the first busy
    /// record, or when `deliver` returns a negative value (that record counts as
    /// consumed), which is then returned. Otherwise returns the number delivered.
    /// `consumerPos`/`producerPos` point to the u64 positions, `data` to the first
    /// copy of the data area, `mask` is its size minus one.
    @inline(__always)
    public static func consume(consumerPos: UnsafeMutableRawPointer, producerPos: UnsafeRawPointer,
                               data: UnsafeMutableRawPointer, mask: UInt64,
                               _ deliver: (UnsafeMutableRawPointer, Int) -> Int32) -> Int64 {
        var delivered: Int64 = 0
        var consumer = SharedMemory.loadAcquire64(consumerPos)
        while true {
            var progressed = false
            let producer = SharedMemory.loadAcquire64(producerPos)
            while consumer < producer {
                let header = data + Int(truncatingIfNeeded: consumer & mask)
                let word = SharedMemory.loadAcquire32(header)
                if word & busyBit != 0 { return delivered }
                progressed = true
                consumer &+= footprint(word)
                if word & discardBit == 0 {
                    let result = deliver(header + headerSize, Int(word))
                    if result < 0 {
                        SharedMemory.storeRelease64(consumerPos, consumer)
                        return Int64(result)
                    }
                    delivered += 1
                }
                SharedMemory.storeRelease64(consumerPos, consumer)
            }
            if !progressed { return delivered }
        }
    }
}

/// One BPF_MAP_TYPE_RINGBUF map mapped for reading: the consumer page (read-write)
/// and the producer page followed by the twice-mapped data area (read-only).
public struct RingBufferRing {
    public let mapFD: Int32
    let consumerPage: UnsafeMutableRawPointer
    let producerPage: UnsafeMutableRawPointer
    let mask: UInt64
    let callback: ring_buffer_sample_fn?
    let context: UnsafeMutableRawPointer?

    /// Consumes this ring, calling the user's callback for every record.
    @inline(__always)
    func consume(pageSize: Int) -> Int64 {
        let callback = self.callback
        let context = self.context
        return RingRecords.consume(consumerPos: consumerPage, producerPos: producerPage,
                                   data: producerPage + pageSize, mask: mask) { sample, length in
            callback!(context, sample, length)
        }
    }

    func unmap(pageSize: Int) {
        _ = munmap(consumerPage, pageSize)
        _ = munmap(producerPage, pageSize + 2 * Int(mask + 1))
    }
}

/// `struct ring_buffer`: a set of ring buffer maps consumed together, with one
/// epoll instance that reports the rings that have data (tagged by ring index).
public final class RingBufferConsumer {
    public private(set) var rings: [RingBufferRing] = []
    public let epollFD: Int32
    let pageSize: Int
    var events: EpollEvents

    private init(epollFD: Int32) {
        self.epollFD = epollFD
        pageSize = systemPageSize()
        events = EpollEvents(capacity: 1)
    }

    /// ring_buffer__new after the opts check: epoll instance, then the first ring.
    public static func create(mapFD: Int32, callback: ring_buffer_sample_fn?,
                              context: UnsafeMutableRawPointer?) throws(BPFError) -> RingBufferConsumer {
        let epollFD: Int32
        do {
            epollFD = try Epoll.create()
        } catch {
            Log.warn("libbpf: ringbuf: failed to create epoll instance: -\(error.code)\n")
            throw error
        }
        let consumer = RingBufferConsumer(epollFD: epollFD)
        try consumer.add(mapFD: mapFD, callback: callback, context: context)
        return consumer
    }

    /// ring_buffer__add: maps one more RINGBUF map and registers it with epoll.
    public func add(mapFD: Int32, callback: ring_buffer_sample_fn?, context: UnsafeMutableRawPointer?) throws(BPFError) {
        let info: bpf_map_info
        do {
            info = try queryMapInfo(fd: mapFD)
        } catch {
            Log.warn("libbpf: ringbuf: failed to get map info for fd=\(mapFD): -\(error.code)\n")
            throw error
        }
        if info.type != BPF_MAP_TYPE_RINGBUF.rawValue {
            Log.warn("libbpf: ringbuf: map fd=\(mapFD) is not BPF_MAP_TYPE_RINGBUF\n")
            throw .EINVAL
        }
        events.grow(to: rings.count + 1)
        let consumerPage: UnsafeMutableRawPointer
        do {
            consumerPage = try mapShared(fd: mapFD, length: pageSize, writable: true, offset: 0)
        } catch {
            Log.warn("libbpf: ringbuf: failed to mmap consumer page for map fd=\(mapFD): -\(error.code)\n")
            throw error
        }
        let producerPage: UnsafeMutableRawPointer
        do {
            producerPage = try mapShared(fd: mapFD, length: pageSize + 2 * Int(info.max_entries), writable: false, offset: pageSize)
        } catch {
            _ = munmap(consumerPage, pageSize)
            Log.warn("libbpf: ringbuf: failed to mmap data pages for map fd=\(mapFD): -\(error.code)\n")
            throw error
        }
        let ring = RingBufferRing(mapFD: mapFD, consumerPage: consumerPage, producerPage: producerPage,
                                  mask: UInt64(info.max_entries) &- 1, callback: callback, context: context)
        do {
            try Epoll.add(epollFD, fd: mapFD, events: EpollConstants.readable, data: UInt64(rings.count))
        } catch {
            ring.unmap(pageSize: pageSize)
            Log.warn("libbpf: ringbuf: failed to epoll add map fd=\(mapFD): -\(error.code)\n")
            throw error
        }
        rings.append(ring)
    }

    /// ring_buffer__consume: every ring in order. The total number of records
    /// (capped at INT_MAX), or the first negative callback result.
    public func consume() -> Int32 {
        var total: Int64 = 0
        for ring in rings {
            let result = ring.consume(pageSize: pageSize)
            if result < 0 { return Int32(truncatingIfNeeded: result) }
            total += result
        }
        return Int32(min(total, Int64(Int32.max)))
    }

    /// ring_buffer__poll: waits up to `timeout` ms, then consumes the rings epoll
    /// reported. Same result as `consume`; throws if epoll_wait fails.
    public func poll(timeout: Int32) throws(BPFError) -> Int32 {
        let ready = try events.wait(epollFD, maxEvents: rings.count, timeout: timeout)
        var total: Int64 = 0
        for i in 0..<ready {
            let result = rings[Int(truncatingIfNeeded: events.data(i))].consume(pageSize: pageSize)
            if result < 0 { return Int32(truncatingIfNeeded: result) }
            total += result
        }
        return Int32(min(total, Int64(Int32.max)))
    }

    deinit {
        for ring in rings { ring.unmap(pageSize: pageSize) }
        _ = close(epollFD)
    }
}

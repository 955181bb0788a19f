import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

// libbpf.h: ring_buffer__*, user_ring_buffer__*, perf_buffer__*. The objects are
// Swift classes handed to C as retained opaque pointers.

@inline(__always)
private func handle<T: AnyObject>(_ object: T) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(object).toOpaque())
}

/// The object behind a handle; EINVAL for NULL or an error pointer (where the
/// reference dereferences it and crashes).
@inline(__always)
private func object<T: AnyObject>(_ p: OpaquePointer?, _: T.Type) throws(BPFError) -> T {
    guard let p, !isErrorPointer(UnsafeRawPointer(p)) else { throw .EINVAL }
    return Unmanaged<T>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

/// A result that is either a count or a negative value from a user callback: errno
/// is set to its negation (wrapping, as the reference does for INT_MIN).
@inline(__always)
private func callbackResult(_ value: Int32) -> Int32 {
    if value < 0 { sbpf_set_errno(0 &- value) }
    return value
}

// ------------------------------------------------------------------ ring buffer

@_cdecl("ring_buffer__new")
public func abi_ring_buffer__new(_ map_fd: Int32, _ sample_cb: ring_buffer_sample_fn?, _ ctx: UnsafeMutableRawPointer?, _ opts: UnsafePointer<ring_buffer_opts>?) -> OpaquePointer? {
    do throws(BPFError) {
        try Opts.validate(opts, SBPF_OPTS_ring_buffer_opts, "ring_buffer_opts")
        return handle(try RingBufferConsumer.create(mapFD: map_fd, callback: sample_cb, context: ctx))
    } catch {
        return cNull(error)
    }
}

@_cdecl("ring_buffer__add")
public func abi_ring_buffer__add(_ rb: OpaquePointer?, _ map_fd: Int32, _ sample_cb: ring_buffer_sample_fn?, _ ctx: UnsafeMutableRawPointer?) -> Int32 {
    cResult { () throws(BPFError) in
        try object(rb, RingBufferConsumer.self).add(mapFD: map_fd, callback: sample_cb, context: ctx)
        return 0
    }
}

@_cdecl("ring_buffer__poll")
public func abi_ring_buffer__poll(_ rb: OpaquePointer?, _ timeout_ms: Int32) -> Int32 {
    do throws(BPFError) {
        return callbackResult(try object(rb, RingBufferConsumer.self).poll(timeout: timeout_ms))
    } catch {
        return cReturn(error)
    }
}

@_cdecl("ring_buffer__consume")
public func abi_ring_buffer__consume(_ rb: OpaquePointer?) -> Int32 {
    guard let consumer = try? object(rb, RingBufferConsumer.self) else { return cReturn(.EINVAL) }
    return callbackResult(consumer.consume())
}

@_cdecl("ring_buffer__epoll_fd")
public func abi_ring_buffer__epoll_fd(_ rb: OpaquePointer?) -> Int32 {
    guard let consumer = try? object(rb, RingBufferConsumer.self) else { return cReturn(.EINVAL) }
    return consumer.epollFD
}


@_cdecl("ring_buffer__free")
public func abi_ring_buffer__free(_ rb: OpaquePointer?) {
    guard let rb, !isErrorPointer(UnsafeRawPointer(rb)) else { return }  // the reference crashes on an error pointer
    Unmanaged<RingBufferConsumer>.fromOpaque(UnsafeRawPointer(rb)).release()
}

// ------------------------------------------------------------- user ring buffer

@_cdecl("user_ring_buffer__new")
public func abi_user_ring_buffer__new(_ map_fd: Int32, _ opts: UnsafePointer<user_ring_buffer_opts>?) -> OpaquePointer? {
    do throws(BPFError) {
        try Opts.validate(opts, SBPF_OPTS_user_ring_buffer_opts, "user_ring_buffer_opts")
        return handle(try UserRingBufferProducer.create(mapFD: map_fd))
    } catch {
        return cNull(error)
    }
}

@_cdecl("user_ring_buffer__reserve")
public func abi_user_ring_buffer__reserve(_ rb: OpaquePointer?, _ size: UInt32) -> UnsafeMutableRawPointer? {
    do throws(BPFError) {
        return try object(rb, UserRingBufferProducer.self).reserve(size)
    } catch {
        return cNull(error)
    }
}

@_cdecl("user_ring_buffer__reserve_blocking")
public func abi_user_ring_buffer__reserve_blocking(_ rb: OpaquePointer?, _ size: UInt32, _ timeout_ms: Int32) -> UnsafeMutableRawPointer? {
    do throws(BPFError) {
        return try object(rb, UserRingBufferProducer.self).reserveBlocking(size, timeout: timeout_ms)
    } catch {
        return cNull(error)
    }
}

@_cdecl("user_ring_buffer__submit")
public func abi_user_ring_buffer__submit(_ rb: OpaquePointer?, _ sample: UnsafeMutableRawPointer?) {
    guard let producer = try? object(rb, UserRingBufferProducer.self), let sample else { return }
    producer.submit(sample)
}

@_cdecl("user_ring_buffer__discard")
public func abi_user_ring_buffer__discard(_ rb: OpaquePointer?, _ sample: UnsafeMutableRawPointer?) {
    guard let producer = try? object(rb, UserRingBufferProducer.self), let sample else { return }
    producer.discard(sample)
}

@_cdecl("user_ring_buffer__free")
public func abi_user_ring_buffer__free(_ rb: OpaquePointer?) {
    guard let rb, !isErrorPointer(UnsafeRawPointer(rb)) else { return }  // the reference crashes on an error pointer
    Unmanaged<UserRingBufferProducer>.fromOpaque(UnsafeRawPointer(rb)).release()
}

// ------------------------------------------------------------------ perf buffer

@_cdecl("perf_buffer__new")
public func abi_perf_buffer__new(_ map_fd: Int32, _ page_cnt: Int, _ sample_cb: perf_buffer_sample_fn?, _ lost_cb: perf_buffer_lost_fn?, _ ctx: UnsafeMutableRawPointer?, _ opts: UnsafePointer<perf_buffer_opts>?) -> OpaquePointer? {
    do throws(BPFError) {
        try Opts.validate(opts, SBPF_OPTS_perf_buffer_opts, "perf_buffer_opts")
        // PERF_COUNT_SW_BPF_OUTPUT software events, raw samples, a wakeup per sample.
        var attr = perf_event_attr()
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.config = UInt64(PERF_COUNT_SW_BPF_OUTPUT.rawValue)
        attr.type = PERF_TYPE_SOFTWARE.rawValue
        attr.sample_type = UInt64(PERF_SAMPLE_RAW.rawValue)
        attr.sample_period = 1
        attr.wakeup_events = 1
        return try withUnsafeMutableBytes(of: &attr) { raw -> Result<OpaquePointer, BPFError> in
            var p = PerfBufferParameters(attr: raw.baseAddress!)
            p.sampleCallback = sample_cb
            p.lostCallback = lost_cb
            p.context = ctx
            do throws(BPFError) {
                return .success(handle(try PerfBufferSet.create(mapFD: map_fd, pageCount: page_cnt, p)))
            } catch {
                return .failure(error)
            }
        }.get()
    } catch {
        return cNull(error)
    }
}

@_cdecl("perf_buffer__new_raw")
public func abi_perf_buffer__new_raw(_ map_fd: Int32, _ page_cnt: Int, _ attr: OpaquePointer?, _ event_cb: perf_buffer_event_fn?, _ ctx: UnsafeMutableRawPointer?, _ opts: UnsafePointer<perf_buffer_raw_opts>?) -> OpaquePointer? {
    do throws(BPFError) {
        guard let attr else { throw .EINVAL }
        try Opts.validate(opts, SBPF_OPTS_perf_buffer_raw_opts, "perf_buffer_raw_opts")
        typealias O = MemoryLayout<perf_buffer_raw_opts>
        var p = PerfBufferParameters(attr: UnsafeMutableRawPointer(attr))
        p.eventCallback = event_cb
        p.context = ctx
        p.cpuCount = Opts.get(opts, O.offset(of: \.cpu_cnt), 0)
        p.cpus = Opts.get(opts, O.offset(of: \.cpus), nil)
        p.mapKeys = Opts.get(opts, O.offset(of: \.map_keys), nil)
        return handle(try PerfBufferSet.create(mapFD: map_fd, pageCount: page_cnt, p))
    } catch {
        return cNull(error)
    }
}

@_cdecl("perf_buffer__poll")
public func abi_perf_buffer__poll(_ pb: OpaquePointer?, _ timeout_ms: Int32) -> Int32 {
    do throws(BPFError) {
        return callbackResult(try object(pb, PerfBufferSet.self).poll(timeout: timeout_ms))
    } catch {
        return cReturn(error)
    }
}

@_cdecl("perf_buffer__consume")
public func abi_perf_buffer__consume(_ pb: OpaquePointer?) -> Int32 {
    guard let buffers = try? object(pb, PerfBufferSet.self) else { return cReturn(.EINVAL) }
    return callbackResult(buffers.consume())
}

@_cdecl("perf_buffer__consume_buffer")
public func abi_perf_buffer__consume_buffer(_ pb: OpaquePointer?, _ buf_idx: Int) -> Int32 {
    cResult { () throws(BPFError) in
        try object(pb, PerfBufferSet.self).consumeBuffer(buf_idx)
    }
}

@_cdecl("perf_buffer__buffer_cnt")
public func abi_perf_buffer__buffer_cnt(_ pb: OpaquePointer?) -> Int {
    guard let buffers = try? object(pb, PerfBufferSet.self) else { return 0 }
    return buffers.bufferCount
}

@_cdecl("perf_buffer__buffer_fd")
public func abi_perf_buffer__buffer_fd(_ pb: OpaquePointer?, _ buf_idx: Int) -> Int32 {
    cResult { () throws(BPFError) in
        try object(pb, PerfBufferSet.self).bufferFD(buf_idx)
    }
}

@_cdecl("perf_buffer__epoll_fd")
public func abi_perf_buffer__epoll_fd(_ pb: OpaquePointer?) -> Int32 {
    guard let buffers = try? object(pb, PerfBufferSet.self) else { return cReturn(.EINVAL) }
    return buffers.epollDescriptor
}

@_cdecl("perf_buffer__buffer")
public func abi_perf_buffer__buffer(_ pb: OpaquePointer?, _ buf_idx: Int32, _ buf: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ buf_size: UnsafeMutablePointer<Int>?) -> Int32 {
    cResult { () throws(BPFError) in
        let (base, size) = try object(pb, PerfBufferSet.self).bufferMemory(Int(buf_idx))
        buf?.pointee = base
        buf_size?.pointee = size
        return 0
    }
}

@_cdecl("perf_buffer__free")
public func abi_perf_buffer__free(_ pb: OpaquePointer?) {
    // NULL and error pointers (the last 4095 addresses) are ignored.
    guard let pb, UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(pb))) < UInt(bitPattern: -4095) else { return }
    Unmanaged<PerfBufferSet>.fromOpaque(UnsafeRawPointer(pb)).release()
}

import Testing
import CBPF
@testable import BPFCore

/// Record walking of the ring buffer consumer, the user ring buffer producer and
/// the perf buffer over fake rings in plain memory (no kernel).
@Suite struct BufferRecordTests {
    /// A fake BPF ring: positions and a data area of `size` bytes mapped "twice"
    /// (a 2*size buffer whose second half mirrors the first after every write).
    final class FakeRing {
        let size: Int
        let consumer = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        let producer = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        let data: UnsafeMutableRawPointer

        init(size: Int) {
            self.size = size
            data = UnsafeMutableRawPointer.allocate(byteCount: 2 * size, alignment: 8)
            data.initializeMemory(as: UInt8.self, repeating: 0, count: 2 * size)
            consumer.storeBytes(of: 0, as: UInt64.self)
            producer.storeBytes(of: 0, as: UInt64.self)
        }

        var consumerPos: UInt64 {
            get { consumer.load(as: UInt64.self) }
            set { consumer.storeBytes(of: newValue, as: UInt64.self) }
        }
        var producerPos: UInt64 {
            get { producer.load(as: UInt64.self) }
            set { producer.storeBytes(of: newValue, as: UInt64.self) }
        }

        /// Writes bytes at ring position `pos` (wrapping), keeping the mirror.
        func write(_ bytes: [UInt8], at pos: UInt64) {
            for (i, b) in bytes.enumerated() {
                let off = Int((pos + UInt64(i)) % UInt64(size))
                data.storeBytes(of: b, toByteOffset: off, as: UInt8.self)
                data.storeBytes(of: b, toByteOffset: off + size, as: UInt8.self)
            }
        }

        /// Appends a record as the kernel would: header word, pad, payload, aligned.
        func append(_ payload: [UInt8], flags: UInt32 = 0) {
            let word = UInt32(payload.count) | flags
            var bytes = withUnsafeBytes(of: word.littleEndian) { Array($0) } + [0, 0, 0, 0] + payload
            while bytes.count % 8 != 0 { bytes.append(0) }
            write(bytes, at: producerPos)
            producerPos += UInt64(bytes.count)
        }

        func consume(_ body: (UnsafeMutableRawPointer, Int) -> Int32) -> Int64 {
            RingRecords.consume(consumerPos: consumer, producerPos: producer, data: data,
                                mask: UInt64(size - 1), body)
        }

        deinit {
            consumer.deallocate()
            producer.deallocate()
            data.deallocate()
        }
    }

    @Test func footprintIsAlignedAndIgnoresFlags() {
        #expect(RingRecords.footprint(0) == 8)
        #expect(RingRecords.footprint(1) == 16)
        #expect(RingRecords.footprint(8) == 16)
        #expect(RingRecords.footprint(9) == 24)
        #expect(RingRecords.footprint(5 | RingRecords.discardBit) == 16)
        #expect(RingRecords.footprint(5 | RingRecords.busyBit) == 16)
    }

    @Test func deliversInOrderAndSkipsDiscarded() {
        let ring = FakeRing(size: 64)
        ring.append([1, 2, 3])
        ring.append([9, 9], flags: RingRecords.discardBit)
        ring.append([4, 5, 6, 7, 8, 9, 10, 11, 12])
        var seen: [[UInt8]] = []
        let n = ring.consume { p, len in
            seen.append(Array(UnsafeRawBufferPointer(start: p, count: len)))
            return 0
        }
        #expect(n == 2)
        #expect(seen == [[1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12]])
        #expect(ring.consumerPos == ring.producerPos)
        #expect(ring.consumerPos == 16 + 16 + 24)
    }

    @Test func stopsAtBusyRecord() {
        let ring = FakeRing(size: 64)
        ring.append([1])
        ring.append([2], flags: RingRecords.busyBit)
        ring.append([3])
        var count = 0
        #expect(ring.consume { _, _ in count += 1; return 0 } == 1)
        #expect(count == 1)
        #expect(ring.consumerPos == 16)
    }

    @Test func negativeCallbackStopsAfterConsumingThatRecord() {
        let ring = FakeRing(size: 64)
        for i in 0..<3 { ring.append([UInt8(i)]) }
        var calls = 0
        let r = ring.consume { _, _ in
            calls += 1
            return calls == 2 ? -5 : 7   // positive results are ignored
        }
        #expect(r == -5)
        #expect(ring.consumerPos == 32)
        var rest: [UInt8] = []
        #expect(ring.consume { p, _ in rest.append(p.load(as: UInt8.self)); return 0 } == 1)
        #expect(rest == [2])
    }

    @Test func wrappedRecordIsContiguous() {
        let ring = FakeRing(size: 32)
        ring.consumerPos = 24
        ring.producerPos = 24
        ring.append(Array(1...12))          // header at 24..31, payload wraps to 0..11
        var got: [UInt8] = []
        #expect(ring.consume { p, len in got = Array(UnsafeRawBufferPointer(start: p, count: len)); return 0 } == 1)
        #expect(got == Array(1...12))
        #expect(ring.consumerPos == 48)
    }

    @Test func userRingReserveRules() throws {
        let ring = FakeRing(size: 64)
        let producer = UserRingProducer(consumerPos: ring.consumer, producerPos: ring.producer, data: ring.data, mask: 63)
        func reserve(_ size: UInt32) -> Result<UnsafeMutableRawPointer, BPFError> {
            do throws(BPFError) { return .success(try producer.reserve(size)) } catch { return .failure(error) }
        }
        #expect(throws: BPFError.E2BIG) { try reserve(57).get() }          // 57 + 8 -> 72 > 64
        #expect(throws: BPFError.E2BIG) { try reserve(RingRecords.busyBit | 1).get() }
        #expect(throws: BPFError.E2BIG) { try reserve(RingRecords.discardBit).get() }
        let a = try reserve(20).get()                                          // 32 bytes
        #expect(a == ring.data + 8)
        #expect(ring.data.load(as: UInt32.self) == 20 | RingRecords.busyBit)
        #expect(ring.producerPos == 32)
        let b = try reserve(24).get()                                          // 32 bytes: full
        #expect(throws: BPFError.ENOSPC) { try reserve(0).get() }
        producer.commit(b, discard: true)
        producer.commit(a, discard: false)
        #expect(ring.data.load(as: UInt32.self) == 20)
        #expect(ring.data.load(fromByteOffset: 32, as: UInt32.self) == 24 | RingRecords.discardBit)
        ring.consumerPos = 32                                                  // kernel consumed a
        let c = try reserve(16).get()                                          // header at 0 (wrapped)
        #expect(c == ring.data + 8)
    }

    /// A fake perf ring: metadata page then `dataSize` bytes.
    @Test func perfWalkCopiesWrappedRecords() {
        let page = 4096, dataSize = 64
        let base = UnsafeMutableRawPointer.allocate(byteCount: page + dataSize, alignment: 8)
        defer { base.deallocate() }
        base.initializeMemory(as: UInt8.self, repeating: 0, count: page + dataSize)
        let ring = base + page
        func put(_ bytes: [UInt8], at pos: Int) {
            for (i, b) in bytes.enumerated() { ring.storeBytes(of: b, toByteOffset: (pos + i) % dataSize, as: UInt8.self) }
        }
        // perf_event_header { type u32, misc u16, size u16 } + u32 size + data
        func sample(_ payload: [UInt8]) -> [UInt8] {
            let size = UInt16(8 + 4 + payload.count)
            return withUnsafeBytes(of: UInt32(PERF_RECORD_SAMPLE.rawValue)) { Array($0) } + [0, 0]
                + withUnsafeBytes(of: size) { Array($0) } + withUnsafeBytes(of: UInt32(payload.count)) { Array($0) } + payload
        }
        let r1 = sample([1, 2, 3, 4]), r2 = sample(Array(10..<30))   // 16 and 32 bytes
        put(r1, at: 40)
        put(r2, at: 56)                                               // wraps: 8 bytes at the end, 24 at the start
        base.storeBytes(of: UInt64(40), toByteOffset: PerfRecords.dataTailOffset, as: UInt64.self)
        base.storeBytes(of: UInt64(40 + 16 + 32), toByteOffset: PerfRecords.dataHeadOffset, as: UInt64.self)
        var copy = PerfCopyBuffer()
        var payloads: [[UInt8]] = []
        let r = PerfRecords.walk(base: base, dataSize: dataSize, pageSize: page, copy: &copy) { rec in
            let n = Int(rec.load(fromByteOffset: 8, as: UInt32.self))
            payloads.append(Array(UnsafeRawBufferPointer(start: rec + 12, count: n)))
            return PerfRecords.more
        }
        #expect(r == PerfRecords.more)
        #expect(payloads == [[1, 2, 3, 4], Array(10..<30)])
        #expect(base.load(fromByteOffset: PerfRecords.dataTailOffset, as: UInt64.self) == 88)
    }

    @Test func perfWalkStopsAndAdvancesPastStoppingRecord() {
        let page = 4096, dataSize = 64
        let base = UnsafeMutableRawPointer.allocate(byteCount: page + dataSize, alignment: 8)
        defer { base.deallocate() }
        base.initializeMemory(as: UInt8.self, repeating: 0, count: page + dataSize)
        for i in 0..<3 {   // three 16-byte records
            (base + page + 16 * i).storeBytes(of: UInt16(16), toByteOffset: 6, as: UInt16.self)
        }
        base.storeBytes(of: UInt64(48), toByteOffset: PerfRecords.dataHeadOffset, as: UInt64.self)
        var copy = PerfCopyBuffer()
        var calls = 0
        let r = PerfRecords.walk(base: base, dataSize: dataSize, pageSize: page, copy: &copy) { _ in
            calls += 1
            return calls == 2 ? PerfRecords.done : PerfRecords.more
        }
        #expect(r == PerfRecords.done)
        #expect(calls == 2)
        #expect(base.load(fromByteOffset: PerfRecords.dataTailOffset, as: UInt64.self) == 32)
    }

    @Test func epollEventLayoutIsPacked() {
        #expect(EpollEvents.stride == 12)
    }
}

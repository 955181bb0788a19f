import CBPF
import Synchronization

// Shared plumbing of the buffer consumers and producers: ordered accesses to memory
// the kernel writes concurrently, shared mappings, epoll sets, map info.

/// Loads and stores on memory shared with the kernel (ring positions, record
/// headers), with the orderings the ring buffer protocols require. Atomic<T> has
/// the layout of T, so a mapped word is viewed as one in place.
enum SharedMemory {
    @inline(__always)
    static func loadAcquire64(_ p: UnsafeRawPointer) -> UInt64 {
        UnsafeMutableRawPointer(mutating: p).assumingMemoryBound(to: Atomic<UInt64>.self).pointee.load(ordering: .acquiring)
    }

    @inline(__always)
    static func loadAcquire32(_ p: UnsafeRawPointer) -> UInt32 {
        UnsafeMutableRawPointer(mutating: p).assumingMemoryBound(to: Atomic<UInt32>.self).pointee.load(ordering: .acquiring)
    }

    @inline(__always)
    static func storeRelease64(_ p: UnsafeMutableRawPointer, _ value: UInt64) {
        p.assumingMemoryBound(to: Atomic<UInt64>.self).pointee.store(value, ordering: .releasing)
    }

    @inline(__always)
    static func exchange32(_ p: UnsafeMutableRawPointer, _ value: UInt32) -> UInt32 {
        p.assumingMemoryBound(to: Atomic<UInt32>.self).pointee.exchange(value, ordering: .acquiringAndReleasing)
    }
}

/// The system page size (what getpagesize(2) reports).
@inline(__always)
func systemPageSize() -> Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

/// mmap(2) of `length` bytes of `fd` at `offset`, shared. Throws the errno on failure.
func mapShared(fd: Int32, length: Int, writable: Bool, offset: Int) throws(BPFError) -> UnsafeMutableRawPointer {
    let protection = writable ? (PROT_READ | PROT_WRITE) : PROT_READ
    let p = mmap(nil, length, protection, MAP_SHARED, fd, off_t(offset))
    guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else { throw BPFError.lastErrno() }
    return p
}

/// The values of EPOLL_CLOEXEC, EPOLLIN, EPOLLOUT (glibc declares them as enum members).
enum EpollConstants {
    static let closeOnExec = Int32(EPOLL_CLOEXEC)
    static let readable = UInt32(EPOLLIN.rawValue)
    static let writable = UInt32(EPOLLOUT.rawValue)
}

/// An array of `struct epoll_event` for epoll_wait(2). On x86-64 the kernel's struct is
/// packed (12 bytes: u32 events, u64 data), so entries are read at explicit offsets.
struct EpollEvents: ~Copyable {
    static let stride = MemoryLayout<epoll_event>.size
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity * EpollEvents.stride, alignment: 8)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: self.capacity * EpollEvents.stride)
    }

    mutating func grow(to count: Int) {
        if count <= capacity { return }
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: count * EpollEvents.stride, alignment: 8)
        bigger.initializeMemory(as: UInt8.self, repeating: 0, count: count * EpollEvents.stride)
        bigger.copyMemory(from: storage, byteCount: capacity * EpollEvents.stride)
        storage.deallocate()
        storage = bigger
        capacity = count
    }

    /// epoll_wait(2) for up to `maxEvents` events; the count, or throws the errno.
    func wait(_ epollFD: Int32, maxEvents: Int, timeout: Int32) throws(BPFError) -> Int {
        let n = epoll_wait(epollFD, storage.assumingMemoryBound(to: epoll_event.self), Int32(truncatingIfNeeded: maxEvents), timeout)
        if n < 0 { throw BPFError.lastErrno() }
        return Int(n)
    }

    /// The user data of event `index` (what was registered with `Epoll.add`).
    @inline(__always)
    func data(_ index: Int) -> UInt64 {
        storage.loadUnaligned(fromByteOffset: index * EpollEvents.stride + MemoryLayout<UInt32>.size, as: UInt64.self)
    }

    deinit { storage.deallocate() }
}

enum Epoll {
    /// epoll_create1(EPOLL_CLOEXEC).
    static func create() throws(BPFError) -> Int32 {
        let fd = epoll_create1(EpollConstants.closeOnExec)
        if fd < 0 { throw BPFError.lastErrno() }
        return fd
    }

    /// EPOLL_CTL_ADD of `fd` for `events`, tagged with `data`.
    static func add(_ epollFD: Int32, fd: Int32, events: UInt32, data: UInt64) throws(BPFError) {
        var event = [UInt8](repeating: 0, count: EpollEvents.stride)
        let failed = event.withUnsafeMutableBytes { raw -> Bool in
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.baseAddress!.storeBytes(of: data, toByteOffset: MemoryLayout<UInt32>.size, as: UInt64.self)
            return epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, raw.baseAddress!.assumingMemoryBound(to: epoll_event.self)) < 0
        }
        if failed { throw BPFError.lastErrno() }
    }
}

/// BPF_OBJ_GET_INFO_BY_FD into a `struct bpf_map_info` (the kernel fills what it
/// knows; an fd of another kind fills the same bytes with its own info struct).
func queryMapInfo(fd: Int32) throws(BPFError) -> bpf_map_info {
    var info = bpf_map_info()
    _ = try ObjectCommands.info(fd: fd, info: &info, length: UInt32(MemoryLayout<bpf_map_info>.size))
    return info
}

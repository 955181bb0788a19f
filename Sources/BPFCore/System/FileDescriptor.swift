import CBPF

/// An owned file descriptor. Every fd the library opens is O_CLOEXEC.
public struct FileDescriptor: ~Copyable {
    public let rawValue: Int32

    public init(adopting rawValue: Int32) { self.rawValue = rawValue }

    /// Opens `path` read-only, close-on-exec.
    public static func openReadOnly(_ path: UnsafePointer<CChar>) throws(BPFError) -> FileDescriptor {
        let fd = sbpf_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 { throw BPFError.lastErrno() }
        return FileDescriptor(adopting: fd)
    }

    /// One read(2) of at most `count` bytes. Retries on EINTR.
    public func read(upTo count: Int) throws(BPFError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let n = buffer.withUnsafeMutableBytes { unistd_read(rawValue, $0.baseAddress, count) }
            if n >= 0 {
                buffer.removeLast(count - n)
                return buffer
            }
            let error = BPFError.lastErrno()
            if error != .EINTR { throw error }
        }
    }

    deinit { _ = close(rawValue) }
}

/// `read` is also the name of the method above; reach libc's through this alias.
@inline(__always)
func unistd_read(_ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    CBPF.read(fd, buf, count)
}

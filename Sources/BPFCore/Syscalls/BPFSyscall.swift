import CBPF

/// The one path to bpf(2). Each command's wrapper (in the files beside this one)
/// builds a zeroed `bpf_attr`, fills the fields of its command, and calls `run` or
/// `runReturningFD` with the number of attr bytes that command uses.
public enum BPFSyscall {
    /// How many times program loading is retried on EAGAIN (libbpf's PROG_LOAD_ATTEMPTS).
    public static let programLoadAttempts: Int32 = 5

    /// Issues `cmd` with the first `size` bytes of `attr`. Returns the kernel's
    /// non-negative result, or throws the errno read straight after the call.
    @inline(__always)
    @_optimize(speed)
    public static func run(_ cmd: bpf_cmd, _ attr: inout bpf_attr, size: sbpf_attr_size) throws(BPFError) -> Int32 {
        let result = sbpf_bpf(Int32(cmd.rawValue), &attr, size.rawValue)
        if result < 0 { throw BPFError.lastErrno() }
        return Int32(truncatingIfNeeded: result)
    }

    /// For commands that return a new file descriptor: as `run`, then makes sure the
    /// fd is not 0, 1 or 2 (a process that closed its standard streams would otherwise
    /// get a BPF object where it expects a terminal).
    @_optimize(speed)
    public static func runReturningFD(_ cmd: bpf_cmd, _ attr: inout bpf_attr, size: sbpf_attr_size) throws(BPFError) -> Int32 {
        try FileDescriptors.movedAboveStandardStreams(try run(cmd, &attr, size: size))
    }

    /// BPF_PROG_LOAD, retried while the kernel answers EAGAIN, at most `attempts` times.
    public static func loadProgram(_ attr: inout bpf_attr, size: sbpf_attr_size, attempts: Int32) throws(BPFError) -> Int32 {
        var left = attempts
        while true {
            do {
                return try runReturningFD(BPF_PROG_LOAD, &attr, size: size)
            } catch {
                left -= 1
                if error != .EAGAIN || left <= 0 { throw error }
            }
        }
    }

    /// A user pointer as the kernel's `__aligned_u64`.
    @inline(__always)
    @_optimize(speed)
    public static func address(_ pointer: UnsafeRawPointer?) -> UInt64 {
        UInt64(UInt(bitPattern: pointer))
    }
}

/// Raw fd helpers shared by everything that hands fds to the user.
public enum FileDescriptors {
    /// Moves an fd in 0...2 to the lowest free fd above 2, close-on-exec, closing the
    /// original; logs and throws if that fails. Other fds are returned unchanged.
    public static func movedAboveStandardStreams(_ fd: Int32) throws(BPFError) -> Int32 {
        if fd > 2 { return fd }
        let moved = sbpf_dupfd_cloexec(fd, 3)
        let error = BPFError.lastErrno()
        _ = close(fd)
        if moved < 0 {
            Log.warn("libbpf: failed to dup FD \(fd) to FD > 2: -\(error.code)\n")
            throw error
        }
        return moved
    }

    /// Closes an fd the library owns, keeping errno as it was.
    public static func closePreservingErrno(_ fd: Int32) {
        let saved = sbpf_errno()
        _ = close(fd)
        sbpf_set_errno(saved)
    }
}

/// Copies a C string into a fixed-size char array field (such as `map_name`) with
/// strlcpy semantics: truncated, always terminated.
public func copyName<T>(_ name: UnsafePointer<CChar>, into field: inout T) {
    withUnsafeMutableBytes(of: &field) { dst in
        let capacity = dst.count
        var i = 0
        while i < capacity - 1, name[i] != 0 {
            dst[i] = UInt8(bitPattern: name[i])
            i += 1
        }
        dst[i] = 0
    }
}

import CBPF

/// A failure as libbpf reports it: a positive errno value, or one of libbpf's own
/// codes (`LIBBPF_ERRNO__*`, 4000 and up). C entry points turn it into a negative
/// return value plus `errno`, or NULL plus `errno`.
public struct BPFError: Error, Equatable {
    /// The positive error number.
    public var code: Int32

    @inlinable public init(_ code: Int32) { self.code = code }

    /// The error of the last failed libc call, read right after that call.
    @inlinable public static func lastErrno() -> BPFError { BPFError(sbpf_errno()) }

    public static let EPERM = BPFError(CBPF.EPERM)
    public static let ENOENT = BPFError(CBPF.ENOENT)
    public static let EINTR = BPFError(CBPF.EINTR)
    public static let EIO = BPFError(CBPF.EIO)
    public static let E2BIG = BPFError(CBPF.E2BIG)
    public static let EBADF = BPFError(CBPF.EBADF)
    public static let EAGAIN = BPFError(CBPF.EAGAIN)
    public static let ENOMEM = BPFError(CBPF.ENOMEM)
    public static let EFAULT = BPFError(CBPF.EFAULT)
    public static let EBUSY = BPFError(CBPF.EBUSY)
    public static let EEXIST = BPFError(CBPF.EEXIST)
    public static let EINVAL = BPFError(CBPF.EINVAL)
    public static let ENOSPC = BPFError(CBPF.ENOSPC)
    public static let ERANGE = BPFError(CBPF.ERANGE)
    public static let ENOTSUP = BPFError(CBPF.ENOTSUP)
    public static let EOPNOTSUPP = BPFError(CBPF.EOPNOTSUPP)
    public static let ESRCH = BPFError(CBPF.ESRCH)
}

import CBPF

/// The text of an error code, as `libbpf_strerror` produces it.
public enum ErrorStrings {
    /// First and one-past-last of libbpf's own codes (`__LIBBPF_ERRNO__START/END`).
    public static let libbpfStart: Int32 = 4000
    public static let libbpfEnd: Int32 = 4014

    /// Messages for 4000 ..< 4014. The reference has no entry for LIBBPF_ERRNO__LOAD
    /// (4006) and prints it with "%s" of NULL, which glibc renders "(null)".
    static let libbpfMessages: [StaticString] = [
        "Something wrong in libelf",
        "BPF object format invalid",
        "'version' section incorrect or lost",
        "Endian mismatch",
        "Internal error in libbpf",
        "Relocation failed",
        "(null)",
        "Kernel verifier blocks program loading",
        "Program too big",
        "Incorrect kernel version",
        "Kernel doesn't support this program type",
        "Wrong pid in netlink message",
        "Invalid netlink sequence",
        "Incorrect netlink message parsing",
    ]

    /// What `libbpf_strerror(err, ...)` describes, in one of three forms.
    public enum Description {
        /// A plain errno: described by libc's XSI `strerror_r`, whose result
        /// (0 or a positive error number) the reference returns unchanged.
        case system(Int32)
        /// One of libbpf's codes.
        case libbpf(StaticString)
        /// Past libbpf's codes: "Unknown libbpf error N", and -ENOENT.
        case unknown(Int32)
    }

    /// Classifies `err`, which may be given negated. INT_MIN stays INT_MIN, as the
    /// reference's `-err` does in practice, and so is a (unknown) system error.
    public static func describe(_ err: Int32) -> Description {
        let code = err > 0 ? err : 0 &- err
        if code < libbpfStart { return .system(code) }
        if code < libbpfEnd { return .libbpf(libbpfMessages[Int(code - libbpfStart)]) }
        return .unknown(code)
    }
}

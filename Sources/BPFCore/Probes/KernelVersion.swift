import CBPF

/// The running kernel's version as `KERNEL_VERSION(major, minor, patch)`, the value
/// kprobe programs carry in `kern_version`. Kernels since 5.0 ignore it, but older
/// ones refuse a kprobe program whose version differs from theirs, so the reference
/// computes it for every kprobe load, and so do we.
public enum KernelVersion {
    /// Ubuntu kernels report the upstream version they are based on here; their
    /// `uname` release carries Ubuntu's own numbering.
    static let ubuntuSignaturePath: StaticString = "/proc/version_signature"
    /// The same string `uname(2)` returns as the release.
    static let releasePath: StaticString = "/proc/sys/kernel/osrelease"

    /// `KERNEL_VERSION(a, b, c)` as the kernel's <linux/version.h> defines it: the
    /// patch level saturates at 255.
    public static func encode(major: UInt32, minor: UInt32, patch: UInt32) -> UInt32 {
        (major &<< 16) &+ (minor &<< 8) &+ (patch > 255 ? 255 : patch)
    }

    /// The version code, or 0 when it cannot be determined (as the reference).
    ///
    /// errno: the reference tests the Ubuntu file with faccessat(2), which leaves errno
    /// at ENOENT on other distributions, and then calls uname(2), which cannot fail.
    /// We read the release from /proc instead of uname (no utsname in our C view),
    /// so errno is put back to what faccessat left: callers of the probes observe the
    /// same errno either way.
    public static func current() -> UInt32 {
        // Checked with the effective ids (AT_EACCESS): a setuid caller reads as itself.
        let ubuntuReadable = faccessat(AT_FDCWD, cString(ubuntuSignaturePath), R_OK, AT_EACCESS) == 0
        let errnoAfterCheck = sbpf_errno()
        defer { sbpf_set_errno(errnoAfterCheck) }
        if ubuntuReadable, let text = contents(of: ubuntuSignaturePath), let version = parseUbuntuSignature(text) {
            return version
        }
        guard let text = contents(of: releasePath) else { return 0 }
        return parseRelease(text) ?? 0
    }

    /// `sscanf(release, "%u.%u.%u", ...)`: the leading "major.minor.patch" of a
    /// release such as "6.18.44-fc-v657"; nil unless all three numbers are there.
    public static func parseRelease(_ text: [UInt8]) -> UInt32? {
        var scanner = Scanner(text)
        return scanner.version()
    }

    /// `fscanf(f, "%*s %*s %d.%d.%d\n", ...)` on /proc/version_signature, e.g.
    /// "Ubuntu 5.4.0-42.46-generic 5.4.44": the third word's version.
    public static func parseUbuntuSignature(_ text: [UInt8]) -> UInt32? {
        var scanner = Scanner(text)
        guard scanner.skipWord(), scanner.skipWord() else { return nil }
        return scanner.version()
    }

    /// At most one page of a small /proc file; nil if it cannot be read.
    static func contents(of path: StaticString) -> [UInt8]? {
        do throws(BPFError) {
            let fd = try FileDescriptor.openReadOnly(cString(path))
            return try fd.read(upTo: 4096)
        } catch {
            return nil
        }
    }

    /// A string literal as a C string (literals are stored NUL-terminated).
    static func cString(_ literal: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// Just enough of scanf's %u / %*s rules for the two formats above.
    struct Scanner {
        let text: [UInt8]
        var index = 0

        init(_ text: [UInt8]) { self.text = text }

        static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0d) }

        mutating func skipSpaces() {
            while index < text.count, Scanner.isSpace(text[index]) { index += 1 }
        }

        /// %*s: whitespace, then at least one non-whitespace byte.
        mutating func skipWord() -> Bool {
            skipSpaces()
            let start = index
            while index < text.count, text[index] != 0, !Scanner.isSpace(text[index]) { index += 1 }
            return index > start
        }

        /// %u: whitespace, an optional sign, at least one digit; wraps like scanf.
        mutating func number() -> UInt32? {
            skipSpaces()
            var negative = false
            if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                negative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            let start = index
            var value: UInt32 = 0
            while index < text.count, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") {
                value = value &* 10 &+ UInt32(text[index] - UInt8(ascii: "0"))
                index += 1
            }
            if index == start { return nil }
            return negative ? 0 &- value : value
        }

        /// A literal byte of the format.
        mutating func literal(_ c: UInt8) -> Bool {
            guard index < text.count, text[index] == c else { return false }
            index += 1
            return true
        }

        /// "%u.%u.%u" encoded with `KernelVersion.encode`.
        mutating func version() -> UInt32? {
            guard let major = number(), literal(UInt8(ascii: ".")),
                  let minor = number(), literal(UInt8(ascii: ".")),
                  let patch = number() else { return nil }
            return KernelVersion.encode(major: major, minor: minor, patch: patch)
        }
    }
}

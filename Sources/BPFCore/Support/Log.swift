import CBPF

/// libbpf's log levels (`enum libbpf_print_level`).
public enum LogLevel: UInt32 {
    case warn = 0
    case info = 1
    case debug = 2
}

/// Where library messages go: the `libbpf_print_fn_t` the user installed with
/// `libbpf_set_print` (the default printer until then, nothing after `NULL`).
///
/// libbpf documents this global as not thread-safe; so is this one.
public enum Log {
    /// The C callback, stored as a raw pointer because its type takes a `va_list`.
    nonisolated(unsafe) public static var printCallback: UnsafeRawPointer? = defaultPrintCallback

    /// The address of the C default printer (`sbpf_default_print`).
    public static var defaultPrintCallback: UnsafeRawPointer? { sbpf_default_print_fn() }

    /// Test hook: when set, messages go here instead of the C callback.
    nonisolated(unsafe) public static var sink: ((LogLevel, String) -> Void)?

    public static func warn(_ message: LogText) { emit(.warn, message) }
    public static func info(_ message: LogText) { emit(.info, message) }
    public static func debug(_ message: LogText) { emit(.debug, message) }

    /// Sends one message, already formatted and prefixed with "libbpf: " by the caller
    /// as the reference does, to the callback, as raw bytes (names from ELF files and
    /// users need not be UTF-8; the reference prints them as they are). errno is
    /// saved and restored around the callback so logging never changes the error a
    /// caller is about to read.
    public static func emit(_ level: LogLevel, _ message: LogText) {
        if let sink {
            sink(level, String(decoding: message.bytes, as: UTF8.self))
            return
        }
        guard let callback = printCallback else { return }
        let savedErrno = sbpf_errno()
        var bytes = message.bytes
        bytes.append(0)
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                _ = sbpf_call_print(callback, libbpf_print_level(rawValue: level.rawValue), $0.baseAddress!)
            }
        }
        sbpf_set_errno(savedErrno)
    }

}

/// A log message built by string interpolation, as bytes: `\(cString: p)` inserts a
/// C string unchanged (no UTF-8 repair), everything else as its text.
public struct LogText: ExpressibleByStringInterpolation {
    public var bytes: [UInt8]

    public init(stringLiteral value: StaticString) {
        bytes = []
        value.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public init(stringInterpolation: Interpolation) { bytes = stringInterpolation.bytes }

    public struct Interpolation: StringInterpolationProtocol {
        var bytes: [UInt8] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        public mutating func appendInterpolation(_ value: String) {
            var copy = value
            copy.withUTF8 { bytes.append(contentsOf: $0) }
        }

        public mutating func appendInterpolation(_ value: StaticString) { appendLiteral(value) }

        public mutating func appendInterpolation<T: BinaryInteger>(_ value: T) {
            appendInterpolation(String(value))
        }

        /// printf's "%lx"/"%zx": lowercase hex without prefix.
        public mutating func appendInterpolation(hex value: UInt64) {
            var digits: [UInt8] = []
            var v = value
            repeat {
                let d = UInt8(truncatingIfNeeded: v & 0xf)
                digits.append(d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10)
                v >>= 4
            } while v != 0
            bytes.append(contentsOf: digits.reversed())
        }

        /// A NUL-terminated [CChar] as raw bytes.
        public mutating func appendInterpolation(cChars: [CChar]) {
            for c in cChars {
                if c == 0 { break }
                bytes.append(UInt8(bitPattern: c))
            }
        }

        /// A C string as raw bytes (NULL prints as "(null)", like glibc's printf).
        public mutating func appendInterpolation(cString: UnsafePointer<CChar>?) {
            guard let cString else {
                appendLiteral("(null)")
                return
            }
            var p = UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self)
            while p.pointee != 0 {
                bytes.append(p.pointee)
                p += 1
            }
        }
    }
}

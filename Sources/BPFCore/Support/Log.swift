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

    public static func warn(_ message: String) { emit(.warn, message) }
    public static func info(_ message: String) { emit(.info, message) }
    public static func debug(_ message: String) { emit(.debug, message) }

    /// Sends one message, already formatted and prefixed with "libbpf: " by the caller
    /// as the reference does, to the callback. errno is saved and restored around the
    /// callback so logging never changes the error a caller is about to read.
    public static func emit(_ level: LogLevel, _ message: String) {
        if let sink {
            sink(level, message)
            return
        }
        guard let callback = printCallback else { return }
        let savedErrno = sbpf_errno()
        var text = message
        text.withUTF8 { bytes in
            // withUTF8 gives no NUL terminator: copy into a terminated buffer.
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            defer { buffer.deallocate() }
            bytes.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress { buffer.update(from: base, count: chars.count) }
            }
            buffer[bytes.count] = 0
            _ = sbpf_call_print(callback, libbpf_print_level(rawValue: level.rawValue), buffer)
        }
        sbpf_set_errno(savedErrno)
    }
}

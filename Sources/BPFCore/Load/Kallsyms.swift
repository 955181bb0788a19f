import CBPF

/// `/proc/kallsyms`, read as libbpf 1.1 reads it: one
/// `fscanf(f, "%llx %c %499s%*[^\n]\n", ...)` per entry, so an entry is an
/// address in hex, a type character and a name of at most 499 characters;
/// anything after the name (a module's "[name]") is skipped.
public enum Kallsyms {
    /// The longest name the reference's `%499s` keeps.
    public static let maxNameLength = 499

    /// Calls `body` for every entry of /proc/kallsyms in order, until it returns an
    /// error (which is thrown). A malformed entry is an error (EINVAL), after
    /// "failed to read kallsyms entry: <fields read>".
    public static func forEach(_ body: (UInt64, UInt8, UnsafePointer<CChar>) -> BPFError?) throws(BPFError) {
        let fd = sbpf_open("/proc/kallsyms", O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to open /proc/kallsyms: -\(error.code)\n")
            throw error
        }
        defer { _ = close(fd) }
        var reader = ByteReader(fd: fd)
        defer { reader.free() }
        try forEach(&reader, body)
    }

    /// The same over any text (for tests).
    public static func forEach(text: [UInt8], _ body: (UInt64, UInt8, UnsafePointer<CChar>) -> BPFError?) throws(BPFError) {
        var reader = ByteReader(bytes: text)
        defer { reader.free() }
        try forEach(&reader, body)
    }

    static func forEach(_ reader: inout ByteReader, _ body: (UInt64, UInt8, UnsafePointer<CChar>) -> BPFError?) throws(BPFError) {
        var name = [CChar](repeating: 0, count: maxNameLength + 1)
        while true {
            let (fields, address, type) = scanEntry(&reader, name: &name)
            if fields == -1 && reader.atEnd { return }
            if fields != 3 {
                Log.warn("libbpf: failed to read kallsyms entry: \(fields)\n")
                throw .EINVAL
            }
            let error = name.withUnsafeBufferPointer { body(address, type, $0.baseAddress!) }
            if let error { throw error }
        }
    }

    /// One `fscanf` of the entry format: the number of fields converted (-1 when
    /// the input ended before the first one), the address and the type.
    static func scanEntry(_ r: inout ByteReader, name: inout [CChar]) -> (Int32, UInt64, UInt8) {
        // %llx
        r.skipWhitespace()
        guard var c = r.peek() else { return (-1, 0, 0) }
        var negative = false
        if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            negative = c == UInt8(ascii: "-")
            r.advance()
            guard let next = r.peek() else { return (-1, 0, 0) }
            c = next
        }
        var address: UInt64 = 0
        var digits = 0
        var overflow = false
        if c == UInt8(ascii: "0") {
            r.advance()
            digits = 1
            if let x = r.peek(), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") { r.advance() }
        }
        while let d = r.peek(), let v = hexValue(d) {
            if address > UInt64.max >> 4 { overflow = true }
            address = address &<< 4 | UInt64(v)
            digits += 1
            r.advance()
        }
        if digits == 0 { return (0, 0, 0) }
        if overflow { address = UInt64.max } else if negative { address = 0 &- address }
        // " %c"
        r.skipWhitespace()
        guard let type = r.peek() else { return (1, address, 0) }
        r.advance()
        // " %499s"
        r.skipWhitespace()
        var length = 0
        while length < maxNameLength, let b = r.peek(), !isSpace(b) {
            name[length] = CChar(bitPattern: b)
            length += 1
            r.advance()
        }
        if length == 0 { return (2, address, type) }
        name[length] = 0
        // "%*[^\n]\n": the rest of the line, then any whitespace.
        while let b = r.peek(), b != UInt8(ascii: "\n") { r.advance() }
        r.skipWhitespace()
        return (3, address, type)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0d)
    }

    /// Buffered bytes from a file descriptor (or a fixed array).
    struct ByteReader {
        let fd: Int32
        let capacity: Int
        let buffer: UnsafeMutablePointer<UInt8>
        var start = 0
        var end = 0
        var atEnd = false

        init(fd: Int32) {
            self.fd = fd
            capacity = 1 << 16
            buffer = .allocate(capacity: capacity)
        }

        init(bytes: [UInt8]) {
            fd = -1
            capacity = max(bytes.count, 1)
            buffer = .allocate(capacity: capacity)
            bytes.withUnsafeBufferPointer { b in
                if let base = b.baseAddress { buffer.update(from: base, count: b.count) }
            }
            end = bytes.count
        }

        func free() { buffer.deallocate() }

        mutating func peek() -> UInt8? {
            if start == end && !refill() { return nil }
            return buffer[start]
        }

        mutating func advance() { start += 1 }

        mutating func skipWhitespace() {
            while let b = peek(), Kallsyms.isSpace(b) { advance() }
        }

        mutating func refill() -> Bool {
            if atEnd { return false }
            if fd < 0 {
                atEnd = true
                return false
            }
            while true {
                let n = unistd_read(fd, buffer, capacity)
                if n < 0 && sbpf_errno() == EINTR { continue }
                if n <= 0 {
                    atEnd = true
                    return false
                }
                start = 0
                end = n
                return true
            }
        }
    }
}

/// `probe_kern_syscall_wrapper` (FEAT_SYSCALL_WRAPPER, the LINUX_HAS_SYSCALL_WRAPPER
/// extern): syscalls go through `__<arch>_sys_*` wrappers when a kprobe on
/// `__<arch>_sys_bpf` can be created, through the kprobe PMU or, without it,
/// as a legacy tracefs kprobe event that is removed again.
enum SyscallWrapperProbe {
    /// `arch_specific_syscall_pfx`.
    static var prefix: StaticString? {
        #if arch(x86_64)
        return "x64"
        #elseif arch(i386)
        return "ia32"
        #elseif arch(s390x)
        return "s390x"
        #elseif arch(arm)
        return "arm"
        #elseif arch(arm64)
        return "arm64"
        #elseif arch(powerpc64) || arch(powerpc64le)
        return "powerpc"
        #elseif arch(riscv64)
        return "riscv"
        #else
        return nil
        #endif
    }

    static func run() -> Bool {
        guard let prefix else { return false }
        var name: [CChar] = []
        for c in "__".utf8 { name.append(CChar(bitPattern: c)) }
        prefix.withUTF8Buffer { for c in $0 { name.append(CChar(bitPattern: c)) } }
        for c in "_sys_bpf".utf8 { name.append(CChar(bitPattern: c)) }
        name.append(0)
        let type = Tracefs.probePMUType(uprobe: false)
        if type >= 0 {
            let fd: Int32 = name.withUnsafeBufferPointer { buffer in
                var attr = perf_event_attr()
                attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
                attr.type = UInt32(type)
                attr.config1 = UInt64(UInt(bitPattern: buffer.baseAddress))
                attr.config2 = 0
                return sbpf_perf_event_open(&attr, getpid(), -1, -1, UInt(PERF_FLAG_FD_CLOEXEC))
            }
            if fd >= 0 { _ = close(fd) }
            return fd >= 0
        }
        // Legacy: a kprobe event added to kprobe_events and removed again.
        let event = name.withUnsafeBufferPointer { LegacyProbeEvent.kprobe(function: $0.baseAddress!, offset: 0, retprobe: false) }
        let added = name.withUnsafeBufferPointer { event.addKprobe(function: $0.baseAddress!, offset: 0) }
        if added < 0 { return false }
        _ = event.remove()
        return true
    }
}

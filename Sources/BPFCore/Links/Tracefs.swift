import CBPF

/// The files of tracefs and of the perf PMUs that probe attachment reads and
/// writes: tracepoint ids, the kprobe/uprobe PMU types and retprobe bits, and the
/// legacy probe event files.
public enum Tracefs {
    nonisolated(unsafe) static var usesDebugfsCache: Int8 = -1

    /// libbpf prefers debugfs' tracing directory when it exists (checked once).
    static var usesDebugfs: Bool {
        if usesDebugfsCache < 0 {
            usesDebugfsCache = access("/sys/kernel/debug/tracing", F_OK) == 0 ? 1 : 0
        }
        return usesDebugfsCache == 1
    }

    static var root: StaticString {
        usesDebugfs ? "/sys/kernel/debug/tracing" : "/sys/kernel/tracing"
    }

    /// Appends `line` to kprobe_events or uprobe_events; 0 or -errno.
    static func appendToEventsFile(kprobes: Bool, _ line: [CChar]) -> Int32 {
        let path: StaticString
        switch (kprobes, usesDebugfs) {
        case (true, true): path = "/sys/kernel/debug/tracing/kprobe_events"
        case (true, false): path = "/sys/kernel/tracing/kprobe_events"
        case (false, true): path = "/sys/kernel/debug/tracing/uprobe_events"
        case (false, false): path = "/sys/kernel/tracing/uprobe_events"
        }
        let fd = sbpf_open(path.cString, O_WRONLY | O_APPEND | O_CLOEXEC, 0)
        if fd < 0 { return -sbpf_errno() }
        let written = line.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
        let result: Int32 = written < 0 ? -sbpf_errno() : 0
        _ = close(fd)
        return result
    }

    /// Reads one integer from a sysfs/tracefs file, as libbpf's
    /// `parse_uint_from_file` with the format "%d\n" or, with `prefix`,
    /// "<prefix>%d\n". Returns the value or -errno (debug log on failure).
    static func readInteger(_ path: UnsafePointer<CChar>, prefix: StaticString? = nil) -> Int32 {
        let bytes: [UInt8]
        do throws(BPFError) {
            let fd = try FileDescriptor.openReadOnly(path)
            bytes = try fd.read(upTo: 4096)
        } catch {
            Log.debug("libbpf: failed to open '\(cString: path)': \(errorText(error.code))\n")
            return -error.code
        }
        var i = 0
        var matched = true
        if let prefix {
            prefix.withUTF8Buffer { p in
                for byte in p {
                    if i < bytes.count, bytes[i] == byte { i += 1 } else { matched = false; return }
                }
            }
        }
        while matched, i < bytes.count, Kallsyms.isSpace(bytes[i]) { i += 1 }
        var negative = false
        if matched, i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var value: Int64 = 0
        var digits = 0
        while matched, i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[i] - UInt8(ascii: "0"))
            digits += 1
            i += 1
        }
        if digits == 0 {
            // fscanf: EOF before any conversion is EIO; a mismatch leaves errno.
            let code: Int32 = bytes.isEmpty ? EIO : EINVAL
            Log.debug("libbpf: failed to parse '\(cString: path)': \(errorText(code))\n")
            return -code
        }
        return Int32(truncatingIfNeeded: negative ? -value : value)
    }

    /// The perf event type of the kprobe or uprobe PMU, or -errno.
    static func probePMUType(uprobe: Bool) -> Int32 {
        let path: StaticString = uprobe ? "/sys/bus/event_source/devices/uprobe/type"
                                        : "/sys/bus/event_source/devices/kprobe/type"
        return readInteger(path.cString)
    }

    /// The config bit that makes a kprobe/uprobe PMU event a return probe, or -errno.
    static func retprobeBit(uprobe: Bool) -> Int32 {
        let path: StaticString = uprobe ? "/sys/bus/event_source/devices/uprobe/format/retprobe"
                                        : "/sys/bus/event_source/devices/kprobe/format/retprobe"
        return readInteger(path.cString, prefix: "config:")
    }

    /// The id of tracepoint `category/name` ("<tracefs>/events/<category>/<name>/id"),
    /// or -errno.
    static func tracepointID(category: UnsafePointer<CChar>, name: UnsafePointer<CChar>) -> Int32 {
        var path: [CChar] = []
        path.appendASCII(root)
        path.appendASCII("/events/")
        path.appendCString(category)
        path.appendASCII("/")
        path.appendCString(name)
        path.appendASCII("/id")
        if path.count >= Int(PATH_MAX) {
            Log.debug("libbpf: tracepoint \(cString: category)/\(cString: name) path is too long\n")
            return -E2BIG
        }
        path.append(0)
        return path.withUnsafeBufferPointer { readInteger($0.baseAddress!) }
    }

    /// The id of a legacy probe event ("<tracefs>/events/<group>/<event>/id").
    static func legacyEventID(_ event: LegacyProbeEvent) -> Int32 {
        var path: [CChar] = []
        path.appendASCII(root)
        path.appendASCII("/events/")
        path.appendASCII(event.isKprobe ? (event.isRetprobe ? "kretprobes" : "kprobes")
                                        : (event.isRetprobe ? "uretprobes" : "uprobes"))
        path.appendASCII("/")
        path.appendCString(event.name)
        path.appendASCII("/id")
        path.append(0)
        return path.withUnsafeBufferPointer { readInteger($0.baseAddress!) }
    }
}

extension StaticString {
    /// The literal as a C string (string literals are NUL-terminated in the binary).
    public var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

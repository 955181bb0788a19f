import CBPF

/// How a link lets go of what it attached (`bpf_link__destroy` runs this unless
/// the link was disconnected).
public enum LinkRelease {
    /// The fd is a BPF link (or a raw tracepoint / fd-based attachment): closing
    /// it detaches.
    case closeFD
    /// A BPF program on a perf event: the event is disabled and closed (and the
    /// BPF perf link, when one was created on top of it); a probe event created
    /// through tracefs' legacy interface is removed after that.
    case perfEvent(perfFD: Int32, legacyProbe: LegacyProbeEvent?)
    /// A struct_ops map: deleting its only element unregisters it. The fd is the
    /// map's and stays open (the object owns it).
    case structOps
    /// A USDT attachment (Sources/BPFCore/USDT): its uprobe links, spec ids and
    /// address-map entries, released together. The fd is 0 (as in the reference).
    case usdt(USDTAttachment)
}

/// A probe event created by writing to tracefs' kprobe_events/uprobe_events, for
/// kernels without the kprobe/uprobe PMU. It outlives the perf event unless it is
/// removed explicitly.
public struct LegacyProbeEvent {
    public var name: [CChar]  // NUL-terminated
    public var isKprobe: Bool
    public var isRetprobe: Bool

    /// One process-wide counter makes every legacy kprobe name unique (attachments
    /// and the syscall-wrapper feature probe draw from it alike).
    nonisolated(unsafe) static var nextKprobeIndex: Int32 = 0

    /// A kprobe event named "libbpf_<pid>_<function>_0x<offset>_<n>".
    static func kprobe(function: UnsafePointer<CChar>, offset: UInt64, retprobe: Bool) -> LegacyProbeEvent {
        var event = LegacyProbeEvent(name: [], isKprobe: true, isRetprobe: retprobe)
        event.name.appendASCII("libbpf_")
        event.name.appendDecimal(UInt32(bitPattern: getpid()))
        event.name.appendASCII("_")
        event.name.appendCString(function)
        event.name.appendASCII("_0x")
        event.name.appendLowerHex(offset)
        event.name.appendASCII("_")
        event.name.appendDecimal(nextKprobeIndex)
        nextKprobeIndex &+= 1
        event.name.append(0)
        return event
    }

    /// Writes "p:kprobes/<name> <function>+0x<offset>" (r:kretprobes/ for a
    /// return probe) to kprobe_events; 0 or -errno.
    func addKprobe(function: UnsafePointer<CChar>, offset: UInt64) -> Int32 {
        var line: [CChar] = []
        line.appendASCII(isRetprobe ? "r:kretprobes/" : "p:kprobes/")
        line.appendCString(name)
        line.appendASCII(" ")
        line.appendCString(function)
        line.appendASCII("+0x")
        line.appendLowerHex(offset)
        return Tracefs.appendToEventsFile(kprobes: true, line)
    }

    /// Writes the "-:group/name" line that deletes the event; 0 or -errno.
    func remove() -> Int32 {
        var line: [CChar] = []
        line.appendASCII("-:")
        line.appendASCII(isKprobe ? (isRetprobe ? "kretprobes" : "kprobes") : (isRetprobe ? "uretprobes" : "uprobes"))
        line.appendASCII("/")
        line.appendCString(name)
        return Tracefs.appendToEventsFile(kprobes: isKprobe, line)
    }
}

/// An attachment of a BPF program (`struct bpf_link`): an fd plus what releasing it
/// takes, an optional pin path, and whether the user disconnected it (then
/// destroying the handle leaves the attachment and the fd alone).
public final class BPFLink {
    public internal(set) var fd: Int32
    /// Owned C string (its address is handed to C callers); nil when not pinned.
    public private(set) var pinPath: UnsafeMutablePointer<CChar>?
    public var disconnected = false
    let release: LinkRelease

    public init(fd: Int32, release: LinkRelease) {
        self.fd = fd
        self.release = release
    }

    deinit {
        if let pinPath { free(pinPath) }
    }

    /// `bpf_link__destroy` minus freeing the handle: runs the release unless the
    /// link was disconnected. Returns 0 or the negative errno of the release.
    public func destroy() -> Int32 {
        if disconnected { return 0 }
        switch release {
        case .closeFD:
            return close(fd) < 0 ? -sbpf_errno() : 0
        case .perfEvent(let perfFD, let legacyProbe):
            var result: Int32 = 0
            if sbpf_perf_event_disable(perfFD) < 0 { result = -sbpf_errno() }
            if perfFD != fd { _ = close(perfFD) }
            _ = close(fd)
            // The probe event can only go once no perf event uses it.
            if let legacyProbe { result = legacyProbe.remove() }
            return result
        case .structOps:
            var key: UInt32 = 0
            do throws(BPFError) {
                try MapCommands.element(BPF_MAP_DELETE_ELEM, fd: fd, key: &key, value: nil, flags: 0)
            } catch {
                return -error.code
            }
            return 0
        case .usdt(let attachment):
            return attachment.release()
        }
    }

    /// `bpf_link__pin`: pins the link at `path` (whose directory is created when
    /// missing and must be on a BPF file system).
    public func pin(at path: UnsafePointer<CChar>) throws(BPFError) {
        if pinPath != nil { throw .EBUSY }
        try makeParentDirectory(path)
        try checkBPFFSPath(path)
        guard let copy = strdup(path) else { throw .ENOMEM }
        do throws(BPFError) {
            try ObjectCommands.pin(fd: fd, path: copy)
        } catch {
            free(copy)
            throw error
        }
        pinPath = copy
        Log.debug("libbpf: link fd=\(fd): pinned at \(cString: copy)\n")
    }

    /// `bpf_link__unpin`: removes the pin; EINVAL when there is none.
    public func unpin() throws(BPFError) {
        guard let path = pinPath else { throw .EINVAL }
        if unlink(path) != 0 { throw .lastErrno() }
        Log.debug("libbpf: link fd=\(fd): unpinned from \(cString: path)\n")
        free(path)
        pinPath = nil
    }

    /// `bpf_link__open`: a handle on the link pinned at `path`; destroying it
    /// closes the fd (the pin keeps the attachment).
    public static func open(path: UnsafePointer<CChar>?) throws(BPFError) -> BPFLink {
        let fd: Int32
        do throws(BPFError) {
            fd = try ObjectCommands.get(path: path, fileFlags: 0)
        } catch {
            Log.warn("libbpf: failed to open link at \(cString: path): \(-error.code)\n")
            throw error
        }
        let link = BPFLink(fd: fd, release: .closeFD)
        guard let path, let copy = strdup(path) else {
            _ = close(fd)
            throw .ENOMEM
        }
        link.pinPath = copy
        return link
    }

    /// `bpf_link__detach`: BPF_LINK_DETACH on the fd (which stays open).
    public func detachFromKernel() throws(BPFError) {
        try LinkCommands.detach(linkFD: fd)
    }

    /// `bpf_link__update_program`: BPF_LINK_UPDATE to `programFD` (libbpf passes
    /// `bpf_program__fd`, i.e. -ENOENT for a program that is not loaded).
    public func update(programFD: Int32) throws(BPFError) {
        try LinkCommands.update(linkFD: fd, newProgramFD: programFD, flags: 0, oldProgramFD: 0)
    }
}

extension Array where Element == CChar {
    /// Appends the bytes of an ASCII literal (no NUL).
    mutating func appendASCII(_ text: StaticString) {
        text.withUTF8Buffer { for byte in $0 { append(CChar(bitPattern: byte)) } }
    }

    /// Appends a C string's bytes (no NUL), from a pointer or a NUL-terminated array.
    mutating func appendCString(_ text: UnsafePointer<CChar>) {
        var p = text
        while p.pointee != 0 { append(p.pointee); p += 1 }
    }

    mutating func appendCString(_ text: [CChar]) {
        for c in text {
            if c == 0 { break }
            append(c)
        }
    }

    /// Appends `value` in decimal.
    mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        if value < 0 { append(CChar(bitPattern: UInt8(ascii: "-"))) }
        var magnitude = value.magnitude
        var digits: [CChar] = []
        repeat {
            digits.append(CChar(bitPattern: UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)))
            magnitude /= 10
        } while magnitude != 0
        append(contentsOf: digits.reversed())
    }

    /// Appends `value` in lowercase hex without prefix.
    mutating func appendLowerHex(_ value: UInt64) {
        var digits: [CChar] = []
        var v = value
        repeat {
            let d = UInt8(truncatingIfNeeded: v & 0xf)
            digits.append(CChar(bitPattern: d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10))
            v >>= 4
        } while v != 0
        append(contentsOf: digits.reversed())
    }
}

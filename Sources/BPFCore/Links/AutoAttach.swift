import CBPF

// bpf_program__attach and skeleton auto-attach: the attach target is read from
// the section name, per SEC() definition ("tp/<category>/<name>",
// "uprobe/<binary>:<function>[+<offset>]", ...). A section naming no target
// ("tp", "uprobe", "kprobe.multi", ...) is not an error: it attaches nothing.

/// C handles of links: retained until `bpf_link__destroy`.
public enum LinkHandle {
    public static func retain(_ link: BPFLink) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(link).toOpaque())
    }
}

extension BPFProgram {
    /// Whether the program's SEC() definition has an attach function (a built-in
    /// one, or a custom handler's `prog_attach_fn`).
    public var canAutoAttach: Bool {
        guard let definition = sectionDefinition else { return false }
        return definition.isBuiltin ? definition.autoAttach != .none : definition.attachFn != nil
    }

    /// Runs the definition's attach function: 0 with `link` set (or left nil when
    /// the section names no target), or a negative errno. A custom handler's
    /// callback gets the program handle, its cookie and `link` as in C.
    public func autoAttach(_ link: inout OpaquePointer?) -> Int32 {
        guard let definition = sectionDefinition else { return -EOPNOTSUPP }
        if !definition.isBuiltin {
            guard let attach = definition.attachFn else { return -EOPNOTSUPP }
            // libbpf_prog_attach_fn_t: int (*)(const struct bpf_program *, long cookie, struct bpf_link **)
            typealias AttachFunction = @convention(c) (OpaquePointer?, Int, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
            let function = unsafeBitCast(attach, to: AttachFunction.self)
            return function(OpaquePointer(Unmanaged.passUnretained(self).toOpaque()), definition.cookie, &link)
        }
        do throws(BPFError) {
            if let attached = try attachFromSectionName(definition.autoAttach) {
                link = LinkHandle.retain(attached)
            } else {
                link = nil
            }
            return 0
        } catch {
            link = nil
            return -error.code
        }
    }

    /// The built-in auto-attach functions; nil when the section names no target.
    func attachFromSectionName(_ kind: AutoAttachKind) throws(BPFError) -> BPFLink? {
        let section = SectionText(sectionName)
        switch kind {
        case .none:
            throw .EOPNOTSUPP
        case .kprobe:
            if section.equals("kprobe") || section.equals("kretprobe") { return nil }
            let retprobe = section.hasPrefix("kretprobe/")
            var scanner = SectionScanner(sectionName + (retprobe ? 10 : 7))
            guard let function = scanner.scanSet(FunctionNameChars.plain) else {
                Log.warn("libbpf: kprobe name is invalid: \(cString: sectionName + (retprobe ? 10 : 7))\n")
                throw .EINVAL
            }
            var offset = 0
            if scanner.scanLiteral(UInt8(ascii: "+")), let value = scanner.scanLong() { offset = value }
            if retprobe && offset != 0 {
                Log.warn("libbpf: kretprobes do not support offset specification\n")
                throw .EINVAL
            }
            return try function.withUnsafeBufferPointer { (buffer) throws(BPFError) -> BPFLink? in
                try attachKprobe(function: buffer.baseAddress!, offset: offset, retprobe: retprobe, cookie: 0)
            }
        case .uprobe:
            if section.equals("uprobe") || section.equals("uretprobe") || section.equals("uprobe.s") || section.equals("uretprobe.s") {
                return nil
            }
            // "<type>/<binary>:<function>[+<offset>]"
            var scanner = SectionScanner(sectionName)
            var fields = 0
            var probeType: [CChar] = []
            var binary: [CChar] = []
            var function: [CChar] = []
            var offset = 0
            if let value = scanner.scanUntil(UInt8(ascii: "/")) {
                probeType = value
                fields = 1
                if scanner.scanLiteral(UInt8(ascii: "/")), let path = scanner.scanUntil(UInt8(ascii: ":")) {
                    binary = path
                    fields = 2
                    if scanner.scanLiteral(UInt8(ascii: ":")), let name = scanner.scanSet(FunctionNameChars.plain) {
                        function = name
                        fields = 3
                        if scanner.scanLiteral(UInt8(ascii: "+")), let value = scanner.scanLong() {
                            offset = value
                            fields = 4
                        }
                    }
                }
            }
            switch fields {
            case 1, 2:
                Log.warn("libbpf: prog '\(cString: name)': section '\(cString: sectionName)' missing ':function[+offset]' specification\n")
                throw .EINVAL
            case 3, 4:
                let retprobe = probeType.withUnsafeBufferPointer {
                    let type = SectionText($0.baseAddress!)
                    return type.equals("uretprobe") || type.equals("uretprobe.s")
                }
                if retprobe && offset != 0 {
                    Log.warn("libbpf: prog '\(cString: name)': uretprobes do not support offset specification\n")
                    throw .EINVAL
                }
                return try binary.withUnsafeBufferPointer { (path) throws(BPFError) -> BPFLink? in
                    try function.withUnsafeBufferPointer { (functionName) throws(BPFError) -> BPFLink? in
                        try attachUprobe(pid: -1, binary: path.baseAddress!, offset: offset, function: functionName.baseAddress!,
                                         retprobe: retprobe, refCounterOffset: 0, cookie: 0)
                    }
                }
            default:
                Log.warn("libbpf: prog '\(cString: name)': invalid format of section definition '\(cString: sectionName)'\n")
                throw .EINVAL
            }
        case .ksyscall:
            if section.equals("ksyscall") || section.equals("kretsyscall") { return nil }
            let retprobe = section.hasPrefix("kretsyscall/")
            return try attachSyscall(sectionName + (retprobe ? 12 : 9), retprobe: retprobe, cookie: 0)
        case .usdt:
            if section.equals("usdt") { return nil }
            var scanner = SectionScanner(sectionName)
            var fields = 0
            var parts: [[CChar]] = []
            if scanner.scanLiteral(UInt8(ascii: "u")), scanner.scanLiteral(UInt8(ascii: "s")), scanner.scanLiteral(UInt8(ascii: "d")),
               scanner.scanLiteral(UInt8(ascii: "t")), scanner.scanLiteral(UInt8(ascii: "/")) {
                if let path = scanner.scanUntil(UInt8(ascii: ":")) {
                    fields = 1
                    parts.append(path)
                    if scanner.scanLiteral(UInt8(ascii: ":")), let provider = scanner.scanUntil(UInt8(ascii: ":")) {
                        fields = 2
                        parts.append(provider)
                        if scanner.scanLiteral(UInt8(ascii: ":")), let probe = scanner.scanUntil(UInt8(ascii: ":")) {
                            fields = 3
                            parts.append(probe)
                        }
                    }
                }
            }
            if fields != 3 {
                Log.warn("libbpf: invalid section '\(cString: sectionName)', expected SEC(\"usdt/<path>:<provider>:<name>\")\n")
                throw .EINVAL
            }
            return try parts[0].withUnsafeBufferPointer { (path) throws(BPFError) -> BPFLink? in
                try parts[1].withUnsafeBufferPointer { (provider) throws(BPFError) -> BPFLink? in
                    try parts[2].withUnsafeBufferPointer { (probe) throws(BPFError) -> BPFLink? in
                        try attachUSDT(pid: -1, binary: path.baseAddress!, provider: provider.baseAddress!,
                                       name: probe.baseAddress!, cookie: 0)
                    }
                }
            }
        case .tracepoint:
            if section.equals("tp") || section.equals("tracepoint") { return nil }
            var rest = cStringArray(sectionName + (section.hasPrefix("tp/") ? 3 : 11))
            guard let slash = rest.firstIndex(of: CChar(bitPattern: UInt8(ascii: "/"))) else { throw .EINVAL }
            rest[slash] = 0
            return try rest.withUnsafeBufferPointer { (buffer) throws(BPFError) -> BPFLink? in
                try attachTracepoint(category: buffer.baseAddress!, name: buffer.baseAddress! + slash + 1, cookie: 0)
            }
        case .rawTracepoint:
            for prefix: StaticString in ["raw_tp", "raw_tracepoint", "raw_tp.w", "raw_tracepoint.w"] where section.hasPrefix(prefix) {
                let length = prefix.utf8CodeUnitCount
                if sectionName[length] == 0 { return nil }
                if sectionName[length] != CChar(bitPattern: UInt8(ascii: "/")) { continue }
                return try attachRawTracepoint(sectionName + length + 1)
            }
            Log.warn("libbpf: prog '\(cString: name)': invalid section name '\(cString: sectionName)'\n")
            throw .EINVAL
        case .trace, .lsm:
            return try attachToBTFTarget(cookie: 0)
        case .iter:
            return try attachIterator(info: nil, infoLength: 0)
        case .kprobeMulti:
            if section.equals("kprobe.multi") || section.equals("kretprobe.multi") { return nil }
            let retprobe = section.hasPrefix("kretprobe.multi/")
            var scanner = SectionScanner(sectionName + (retprobe ? 16 : 13))
            guard let pattern = scanner.scanSet(FunctionNameChars.glob) else {
                Log.warn("libbpf: kprobe multi pattern is invalid: (null)\n")
                throw .EINVAL
            }
            return try pattern.withUnsafeBufferPointer { (buffer) throws(BPFError) -> BPFLink? in
                try attachKprobeMulti(pattern: buffer.baseAddress!, symbols: nil, addresses: nil, cookies: nil, count: 0,
                                      retprobe: retprobe)
            }
        }
    }
}

/// Comparisons of a section name with literals.
struct SectionText {
    let text: UnsafePointer<CChar>

    init(_ text: UnsafePointer<CChar>) { self.text = text }

    func equals(_ literal: StaticString) -> Bool { strcmp(text, literal.cString) == 0 }

    func hasPrefix(_ literal: StaticString) -> Bool {
        strncmp(text, literal.cString, literal.utf8CodeUnitCount) == 0
    }
}

/// The character classes section specs allow for function names and patterns.
enum FunctionNameChars {
    case plain  // [a-zA-Z0-9_.]
    case glob   // [a-zA-Z0-9_.*?]

    static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    func contains(_ c: UInt8) -> Bool {
        if FunctionNameChars.isAlphanumeric(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") { return true }
        return self == .glob && (c == UInt8(ascii: "*") || c == UInt8(ascii: "?"))
    }
}

/// The subset of sscanf that section specs are written in: "%m[set]",
/// "%m[^c]", literal characters and "%li", each step failing without consuming.
struct SectionScanner {
    var position: UnsafePointer<CChar>

    init(_ text: UnsafePointer<CChar>) { position = text }

    private var current: UInt8 { UInt8(bitPattern: position.pointee) }

    /// One or more characters of `set`, NUL-terminated; nil when none.
    mutating func scanSet(_ set: FunctionNameChars) -> [CChar]? {
        var result: [CChar] = []
        while current != 0 && set.contains(current) {
            result.append(position.pointee)
            position += 1
        }
        if result.isEmpty { return nil }
        result.append(0)
        return result
    }

    /// One or more characters other than `stop`, NUL-terminated; nil when none.
    mutating func scanUntil(_ stop: UInt8) -> [CChar]? {
        var result: [CChar] = []
        while current != 0 && current != stop {
            result.append(position.pointee)
            position += 1
        }
        if result.isEmpty { return nil }
        result.append(0)
        return result
    }

    mutating func scanLiteral(_ c: UInt8) -> Bool {
        if current != c || c == 0 { return false }
        position += 1
        return true
    }

    /// "%li": strtol with base 0 (decimal, 0x hex, 0 octal, optional sign).
    mutating func scanLong() -> Int? {
        var end: UnsafeMutablePointer<CChar>?
        let value = strtol(position, &end, 0)
        guard let end, UnsafePointer(end) != position else { return nil }
        position = UnsafePointer(end)
        return value
    }
}

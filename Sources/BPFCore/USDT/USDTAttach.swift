import CBPF

// bpf_program__attach_usdt: one uprobe per probe site of provider:name in a
// binary, all running the same BPF program, which finds how to read the probe's
// arguments through the BPF cookie: the cookie is a "spec id", the index of the
// probe's argument specs in the object's __bpf_usdt_specs array (usdt.bpf.h).
// Sites with the same argument string share a spec id within one attachment.
// Kernels without BPF cookies make the BPF side look the id up by probe address
// in __bpf_usdt_ip_to_spec_id instead, which needs absolute addresses (for a
// shared library: in one process).
//
// Order of checks, messages and errors are the reference's (measured):
// opts (validated as bpf_uprobe_opts, a reference quirk), program fd, binary path
// (NULL: EINVAL; without '/': searched like uprobes), the object's USDT state
// (the two maps; ESRCH without them), the ELF and its notes, each matching site
// (segment, semaphore, argument specs), ENOENT when no site matched; then per
// site: spec id (E2BIG when the spec array is full), spec map update, address
// map entry (no cookies), uprobe. A failure undoes everything of the attach.

/// Per-object USDT state (created by the first attach): the support maps and
/// which spec ids are in use.
public final class USDTManager {
    let specsMap: BPFMap
    let addressMap: BPFMap
    let usesCookies: Bool
    let hasSemaphoreSupport: Bool
    /// Released ids, reused last-released first; ids never used start at nextID.
    var freeIDs: [Int32] = []
    var nextID: Int32 = 0

    init(specsMap: BPFMap, addressMap: BPFMap, usesCookies: Bool, hasSemaphoreSupport: Bool) {
        self.specsMap = specsMap
        self.addressMap = addressMap
        self.usesCookies = usesCookies
        self.hasSemaphoreSupport = hasSemaphoreSupport
    }

    /// The object's manager, created on first use. A failure is remembered: later
    /// attaches fail with it again, without the message (as the reference does).
    static func forObject(_ object: BPFObject) throws(BPFError) -> USDTManager {
        switch object.usdtState {
        case .ready(let manager): return manager
        case .failed(let error): throw error
        case .none: break
        }
        guard let specs = object.map(named: StaticString("__bpf_usdt_specs").cString),
              let addresses = object.map(named: StaticString("__bpf_usdt_ip_to_spec_id").cString) else {
            Log.warn("libbpf: usdt: failed to find USDT support BPF maps, did you forget to include bpf/usdt.bpf.h?\n")
            object.usdtState = .failed(.ESRCH)
            throw .ESRCH
        }
        let semaphores = access("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset", F_OK) == 0
        let manager = USDTManager(specsMap: specs, addressMap: addresses, usesCookies: KernelFeatures.supports(.bpfCookie),
                                  hasSemaphoreSupport: semaphores)
        object.usdtState = .ready(manager)
        return manager
    }

    /// A free spec id, or nil when all `max_entries` of the spec map are taken.
    func allocateID() -> Int32? {
        if let id = freeIDs.popLast() { return id }
        if nextID >= Int32(bitPattern: specsMap.maxEntries) { return nil }
        nextID += 1
        return nextID - 1
    }

    func release(_ ids: [Int32]) { freeIDs.append(contentsOf: ids) }

    /// The argument parser's carried length (USDTArgument.swift), process-wide.
    nonisolated(unsafe) static var carriedLength = 0
}

/// BPFObject's USDT state.
public enum USDTState {
    case none
    case ready(USDTManager)
    case failed(BPFError)
}

/// What a USDT link holds: its uprobe links, the spec ids and address-map keys to
/// give back.
public final class USDTAttachment {
    let manager: USDTManager
    var uprobes: [BPFLink] = []
    var specIDs: [Int32] = []
    var addresses: [Int64] = []

    init(manager: USDTManager) { self.manager = manager }

    /// Detaches every uprobe, removes the address-map entries, releases the spec
    /// ids; 0 or the first error.
    func release() -> Int32 {
        var result: Int32 = 0
        for uprobe in uprobes {
            let r = uprobe.destroy()
            if r < 0 && result == 0 { result = r }
        }
        uprobes = []
        for var address in addresses {
            do throws(BPFError) {
                try MapCommands.element(BPF_MAP_DELETE_ELEM, fd: manager.addressMap.fd, key: &address, value: nil, flags: 0)
            } catch {
                if result == 0 { result = -error.code }
            }
        }
        addresses = []
        manager.release(specIDs)
        specIDs = []
        return result
    }
}

/// One probe site to attach.
struct USDTTarget {
    var absoluteAddress: UInt64
    var fileOffset: UInt64
    var semaphoreOffset: UInt64
    var arguments: [CChar]  // NUL-terminated, the dedup key
    var spec: [USDTArgument]
}

extension BPFProgram {
    /// `bpf_program__attach_usdt` after opts validation.
    public func attachUSDT(pid: Int32, binary: UnsafePointer<CChar>?, provider: UnsafePointer<CChar>,
                           name probeName: UnsafePointer<CChar>, cookie: UInt64) throws(BPFError) -> BPFLink {
        if fd < 0 {
            Log.warn("libbpf: prog '\(cString: name)': can't attach BPF program w/o FD (did you load it?)\n")
            throw .EINVAL
        }
        guard let binary else { throw .EINVAL }
        var resolved: [CChar] = []
        if strchr(binary, Int32(UInt8(ascii: "/"))) == nil {
            let result = ExecutablePath.resolve(binary, into: &resolved)
            if result != 0 {
                Log.warn("libbpf: prog '\(cString: name)': failed to resolve full path for '\(cString: binary)': \(result)\n")
                throw BPFError(-result)
            }
        } else {
            resolved.appendCString(binary)
            resolved.append(0)
        }
        let manager = try USDTManager.forObject(object)
        return try resolved.withUnsafeBufferPointer { (buffer) throws(BPFError) -> BPFLink in
            let path = buffer.baseAddress!
            let targets = try collectUSDTTargets(manager: manager, path: path, pid: pid, provider: provider, name: probeName)
            if targets.isEmpty { throw .ENOENT }
            let attachment = try attachUSDTTargets(targets, manager: manager, path: path, pid: pid, provider: provider,
                                                   name: probeName, cookie: cookie)
            // The reference's USDT link reports fd 0 (bpf_link__fd).
            return BPFLink(fd: 0, release: .usdt(attachment))
        }
    }

    /// The sites of provider:name in the binary, checked and with parsed specs.
    func collectUSDTTargets(manager: USDTManager, path: UnsafePointer<CChar>, pid: Int32, provider: UnsafePointer<CChar>,
                            name probeName: UnsafePointer<CChar>) throws(BPFError) -> [USDTTarget] {
        let binary = try USDTBinary.load(path)
        let kind: StaticString = binary.isSharedLibrary ? "lib " : "exec"
        var processSegments: [USDTProcessSegment]?
        var targets: [USDTTarget] = []
        for note in binary.notes where note.matches(provider: provider, name: probeName) {
            let address = note.adjustedLocation(baseSection: binary.baseSection)
            guard let segment = USDTSegment.find(binary.segments, containing: address) else {
                Log.warn("libbpf: usdt: failed to find ELF program segment for '\(cString: provider):\(cString: probeName)' in '\(cString: path)' at IP 0x\(hex: address)\n")
                throw .ESRCH
            }
            if !segment.isExecutable {
                Log.warn("libbpf: usdt: matched ELF binary '\(cString: path)' segment [0x\(hex: segment.start), 0x\(hex: segment.end)) for '\(cString: provider):\(cString: probeName)' at IP 0x\(hex: address) is not executable\n")
                throw .ESRCH
            }
            let fileOffset = segment.fileOffset(of: address)
            var absolute = address
            if binary.isSharedLibrary && !manager.usesCookies {
                // Without cookies the address map needs the site's address in the process.
                if pid < 0 {
                    Log.warn("libbpf: usdt: attaching to shared libraries without specific PID is not supported on current kernel\n")
                    throw .ENOTSUP
                }
                if processSegments == nil {
                    do throws(BPFError) {
                        processSegments = try USDTProcessSegment.load(pid: pid, path: path)
                    } catch {
                        Log.warn("libbpf: usdt: failed to get memory segments in PID \(pid) for shared library '\(cString: path)': \(-error.code)\n")
                        throw error
                    }
                }
                guard let mapping = USDTProcessSegment.find(processSegments!, fileOffset: fileOffset) else {
                    Log.warn("libbpf: usdt: failed to find shared lib memory segment for '\(cString: provider):\(cString: probeName)' in '\(cString: path)' at relative IP 0x\(hex: fileOffset)\n")
                    throw .ESRCH
                }
                absolute = mapping.start &+ fileOffset &- mapping.fileOffset
            }
            Log.debug("libbpf: usdt: probe for '\(cString: provider):\(cString: probeName)' in \(kind) '\(cString: path)': addr 0x\(hex: note.location) base 0x\(hex: note.base) (resolved abs_ip 0x\(hex: absolute) rel_ip 0x\(hex: fileOffset)) args '\(cChars: note.arguments)' in segment [0x\(hex: segment.start), 0x\(hex: segment.end)) at offset 0x\(hex: segment.fileOffset)\n")

            var semaphoreOffset: UInt64 = 0
            if note.semaphore != 0 {
                if !manager.hasSemaphoreSupport {
                    Log.warn("libbpf: usdt: kernel doesn't support USDT semaphore refcounting for '\(cString: provider):\(cString: probeName)' in '\(cString: path)'\n")
                    throw .ENOTSUP
                }
                guard let semaphoreSegment = USDTSegment.find(binary.segments, containing: note.semaphore) else {
                    Log.warn("libbpf: usdt: failed to find ELF loadable segment with semaphore of '\(cString: provider):\(cString: probeName)' in '\(cString: path)' at 0x\(hex: note.semaphore)\n")
                    throw .ESRCH
                }
                if semaphoreSegment.isExecutable {
                    Log.warn("libbpf: usdt: matched ELF binary '\(cString: path)' segment [0x\(hex: semaphoreSegment.start), 0x\(hex: semaphoreSegment.end)] for semaphore of '\(cString: provider):\(cString: probeName)' at 0x\(hex: note.semaphore) is executable\n")
                    throw .ESRCH
                }
                semaphoreOffset = semaphoreSegment.fileOffset(of: note.semaphore)
                Log.debug("libbpf: usdt: sema  for '\(cString: provider):\(cString: probeName)' in \(kind) '\(cString: path)': addr 0x\(hex: note.semaphore) base 0x\(hex: note.base) (resolved 0x\(hex: semaphoreOffset)) in segment [0x\(hex: semaphoreSegment.start), 0x\(hex: semaphoreSegment.end)] at offset 0x\(hex: semaphoreSegment.fileOffset)\n")
            }

            var text: [UInt8] = []
            for c in note.arguments where c != 0 { text.append(UInt8(bitPattern: c)) }
            switch USDTArgumentParser.parse(text, carriedLength: &USDTManager.carriedLength) {
            case .parsed(let spec):
                targets.append(USDTTarget(absoluteAddress: absolute, fileOffset: fileOffset, semaphoreOffset: semaphoreOffset,
                                          arguments: note.arguments, spec: spec))
            case .failed(let failure):
                var rest: [CChar] = []
                switch failure {
                case .tooMany:
                    Log.warn("libbpf: usdt: too many USDT arguments (> \(USDTSpec.maxArguments)) for '\(cString: provider):\(cString: probeName)' with args spec '\(cChars: note.arguments)'\n")
                case .unrecognizedSpec(let index, let offset):
                    rest = Array(note.arguments[offset...])
                    Log.warn("libbpf: usdt: unrecognized arg #\(index) spec '\(cChars: rest)'\n")
                case .unrecognizedRegister(let register):
                    Log.warn("libbpf: usdt: unrecognized register '\(cChars: register)'\n")
                case .unsupportedSize(let index, let offset, let size):
                    rest = Array(note.arguments[offset...])
                    Log.warn("libbpf: usdt: unsupported arg #\(index) (spec '\(cChars: rest)') size: \(Int32(truncatingIfNeeded: size))\n")
                }
                throw BPFError(failure.errorCode)
            }
        }
        return targets
    }

    /// Spec ids, map entries and one uprobe per target; undone on failure.
    func attachUSDTTargets(_ targets: [USDTTarget], manager: USDTManager, path: UnsafePointer<CChar>, pid: Int32,
                           provider: UnsafePointer<CChar>, name probeName: UnsafePointer<CChar>,
                           cookie: UInt64) throws(BPFError) -> USDTAttachment {
        let attachment = USDTAttachment(manager: manager)
        var targetIDs: [Int32] = []
        do throws(BPFError) {
            for (index, target) in targets.enumerated() {
                var specID: Int32 = -1
                for previous in 0..<index where targets[previous].arguments == target.arguments {
                    specID = targetIDs[previous]
                    break
                }
                if specID < 0 {
                    guard let id = manager.allocateID() else { throw BPFError.E2BIG }
                    specID = id
                    attachment.specIDs.append(id)
                    let value = USDTSpec(arguments: target.spec, cookie: cookie).encoded(minimumSize: Int(manager.specsMap.valueSize))
                    var key = id
                    let failure: BPFError? = value.withUnsafeBytes { bytes in
                        do throws(BPFError) {
                            try MapCommands.element(BPF_MAP_UPDATE_ELEM, fd: manager.specsMap.fd, key: &key,
                                                    value: bytes.baseAddress, flags: UInt64(BPF_ANY))
                            return nil
                        } catch {
                            return error
                        }
                    }
                    if let error = failure {
                        Log.warn("libbpf: usdt: failed to set USDT spec #\(id) for '\(cString: provider):\(cString: probeName)' in '\(cString: path)': \(-error.code)\n")
                        throw error
                    }
                }
                targetIDs.append(specID)
                if !manager.usesCookies {
                    var key = Int64(bitPattern: target.absoluteAddress)
                    var value = UInt32(bitPattern: specID)
                    do throws(BPFError) {
                        try MapCommands.element(BPF_MAP_UPDATE_ELEM, fd: manager.addressMap.fd, key: &key, value: &value,
                                                flags: UInt64(BPF_NOEXIST))
                    } catch {
                        if error.code == EEXIST {
                            Log.warn("libbpf: usdt: IP collision detected for spec #\(specID) for '\(cString: provider):\(cString: probeName)' in '\(cString: path)'\n")
                        } else {
                            Log.warn("libbpf: usdt: failed to map IP 0x\(hex: target.absoluteAddress) to spec #\(specID) for '\(cString: provider):\(cString: probeName)' in '\(cString: path)': \(-error.code)\n")
                        }
                        throw error
                    }
                    attachment.addresses.append(key)
                }
                do throws(BPFError) {
                    let uprobe = try attachUprobe(path: path, offset: target.fileOffset, pid: pid, retprobe: false,
                                                  refCounterOffset: Int(bitPattern: UInt(target.semaphoreOffset)),
                                                  cookie: manager.usesCookies ? UInt64(UInt32(bitPattern: specID)) : 0)
                    attachment.uprobes.append(uprobe)
                } catch {
                    Log.warn("libbpf: usdt: failed to attach uprobe #\(index) for '\(cString: provider):\(cString: probeName)' in '\(cString: path)': \(-error.code)\n")
                    throw error
                }
            }
        } catch {
            _ = attachment.release()
            throw error
        }
        return attachment
    }
}

/// A mapping of a shared library in a process (/proc/<pid>/maps), for kernels
/// without BPF cookies.
struct USDTProcessSegment {
    var start: UInt64
    var end: UInt64
    var fileOffset: UInt64

    static func find(_ segments: [USDTProcessSegment], fileOffset: UInt64) -> USDTProcessSegment? {
        for s in segments where fileOffset >= s.fileOffset && fileOffset < s.fileOffset &+ (s.end &- s.start) { return s }
        return nil
    }

    /// The executable mappings of `path` (compared by real path) in process `pid`.
    static func load(pid: Int32, path: UnsafePointer<CChar>) throws(BPFError) -> [USDTProcessSegment] {
        var real = [CChar](repeating: 0, count: Int(PATH_MAX))
        if realpath(path, &real) == nil {
            let code = -sbpf_errno()
            Log.warn("libbpf: usdt: failed to get absolute path of '\(cString: path)' (err \(code)), using path as is...\n")
            real = cStringArray(path)
        }
        var mapsPath: [CChar] = []
        mapsPath.appendASCII("/proc/")
        mapsPath.appendDecimal(pid)
        mapsPath.appendASCII("/maps")
        mapsPath.append(0)
        let fd = mapsPath.withUnsafeBufferPointer { sbpf_open($0.baseAddress!, O_RDONLY | O_CLOEXEC, 0) }
        if fd < 0 {
            let code = -sbpf_errno()
            Log.warn("libbpf: usdt: failed to open '\(cChars: mapsPath)' to get base addr of '\(cString: path)': \(code)\n")
            throw BPFError(-code)
        }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n <= 0 { break }
            text.append(contentsOf: chunk[0..<n])
        }
        _ = close(fd)

        var segments: [USDTProcessSegment] = []
        var lineStart = 0
        while lineStart < text.count {
            var lineEnd = lineStart
            while lineEnd < text.count && text[lineEnd] != 10 { lineEnd += 1 }
            let line = Array(text[lineStart..<lineEnd])
            lineStart = lineEnd + 1
            // "start-end mode offset dev inode   path"
            var fields: [[UInt8]] = []
            var i = 0
            while i < line.count && fields.count < 5 {
                while i < line.count && line[i] == 32 { i += 1 }
                var field: [UInt8] = []
                while i < line.count && line[i] != 32 { field.append(line[i]); i += 1 }
                if !field.isEmpty { fields.append(field) }
            }
            while i < line.count && line[i] == 32 { i += 1 }
            let file = Array(line[i...])
            if fields.count < 5 || file.isEmpty { continue }
            var same = file.count == strlen(real)
            if same { for k in 0..<file.count where CChar(bitPattern: file[k]) != real[k] { same = false; break } }
            if !same { continue }
            let range = fields[0]
            guard let dash = range.firstIndex(of: UInt8(ascii: "-")),
                  let start = parseHex(range[..<dash]), let end = parseHex(range[(dash + 1)...]),
                  let offset = parseHex(fields[2][...]) else { continue }
            var mode = fields[1].map { CChar(bitPattern: $0) }
            mode.append(0)
            Log.debug("libbpf: usdt: discovered segment for lib '\(cChars: real)': addrs \(hex: start)-\(hex: end) mode \(cChars: mode) offset \(hex: offset)\n")
            if !fields[1].contains(UInt8(ascii: "x")) { continue }
            segments.append(USDTProcessSegment(start: start, end: end, fileOffset: offset))
        }
        if segments.isEmpty {
            Log.warn("libbpf: usdt: failed to find '\(cString: path)' (resolved to '\(cChars: real)') within PID \(pid) memory mappings\n")
            throw .ENOENT
        }
        return segments
    }

    private static func parseHex(_ digits: ArraySlice<UInt8>) -> UInt64? {
        if digits.isEmpty { return nil }
        var value: UInt64 = 0
        for c in digits {
            let d: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt64(c - UInt8(ascii: "a") + 10)
            default: return nil
            }
            value = value << 4 | d
        }
        return value
    }
}

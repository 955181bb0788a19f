import CBPF

/// Kconfig values for `.kconfig` externs, as libbpf 1.1 reads them at load.
///
/// Input is read line by line the way the reference's `fgets`/`gzgets` loop
/// does: into one reused buffer of `lineCapacity` bytes, so a line longer than
/// 4095 bytes arrives in several pieces (only a piece starting with "CONFIG_"
/// counts) and bytes past a line's terminator are left over from earlier lines.
///
/// A line is `CONFIG_NAME=value`; every other line is ignored, but a "CONFIG_"
/// line without '=' or without a value is an error even when no extern wants it.
/// The first character of the value chooses how it is stored:
///   - `y`, `n`, `m` (only that character counts): bool (`m` refused), tristate
///     (`TRI_YES`/`TRI_NO`/`TRI_MODULE`) or char (the character itself);
///   - `"`: a char array; the value must end with `"`; too long is truncated
///     with a warning;
///   - anything else: `strtoull(value, &end, 0)` (decimal, 0x hex, 0 octal,
///     leading blanks and a sign allowed), which must consume the whole value,
///     into an int or char extern whose size (and signedness) it must fit.
/// The first line naming an extern wins; later ones are skipped.
///
/// Everything here works on an `[Extern]` and a data buffer (the `.kconfig`
/// map's initial value), so it is testable without an object or a kernel.
public enum Kconfig {
    /// `PATH_MAX`: the reference's line buffer.
    public static let lineCapacity = 4096

    /// Where lines come from; it only changes the wording of error messages.
    public enum Source {
        case memory
        case system

        var errorLinePrefix: StaticString {
            switch self {
            case .memory: return "libbpf: error parsing in-memory Kconfig line '"
            case .system: return "libbpf: error parsing system Kconfig line '"
            }
        }
    }

    // MARK: - Readers

    /// `bpf_object__read_kconfig_mem`: the `kconfig` open option's text.
    public static func parse(text: UnsafePointer<CChar>, externs: inout [Extern],
                             data: UnsafeMutableRawPointer?) throws(BPFError) {
        guard let file = fmemopen(UnsafeMutableRawPointer(mutating: text), strlen(text), "r") else {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to open in-memory Kconfig: -\(error.code)\n")
            throw error
        }
        defer { fclose(file) }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: lineCapacity)
        buffer.initialize(repeating: 0, count: lineCapacity)
        defer { buffer.deallocate() }
        while fgets(buffer, Int32(lineCapacity), file) != nil {
            try processLine(buffer, source: .memory, externs: &externs, data: data)
        }
    }

    /// `bpf_object__read_kconfig_file`: /boot/config-$(uname -r), else
    /// /proc/config.gz, both through zlib (which also reads uncompressed files).
    public static func readSystemConfig(externs: inout [Extern], data: UnsafeMutableRawPointer?) throws(BPFError) {
        var uts = utsname()
        _ = uname(&uts)
        var path: [CChar] = []
        for c in "/boot/config-".utf8 { path.append(CChar(bitPattern: c)) }
        withUnsafeBytes(of: &uts.release) { bytes in
            for b in bytes {
                if b == 0 { break }
                path.append(CChar(bitPattern: b))
            }
        }
        path.append(0)
        if path.count > lineCapacity { throw BPFError(ENAMETOOLONG) }
        var file = path.withUnsafeBufferPointer { gzopen($0.baseAddress!, "r") }
        if file == nil { file = gzopen("/proc/config.gz", "r") }
        guard let file else {
            Log.warn("libbpf: failed to open system Kconfig\n")
            throw .ENOENT
        }
        defer { gzclose(file) }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: lineCapacity)
        buffer.initialize(repeating: 0, count: lineCapacity)
        defer { buffer.deallocate() }
        while gzgets(file, buffer, Int32(lineCapacity)) != nil {
            try processLine(buffer, source: .system, externs: &externs, data: data)
        }
    }

    /// One line (a NUL-terminated piece of at most 4095 bytes, with its '\n' if it
    /// had one). On an error, the reason and the line (as the split left it: cut
    /// at '=' once a value was found) are logged.
    static func processLine(_ line: UnsafeMutablePointer<CChar>, source: Source,
                            externs: inout [Extern], data: UnsafeMutableRawPointer?) throws(BPFError) {
        do {
            try assign(line, externs: &externs, data: data)
        } catch {
            Log.warn("\(source.errorLinePrefix)\(cString: line)': -\(error.code)\n")
            throw error
        }
    }

    /// `bpf_object__process_kconfig_line`.
    static func assign(_ line: UnsafeMutablePointer<CChar>, externs: inout [Extern],
                       data: UnsafeMutableRawPointer?) throws(BPFError) {
        if strncmp(line, "CONFIG_", 7) != 0 { return }
        guard let separator = strchr(line, Int32(UInt8(ascii: "="))) else {
            Log.warn("libbpf: failed to parse '\(cString: line)': no separator\n")
            throw .EINVAL
        }
        let length = strlen(line)
        if line[length - 1] == CChar(UInt8(ascii: "\n")) { line[length - 1] = 0 }
        separator.pointee = 0
        if separator[1] == 0 {
            separator.pointee = CChar(UInt8(ascii: "="))
            Log.warn("libbpf: failed to parse '\(cString: line)': no value\n")
            throw .EINVAL
        }
        guard let index = kconfigExtern(named: line, in: externs), !externs[index].isSet else { return }
        let value = separator + 1
        let target = data.map { $0 + externs[index].dataOffset }
        switch UInt8(bitPattern: value.pointee) {
        case UInt8(ascii: "y"), UInt8(ascii: "n"), UInt8(ascii: "m"):
            try setTristate(&externs[index], target, UInt8(bitPattern: value.pointee))
        case UInt8(ascii: "\""):
            let available = line + lineCapacity - value
            try setString(&externs[index], target, value, available: available)
        default:
            let number: UInt64
            do {
                number = try parseNumber(value)
            } catch {
                Log.warn("libbpf: extern (kcfg) '\(externs[index].nameString)': value '\(cString: value)' isn't a valid integer\n")
                throw error
            }
            let type = externs[index].kconfigType
            if type != .int && type != .char {
                Log.warn("libbpf: extern (kcfg) '\(externs[index].nameString)': value '\(cString: value)' implies integer type\n")
                throw .EINVAL
            }
            try setNumber(&externs[index], target, number)
        }
        Log.debug("libbpf: extern (kcfg) '\(externs[index].nameString)': set to \(cString: value)\n")
    }

    /// The `.kconfig` extern of that name. (The reference looks among all externs;
    /// a `.ksyms` extern named CONFIG_* would have it write through the wrong
    /// union member, so only .kconfig ones are considered here.)
    static func kconfigExtern(named name: UnsafePointer<CChar>, in externs: [Extern]) -> Int? {
        for i in 0..<externs.count where externs[i].kind == .kconfig {
            if externs[i].name.withUnsafeBufferPointer({ strcmp($0.baseAddress!, name) }) == 0 { return i }
        }
        return nil
    }

    // MARK: - Values

    /// `parse_u64`: `strtoull(value, &end, 0)`, all of it. ERANGE on overflow.
    public static func parseNumber(_ value: UnsafePointer<CChar>) throws(BPFError) -> UInt64 {
        var end: UnsafeMutablePointer<CChar>?
        sbpf_set_errno(0)
        let number = strtoull(value, &end, 0)
        let errorNumber = sbpf_errno()
        if errorNumber != 0 {
            Log.warn("libbpf: failed to parse '\(cString: value)' as integer: -\(errorNumber)\n")
            throw BPFError(errorNumber)
        }
        if let end, end.pointee != 0 {
            Log.warn("libbpf: failed to parse '\(cString: value)' as integer completely\n")
            throw .EINVAL
        }
        return UInt64(number)
    }

    /// `set_kcfg_value_tri`: a y/n/m value.
    static func setTristate(_ ext: inout Extern, _ target: UnsafeMutableRawPointer?, _ value: UInt8) throws(BPFError) {
        let c = String(decoding: [value], as: UTF8.self)
        switch ext.kconfigType {
        case .bool:
            if value == UInt8(ascii: "m") {
                Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': value '\(c)' implies tristate or char type\n")
                throw .EINVAL
            }
            target?.storeBytes(of: value == UInt8(ascii: "y") ? 1 : 0, as: UInt8.self)
        case .tristate:
            let tristate: UInt32 = value == UInt8(ascii: "y") ? 1 : value == UInt8(ascii: "m") ? 2 : 0
            target?.storeBytes(of: tristate, as: UInt32.self)
        case .char:
            target?.storeBytes(of: value, as: UInt8.self)
        default:
            Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': value '\(c)' implies bool, tristate, or char type\n")
            throw .EINVAL
        }
        ext.isSet = true
    }

    /// `set_kcfg_value_str`: a quoted value into a char array, without the
    /// quotes, truncated to the array (always NUL-terminated). `available` is how
    /// many bytes of the line buffer start at `value`: a value of a lone `"`
    /// underflows the length (as in the reference, which then copies whatever
    /// follows in its buffer); the copy here never leaves the buffer.
    static func setString(_ ext: inout Extern, _ target: UnsafeMutableRawPointer?, _ value: UnsafePointer<CChar>,
                          available: Int) throws(BPFError) {
        if ext.kconfigType != .charArray {
            Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': value '\(cString: value)' implies char array type\n")
            throw .EINVAL
        }
        let length = strlen(value)
        if value[length - 1] != CChar(UInt8(ascii: "\"")) {
            Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': invalid string config '\(cString: value)'\n")
            throw .EINVAL
        }
        var count = UInt(length) &- 2
        if count >= UInt(ext.size) {
            Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': long string '\(cString: value)' of (\(count) bytes) truncated to \(Int32(truncatingIfNeeded: ext.size - 1)) bytes\n")
            count = UInt(ext.size - 1)
        }
        if let target {
            let n = Int(count)
            let copied = min(n, max(0, available - 1))
            target.copyMemory(from: value + 1, byteCount: copied)
            if copied < n { (target + copied).initializeMemory(as: UInt8.self, repeating: 0, count: n - copied) }
            target.storeBytes(of: 0, toByteOffset: n, as: UInt8.self)
        }
        ext.isSet = true
    }

    /// `set_kcfg_value_num`: a number into an int, char or bool extern (also used
    /// for the virtual LINUX_* externs).
    public static func setNumber(_ ext: inout Extern, _ target: UnsafeMutableRawPointer?, _ value: UInt64) throws(BPFError) {
        let type = ext.kconfigType
        if type != .int && type != .char && type != .bool {
            Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': value '\(value)' implies integer, char, or boolean type\n")
            throw .EINVAL
        }
        if type == .bool && value > 1 {
            Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': value '\(value)' isn't boolean compatible\n")
            throw .EINVAL
        }
        if !fits(value, size: ext.size, signed: ext.isSigned) {
            Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': value '\(value)' doesn't fit in \(Int32(truncatingIfNeeded: ext.size)) bytes\n")
            throw .ERANGE
        }
        switch ext.size {
        case 1: target?.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case 2: target?.storeBytes(of: UInt16(truncatingIfNeeded: value), as: UInt16.self)
        case 4: target?.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
        case 8: target?.storeBytes(of: value, as: UInt64.self)
        default: throw .EINVAL
        }
        ext.isSet = true
    }

    /// `is_kcfg_value_in_range`: whether the 64-bit value survives a store into
    /// `size` bytes, as a two's complement number when signed.
    public static func fits(_ value: UInt64, size: Int, signed: Bool) -> Bool {
        if size >= 8 { return true }
        let bits = UInt64(size * 8)
        if signed { return value &+ (1 << (bits - 1)) < (1 << bits) }
        return value >> bits == 0
    }
}

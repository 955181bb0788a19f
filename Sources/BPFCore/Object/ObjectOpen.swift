import CBPF

/// What `bpf_object_open_opts` asks for.
public struct ObjectOpenOptions {
    public var objectName: UnsafePointer<CChar>?
    public var pinRootPath: UnsafePointer<CChar>?
    /// Deprecated but honoured: unknown BTF map attributes are skipped, not refused.
    public var relaxedMaps = false
    public var kconfig: UnsafePointer<CChar>?
    public var btfCustomPath: UnsafePointer<CChar>?
    public var kernelLogBuffer: UnsafeMutablePointer<CChar>?
    public var kernelLogSize: Int = 0
    public var kernelLogLevel: UInt32 = 0
    public init() {}
}

/// Kinds of data section an object can have (`.data*`, `.rodata*`, `.bss`), and
/// relocation sections: what later stages (maps, relocations) look at.
public enum ObjectSectionKind: UInt8 {
    case none, data, rodata, bss, relocations
}

/// One ELF section the open phase remembered, with its data copied out of libelf.
public struct ObjectSection {
    /// The ELF section index.
    public var index: Int = 0
    public var kind: ObjectSectionKind = .none
    public var name: [CChar] = []
    public var header = Elf64_Shdr()
    public var data: [UInt8] = []
    /// The data size libelf reported (for SHT_NOBITS, the size with no bytes).
    public var size: Int = 0
}

extension BPFObject {
    /// `bpf_object__open_file` / `bpf_object__open_mem`: parses the object and
    /// prepares programs and maps, without touching the kernel.
    @_optimize(speed)
    public static func open(path: UnsafePointer<CChar>?, buffer: UnsafeRawPointer?, size: Int,
                            options: ObjectOpenOptions) throws(BPFError) -> BPFObject {
        if elf_version(UInt32(EV_CURRENT)) == UInt32(EV_NONE) {
            Log.warn("libbpf: failed to init libelf for \(path.map { String(cString: $0) } ?? "(mem buf)")\n")
            throw BPFError(Int32(LIBBPF_ERRNO__LIBELF.rawValue))
        }
        var displayPath: [CChar]
        var objectName = options.objectName
        var generatedName = [CChar](repeating: 0, count: 64)
        if let buffer {
            if objectName == nil {
                // "<buffer address>-<size>" in hex, as the reference names buffers.
                var n = appendHex(UInt(bitPattern: Int(bitPattern: buffer)), to: &generatedName, at: 0)
                generatedName[n] = CChar(UInt8(ascii: "-"))
                n = appendHex(UInt(size), to: &generatedName, at: n + 1)
            }
            displayPath = objectName.map(cStringArray) ?? generatedName
            debugLog("libbpf: loading object '\(cString: displayPath)' from buffer\n")
        } else {
            displayPath = cStringArray(path!)
        }
        if UInt(bitPattern: options.kernelLogSize) > UInt(UInt32.max) { throw .EINVAL }
        if options.kernelLogSize != 0 && options.kernelLogBuffer == nil { throw .EINVAL }

        let object = displayPath.withUnsafeBufferPointer { p in
            generatedName.withUnsafeBufferPointer { g in
                BPFObject(path: p.baseAddress!, name: buffer != nil ? (objectName ?? g.baseAddress!) : objectName)
            }
        }
        object.logBuffer = options.kernelLogBuffer
        object.logSize = options.kernelLogSize
        object.logLevel = options.kernelLogLevel
        if let custom = options.btfCustomPath {
            if strlen(custom) >= 4096 { throw BPFError(ENAMETOOLONG) }
            object.btfCustomPath = cStringArray(custom)
        }
        if let kconfig = options.kconfig { object.kconfig = cStringArray(kconfig) }
        _ = objectName
        objectName = nil

        let display = RawName(displayPath)
        let elf = try displayPath.withUnsafeBufferPointer { (p) throws(BPFError) -> ELFFile in
            try ELFFile.open(path: p.baseAddress!, buffer: buffer, size: size, displayName: display)
        }
        try object.collectSections(elf)
        let dataSections = object.dataSectionIDs()
        try object.collectExterns(elf, dataSections: dataSections)
        try object.finalizeBTF(elf, dataSections: dataSections)
        try object.initializeMaps(elf, options: options)
        try object.initializePrograms()
        try object.collectRelocations(elf)
        // The symbol table and the sections' bytes are only read while opening (maps
        // and programs hold copies of what they need): the reference frees its ELF
        // state at this point too.
        object.symbols = []
        object.sections = []
        object.sectionSlots = []
        return object
    }

    var displayPath: RawName { RawName(path) }

    /// `bpf_object__elf_collect`: finds the symbol table, then classifies every
    /// section, creating programs from executable ones.
    @_optimize(speed)
    func collectSections(_ elf: ELFFile) throws(BPFError) {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        let count = try elf.sectionCount()
        elfSectionCount = count
        sectionSlots = [Int32](repeating: -1, count: count)
        sections.reserveCapacity(min(count, 32))

        // Pass 1: the symbol table, which program discovery needs.
        var scn = elf.nextSection(after: nil)
        while let current = scn {
            let sh = try elf.sectionHeader(current)
            if sh.pointee.sh_type == UInt32(SHT_SYMTAB) {
                if symbolsSectionIndex >= 0 {
                    Log.warn("libbpf: elf: multiple symbol tables in \(displayPath)\n")
                    throw format
                }
                let data = try elf.sectionData(current, name: nil)
                symbolsSectionIndex = Int(elf_ndxscn(current))
                stringTableIndex = Int(sh.pointee.sh_link)
                symbols = copyBytes(data)
            }
            scn = elf.nextSection(after: current)
        }
        if symbolsSectionIndex < 0 {
            Log.warn("libbpf: elf: couldn't find symbol table in \(displayPath), stripped object file?\n")
            throw .ENOENT
        }

        // Programs are the function symbols of executable sections: room for all
        // function symbols, so appending never regrows the array.
        var functions = 0
        symbols.withUnsafeBytes { raw in
            let size = MemoryLayout<Elf64_Sym>.size
            var offset = MemoryLayout<Elf64_Sym>.offset(of: \Elf64_Sym.st_info)!
            while offset < raw.count {
                if raw[offset] & 0xf == UInt8(STT_FUNC) { functions += 1 }
                offset += size
            }
        }
        programs.reserveCapacity(functions)

        // Pass 2: every section.
        var btfData: UnsafeMutablePointer<Elf_Data>? = nil
        var btfExtData: UnsafeMutablePointer<Elf_Data>? = nil
        var lastIndex = 0
        var names: [UnsafePointer<CChar>] = []
        names.reserveCapacity(min(count, 1 << 16))
        scn = elf.nextSection(after: nil)
        while let current = scn {
            defer { scn = elf.nextSection(after: current) }
            let index = Int(elf_ndxscn(current))
            lastIndex = index
            let sh = try elf.sectionHeader(current)
            let name = try elf.sectionName(sh.pointee.sh_name, section: index)
            names.append(name)
            if BPFObject.isIgnored(sh.pointee, name) { continue }
            let data = try elf.sectionData(current, name: name)
            let size = data.pointee.d_size
            debugLog("libbpf: elf: section(\(index)) \(cString: name), size \(size), link \(Int32(bitPattern: sh.pointee.sh_link)), flags \(hexString(UInt(sh.pointee.sh_flags))), type=\(Int32(bitPattern: sh.pointee.sh_type))\n")
            let type = sh.pointee.sh_type
            // (the first byte before each strcmp: most names fail there)
            let first = UInt8(bitPattern: name[0])
            if first == UInt8(ascii: "l") && strcmp(name, "license") == 0 {
                try initializeLicense(data)
            } else if first == UInt8(ascii: "v") && strcmp(name, "version") == 0 {
                try initializeKernelVersion(data)
            } else if first == UInt8(ascii: "m") && strcmp(name, "maps") == 0 {
                Log.warn("libbpf: elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+\n")
                throw .ENOTSUP
            } else if first == UInt8(ascii: ".") && strcmp(name, ".maps") == 0 {
                mapsSectionIndex = index
                recordSection(index, .none, name, sh, data)
            } else if first == UInt8(ascii: ".") && strcmp(name, ".BTF") == 0 {
                if type != UInt32(SHT_PROGBITS) { throw format }
                btfData = data
            } else if first == UInt8(ascii: ".") && strcmp(name, ".BTF.ext") == 0 {
                if type != UInt32(SHT_PROGBITS) { throw format }
                btfExtData = data
            } else if type == UInt32(SHT_SYMTAB) {
                // read in pass 1
            } else if type == UInt32(SHT_PROGBITS) && size > 0 {
                if sh.pointee.sh_flags & UInt64(SHF_EXECINSTR) != 0 {
                    if strcmp(name, ".text") == 0 { textSectionIndex = index }
                    try addPrograms(elf, data: data, sectionName: name, sectionIndex: index)
                } else if strcmp(name, ".data") == 0 || strncmp(name, ".data.", 6) == 0 {
                    recordSection(index, .data, name, sh, data)
                } else if strcmp(name, ".rodata") == 0 || strncmp(name, ".rodata.", 8) == 0 {
                    recordSection(index, .rodata, name, sh, data)
                } else if strcmp(name, ".struct_ops") == 0 {
                    structOpsSectionIndex = index
                    recordSection(index, .none, name, sh, data)
                } else {
                    Log.info("libbpf: elf: skipping unrecognized data section(\(index)) \(cString: name)\n")
                }
            } else if type == UInt32(SHT_REL) {
                let target = Int(sh.pointee.sh_info)
                if sh.pointee.sh_entsize != UInt64(MemoryLayout<Elf64_Rel>.size) || target >= count { throw format }
                // Only relocations of code, of .struct_ops and of .maps matter.
                if !sectionIsExecutable(elf, target) && strcmp(name, ".rel.struct_ops") != 0 && strcmp(name, ".rel.maps") != 0 {
                    let targetName = elf.section(at: target).flatMap { s -> UnsafePointer<CChar>? in
                        guard let h = elf64_getshdr(s) else { return nil }
                        return elf.string(table: elf.sectionNamesIndex, offset: h.pointee.sh_name)
                    }
                    Log.info("libbpf: elf: skipping relo section(\(index)) \(cString: name) for section(\(target)) \(RawName(targetName))\n")
                    continue
                }
                // Read in place at collection time, not copied.
                sectionSlots[index] = Int32(sections.count)
                sections.append(ObjectSection(index: index, kind: .relocations, name: cStringArray(name), header: sh.pointee,
                                              data: [], size: data.pointee.d_size))
            } else if type == UInt32(SHT_NOBITS) && (strcmp(name, ".bss") == 0 || strncmp(name, ".bss.", 5) == 0) {
                recordSection(index, .bss, name, sh, data)
            } else {
                Log.info("libbpf: elf: skipping section(\(index)) \(cString: name) (size \(sh.pointee.sh_size))\n")
            }
        }
        // every section 1..n named, in index order: name lookups need no libelf calls
        if names.count == count - 1 && lastIndex == count - 1 { elf.sectionNames = names }
        if stringTableIndex == 0 || stringTableIndex > lastIndex {
            Log.warn("libbpf: elf: symbol strings section missing or invalid in \(displayPath)\n")
            throw format
        }
        // By section, then by offset in it (how the reference orders them).
        programs.sort { ($0.sectionIndex, $0.sectionInstructionOffset) < ($1.sectionIndex, $1.sectionInstructionOffset) }
        for (i, program) in programs.enumerated() { program.index = i }
        try initializeBTF(btfData, btfExtData, elf)
    }

    /// Sections the reference never looks at: string tables, address-significance
    /// tables, an empty .text, DWARF, and relocations of DWARF and BTF.
    @_optimize(speed)
    static func isIgnored(_ sh: Elf64_Shdr, _ name: UnsafePointer<CChar>) -> Bool {
        if sh.sh_type == UInt32(SHT_STRTAB) { return true }
        if sh.sh_type == 0x6fff_4c03 { return true }  // SHT_LLVM_ADDRSIG
        if sh.sh_type == UInt32(SHT_PROGBITS) && sh.sh_size == 0 && strcmp(name, ".text") == 0 { return true }
        if name[0] != CChar(UInt8(ascii: ".")) { return false }
        if name[1] == CChar(UInt8(ascii: "d")) && strncmp(name, ".debug_", 7) == 0 { return true }
        if name[1] == CChar(UInt8(ascii: "r")) && strncmp(name, ".rel", 4) == 0 {
            let rest = name + 4
            if strncmp(rest, ".debug_", 7) == 0 { return true }
            if strcmp(rest, ".BTF.ext") == 0 || strcmp(rest, ".BTF") == 0 { return true }
        }
        return false
    }

    @_optimize(speed)

    func sectionIsExecutable(_ elf: ELFFile, _ index: Int) -> Bool {
        guard let scn = elf.section(at: index), let sh = elf64_getshdr(scn) else { return false }
        return sh.pointee.sh_flags & UInt64(SHF_EXECINSTR) != 0
    }

    @_optimize(speed)

    func recordSection(_ index: Int, _ kind: ObjectSectionKind, _ name: UnsafePointer<CChar>,
                       _ sh: UnsafeMutablePointer<Elf64_Shdr>, _ data: UnsafeMutablePointer<Elf_Data>) {
        sectionSlots[index] = Int32(sections.count)
        sections.append(ObjectSection(index: index, kind: kind, name: cStringArray(name), header: sh.pointee,
                                      data: copyBytes(data), size: data.pointee.d_size))
    }

    /// The recorded section of ELF index `index` (open stages only), or nil.
    @_optimize(speed)
    func recordedSection(_ index: Int) -> ObjectSection? {
        guard index >= 0 && index < sectionSlots.count else { return nil }
        let slot = Int(sectionSlots[index])
        return slot >= 0 ? sections[slot] : nil
    }

    /// The kind of the recorded section of ELF index `index` (.none: not recorded).
    @_optimize(speed)
    func sectionKind(_ index: Int) -> ObjectSectionKind {
        guard index >= 0 && index < sectionSlots.count else { return .none }
        let slot = Int(sectionSlots[index])
        return slot >= 0 ? sections[slot].kind : .none
    }

    /// `license` section: at most 63 characters are kept; an empty or NOBITS one
    /// is a format error.
    @_optimize(speed)
    func initializeLicense(_ data: UnsafeMutablePointer<Elf_Data>) throws(BPFError) {
        let size = data.pointee.d_size
        if size == 0 || data.pointee.d_buf == nil {
            Log.warn("libbpf: invalid license section in \(displayPath)\n")
            throw BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        }
        var i = 0
        if let bytes = data.pointee.d_buf?.assumingMemoryBound(to: CChar.self) {
            while i < min(size, license.count - 1), bytes[i] != 0 {
                license[i] = bytes[i]
                i += 1
            }
        }
        license[i] = 0
        debugLog("libbpf: license of \(displayPath) is \(cString: license)\n")
    }

    /// `version` section: exactly one u32.
    @_optimize(speed)
    func initializeKernelVersion(_ data: UnsafeMutablePointer<Elf_Data>) throws(BPFError) {
        if data.pointee.d_size != 4 || data.pointee.d_buf == nil {
            Log.warn("libbpf: invalid kver section in \(displayPath)\n")
            throw BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        }
        kernelVersion = data.pointee.d_buf!.loadUnaligned(as: UInt32.self)
        debugLog("libbpf: kernel version of \(displayPath) is \(hexString(UInt(kernelVersion)))\n")
    }

    /// The symbols of the object's symbol table.
    public var symbolCount: Int { symbols.count / MemoryLayout<Elf64_Sym>.size }

    @_optimize(speed)

    public func symbol(_ index: Int) -> Elf64_Sym {
        symbols.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index * MemoryLayout<Elf64_Sym>.size, as: Elf64_Sym.self) }
    }

    /// `bpf_object__add_programs`: one program per function symbol of the section.
    @_optimize(speed)
    func addPrograms(_ elf: ELFFile, data: UnsafeMutablePointer<Elf_Data>, sectionName: UnsafePointer<CChar>, sectionIndex: Int) throws(BPFError) {
        let sectionSize = data.pointee.d_size
        let section = RawName(sectionName)
        for i in 0..<symbolCount {
            let sym = symbol(i)
            if Int(sym.st_shndx) != sectionIndex { continue }
            if sym.st_info & 0xf != UInt8(STT_FUNC) { continue }
            // size_t arithmetic, as the reference: the boundary check wraps.
            let size = sym.st_size
            let offset = sym.st_value
            guard let name = elf.loggedString(table: stringTableIndex, offset: sym.st_name) else {
                Log.warn("libbpf: sec '\(section)': failed to get symbol name for offset \(offset)\n")
                throw BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
            }
            if offset &+ size > UInt64(sectionSize) {
                Log.warn("libbpf: sec '\(section)': program at offset \(offset) crosses section boundary\n")
                throw BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
            }
            let binding = sym.st_info >> 4
            if sectionIndex != textSectionIndex && binding == UInt8(STB_LOCAL) {
                Log.warn("libbpf: sec '\(section)': program '\(cString: name)' is static and not supported\n")
                throw .ENOTSUP
            }
            debugLog("libbpf: sec '\(section)': found program '\(cString: name)' at insn offset \(offset / 8) (\(offset) bytes), code size \(size / 8) insns (\(size) bytes)\n")
            if size == 0 || size % 8 != 0 || offset % 8 != 0 {
                Log.warn("libbpf: sec '\(section)': corrupted program '\(cString: name)', offset \(offset), size \(size)\n")
                throw .EINVAL
            }
            // Only a wrapped sum gets here with a size past the section: the
            // reference fails to allocate the copy.
            if size > UInt64(sectionSize) || offset > UInt64(sectionSize) {
                Log.warn("libbpf: sec '\(section)': failed to allocate memory for prog '\(cString: name)'\n")
                throw .ENOMEM
            }
            let program = BPFProgram(object: self, index: programs.count, name: name, sectionName: sectionName,
                                     sectionIndex: sectionIndex, offset: Int(offset),
                                     code: UnsafeRawPointer(data.pointee.d_buf! + Int(offset)), size: Int(size))
            let visibility = sym.st_other & 0x3
            if binding != UInt8(STB_LOCAL) && (visibility == UInt8(STV_HIDDEN) || visibility == UInt8(STV_INTERNAL)) {
                program.markBTFStatic = true
            }
            programs.append(program)
        }
    }

    /// `.BTF` (required when the object has BTF-defined maps, struct_ops or
    /// externs) and `.BTF.ext` (ignored with a warning when broken).
    @_optimize(speed)
    func initializeBTF(_ btfData: UnsafeMutablePointer<Elf_Data>?, _ extData: UnsafeMutablePointer<Elf_Data>?, _ elf: ELFFile) throws(BPFError) {
        var failure: BPFError? = .ENOENT
        done: do {
            if let btfData {
                do {
                    let parsed = try BTF.parse(UnsafeRawPointer(btfData.pointee.d_buf), size: btfData.pointee.d_size, base: nil)
                    try parsed.setPointerSize(8)  // BPF targets have 8-byte pointers
                    btf = parsed
                    failure = nil
                } catch {
                    Log.warn("libbpf: Error loading ELF section .BTF: -\(error.code).\n")
                    failure = error
                    break done
                }
            }
            if let extData {
                if btf == nil {
                    debugLog("libbpf: Ignore ELF section .BTF.ext because its depending ELF section .BTF is not found.\n")
                    break done
                }
                do {
                    btfExt = try BTFExt.parse(UnsafeRawPointer(extData.pointee.d_buf), size: extData.pointee.d_size)
                    failure = nil
                } catch {
                    Log.warn("libbpf: Error loading ELF section .BTF.ext: -\(error.code). Ignored and continue.\n")
                    failure = error
                    break done
                }
            }
        }
        if let failure, needsBTF {
            Log.warn("libbpf: BTF is required, but is missing or corrupted.\n")
            throw failure
        }
    }

    /// Whether the object cannot work without BTF.
    var needsBTF: Bool { mapsSectionIndex >= 0 || structOpsSectionIndex >= 0 || !externs.isEmpty }
}

@_optimize(speed)

func copyBytes(_ data: UnsafeMutablePointer<Elf_Data>) -> [UInt8] {
    let size = data.pointee.d_size
    guard size > 0, let base = data.pointee.d_buf else { return [] }
    return [UInt8](UnsafeRawBufferPointer(start: base, count: size))
}

/// Writes `value` in lowercase hex (printf "%lx") at `start`; returns the end.
/// (At most 16 digits: two of them and a '-' fit the 64-byte name.)
@_optimize(speed)
func appendHex(_ value: UInt, to out: inout [CChar], at start: Int) -> Int {
    var digits = 1
    var v = value >> 4
    while v != 0 {
        digits += 1
        v >>= 4
    }
    v = value
    for k in stride(from: start + digits - 1, through: start, by: -1) {
        let d = UInt8(truncatingIfNeeded: v & 0xf)
        out[k] = CChar(bitPattern: d < 10 ? 0x30 + d : 0x57 + d)
        v >>= 4
    }
    return start + digits
}

/// Lowercase hex without prefix (printf "%lx").
@_optimize(speed)
func hexString(_ value: UInt) -> String {
    if value == 0 { return "0" }
    let digits: StaticString = "0123456789abcdef"
    var out: [UInt8] = []
    var v = value
    while v != 0 {
        out.append(digits.utf8Start[Int(v & 0xf)])
        v >>= 4
    }
    return String(decoding: out.reversed(), as: UTF8.self)
}

/// A name from the object (or a path) for log messages, printed as raw bytes:
/// `String(cString:)` would repair invalid UTF-8, the reference prints the bytes
/// as they are. nil prints as "(null)", as glibc's printf does. It refers to the
/// C string (or keeps the array) rather than copying it: make one only while the
/// name's memory lives (the ELF file, the BTF, the object), as the open path does.
public struct RawName: ExpressibleByStringLiteral {
    let pointer: UnsafePointer<CChar>?
    let array: [CChar]?

    public init(_ s: UnsafePointer<CChar>?) {
        pointer = s
        array = nil
    }

    public init(stringLiteral value: StaticString) {
        pointer = UnsafeRawPointer(value.utf8Start).assumingMemoryBound(to: CChar.self)
        array = nil
    }

    /// A NUL-terminated array (as the object keeps its names).
    public init(_ a: [CChar]) {
        pointer = nil
        array = a
    }
}

extension LogText.Interpolation {
    @_optimize(speed)
    public mutating func appendInterpolation(_ name: RawName) {
        if let array = name.array {
            array.withUnsafeBufferPointer { appendInterpolation(cString: $0.baseAddress!) }
        } else {
            appendInterpolation(cString: name.pointer)
        }
    }
}

extension Log {
    /// Whether a debug message reaches anyone: the default printer drops them (as
    /// the reference's does), so the open path does not format them for it, nor
    /// when no printer is set.
    @inline(__always)
    static var wantsDebug: Bool {
        if sink != nil { return true }
        guard let callback = printCallback else { return false }
        return callback != defaultPrintCallback
    }
}

/// `pr_debug`: the message is only formatted when someone will see it.
@inline(__always)
@_optimize(speed)
func debugLog(_ message: @autoclosure () -> LogText) {
    if Log.wantsDebug { Log.debug(message()) }
}

extension BPFObject {
    /// The release's version, read once: the release does not change while a
    /// process runs.
    nonisolated(unsafe) static var releaseKernelVersion: UInt32? = nil
    /// The errno of the reference's Ubuntu signature check (`faccessat` of
    /// /proc/version_signature) when it failed; 0 until it has failed once.
    nonisolated(unsafe) static var ubuntuSignatureErrno: Int32 = 0

    /// `KernelVersion.current()` for an open, without a system call per object.
    /// The reference checks /proc/version_signature on every open; whether the
    /// running kernel provides that file does not change while a process runs,
    /// so once the check has failed it is not repeated: errno is set to the value
    /// it left (what callers see after a successful open, as with the reference)
    /// and the release, parsed once, decides. (A procfs lookup of a missing name
    /// allocates and frees a dentry each time: a sixth of an open's time.) Where
    /// the file exists, every open reads it, as before.
    @_optimize(speed)
    static func kernelVersionAtOpen() -> UInt32 {
        if ubuntuSignatureErrno != 0, let version = releaseKernelVersion {
            sbpf_set_errno(ubuntuSignatureErrno)
            return version
        }
        if faccessat(AT_FDCWD, "/proc/version_signature", R_OK, AT_EACCESS) == 0 { return KernelVersion.current() }
        let checkErrno = sbpf_errno()
        if let version = releaseKernelVersion { return version }
        let version = KernelVersion.current()
        releaseKernelVersion = version
        ubuntuSignatureErrno = checkErrno
        return version
    }
}

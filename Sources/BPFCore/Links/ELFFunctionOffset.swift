import CBPF

/// Where a uprobe on a named function goes: the function's file offset in an ELF
/// binary or shared library, found through its symbol tables.
enum ELFFunctionOffset {
    /// The file offset of function `name` in `path` (".dynsym" searched first, then
    /// ".symtab"), or a negative errno. `name` may carry a version ("fn@LIB",
    /// "fn@@LIB_1.0"); unqualified, it also matches any versioned symbol "name@...".
    /// Several strong matches are ambiguous; weak ones yield to the first strong
    /// or earlier weak one.
    static func find(_ name: UnsafePointer<CChar>, in path: UnsafePointer<CChar>) -> Int {
        let fd = sbpf_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            let code = sbpf_errno()
            Log.warn("libbpf: elf: failed to open \(cString: path): \(errorText(-code))\n")
            return -Int(code)
        }
        defer { _ = close(fd) }
        _ = elf_version(UInt32(EV_CURRENT))
        guard let elf = elf_begin(fd, ELF_C_READ_MMAP, nil) else {
            Log.warn("libbpf: elf: could not read elf from \(cString: path): \(cString: elf_errmsg(-1))\n")
            return -Int(LIBBPF_ERRNO__FORMAT.rawValue)
        }
        defer { elf_end(elf) }
        var header = GElf_Ehdr()
        if gelf_getehdr(elf, &header) == nil {
            Log.warn("libbpf: elf: failed to get ehdr from \(cString: path): \(cString: elf_errmsg(-1))\n")
            return -Int(LIBBPF_ERRNO__FORMAT.rawValue)
        }
        let isSharedLibrary = header.e_type == UInt16(ET_DYN)
        let nameLength = strlen(name)
        let qualified = strchr(name, Int32(UInt8(ascii: "@"))) != nil

        var result = -Int(ENOENT)
        for tableType in [UInt32(SHT_DYNSYM), UInt32(SHT_SYMTAB)] {
            guard let table = firstSection(of: tableType, in: elf) else {
                Log.debug("libbpf: elf: failed to find symbol table ELF sections in '\(cString: path)'\n")
                continue
            }
            var tableHeader = GElf_Shdr()
            if gelf_getshdr(table, &tableHeader) == nil { continue }
            guard let symbols = elf_getdata(table, nil) else {
                Log.warn("libbpf: elf: failed to get symbols for symtab section in '\(cString: path)': \(cString: elf_errmsg(-1))\n")
                return -Int(LIBBPF_ERRNO__FORMAT.rawValue)
            }
            let count = tableHeader.sh_entsize == 0 ? 0 : Int(symbols.pointee.d_size) / Int(tableHeader.sh_entsize)
            var matchedBinding: Int32 = -1
            for index in 0..<count {
                var symbol = GElf_Sym()
                if gelf_getsym(symbols, Int32(index), &symbol) == nil { continue }
                if Int32(symbol.st_info & 0xf) != STT_FUNC { continue }
                guard let symbolName = elf_strptr(elf, Int(tableHeader.sh_link), Int(symbol.st_name)) else { continue }
                if strncmp(symbolName, name, nameLength) != 0 { continue }
                // "foo" must not match "foo2": only a version suffix may follow.
                let next = symbolName[nameLength]
                if !qualified && next != 0 && next != CChar(bitPattern: UInt8(ascii: "@")) { continue }
                let binding = Int32(symbol.st_info >> 4)
                if result >= 0 {
                    if matchedBinding != STB_WEAK && binding != STB_WEAK {
                        Log.warn("libbpf: elf: ambiguous match for '\(cString: symbolName)', '\(cString: name)' in '\(cString: path)'\n")
                        return -Int(LIBBPF_ERRNO__FORMAT.rawValue)
                    }
                    if binding == STB_WEAK { continue }
                }
                // The symbol's address is virtual; its section maps it to the file.
                guard let section = elf_getscn(elf, Int(symbol.st_shndx)) else { continue }
                var sectionHeader = GElf_Shdr()
                if gelf_getshdr(section, &sectionHeader) == nil { continue }
                result = Int(Int64(bitPattern: symbol.st_value &- sectionHeader.sh_addr &+ sectionHeader.sh_offset))
                matchedBinding = binding
            }
            if result > 0 { break }
        }
        if result > 0 {
            Log.debug("libbpf: elf: symbol address match for '\(cString: name)' in '\(cString: path)': 0x\(hex: UInt64(result))\n")
            return result
        }
        if result == 0 {
            let hint: StaticString = isSharedLibrary ? "should not be 0 in a shared library" : "try using shared library path instead"
            Log.warn("libbpf: elf: '\(cString: name)' is 0 in symtab for '\(cString: path)': \(hint)\n")
        } else {
            Log.warn("libbpf: elf: failed to find symbol '\(cString: name)' in '\(cString: path)'\n")
        }
        return -Int(ENOENT)
    }

    static func firstSection(of type: UInt32, in elf: OpaquePointer) -> OpaquePointer? {
        var section = elf_nextscn(elf, nil)
        while let current = section {
            var header = GElf_Shdr()
            if gelf_getshdr(current, &header) != nil && header.sh_type == type { return current }
            section = elf_nextscn(elf, current)
        }
        return nil
    }
}

/// How uprobe attachment finds a binary named without a '/'.
enum ExecutablePath {
    /// Searches LD_LIBRARY_PATH, /usr/lib64:/usr/lib and the multiarch library
    /// directory for a "*.so"/"*.so.*" name (readable), PATH otherwise
    /// (executable). Fills `result` (NUL-terminated) and returns 0, or -ENOENT.
    static func resolve(_ file: UnsafePointer<CChar>, into result: inout [CChar]) -> Int32 {
        let length = strlen(file)
        let isLibrary = (length >= 3 && strcmp(file + length - 3, ".so") == 0) || strstr(file, ".so.") != nil
        var searchLists: [UnsafePointer<CChar>?] = []
        let permission: Int32
        if isLibrary {
            searchLists.append(UnsafePointer(getenv("LD_LIBRARY_PATH")))
            searchLists.append(StaticString("/usr/lib64:/usr/lib").cString)
            #if arch(x86_64)
            searchLists.append(StaticString("/lib/x86_64-linux-gnu").cString)
            #endif
            permission = R_OK
        } else {
            searchLists.append(UnsafePointer(getenv("PATH")))
            permission = X_OK
        }
        for list in searchLists {
            guard var segment = list else { continue }
            while true {
                if segment.pointee == CChar(bitPattern: UInt8(ascii: ":")) { segment += 1 }
                let end = strchr(segment, Int32(UInt8(ascii: ":")))
                let segmentLength = end.map { UnsafePointer($0) - segment } ?? Int(strlen(segment))
                if segmentLength > 0 {
                    var candidate: [CChar] = []
                    for i in 0..<segmentLength { candidate.append(segment[i]) }
                    candidate.appendASCII("/")
                    candidate.appendCString(file)
                    if candidate.count >= Int(PATH_MAX) { candidate.removeLast(candidate.count - Int(PATH_MAX) + 1) }
                    candidate.append(0)
                    let accessible = candidate.withUnsafeBufferPointer {
                        faccessat(AT_FDCWD, $0.baseAddress!, permission, AT_EACCESS) == 0
                    }
                    if accessible {
                        Log.debug("libbpf: resolved '\(cString: file)' to '\(cChars: candidate)'\n")
                        result = candidate
                        return 0
                    }
                }
                guard let end else { break }
                segment = UnsafePointer(end)
            }
        }
        return -ENOENT
    }
}

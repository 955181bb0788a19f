import CBPF

/// Getting BTF from files and the kernel, and loading it into the kernel.
extension BTF {
    /// `btf__parse_raw(_split)`: a file holding raw BTF. EPROTO when the file does
    /// not start with the BTF magic (in either byte order), so callers can try ELF.
    public static func parseRawFile(_ path: UnsafePointer<CChar>, base: BTF?) throws(BPFError) -> BTF {
        let fd = sbpf_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 { throw BPFError.lastErrno() }
        defer { _ = close(fd) }
        var magic: UInt16 = 0
        if read(fd, &magic, 2) != 2 { throw .EIO }
        if magic != BTF.magic && magic != BTF.magic.byteSwapped { throw BPFError(EPROTO) }
        let size = lseek(fd, 0, SEEK_END)
        if size < 0 { throw BPFError.lastErrno() }
        // Read straight into the buffer the BTF will own (libbpf reads, then copies).
        var buffer = BTFBuffer()
        _ = try buffer.append(zeroed: Int(size))
        var done = 0
        while done < Int(size) {
            let n = pread(fd, buffer.base! + done, Int(size) - done, off_t(done))
            if n <= 0 {
                if n < 0 && sbpf_errno() == EINTR { continue }
                buffer.free()
                throw .EIO
            }
            done += n
        }
        return try parse(adopting: buffer, base: base)
    }

    /// `btf__parse_elf(_split)`: the `.BTF` section of an ELF file, with the
    /// pointer size set from the ELF class; `.BTF.ext` too when `wantExtension`.
    public static func parseELFFile(_ path: UnsafePointer<CChar>, base: BTF?, wantExtension: Bool) throws(BPFError) -> (BTF, BTFExt?) {
        if elf_version(UInt32(EV_CURRENT)) == UInt32(EV_NONE) {
            Log.warn("libbpf: failed to init libelf for \(cString: path)\n")
            throw BPFError(Int32(LIBBPF_ERRNO__LIBELF.rawValue))
        }
        let fd = sbpf_open(path, O_RDONLY | O_CLOEXEC, 0)
        if fd < 0 {
            let error = BPFError.lastErrno()
            Log.warn("libbpf: failed to open \(cString: path): \(cString: strerror(error.code))\n")
            throw error
        }
        defer { _ = close(fd) }
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        let file = String(cString: path)
        guard let elf = elf_begin(fd, ELF_C_READ, nil) else {
            Log.warn("libbpf: failed to open \(file) as ELF file\n")
            throw format
        }
        defer { elf_end(elf) }
        var ehdr = GElf_Ehdr()
        if gelf_getehdr(elf, &ehdr) == nil {
            Log.warn("libbpf: failed to get EHDR from \(file)\n")
            throw format
        }
        var stringsIndex = 0
        if elf_getshdrstrndx(elf, &stringsIndex) != 0 {
            Log.warn("libbpf: failed to get section names section index for \(file)\n")
            throw format
        }
        if elf_rawdata(elf_getscn(elf, stringsIndex), nil) == nil {
            Log.warn("libbpf: failed to get e_shstrndx from \(file)\n")
            throw format
        }
        var btfData: UnsafeMutablePointer<Elf_Data>? = nil
        var extData: UnsafeMutablePointer<Elf_Data>? = nil
        var section: OpaquePointer? = nil
        var index = 0
        while true {
            section = elf_nextscn(elf, section)
            guard let scn = section else { break }
            index += 1
            var sh = GElf_Shdr()
            if gelf_getshdr(scn, &sh) == nil {
                Log.warn("libbpf: failed to get section(\(index)) header from \(file)\n")
                throw format
            }
            guard let name = elf_strptr(elf, stringsIndex, Int(sh.sh_name)) else {
                Log.warn("libbpf: failed to get section(\(index)) name from \(file)\n")
                throw format
            }
            if strcmp(name, ".BTF") == 0 {
                btfData = elf_getdata(scn, nil)
                if btfData == nil {
                    Log.warn("libbpf: failed to get section(\(index), .BTF) data from \(file)\n")
                    throw format
                }
            } else if wantExtension && strcmp(name, ".BTF.ext") == 0 {
                extData = elf_getdata(scn, nil)
                if extData == nil {
                    Log.warn("libbpf: failed to get section(\(index), .BTF.ext) data from \(file)\n")
                    throw format
                }
            }
        }
        guard let btfData else {
            Log.warn("libbpf: failed to find '.BTF' ELF section in \(file)\n")
            throw .ENOENT
        }
        let btf = try parse(UnsafeRawPointer(btfData.pointee.d_buf), size: btfData.pointee.d_size, base: base)
        switch gelf_getclass(elf) {
        case Int32(ELFCLASS32): btf.pointerSizeSetting = 4
        case Int32(ELFCLASS64): btf.pointerSizeSetting = 8
        default: Log.warn("libbpf: failed to get ELF class (bitness) for \(file)\n")
        }
        var ext: BTFExt? = nil
        if wantExtension, let extData {
            ext = try BTFExt.parse(UnsafeRawPointer(extData.pointee.d_buf), size: extData.pointee.d_size)
        }
        return (btf, ext)
    }

    /// `btf__parse(_split)`: raw BTF, or else the BTF of an ELF file.
    public static func parseFile(_ path: UnsafePointer<CChar>, base: BTF?, wantExtension: Bool) throws(BPFError) -> (BTF, BTFExt?) {
        do {
            return (try parseRawFile(path, base: base), nil)
        } catch where error.code == EPROTO {
            return try parseELFFile(path, base: base, wantExtension: wantExtension)
        }
    }

    /// `btf__load_vmlinux_btf`: the running kernel's BTF from sysfs, or from a
    /// vmlinux image in the usual places.
    public static func loadVMLinux() throws(BPFError) -> BTF {
        var uts = utsname()
        _ = uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        let locations: [String] = [
            "/sys/kernel/btf/vmlinux",
            "/boot/vmlinux-\(release)",
            "/lib/modules/\(release)/vmlinux-\(release)",
            "/lib/modules/\(release)/build/vmlinux",
            "/usr/lib/modules/\(release)/kernel/vmlinux",
            "/usr/lib/debug/boot/vmlinux-\(release)",
            "/usr/lib/debug/boot/vmlinux-\(release).debug",
            "/usr/lib/debug/lib/modules/\(release)/vmlinux",
        ]
        for location in locations {
            var pathText = location
            let found: BTF? = pathText.withUTF8 { bytes in
                withNulTerminated(bytes) { path in
                    if faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) != 0 { return nil }
                    do throws(BPFError) {
                        let btf = try parseFile(path, base: nil, wantExtension: false).0
                        Log.debug("libbpf: loading kernel BTF '\(location)': 0\n")
                        return btf
                    } catch {
                        Log.debug("libbpf: loading kernel BTF '\(location)': -\(error.code)\n")
                        return nil
                    }
                }
            }
            if let found { return found }
        }
        Log.warn("libbpf: failed to find valid kernel BTF\n")
        throw .ESRCH
    }

    /// `btf__load_from_kernel_by_id(_split)`: the BTF object with this id.
    public static func loadFromKernel(id: UInt32, base: BTF?) throws(BPFError) -> BTF {
        let fd = try ObjectCommands.fd(.btf, id: id, openFlags: 0)
        defer { _ = close(fd) }
        return try fromKernelFD(fd, base: base)
    }

    /// Reads a loaded BTF's bytes through BPF_OBJ_GET_INFO_BY_FD: first into 4 KiB,
    /// then once more at the size the kernel reported.
    static func fromKernelFD(_ fd: Int32, base: BTF?) throws(BPFError) -> BTF {
        var size: UInt32 = 4096
        var buffer = BTFBuffer()
        _ = try buffer.append(zeroed: Int(size))
        defer { buffer.free() }
        var info = bpf_btf_info()
        info.btf = BPFSyscall.address(buffer.base)
        info.btf_size = size
        _ = try ObjectCommands.info(fd: fd, info: &info, length: UInt32(MemoryLayout<bpf_btf_info>.size))
        if info.btf_size > size {
            size = info.btf_size
            _ = try buffer.append(zeroed: Int(size) - buffer.count)
            info = bpf_btf_info()
            info.btf = BPFSyscall.address(buffer.base)
            info.btf_size = size
            _ = try ObjectCommands.info(fd: fd, info: &info, length: UInt32(MemoryLayout<bpf_btf_info>.size))
        }
        if info.btf_size > size { throw .E2BIG }
        return try parse(UnsafeRawPointer(buffer.base), size: Int(info.btf_size), base: base)
    }

    /// `btf__load_into_kernel`: loads the BTF; without a caller's log buffer, a
    /// failure is retried with a library buffer (growing on ENOSPC) to report the log.
    public func loadIntoKernel(logBuffer: UnsafeMutablePointer<CChar>? = nil, logSize: Int = 0, logLevel: UInt32 = 0) throws(BPFError) {
        if fd >= 0 { throw .EEXIST }
        if logSize != 0 && logBuffer == nil { throw .EINVAL }
        // Keep the native raw form cached, as loading needs it anyway.
        let swapped = swappedEndian
        swappedEndian = false
        let data: (UnsafeRawPointer, Int)
        do { data = try rawData() } catch { swappedEndian = swapped; throw error }
        swappedEndian = swapped
        var level = logLevel
        var own: UnsafeMutablePointer<CChar>? = nil
        var ownSize: UInt32 = 0
        defer { own?.deallocate() }
        while true {
            var buffer: UnsafeMutablePointer<CChar>? = nil
            var size: UInt32 = 0
            if level != 0 {
                if logBuffer == nil {
                    // 16 MiB first (libbpf's BPF_LOG_BUF_SIZE), doubling on ENOSPC.
                    ownSize = max(UInt32.max >> 8, ownSize &* 2)
                    own?.deallocate()
                    own = UnsafeMutablePointer<CChar>.allocate(capacity: Int(ownSize))
                    own![0] = 0
                }
                buffer = logBuffer ?? own
                size = logBuffer != nil ? UInt32(truncatingIfNeeded: logSize) : ownSize
            }
            do {
                ResourceLimits.bumpMemlockIfNeeded()
                fd = try BTFCommands.load(data: data.0, size: UInt32(data.1), logBuffer: buffer, logSize: size, logLevel: level)
                return
            } catch {
                if level == 0 {
                    level = 1
                    continue
                }
                if logBuffer == nil && error == .ENOSPC && ownSize <= UInt32.max / 2 { continue }
                // The reference stores bpf_btf_load's result: btf__fd is now -errno.
                fd = -error.code
                Log.warn("libbpf: BTF loading error: -\(error.code)\n")
                if logBuffer == nil, let own, own[0] != 0 {
                    Log.warn("libbpf: -- BEGIN BTF LOAD LOG ---\n\(cString: own)\n-- END BTF LOAD LOG --\n")
                }
                throw error
            }
        }
    }
}

/// Calls `body` with a NUL-terminated copy of `bytes`.
public func withNulTerminated<R>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<CChar>) -> R) -> R {
    let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
    defer { copy.deallocate() }
    for i in 0..<bytes.count { copy[i] = CChar(bitPattern: bytes[i]) }
    copy[bytes.count] = 0
    return body(UnsafePointer(copy))
}

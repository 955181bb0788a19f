import CBPF

/// A kernel module's BTF (`struct module_btf`), split on vmlinux BTF.
public struct ModuleBTF {
    public var btf: BTF
    /// The kernel's BTF object id and our fd for it (closed by `releaseKernelBTFs`).
    public var id: UInt32
    public var fd: Int32
    public var name: [CChar]
    /// Where `fd` sits in the object's `fdArray` once a kfunc of this module is
    /// called (0: not there yet; slot 0 is never used).
    public var fdArrayIndex: Int = 0
}

/// Extern resolution at load (`bpf_object__resolve_externs`), libbpf 1.1's rules:
///
/// 1. In extern order: `.kconfig` externs named CONFIG_* wait for a Kconfig
///    source; the virtual ones are computed now (LINUX_KERNEL_VERSION,
///    LINUX_HAS_BPF_COOKIE, LINUX_HAS_SYSCALL_WRAPPER; an unknown LINUX_* one is
///    0 when weak); any other name is refused. `.ksyms` externs are noted as
///    typeless (kallsyms) or typed (kernel BTF).
/// 2. CONFIG_* values come from the `kconfig` open option, then, if some
///    `.kconfig` extern is still unset, from the system Kconfig (Kconfig.swift).
/// 3. Typeless ksyms get their address from /proc/kallsyms (Kallsyms.swift); a
///    name listed at two addresses is ambiguous.
/// 4. Typed ksyms get a BTF id: VARs and FUNCs are looked up in vmlinux BTF, then
///    in module BTFs, and their types must be compatible with the local ones.
/// 5. A strong extern still unset fails the load (ESRCH); a weak one stays zero.
///
/// Failures of steps 2-4 make load fail with EINVAL; a virtual extern's own
/// error (ERANGE for a value that does not fit) is returned as it is.
///
/// What relocation reads back, per `Extern`: `isSet`; for .kconfig, the value in
/// the .kconfig map's initial value at `dataOffset`; for typeless ksyms,
/// `address`; for typed VARs, `kernelBTFID` and `kernelBTFObjectFD` (0 for
/// vmlinux); for FUNCs (kfuncs), `kernelBTFID`, `btfFDIndex` (the module fd's
/// slot in `fdArray`, 0 for vmlinux) and `kernelBTFObjectFD`.
extension BPFObject {
    func resolveExterns() throws(BPFError) {
        if externs.isEmpty { return }
        let data: UnsafeMutableRawPointer? = kconfigMapIndex >= 0 ? maps[kconfigMapIndex].mmaped : nil
        var needConfig = false
        var needKallsyms = false
        var needVMLinuxBTF = false
        for i in 0..<externs.count {
            switch externs[i].kind {
            case .ksym:
                if externs[i].typeID != 0 { needVMLinuxBTF = true } else { needKallsyms = true }
            case .kconfig:
                if externs[i].hasNamePrefix("CONFIG_") {
                    needConfig = true
                    continue
                }
                let value = try virtualKconfigValue(externs[i])
                try Kconfig.setNumber(&externs[i], data.map { $0 + externs[i].dataOffset }, value)
                Log.debug("libbpf: extern (kcfg) '\(externs[i].nameString)': set to 0x\(hexString(UInt(value)))\n")
            default:
                Log.warn("libbpf: extern '\(externs[i].nameString)': unrecognized extern kind\n")
                throw .EINVAL
            }
        }
        if needConfig, let kconfig {
            // (closures given to withUnsafe* cannot throw typed errors in Embedded Swift)
            let failure: BPFError? = kconfig.withUnsafeBufferPointer { text in
                do throws(BPFError) {
                    try Kconfig.parse(text: text.baseAddress!, externs: &externs, data: data)
                    return nil
                } catch {
                    return error
                }
            }
            if failure != nil { throw .EINVAL }
            needConfig = externs.contains { $0.kind == .kconfig && !$0.isSet }
        }
        if needConfig {
            do throws(BPFError) { try Kconfig.readSystemConfig(externs: &externs, data: data) } catch { throw .EINVAL }
        }
        if needKallsyms {
            do throws(BPFError) { try resolveKallsyms() } catch { throw .EINVAL }
        }
        if needVMLinuxBTF {
            do throws(BPFError) { try resolveKsymBTFIDs() } catch { throw .EINVAL }
        }
        for ext in externs where !ext.isSet {
            if !ext.isWeak {
                Log.warn("libbpf: extern '\(ext.nameString)' (strong): not resolved\n")
                throw .ESRCH
            }
            Log.debug("libbpf: extern '\(ext.nameString)' (weak): not resolved, defaulting to zero\n")
        }
    }

    /// The value of a .kconfig extern libbpf computes itself (not CONFIG_*).
    func virtualKconfigValue(_ ext: Extern) throws(BPFError) -> UInt64 {
        if ext.hasName("LINUX_KERNEL_VERSION") {
            let version = KernelVersion.current()
            if version == 0 {
                Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': failed to get kernel version\n")
                throw .EINVAL
            }
            return UInt64(version)
        }
        if ext.hasName("LINUX_HAS_BPF_COOKIE") { return KernelFeatures.supports(.bpfCookie) ? 1 : 0 }
        if ext.hasName("LINUX_HAS_SYSCALL_WRAPPER") { return KernelFeatures.supports(.syscallWrapper) ? 1 : 0 }
        if !ext.hasNamePrefix("LINUX_") || !ext.isWeak {
            Log.warn("libbpf: extern (kcfg) '\(ext.nameString)': unrecognized virtual extern\n")
            throw .EINVAL
        }
        return 0
    }

    // MARK: - Typeless ksyms

    /// `bpf_object__read_kallsyms_file`: every `.ksyms` VAR extern named in
    /// /proc/kallsyms gets that address (typed ones too; their BTF lookup comes
    /// later). The same name at another address is an error.
    func resolveKallsyms() throws(BPFError) {
        let btf = self.btf
        try Kallsyms.forEach { (address, _, name) -> BPFError? in
            guard let index = findExtern(named: name), externs[index].kind == .ksym else { return nil }
            guard let btf, let t = btf.type(externs[index].btfID), t.kind == BTFKind.variable else { return nil }
            if externs[index].isSet && externs[index].address != address {
                Log.warn("libbpf: extern (ksym) '\(cString: name)': resolution is ambiguous: 0x\(hexString(UInt(externs[index].address))) or 0x\(hexString(UInt(address)))\n")
                return .EINVAL
            }
            if !externs[index].isSet {
                externs[index].isSet = true
                externs[index].address = address
                Log.debug("libbpf: extern (ksym) '\(cString: name)': set to 0x\(hexString(UInt(address)))\n")
            }
            return nil
        }
    }

    // MARK: - Typed ksyms and kfuncs

    /// `bpf_object__resolve_ksyms_btf_id`.
    func resolveKsymBTFIDs() throws(BPFError) {
        for i in 0..<externs.count where externs[i].kind == .ksym && externs[i].typeID != 0 {
            guard let t = btf?.type(externs[i].btfID) else { continue }
            if t.kind == BTFKind.variable {
                try resolveKsymVariable(i)
            } else {
                try resolveKsymFunction(i)
            }
        }
    }

    /// `find_ksym_btf_id`: the id of the VAR/FUNC named `name` in vmlinux BTF, else
    /// in the first module BTF that has it (module BTFs are loaded on first need).
    /// ESRCH when nowhere; module loading errors are passed on.
    func findKsymBTFID(_ name: UnsafePointer<CChar>, kind: UInt32) -> Result<(id: UInt32, btf: BTF, module: Int?), BPFError> {
        guard let vmlinux = vmlinuxBTF else { return .failure(.ESRCH) }
        if let id = vmlinux.find(name, kind: kind) { return .success((id, vmlinux, nil)) }
        do throws(BPFError) { try loadModuleBTFs() } catch { return .failure(error) }
        for m in 0..<moduleBTFs.count {
            if let id = moduleBTFs[m].btf.findOwn(name, kind: kind) { return .success((id, moduleBTFs[m].btf, m)) }
        }
        return .failure(.ESRCH)
    }

    /// `bpf_object__resolve_ksym_var_btf_id`.
    func resolveKsymVariable(_ index: Int) throws(BPFError) {
        let ext = externs[index]
        let found: (id: UInt32, btf: BTF, module: Int?)
        do {
            found = try ext.name.withUnsafeBufferPointer { findKsymBTFID($0.baseAddress!, kind: BTFKind.variable) }.get()
        } catch {
            if error == .ESRCH && ext.isWeak { return }
            Log.warn("libbpf: extern (var ksym) '\(ext.nameString)': not found in kernel BTF\n")
            throw error
        }
        guard let localBTF = btf, let targetVar = found.btf.type(found.id) else { throw .EINVAL }
        let localID = ext.typeID
        let target = found.btf.skipModifiersAndTypedefs(targetVar.sizeOrType)
        if typesAreCompatible(localBTF, localID, found.btf, target.id) <= 0 {
            let local = localBTF.type(localID)
            Log.warn("libbpf: extern (var ksym) '\(ext.nameString)': incompatible types, expected [\(localID)] \(BTF.kindName(local)) \(localBTF.nameString(local?.nameOffset ?? 0)), but kernel has [\(target.id)] \(BTF.kindName(target.type)) \(found.btf.nameString(target.type?.nameOffset ?? 0))\n")
            throw .EINVAL
        }
        externs[index].isSet = true
        externs[index].kernelBTFObjectFD = found.module.map { moduleBTFs[$0].fd } ?? 0
        externs[index].kernelBTFID = Int32(bitPattern: found.id)
        Log.debug("libbpf: extern (var ksym) '\(ext.nameString)': resolved to [\(found.id)] \(BTF.kindName(targetVar)) \(found.btf.nameString(targetVar.nameOffset))\n")
    }

    /// `bpf_object__resolve_ksym_func_btf_id`: a kfunc's BTF id; a module's kfunc
    /// also puts the module BTF fd in `fdArray` (once per module).
    func resolveKsymFunction(_ index: Int) throws(BPFError) {
        let ext = externs[index]
        let found: (id: UInt32, btf: BTF, module: Int?)
        do {
            found = try ext.name.withUnsafeBufferPointer { findKsymBTFID($0.baseAddress!, kind: BTFKind.function) }.get()
        } catch {
            if error == .ESRCH && ext.isWeak { return }
            Log.warn("libbpf: extern (func ksym) '\(ext.nameString)': not found in kernel or module BTFs\n")
            throw error
        }
        guard let localBTF = btf, let function = found.btf.type(found.id) else { throw .EINVAL }
        let localProtoID = ext.typeID
        let kernelProtoID = function.sizeOrType
        if typesAreCompatible(localBTF, localProtoID, found.btf, kernelProtoID) <= 0 {
            Log.warn("libbpf: extern (func ksym) '\(ext.nameString)': func_proto [\(localProtoID)] incompatible with kernel [\(kernelProtoID)]\n")
            throw .EINVAL
        }
        if let m = found.module, moduleBTFs[m].fdArrayIndex == 0 {
            // insn.off is an s16.
            if fdArray.count == Int(Int16.max) {
                Log.warn("libbpf: extern (func ksym) '\(ext.nameString)': module BTF fd index \(moduleBTFs[m].fdArrayIndex) too big to fit in bpf_insn offset\n")
                throw .E2BIG
            }
            if fdArray.isEmpty { fdArray.append(0) }  // index 0 means vmlinux
            moduleBTFs[m].fdArrayIndex = fdArray.count
            fdArray.append(moduleBTFs[m].fd)
        }
        externs[index].isSet = true
        externs[index].kernelBTFID = Int32(bitPattern: found.id)
        externs[index].btfFDIndex = Int16(truncatingIfNeeded: found.module.map { moduleBTFs[$0].fdArrayIndex } ?? 0)
        // Also the fd itself, for a ld_imm64 taking the kfunc's address.
        externs[index].kernelBTFObjectFD = found.module.map { moduleBTFs[$0].fd } ?? 0
        Log.debug("libbpf: extern (func ksym) '\(ext.nameString)': resolved to kernel [\(found.id)]\n")
    }

    /// `bpf_core_types_are_compat` (libbpf 1.1): > 0 compatible, 0 not, < 0 error.
    /// Kinds must match (enum and enum64 count as one), through modifiers and
    /// typedefs; structs, unions, enums and forwards match by kind alone; ints
    /// unless bitfield-like; pointers and arrays by their targets; function
    /// prototypes by parameter count, each parameter, and the return type.
    func typesAreCompatible(_ localBTF: BTF, _ localID: UInt32, _ targetBTF: BTF, _ targetID: UInt32) -> Int32 {
        var localID = localID
        var targetID = targetID
        guard let l0 = localBTF.type(localID), let t0 = targetBTF.type(targetID) else { return -EINVAL }
        if !Self.kindsAreCompatible(l0, t0) { return 0 }
        var depth = 32
        while true {
            depth -= 1
            if depth < 0 { return -EINVAL }
            let l = localBTF.skipModifiersAndTypedefs(localID)
            let t = targetBTF.skipModifiersAndTypedefs(targetID)
            guard let local = l.type, let target = t.type else { return -EINVAL }
            localID = l.id
            targetID = t.id
            if !Self.kindsAreCompatible(local, target) { return 0 }
            switch local.kind {
            case BTFKind.unknown, BTFKind.structure, BTFKind.union, BTFKind.enumeration, BTFKind.forward, BTFKind.enum64:
                return 1
            case BTFKind.int:
                // Bit offset (bits 16-23 of the encoding word) must be 0 on both sides.
                return (local.word(0) >> 16) & 0xff == 0 && (target.word(0) >> 16) & 0xff == 0 ? 1 : 0
            case BTFKind.pointer:
                localID = local.sizeOrType
                targetID = target.sizeOrType
            case BTFKind.array:
                localID = local.word(0)
                targetID = target.word(0)
            case BTFKind.functionPrototype:
                if local.vlen != target.vlen { return 0 }
                for p in 0..<Int(local.vlen) {
                    let lp = localBTF.skipModifiersAndTypedefs(local.word(2 * p + 1)).id
                    let tp = targetBTF.skipModifiersAndTypedefs(target.word(2 * p + 1)).id
                    let result = typesAreCompatible(localBTF, lp, targetBTF, tp)
                    if result <= 0 { return result }
                }
                localID = localBTF.skipModifiersAndTypedefs(local.sizeOrType).id
                targetID = targetBTF.skipModifiersAndTypedefs(target.sizeOrType).id
            default:
                Log.warn("libbpf: unexpected kind \(BTF.kindName(local)) relocated, local [\(localID)], target [\(targetID)]\n")
                return 0
            }
        }
    }

    /// `btf_kind_core_compat`.
    static func kindsAreCompatible(_ a: UnsafePointer<btf_type>, _ b: UnsafePointer<btf_type>) -> Bool {
        if a.kind == b.kind { return true }
        let aEnum = a.kind == BTFKind.enumeration || a.kind == BTFKind.enum64
        let bEnum = b.kind == BTFKind.enumeration || b.kind == BTFKind.enum64
        return aEnum && bEnum
    }

    // MARK: - Module BTFs

    /// `load_module_btfs`: the BTF of every kernel module, once per load (also for
    /// CO-RE candidates). Nothing on kernels without module BTF support.
    public func loadModuleBTFs() throws(BPFError) {
        if moduleBTFsLoaded { return }
        moduleBTFsLoaded = true
        if !KernelFeatures.supports(.moduleBTF) { return }
        var id: UInt32 = 0
        while true {
            do {
                id = try ObjectCommands.nextID(.btf, after: id)
            } catch {
                if error == .ENOENT { return }
                Log.warn("libbpf: failed to iterate BTF objects: -\(error.code)\n")
                throw error
            }
            let fd: Int32
            do {
                fd = try ObjectCommands.fd(.btf, id: id, openFlags: 0)
            } catch {
                if error == .ENOENT { continue }  // unloaded meanwhile
                Log.warn("libbpf: failed to get BTF object #\(id) FD: -\(error.code)\n")
                throw error
            }
            var name = [CChar](repeating: 0, count: 64)
            let infoResult: BPFError? = name.withUnsafeMutableBufferPointer { buffer in
                var info = bpf_btf_info()
                info.name = BPFSyscall.address(buffer.baseAddress)
                info.name_len = UInt32(buffer.count)
                do throws(BPFError) {
                    _ = try ObjectCommands.info(fd: fd, info: &info, length: UInt32(MemoryLayout<bpf_btf_info>.size))
                } catch {
                    return error
                }
                return info.kernel_btf != 0 ? nil : .ENOENT
            }
            if let infoResult, infoResult != .ENOENT {
                Log.warn("libbpf: failed to get BTF object #\(id) info: -\(infoResult.code)\n")
                _ = close(fd)
                throw infoResult
            }
            let isVMLinux = name.withUnsafeBufferPointer { strcmp($0.baseAddress!, "vmlinux") == 0 }
            if infoResult == .ENOENT || isVMLinux {
                _ = close(fd)
                continue
            }
            let btf: BTF
            do {
                btf = try BTF.fromKernelFD(fd, base: vmlinuxBTF)
            } catch {
                Log.warn("libbpf: failed to load module [\(cString: name)]'s BTF object #\(id): -\(error.code)\n")
                _ = close(fd)
                throw error
            }
            moduleBTFs.append(ModuleBTF(btf: btf, id: id, fd: fd, name: name))
        }
    }

    /// The end of load: closes module BTF fds and drops kernel BTFs (`fdArray`
    /// goes too: its fds were the module ones).
    public func releaseKernelBTFs() {
        for module in moduleBTFs { _ = close(module.fd) }
        moduleBTFs = []
        moduleBTFsLoaded = false
        fdArray = []
        vmlinuxBTF = nil
    }
}

extension Extern {
    func hasName(_ literal: StaticString) -> Bool {
        name.withUnsafeBufferPointer { strcmp($0.baseAddress!, UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)) == 0 }
    }

    func hasNamePrefix(_ literal: StaticString) -> Bool {
        name.withUnsafeBufferPointer {
            strncmp($0.baseAddress!, UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self), literal.utf8CodeUnitCount) == 0
        }
    }
}

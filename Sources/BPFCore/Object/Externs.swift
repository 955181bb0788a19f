import CBPF

/// Where an extern is resolved from (`enum extern_type`).
public enum ExternKind: UInt8, Comparable {
    case unknown = 0
    case kconfig = 1  // EXT_KCFG: a .kconfig value, from the kernel config at load
    case ksym = 2     // EXT_KSYM: a kernel symbol (variable or function)

    public static func < (a: ExternKind, b: ExternKind) -> Bool { a.rawValue < b.rawValue }
}

/// How a `.kconfig` extern's value is parsed (`enum kcfg_type`).
public enum KconfigType: UInt8 {
    case unknown = 0, char, bool, int, tristate, charArray
}

/// One extern of the object (`struct extern_desc`), collected at open and
/// resolved at load.
public struct Extern {
    public var kind: ExternKind = .unknown
    public var symbolIndex: Int = 0
    public var btfID: UInt32 = 0
    public var sectionBTFID: UInt32 = 0
    /// The name as in the object's BTF.
    public var name: [CChar] = [0]
    /// Resolved at load (Load/ExternResolution.swift); an unset extern after
    /// resolution is a weak one, whose value relocation makes zero.
    public var isSet = false
    public var isWeak = false
    // .kconfig: the value is written into the .kconfig map's initial value at
    // `dataOffset` (`size` bytes), so relocation only needs that offset.
    public var kconfigType: KconfigType = .unknown
    public var size: Int = 0
    public var alignment: Int = 0
    public var dataOffset: Int = 0
    public var isSigned = false
    // .ksyms
    /// Typeless ksym (and any VAR named in /proc/kallsyms): the kernel address,
    /// which relocation splits over a ld_imm64's two imm fields.
    public var address: UInt64 = 0
    /// Typed VAR or kfunc: the fd of the module BTF holding `kernelBTFID` (0 for
    /// vmlinux), for ld_imm64 `BPF_PSEUDO_BTF_ID` (insn[1].imm). Owned by the
    /// object's `moduleBTFs`, valid until the end of load.
    public var kernelBTFObjectFD: Int32 = 0
    /// Typed VAR or kfunc: the VAR/FUNC id in kernel (vmlinux or module) BTF.
    public var kernelBTFID: Int32 = 0
    /// The local BTF id of the extern's type (modifiers and typedefs skipped);
    /// 0 for a typeless ksym.
    public var typeID: UInt32 = 0
    /// kfunc in a module: the index of its BTF fd in the object's `fdArray`, for a
    /// kfunc call's `insn.off` (0 for vmlinux).
    public var btfFDIndex: Int16 = 0

    var nameString: String { name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
    /// The name for log messages, byte for byte.
    var logName: RawName { RawName(name) }
}

extension BPFObject {
    /// `bpf_object__collect_externs`: undefined global/weak NOTYPE symbols, typed
    /// by the object's BTF (VAR or FUNC with extern linkage, in a `.kconfig` or
    /// `.ksyms` DATASEC). `.ksyms` VARs become 4-byte allocated ints and FUNCs
    /// point at a dummy VAR, `.kconfig` VARs get their offsets in the .kconfig map.
    func collectExterns(_ elf: ELFFile, dataSections: [UInt32]) throws(BPFError) {
        let format = BPFError(Int32(LIBBPF_ERRNO__FORMAT.rawValue))
        guard let scn = elf.section(at: symbolsSectionIndex), let sh = elf64_getshdr(scn),
              sh.pointee.sh_entsize == UInt64(MemoryLayout<Elf64_Sym>.size) else { throw format }
        let dummyVarID = try addDummyKsymVar(dataSections: dataSections)
        let n = Int(sh.pointee.sh_size / sh.pointee.sh_entsize)
        debugLog("libbpf: looking for externs among \(n) symbols...\n")
        var kconfigSectionID: UInt32 = 0
        var ksymSectionID: UInt32 = 0
        for i in 0..<n {
            if i >= symbolCount { throw format }
            let sym = symbol(i)
            if !BPFObject.isExtern(sym) { continue }
            guard let symbolName = elf.loggedString(table: stringTableIndex, offset: sym.st_name), symbolName[0] != 0 else { continue }
            let externName = RawName(symbolName)
            var ext = Extern()
            externs.append(ext)
            let foundID = findExternBTFID(symbolName)
            if foundID <= 0 {
                Log.warn("libbpf: failed to find BTF for extern '\(externName)': \(foundID)\n")
                if foundID == 0 { return }
                throw BPFError(-foundID)
            }
            let btf = self.btf!
            ext.btfID = UInt32(foundID)
            let t = btf.type(ext.btfID)!
            ext.name = btf.name(of: t).map(cStringArray) ?? [0]
            ext.symbolIndex = i
            ext.isWeak = sym.st_info >> 4 == UInt8(STB_WEAK)
            let sectionID = findExternSectionBTFID(ext.btfID)
            if sectionID <= 0 {
                Log.warn("libbpf: failed to find BTF for extern '\(externName)' [\(ext.btfID)] section: \(sectionID)\n")
                externs[externs.count - 1] = ext
                if sectionID == 0 { return }
                throw BPFError(-sectionID)
            }
            ext.sectionBTFID = UInt32(sectionID)
            let section = btf.type(ext.sectionBTFID)!
            let sectionName = btf.name(of: section)
            if let sectionName, strcmp(sectionName, ".kconfig") == 0 {
                if t.kind == BTFKind.function {
                    Log.warn("libbpf: extern function \(ext.logName) is unsupported under .kconfig section\n")
                    externs[externs.count - 1] = ext
                    throw .ENOTSUP
                }
                kconfigSectionID = ext.sectionBTFID
                ext.kind = .kconfig
                var size: Int64
                do throws(BPFError) { size = try btf.resolveSize(t.sizeOrType) } catch { size = -Int64(error.code) }
                ext.size = Int(size)
                if size <= 0 {
                    Log.warn("libbpf: failed to resolve size of extern (kcfg) '\(externName)': \(size)\n")
                    externs[externs.count - 1] = ext
                    if size == 0 { return }
                    throw BPFError(Int32(-size))
                }
                var align = 0
                do throws(BPFError) { align = try btf.alignment(of: t.sizeOrType) } catch {}
                ext.alignment = align
                if align <= 0 {
                    Log.warn("libbpf: failed to determine alignment of extern (kcfg) '\(externName)': \(align)\n")
                    externs[externs.count - 1] = ext
                    throw .EINVAL
                }
                let (kcfgType, signed) = kconfigType(of: btf, t.sizeOrType, wantSign: true)
                ext.kconfigType = kcfgType
                ext.isSigned = signed
                if kcfgType == .unknown {
                    Log.warn("libbpf: extern (kcfg) '\(externName)': type is unsupported\n")
                    externs[externs.count - 1] = ext
                    throw .ENOTSUP
                }
            } else if let sectionName, strcmp(sectionName, ".ksyms") == 0 {
                ksymSectionID = ext.sectionBTFID
                ext.kind = .ksym
                ext.typeID = btf.skipModifiersAndTypedefs(t.sizeOrType).id
            } else {
                Log.warn("libbpf: unrecognized extern section '\(RawName(sectionName))'\n")
                externs[externs.count - 1] = ext
                throw .ENOTSUP
            }
            externs[externs.count - 1] = ext
        }
        debugLog("libbpf: collected \(externs.count) externs total\n")
        if externs.isEmpty { return }
        sortExterns()
        let btf = self.btf!

        if ksymSectionID != 0 {
            let intID = findInt32BTFID(btf)
            let dummyName = btf.type(UInt32(dummyVarID)).map { $0.nameOffset } ?? 0
            for (i, ext) in externs.enumerated() where ext.kind == .ksym {
                debugLog("libbpf: extern (ksym) #\(i): symbol \(ext.symbolIndex), name \(ext.logName)\n")
            }
            guard let section = btf.mutableRecord(ksymSectionID) else { return }
            let count = Int(UnsafePointer<btf_type>(section.assumingMemoryBound(to: btf_type.self)).vlen)
            var offset: UInt32 = 0
            for i in 0..<count {
                let info = BTFRecord.secinfo(i)
                let varID = section.load(fromByteOffset: info, as: UInt32.self)
                guard let vt = btf.type(varID), let varRecord = btf.mutableRecord(varID) else { return }
                guard let name = btf.name(of: vt), findExtern(named: name) != nil else {
                    Log.warn("libbpf: failed to find extern definition for BTF \(BTF.kindName(vt)) '\(btf.nameString(vt.nameOffset))'\n")
                    throw .ESRCH
                }
                if vt.kind == BTFKind.function {
                    // Only a FUNC_PROTO has params (the reference reads past any other
                    // type's record here and crashes).
                    if let proto = btf.type(vt.sizeOrType), proto.kind == BTFKind.functionPrototype,
                       let protoRecord = btf.mutableRecord(vt.sizeOrType) {
                        for j in 0..<Int(proto.vlen) {
                            let param = BTFRecord.param(j)
                            let paramType = protoRecord.load(fromByteOffset: param + 4, as: UInt32.self)
                            let paramName = protoRecord.load(fromByteOffset: param, as: UInt32.self)
                            if paramType != 0 && paramName == 0 {
                                protoRecord.storeBytes(of: dummyName, toByteOffset: param, as: UInt32.self)
                            }
                        }
                    }
                    section.storeBytes(of: UInt32(dummyVarID), toByteOffset: info, as: UInt32.self)
                    var typeInfo = varRecord.load(fromByteOffset: BTFRecord.info, as: UInt32.self)
                    typeInfo &= ~0xffff
                    typeInfo |= BTF_FUNC_GLOBAL.rawValue
                    varRecord.storeBytes(of: typeInfo, toByteOffset: BTFRecord.info, as: UInt32.self)
                } else {
                    varRecord.storeBytes(of: UInt32(BTF_VAR_GLOBAL_ALLOCATED), toByteOffset: BTFRecord.varLinkage, as: UInt32.self)
                    varRecord.storeBytes(of: intID, toByteOffset: BTFRecord.sizeOrType, as: UInt32.self)
                }
                section.storeBytes(of: offset, toByteOffset: info + 4, as: UInt32.self)
                section.storeBytes(of: UInt32(4), toByteOffset: info + 8, as: UInt32.self)
                offset += 4
            }
            section.storeBytes(of: offset, toByteOffset: BTFRecord.sizeOrType, as: UInt32.self)
        }

        if kconfigSectionID != 0 {
            var offset = 0
            for i in 0..<externs.count where externs[i].kind == .kconfig {
                let align = externs[i].alignment
                externs[i].dataOffset = (offset + align - 1) / align * align
                offset = externs[i].dataOffset + externs[i].size
                debugLog("libbpf: extern (kcfg) #\(i): symbol \(externs[i].symbolIndex), off \(UInt32(truncatingIfNeeded: externs[i].dataOffset)), name \(externs[i].logName)\n")
            }
            guard let section = btf.mutableRecord(kconfigSectionID) else { return }
            section.storeBytes(of: UInt32(truncatingIfNeeded: offset), toByteOffset: BTFRecord.sizeOrType, as: UInt32.self)
            let count = Int(UnsafePointer<btf_type>(section.assumingMemoryBound(to: btf_type.self)).vlen)
            for i in 0..<count {
                let info = BTFRecord.secinfo(i)
                let varID = section.load(fromByteOffset: info, as: UInt32.self)
                guard let t = btf.type(varID), let varRecord = btf.mutableRecord(varID) else { return }
                guard let name = btf.name(of: t), let index = findExtern(named: name) else {
                    Log.warn("libbpf: failed to find extern definition for BTF var '\(btf.nameString(t.nameOffset))'\n")
                    throw .ESRCH
                }
                varRecord.storeBytes(of: UInt32(BTF_VAR_GLOBAL_ALLOCATED), toByteOffset: BTFRecord.varLinkage, as: UInt32.self)
                section.storeBytes(of: UInt32(truncatingIfNeeded: externs[index].dataOffset), toByteOffset: info + 4, as: UInt32.self)
            }
        }
    }

    /// `sym_is_extern`: an undefined global or weak NOTYPE symbol.
    static func isExtern(_ sym: Elf64_Sym) -> Bool {
        let binding = sym.st_info >> 4
        return sym.st_shndx == UInt16(SHN_UNDEF) && (binding == UInt8(STB_GLOBAL) || binding == UInt8(STB_WEAK))
            && sym.st_info & 0xf == UInt8(STT_NOTYPE)
    }

    /// `find_extern_by_name`: the index in `externs`.
    public func findExtern(named name: UnsafePointer<CChar>) -> Int? {
        for i in 0..<externs.count {
            if externs[i].name.withUnsafeBufferPointer({ strcmp($0.baseAddress!, name) }) == 0 { return i }
        }
        return nil
    }

    /// `find_extern_btf_id`: the first VAR or FUNC of that name, which must be an
    /// extern; -ESRCH without BTF, -EINVAL when not extern, -ENOENT when missing.
    func findExternBTFID(_ name: UnsafePointer<CChar>) -> Int32 {
        guard let btf else { return -ESRCH }
        var id: UInt32 = 1
        while id < btf.typeCount {
            let t = btf.type(id)!
            id += 1
            if t.kind != BTFKind.variable && t.kind != BTFKind.function { continue }
            guard let typeName = btf.name(of: t), strcmp(typeName, name) == 0 else { continue }
            if t.kind == BTFKind.variable && t.word(0) != UInt32(BTF_VAR_GLOBAL_EXTERN) { return -EINVAL }
            if t.kind == BTFKind.function && t.vlen != BTF_FUNC_EXTERN.rawValue { return -EINVAL }
            return Int32(id - 1)
        }
        return -ENOENT
    }

    /// `find_extern_sec_btf_id`: the DATASEC listing the extern's VAR/FUNC.
    func findExternSectionBTFID(_ externID: UInt32) -> Int32 {
        guard let btf else { return -ESRCH }
        var id: UInt32 = 1
        while id < btf.typeCount {
            let t = btf.type(id)!
            if t.kind == BTFKind.dataSection {
                for j in 0..<Int(t.vlen) where t.word(3 * j) == externID { return Int32(id) }
            }
            id += 1
        }
        return -ENOENT
    }

    /// `find_kcfg_type`.
    func kconfigType(of btf: BTF, _ id: UInt32, wantSign: Bool) -> (KconfigType, Bool) {
        guard let t = btf.skipModifiersAndTypedefs(id).type else { return (.unknown, false) }
        switch t.kind {
        case BTFKind.int:
            let encoding = (t.word(0) >> 24) & 0x0f
            if encoding & UInt32(BTF_INT_BOOL) != 0 { return (t.sizeOrType == 1 ? .bool : .unknown, false) }
            let signed = encoding & UInt32(BTF_INT_SIGNED) != 0
            let size = t.sizeOrType
            if size == 1 { return (.char, signed) }
            if size < 1 || size > 8 || size & (size - 1) != 0 { return (.unknown, signed) }
            return (.int, signed)
        case BTFKind.enumeration:
            if t.sizeOrType != 4 { return (.unknown, false) }
            guard let name = btf.name(of: t), strcmp(name, "libbpf_tristate") == 0 else { return (.unknown, false) }
            return (.tristate, false)
        case BTFKind.enum64:
            guard let name = btf.name(of: t), strcmp(name, "libbpf_tristate") == 0 else { return (.unknown, false) }
            return (.tristate, false)
        case BTFKind.array:
            if t.word(2) == 0 { return (.unknown, false) }
            if kconfigType(of: btf, t.word(0), wantSign: false).0 != .char { return (.unknown, false) }
            return (.charArray, false)
        default:
            return (.unknown, false)
        }
    }

    /// `cmp_externs`: by kind; .kconfig ones by alignment (descending) then size;
    /// then by name. A stable insertion sort (the order is total anyway).
    func sortExterns() {
        func before(_ a: Extern, _ b: Extern) -> Bool {
            if a.kind != b.kind { return a.kind < b.kind }
            if a.kind == .kconfig {
                if a.alignment != b.alignment { return a.alignment > b.alignment }
                if a.size != b.size { return a.size < b.size }
            }
            return a.name.withUnsafeBufferPointer { pa in
                b.name.withUnsafeBufferPointer { pb in strcmp(pa.baseAddress!, pb.baseAddress!) < 0 }
            }
        }
        var i = 1
        while i < externs.count {
            let item = externs[i]
            var j = i
            while j > 0 && before(item, externs[j - 1]) {
                externs[j] = externs[j - 1]
                j -= 1
            }
            externs[j] = item
            i += 1
        }
    }

    /// `find_int_btf_id`: the first 32-bit INT (0 when there is none).
    func findInt32BTFID(_ btf: BTF) -> UInt32 {
        var id: UInt32 = 1
        while id < btf.typeCount {
            let t = btf.type(id)!
            if t.kind == BTFKind.int && t.word(0) & 0xff == 32 { return id }
            id += 1
        }
        return 0
    }

    /// `add_dummy_ksym_var`: a "dummy_ksym" VAR that `.ksyms` FUNCs are pointed at
    /// (the kernel wants VARs in a DATASEC); 0 when not needed.
    /// `dataSections`: the BTF's DATASEC ids; the first named `.ksyms` is the one
    /// `btf__find_by_name_kind` finds.
    func addDummyKsymVar(dataSections: [UInt32]) throws(BPFError) -> Int32 {
        guard let btf else { return 0 }
        var ksyms: UnsafePointer<btf_type>? = nil
        for id in dataSections {
            if let t = btf.type(id), let name = btf.string(at: t.pointee.name_off), strcmp(name, ".ksyms") == 0 {
                ksyms = t
                break
            }
        }
        guard let section = ksyms else { return 0 }
        var hasFunction = false
        for i in 0..<Int(section.vlen) {
            if let vt = btf.type(section.word(3 * i)), vt.kind == BTFKind.function {
                hasFunction = true
                break
            }
        }
        if !hasFunction { return 0 }
        let intID = findInt32BTFID(btf)
        do throws(BPFError) {
            return Int32(try btf.addVariable(name: "dummy_ksym", linkage: UInt32(BTF_VAR_GLOBAL_ALLOCATED), type: Int32(intID)))
        } catch {
            Log.warn("libbpf: cannot create a dummy_ksym var\n")
            throw error
        }
    }
}

import CBPF

// `bpf_object__sanitize_and_load_btf`: the object's BTF goes into the kernel (its
// fd is what maps and programs refer to), after hidden global subprograms were
// marked static and, on kernels lacking some BTF kinds, on a sanitised copy in
// which those kinds are rewritten into ones the kernel knows. Only struct_ops
// objects cannot do without it; otherwise a failure is logged and ignored.

extension BPFObject {
    func sanitizeAndLoadBTF() throws(BPFError) {
        guard let btf else { return }
        var failure: BPFError? = nil
        if !KernelFeatures.supports(.btf) {
            if !kernelNeedsBTF {
                Log.debug("libbpf: Kernel doesn't support BTF, skipping uploading it.\n")
                return
            }
            failure = .EOPNOTSUPP
        } else {
            markHiddenSubprogramsStatic(btf)
            failure = loadBTFIntoKernel(btf)
        }
        if let failure {
            let mandatory = kernelNeedsBTF
            Log.warn("libbpf: Error loading .BTF into kernel: -\(failure.code). \(mandatory ? "BTF is mandatory, can't proceed." : "BTF is optional, ignoring.")\n")
            if mandatory { throw failure }
        }
    }

    /// `kernel_needs_btf`: struct_ops maps are described by BTF only.
    var kernelNeedsBTF: Bool { structOpsSectionIndex >= 0 }

    /// Global (weak or strong) subprograms with hidden visibility get a static FUNC,
    /// so the verifier checks them in their callers' context.
    func markHiddenSubprogramsStatic(_ btf: BTF) {
        for program in programs where program.markBTFStatic && program.isSubprogram {
            var id: UInt32 = 1
            while id < btf.typeCount {
                defer { id += 1 }
                guard let t = btf.type(id), t.kind == BTFKind.function, t.vlen == BTF_FUNC_GLOBAL.rawValue,
                      let name = btf.name(of: t), strcmp(name, program.name) == 0,
                      let record = btf.mutableRecord(id) else { continue }
                record.storeBytes(of: BTFWord.info(BTFKind.function, vlen: BTF_FUNC_STATIC.rawValue),
                                  toByteOffset: BTFRecord.info, as: UInt32.self)
                break
            }
        }
    }

    /// Loads `btf` (or a sanitised copy of it, whose fd then moves to `btf`) with
    /// the object's log settings; returns the failure, if any.
    func loadBTFIntoKernel(_ btf: BTF) -> BPFError? {
        let missing = MissingBTFKinds()
        var kernelBTF = btf
        if missing.any {
            do throws(BPFError) {
                let (data, size) = try btf.rawData()
                kernelBTF = try BTF.parse(data, size: size, base: nil)
                try? btf.setPointerSize(8)  // BPF targets have 8-byte pointers
                try BPFObject.sanitize(kernelBTF, missing)
            } catch {
                return error
            }
        }
        do throws(BPFError) {
            try kernelBTF.loadIntoKernel(logBuffer: logBuffer, logSize: logSize, logLevel: logLevel != 0 ? 1 : 0)
        } catch {
            return error
        }
        if kernelBTF !== btf {
            btf.fd = kernelBTF.fd
            kernelBTF.fd = -1
        }
        return nil
    }

    /// `bpf_object__sanitize_btf`: rewrites, in place, every type of a kind the
    /// kernel lacks into an equivalent it accepts (same ids, same sizes).
    static func sanitize(_ btf: BTF, _ missing: MissingBTFKinds) throws(BPFError) {
        var enum64Placeholder: UInt32 = 0
        var id: UInt32 = 1
        while id < btf.typeCount {
            defer { id += 1 }
            guard let t = btf.type(id), let record = btf.mutableRecord(id) else { continue }
            let kind = t.kind
            let vlen = t.vlen
            func setInfo(_ kind: UInt32, vlen: UInt32 = 0) {
                record.storeBytes(of: BTFWord.info(kind, vlen: vlen), toByteOffset: BTFRecord.info, as: UInt32.self)
            }
            if (missing.dataSection && kind == BTFKind.variable) || (missing.declTag && kind == BTFKind.declTag) {
                // VAR / DECL_TAG -> a 1-byte INT (4 could exceed what the variable held)
                setInfo(BTFKind.int)
                record.storeBytes(of: UInt32(1), toByteOffset: BTFRecord.sizeOrType, as: UInt32.self)
                record.storeBytes(of: UInt32(8), toByteOffset: 12, as: UInt32.self)
            } else if missing.dataSection && kind == BTFKind.dataSection {
                // DATASEC -> STRUCT named with '_' for '.', members named after the VARs
                if let name = btf.name(of: t) {
                    var p = UnsafeMutablePointer(mutating: name)
                    while p.pointee != 0 {
                        if p.pointee == CChar(UInt8(ascii: ".")) { p.pointee = CChar(UInt8(ascii: "_")) }
                        p += 1
                    }
                }
                setInfo(BTFKind.structure, vlen: vlen)
                for j in 0..<Int(vlen) {
                    let entry = 12 + 12 * j
                    let varType = record.load(fromByteOffset: entry, as: UInt32.self)
                    let offset = record.load(fromByteOffset: entry + 4, as: UInt32.self)
                    record.storeBytes(of: offset &* 8, toByteOffset: entry + 8, as: UInt32.self)
                    record.storeBytes(of: varType, toByteOffset: entry + 4, as: UInt32.self)
                    let varName = btf.type(varType)?.nameOffset ?? 0
                    record.storeBytes(of: varName, toByteOffset: entry, as: UInt32.self)
                }
            } else if missing.function && kind == BTFKind.functionPrototype {
                // FUNC_PROTO -> ENUM of the same vlen
                setInfo(BTFKind.enumeration, vlen: vlen)
                record.storeBytes(of: UInt32(4), toByteOffset: BTFRecord.sizeOrType, as: UInt32.self)
            } else if missing.function && kind == BTFKind.function {
                setInfo(BTFKind.typedef)
            } else if missing.globalFunction && kind == BTFKind.function {
                setInfo(BTFKind.function)
            } else if missing.float && kind == BTFKind.float {
                // FLOAT -> an anonymous empty STRUCT of the same size
                record.storeBytes(of: UInt32(0), toByteOffset: 0, as: UInt32.self)
                setInfo(BTFKind.structure)
            } else if missing.typeTag && kind == BTFKind.typeTag {
                record.storeBytes(of: UInt32(0), toByteOffset: 0, as: UInt32.self)
                setInfo(BTFKind.const)
            } else if missing.enum64 && kind == BTFKind.enumeration {
                setInfo(BTFKind.enumeration, vlen: vlen)  // the signedness flag goes
            } else if missing.enum64 && kind == BTFKind.enum64 {
                // ENUM64 -> a UNION whose members are all a 1-byte placeholder int
                if enum64Placeholder == 0 {
                    enum64Placeholder = try btf.addInt(name: "enum64_placeholder", byteSize: 1, encoding: 0)
                }
                guard let moved = btf.mutableRecord(id) else { continue }
                moved.storeBytes(of: BTFWord.info(BTFKind.union, vlen: vlen), toByteOffset: BTFRecord.info, as: UInt32.self)
                for j in 0..<Int(vlen) {
                    moved.storeBytes(of: enum64Placeholder, toByteOffset: 12 + 12 * j + 4, as: UInt32.self)
                    moved.storeBytes(of: UInt32(0), toByteOffset: 12 + 12 * j + 8, as: UInt32.self)
                }
            }
        }
    }
}

/// What `btf_needs_sanitization` probes, in its order.
struct MissingBTFKinds {
    var globalFunction: Bool
    var dataSection: Bool
    var float: Bool
    var function: Bool
    var declTag: Bool
    var typeTag: Bool
    var enum64: Bool

    init() {
        globalFunction = !KernelFeatures.supports(.btfGlobalFunction)
        dataSection = !KernelFeatures.supports(.btfDataSection)
        float = !KernelFeatures.supports(.btfFloat)
        function = !KernelFeatures.supports(.btfFunction)
        declTag = !KernelFeatures.supports(.btfDeclTag)
        typeTag = !KernelFeatures.supports(.btfTypeTag)
        enum64 = !KernelFeatures.supports(.btfEnum64)
    }

    /// Every kind missing or none (tests).
    init(allMissing: Bool) {
        globalFunction = allMissing
        dataSection = allMissing
        float = allMissing
        function = allMissing
        declTag = allMissing
        typeTag = allMissing
        enum64 = allMissing
    }

    var any: Bool { globalFunction || dataSection || float || function || declTag || typeTag || enum64 }
}

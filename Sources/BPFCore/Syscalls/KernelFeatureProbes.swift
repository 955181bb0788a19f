import CBPF

// The feature probes object load needs (`kernel_supports()` of bpf_object__load):
// each builds the smallest object that only loads on a kernel with the feature,
// byte for byte what the reference sends, and reports whether the kernel took it.
// A probe that cannot even be attempted (its helper map cannot be created) throws,
// which `KernelFeatures.supports` logs as the reference's "Detection ... failed".

extension KernelFeatures {
    static func probeLoadFeature(_ feature: KernelFeature) throws(BPFError) -> Bool {
        switch feature {
        case .btf:
            // int
            return loadsRawBTF(types: [1, BTFWord.info(BTFKind.int), 4, BTFWord.signedInt32],
                               strings: "\0int\0")
        case .btfFunction, .btfGlobalFunction:
            // int; void (*)(int x); static/global void a(int x)
            let linkage: UInt32 = feature == .btfGlobalFunction ? 1 : 0
            return loadsRawBTF(types: [1, BTFWord.info(BTFKind.int), 4, BTFWord.signedInt32,
                                       0, BTFWord.info(BTFKind.functionPrototype, vlen: 1), 0, 5, 1,
                                       7, BTFWord.info(BTFKind.function, vlen: linkage), 2],
                               strings: "\0int\0x\0a\0")
        case .btfDataSection:
            // int; static int x; .data { x }
            return loadsRawBTF(types: [0, BTFWord.info(BTFKind.int), 4, BTFWord.signedInt32,
                                       1, BTFWord.info(BTFKind.variable), 1, 0,
                                       3, BTFWord.info(BTFKind.dataSection, vlen: 1), 4, 2, 0, 4],
                               strings: "\0x\0.data\0")
        case .btfFloat:
            return loadsRawBTF(types: [1, BTFWord.info(BTFKind.float), 4], strings: "\0float\0")
        case .btfDeclTag:
            // int; static int tag; tag on the variable
            return loadsRawBTF(types: [0, BTFWord.info(BTFKind.int), 4, BTFWord.signedInt32,
                                       1, BTFWord.info(BTFKind.variable), 1, 0,
                                       1, BTFWord.info(BTFKind.declTag), 2, UInt32.max],
                               strings: "\0tag\0")
        case .btfTypeTag:
            // int; int __tag("tag"); pointer to it
            return loadsRawBTF(types: [0, BTFWord.info(BTFKind.int), 4, BTFWord.signedInt32,
                                       1, BTFWord.info(BTFKind.typeTag), 1,
                                       0, BTFWord.info(BTFKind.pointer), 2],
                               strings: "\0tag\0")
        case .btfEnum64:
            return loadsRawBTF(types: [1, BTFWord.info(BTFKind.enum64), 8], strings: "\0enum64\0")
        case .globalData:
            let map = try probeMap("libbpf_global", valueSize: 32, flags: 0, function: "probe_kern_global_data")
            defer { _ = close(map) }
            // r1 = &map[0] + 16; *(u64 *)r1 = 42; return 0
            var ld = bpf_insn()
            ld.code = UInt8(BPF_LD | BPF_DW | BPF_IMM)
            ld.dst_reg = 1
            ld.src_reg = UInt8(BPF_PSEUDO_MAP_VALUE)
            ld.imm = map
            var ld2 = bpf_insn()
            ld2.imm = 16
            var st = bpf_insn()
            st.code = UInt8(BPF_ST | BPF_DW | BPF_MEM)
            st.dst_reg = 1
            st.imm = 42
            return loadsProgram(BPF_PROG_TYPE_SOCKET_FILTER, [ld, ld2, st, .mov64(r0: 0), .exit])
        case .arrayMmap:
            guard let fd = try? probeMapQuietly("libbpf_mmap", valueSize: 4, flags: UInt32(BPF_F_MMAPABLE)) else {
                return false
            }
            _ = close(fd)
            return true
        case .expectedAttachType:
            return loadsProgram(BPF_PROG_TYPE_CGROUP_SOCK, Instructions.returnZero,
                                expectedAttachType: BPF_CGROUP_INET_SOCK_CREATE.rawValue)
        case .probeReadKernel:
            // r1 = fp - 8; r2 = 8; r3 = 0; bpf_probe_read_kernel(r1, r2, r3)
            var mov = bpf_insn()
            mov.code = UInt8(BPF_ALU64 | BPF_MOV | BPF_X)
            mov.dst_reg = 1
            mov.src_reg = 10
            var add = bpf_insn()
            add.code = UInt8(BPF_ALU64 | BPF_ADD | BPF_K)
            add.dst_reg = 1
            add.imm = -8
            var r2 = bpf_insn.mov64(r0: 8)
            r2.dst_reg = 2
            var r3 = bpf_insn.mov64(r0: 0)
            r3.dst_reg = 3
            return loadsProgram(BPF_PROG_TYPE_KPROBE,
                                [mov, add, r2, r3, .call(helper: BPF_FUNC_probe_read_kernel.rawValue), .exit])
        case .programBindMap:
            let map = try probeMap("libbpf_det_bind", valueSize: 32, flags: 0, function: "probe_prog_bind_map")
            defer { _ = close(map) }
            guard let program = loadProgram(BPF_PROG_TYPE_SOCKET_FILTER, Instructions.returnZero) else { return false }
            defer { _ = close(program) }
            do throws(BPFError) {
                try ProgramCommands.bindMap(programFD: program, mapFD: map, flags: 0)
                return true
            } catch {
                return false
            }
        case .perfLink:
            // An invalid perf event fd gets EBADF where perf links exist, EINVAL before.
            guard let program = loadProgram(BPF_PROG_TYPE_TRACEPOINT, Instructions.returnZero) else {
                throw BPFError.lastErrno()
            }
            defer { _ = close(program) }
            var attr = bpf_attr()
            attr.link_create.prog_fd = UInt32(bitPattern: program)
            attr.link_create.target_fd = UInt32(bitPattern: -1)
            attr.link_create.attach_type = BPF_PERF_EVENT.rawValue
            do throws(BPFError) {
                let link = try BPFSyscall.runReturningFD(BPF_LINK_CREATE, &attr, size: SBPF_ATTR_LINK_CREATE)
                _ = close(link)
                return false
            } catch {
                return error == .EBADF
            }
        default:
            return false
        }
    }

    /// `libbpf__load_raw_btf` + `probe_fd`: header, types, strings; BTF_BTF_LOAD
    /// without a log.
    static func loadsRawBTF(types: [UInt32], strings: StaticString) -> Bool {
        ResourceLimits.bumpMemlockIfNeeded()
        let typeBytes = types.count * 4
        let stringBytes = strings.utf8CodeUnitCount
        var blob = [UInt8](repeating: 0, count: 24 + typeBytes + stringBytes)
        blob.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt16(0xeB9F), toByteOffset: 0, as: UInt16.self)
            raw.storeBytes(of: UInt8(1), toByteOffset: 2, as: UInt8.self)
            raw.storeBytes(of: UInt32(24), toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: UInt32(0), toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: UInt32(typeBytes), toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: UInt32(typeBytes), toByteOffset: 16, as: UInt32.self)
            raw.storeBytes(of: UInt32(stringBytes), toByteOffset: 20, as: UInt32.self)
            for (i, word) in types.enumerated() { raw.storeBytes(of: word, toByteOffset: 24 + 4 * i, as: UInt32.self) }
            for i in 0..<stringBytes { raw[24 + typeBytes + i] = strings.utf8Start[i] }
        }
        return blob.withUnsafeBytes { raw in
            var attr = bpf_attr()
            attr.btf = BPFSyscall.address(raw.baseAddress)
            attr.btf_size = UInt32(raw.count)
            do throws(BPFError) {
                let fd = try BPFSyscall.runReturningFD(BPF_BTF_LOAD, &attr, size: SBPF_ATTR_BTF_LOAD)
                FileDescriptors.closePreservingErrno(fd)
                return true
            } catch {
                return false
            }
        }
    }

    /// `bpf_prog_load(type, NULL, "GPL", insns, cnt, opts)`: the fd, or nil.
    static func loadProgram(_ type: bpf_prog_type, _ instructions: [bpf_insn], expectedAttachType: UInt32 = 0) -> Int32? {
        switch loadProgramResult(type, instructions, expectedAttachType: expectedAttachType) {
        case .success(let fd): return fd
        case .failure: return nil
        }
    }

    static func loadProgramResult(_ type: bpf_prog_type, _ instructions: [bpf_insn],
                                  expectedAttachType: UInt32 = 0) -> Result<Int32, BPFError> {
        ResourceLimits.bumpMemlockIfNeeded()
        let license: StaticString = "GPL"
        return instructions.withUnsafeBufferPointer { buffer -> Result<Int32, BPFError> in
            var attributes = ProgramLoadAttributes(
                type: type.rawValue, name: nil,
                license: UnsafeRawPointer(license.utf8Start).assumingMemoryBound(to: CChar.self),
                instructions: UnsafeRawPointer(buffer.baseAddress), instructionCount: buffer.count)
            attributes.expectedAttachType = expectedAttachType
            do throws(BPFError) {
                return .success(try ProgramCommands.load(attributes))
            } catch {
                return .failure(error)
            }
        }
    }

    static func loadsProgram(_ type: bpf_prog_type, _ instructions: [bpf_insn], expectedAttachType: UInt32 = 0) -> Bool {
        guard let fd = loadProgram(type, instructions, expectedAttachType: expectedAttachType) else { return false }
        FileDescriptors.closePreservingErrno(fd)
        return true
    }

    /// `bpf_map_create(ARRAY, name, 4, valueSize, 1, flags)`.
    static func probeMapQuietly(_ name: StaticString, valueSize: UInt32, flags: UInt32) throws(BPFError) -> Int32 {
        ResourceLimits.bumpMemlockIfNeeded()
        var attributes = MapCreateAttributes(type: BPF_MAP_TYPE_ARRAY.rawValue,
                                             name: UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self),
                                             keySize: 4, valueSize: valueSize, maxEntries: 1)
        attributes.flags = flags
        return try MapCommands.create(attributes)
    }

    /// The helper map of a probe; failing to create it is a probe failure, logged
    /// with the probe function's name as the reference does.
    static func probeMap(_ name: StaticString, valueSize: UInt32, flags: UInt32, function: StaticString) throws(BPFError) -> Int32 {
        do throws(BPFError) {
            return try probeMapQuietly(name, valueSize: valueSize, flags: flags)
        } catch {
            Log.warn("libbpf: Error in \(function)():\(errorText(error.code))(-\(error.code)). Couldn't create simple array map.\n")
            throw error
        }
    }
}

/// Words of hand-built BTF type records.
enum BTFWord {
    static func info(_ kind: UInt32, vlen: UInt32 = 0, kindFlag: Bool = false) -> UInt32 {
        (kindFlag ? 1 << 31 : 0) | kind << 24 | vlen
    }
    /// BTF_INT_ENC(BTF_INT_SIGNED, 0, 32).
    static let signedInt32: UInt32 = 1 << 24 | 32
}

/// `libbpf_strerror_r`: the C library's text for an errno (either sign), or
/// "unknown error (-N)" when it has none.
public func errorText(_ err: Int32) -> String {
    let code = err < 0 ? 0 &- err : err
    var buffer = [CChar](repeating: 0, count: 128)
    let failed = buffer.withUnsafeMutableBufferPointer { sbpf_strerror_r(code, $0.baseAddress!, 128) != 0 }
    if failed { return "unknown error (\(err < 0 ? err : 0 &- err))" }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

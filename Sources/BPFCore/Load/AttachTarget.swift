import CBPF

// Choosing what a tracing/ext program attaches to before load
// (`bpf_program__set_attach_target`) and looking kernel targets up by name
// (`libbpf_find_vmlinux_btf_id`).

extension BPFProgram {
    /// `bpf_program__set_attach_target`: a target program fd alone defers the
    /// BTF lookup to load; with a function name the BTF id is looked up now, in
    /// that program's BTF or (fd 0) in the kernel's and its modules' BTF.
    public func setAttachTarget(programFD targetFD: Int32, function: UnsafePointer<CChar>?) throws(BPFError) {
        if targetFD < 0 || object.loaded { throw .EINVAL }
        if targetFD != 0 && function == nil {
            attachProgramFD = targetFD
            return
        }
        var btfID: Int32
        var btfObjectFD: Int32 = 0
        if targetFD != 0 {
            btfID = BPFObject.findProgramBTFID(function!, targetFD)
            if btfID < 0 { throw BPFError(-btfID) }
        } else {
            guard let function else { throw .EINVAL }
            if object.vmlinuxBTF == nil {
                do throws(BPFError) {
                    object.vmlinuxBTF = try BTF.loadVMLinux()
                } catch {
                    Log.warn("libbpf: Error loading vmlinux BTF: -\(error.code)\n")
                    throw error
                }
            }
            btfID = 0
            let result = object.findKernelBTFID(function, expectedAttachType, &btfObjectFD, &btfID)
            if result != 0 { throw BPFError(-result) }
        }
        attachBTFID = UInt32(bitPattern: btfID)
        attachBTFObjectFD = btfObjectFD
        attachProgramFD = targetFD
    }
}

extension BPFObject {
    /// `libbpf_find_vmlinux_btf_id`: the id of the kernel type `name` stands for
    /// with this attach type ("btf_trace_<name>" for tp_btf, "bpf_lsm_<name>" for
    /// LSM, ...); the error is negative.
    public static func findVMLinuxBTFID(_ name: UnsafePointer<CChar>, attachType: UInt32) -> Int32 {
        let vmlinux: BTF
        do throws(BPFError) {
            vmlinux = try BTF.loadVMLinux()
        } catch {
            Log.warn("libbpf: vmlinux BTF is not found\n")
            return -error.code
        }
        let result = findAttachBTFID(vmlinux, name, attachType)
        if result <= 0 { Log.warn("libbpf: \(cString: name) is not found in vmlinux BTF\n") }
        return result
    }
}

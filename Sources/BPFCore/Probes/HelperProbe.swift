import CBPF

extension Probes {
    /// Program types whose helper set the reference does not probe: a program of
    /// these types cannot be loaded without a real attach target, so a load failure
    /// says nothing about the helper. The reference answers -EOPNOTSUPP for them
    /// without setting errno, which the C layer reproduces.
    public static func declinesHelperProbe(programType type: UInt32) -> Bool {
        switch type {
        case BPF_PROG_TYPE_TRACING.rawValue, BPF_PROG_TYPE_EXT.rawValue,
             BPF_PROG_TYPE_LSM.rawValue, BPF_PROG_TYPE_STRUCT_OPS.rawValue:
            return true
        default:
            return false
        }
    }

    /// The verifier's words for "no such helper here": "invalid func unknown#181"
    /// for an id it does not know at all, "unknown func bpf_sys_bpf#166" for one it
    /// knows but does not allow in this program type (older kernels).
    static let helperRefusals: [StaticString] = ["invalid func ", "unknown func "]

    /// Whether programs of `programType` may call helper `helper`
    /// (`libbpf_probe_bpf_helper`; the caller has already excluded the types in
    /// `declinesHelperProbe`). The probe program is `call helper; exit`, loaded with
    /// a verifier log. It is supported when it loads, or when the verifier refuses
    /// it for any other reason than the helper itself (a helper usually wants
    /// arguments the probe does not set up, so most refusals are of that kind).
    /// Newer kernels word a helper that the type may not use as "program of this
    /// type cannot use helper", which the reference (libbpf 1.1) does not look
    /// for: such helpers count as supported there, and so here.
    public static func helper(_ helper: UInt32, programType type: UInt32) throws(BPFError) -> Bool {
        var log = [UInt8](repeating: 0, count: logSize)
        let insns = [Instruction.call(helper: helper), Instruction.exit]
        let loaded = try log.withUnsafeMutableBufferPointer { (buffer: inout UnsafeMutableBufferPointer<UInt8>) -> Result<Bool, BPFError> in
            do throws(BPFError) {
                return .success(try loadProbe(type, insns, log: buffer))
            } catch {
                return .failure(error)
            }
        }.get()
        if loaded { return true }
        return log.withUnsafeBufferPointer { text in
            for refusal in helperRefusals where logContains(text, refusal) { return false }
            return true
        }
    }
}

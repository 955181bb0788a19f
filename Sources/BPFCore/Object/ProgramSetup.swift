import CBPF

extension BPFObject {
    /// `bpf_object_init_progs`: each entry-point program's type and expected attach
    /// type from the SEC() definition its section name matches, then a custom
    /// handler's setup callback. Subprograms keep BPF_PROG_TYPE_UNSPEC.
    func initializePrograms() throws(BPFError) {
        for program in programs where !program.isSubprogram {
            guard let definition = SectionDefinitions.find(program.sectionName) else {
                // The user may still set the type by hand.
                debugLog("libbpf: prog '\(RawName(program.name))': unrecognized ELF section name '\(RawName(program.sectionName))'\n")
                continue
            }
            program.sectionDefinition = definition
            program.type = definition.progType.rawValue
            program.expectedAttachType = definition.expectedAttachType.rawValue
            if let setup = definition.setupFn {
                // libbpf_prog_setup_fn_t: int (*)(struct bpf_program *prog, long cookie)
                typealias SetupFunction = @convention(c) (OpaquePointer?, Int) -> Int32
                let function = unsafeBitCast(setup, to: SetupFunction.self)
                let result = function(OpaquePointer(Unmanaged.passUnretained(program).toOpaque()), definition.cookie)
                if result < 0 {
                    Log.warn("libbpf: prog '\(RawName(program.name))': failed to initialize: \(result)\n")
                    throw BPFError(-result)
                }
            }
        }
    }
}

import CBPF

// Open stages still to be implemented in their own files (externs, BTF
// finalisation, maps, relocations). Each is a no-op for now, so objects open with
// their programs and sections; see abi/STATUS.md for what the API exposes.
extension BPFObject {
    var externCount: Int { 0 }

    func collectExterns(_ elf: ELFFile) throws(BPFError) {}

    func finalizeBTF() throws(BPFError) {}

    func initializeMaps(_ elf: ELFFile, options: ObjectOpenOptions) throws(BPFError) {}

    func collectRelocations(_ elf: ELFFile) throws(BPFError) {}

    /// `bpf_object_init_progs`: program and attach type from the section name.
    func initializePrograms() throws(BPFError) {}
}

import CBPF

// Placeholder: extern resolution (.kconfig values, ksyms) replaces this file.
extension BPFObject {
    func resolveExterns() throws(BPFError) {}
}

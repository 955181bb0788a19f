import CBPF

// Placeholder: the CO-RE engine replaces this file. `relocate(targetBTFPath:)`
// (Load/Relocate.swift) calls this for every program before linking subprograms.
extension BPFObject {
    func applyCORERelocations(targetBTF: BTF?) throws(BPFError) {}
}

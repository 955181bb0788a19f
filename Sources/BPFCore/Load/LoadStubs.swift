import CBPF

// Placeholders for the load stages, each to be replaced by its own file (the
// comment names the owner file). Until then load does nothing and fails with
// EOPNOTSUPP at the first stage, so a caller sees a clear error.
extension BPFObject {
    func probeLoading() throws(BPFError) { throw .EOPNOTSUPP }      // LoadPreparation.swift
    func loadVMLinuxBTFIfNeeded() throws(BPFError) {}              // LoadPreparation.swift
    func sanitizeAndLoadBTF() throws(BPFError) {}                  // BTFSanitize.swift
    func sanitizeMaps() throws(BPFError) {}                        // MapCreation.swift
    func createMaps() throws(BPFError) {}                          // MapCreation.swift
    func relocate(targetBTFPath: UnsafePointer<CChar>?) throws(BPFError) {}  // Relocate.swift
    func loadPrograms(extraLogLevel: UInt32) throws(BPFError) {}  // ProgramLoad.swift
    func initializeProgramArrays() throws(BPFError) {}            // MapCreation.swift
    func finishLoad() {}                                           // LoadPreparation.swift
    func unpinAutoPinnedMaps() {}                                  // MapCreation.swift
    func unload() {}                                               // ProgramLoad.swift
}

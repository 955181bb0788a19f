import CBPF

/// `bpf_object__load`: the stages in the reference's order. Each stage lives in
/// its own file; a failure anywhere unpins what load pinned, unloads what was
/// created, logs "failed to load object" and leaves the object marked loaded (it
/// cannot be loaded twice, successful or not).
extension BPFObject {
    public func load(extraLogLevel: UInt32 = 0, targetBTFPath: UnsafePointer<CChar>? = nil) throws(BPFError) {
        if loaded {
            Log.warn("libbpf: object '\(cString: nameCString)': load can't be attempted twice\n")
            throw .EINVAL
        }
        do throws(BPFError) {
            // gen_loader: record into a loader program instead (GenLoader/GenLoader.swift)
            if let gen = genLoader {
                try loadGenerating(gen, extraLogLevel: extraLogLevel)
                finishLoad()
                loaded = true
                return
            }
            try probeLoading()                 // Load/LoadPreparation.swift
            try loadVMLinuxBTFIfNeeded()       // Load/LoadPreparation.swift
            try resolveExterns()               // Load/ExternResolution.swift
            try sanitizeAndLoadBTF()           // Load/BTFSanitize.swift
            try sanitizeMaps()                 // Load/MapCreation.swift
            try createMaps()                   // Load/MapCreation.swift
            try relocate(targetBTFPath: targetBTFPath)  // Load/Relocate.swift (CO-RE: CORE/*)
            try loadPrograms(extraLogLevel: extraLogLevel)  // Load/ProgramLoad.swift
            try initializeProgramArrays()      // Load/MapCreation.swift
            finishLoad()
            loaded = true
        } catch {
            finishLoad()
            loaded = true
            unpinAutoPinnedMaps()
            unload()
            Log.warn("libbpf: failed to load object '\(cString: path)'\n")
            throw error
        }
    }
}

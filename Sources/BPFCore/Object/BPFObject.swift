import CBPF

/// A BPF object file opened for loading (`struct bpf_object`): its programs, maps,
/// BTF and settings. Opening reads the ELF file once and copies what it needs;
/// nothing here touches the kernel until load.
public final class BPFObject {
    /// The path given to open, or the object name for a memory buffer.
    public let path: [CChar]
    /// At most 15 characters: the file's base name up to its first '.', or the
    /// object_name option.
    public let name: [CChar]
    /// The same name as an owned C string, whose address is handed to C callers.
    public let nameCString: UnsafeMutablePointer<CChar>
    public var license: [CChar] = [CChar](repeating: 0, count: 64)
    public var kernelVersion: UInt32
    public var programs: [BPFProgram] = []
    /// BTF-defined maps, then internal maps (.data*, .rodata*, .bss*, .kconfig),
    /// then struct_ops maps, as the reference orders them.
    public var maps: [BPFMap] = []
    /// `.kconfig` and `.ksyms` externs, sorted as the reference sorts them.
    public var externs: [Extern] = []
    /// Index in `maps` of the `.kconfig` map, or -1.
    public var kconfigMapIndex = -1
    public var hasRodata = false
    public var btf: BTF?
    public var btfExt: BTFExt?
    public var logBuffer: UnsafeMutablePointer<CChar>?
    public var logSize: Int = 0
    public var logLevel: UInt32 = 0
    public var kconfig: [CChar]?
    public var btfCustomPath: [CChar]?
    public var loaded = false

    /// Kernel BTF during load (`btf_vmlinux`, `btf_modules`, `fd_array`): the
    /// running kernel's BTF, set by the load stage that needs it; module BTFs,
    /// loaded at most once per load by `loadModuleBTFs()` (Load/ExternResolution.swift)
    /// for typed ksyms, kfuncs and CO-RE candidates; and the fds program load
    /// passes as `fd_array` (slot 0 unused; a kfunc call's `insn.off` indexes it).
    /// `releaseKernelBTFs()` closes and drops them all at the end of load.
    public var vmlinuxBTF: BTF?
    public var moduleBTFs: [ModuleBTF] = []
    public var moduleBTFsLoaded = false
    public var fdArray: [Int32] = []

    /// ELF facts the open phase records (indices are ELF section indices; -1 none).
    public var textSectionIndex = -1
    public var mapsSectionIndex = -1
    public var structOpsSectionIndex = -1
    /// BTF id of the `.maps` DATASEC (0: none).
    public var mapsSectionBTFID: UInt32 = 0
    public var symbolsSectionIndex = -1
    public var stringTableIndex = 0
    /// The sections the open stages need (data, rodata, bss, relocations, .maps,
    /// .struct_ops), in ELF index order (`ObjectSection.index`); `sectionSlots`
    /// gives an ELF index's position here (-1: not recorded). Both are dropped at
    /// the end of open: later stages use what the open stages made of them.
    public var sections: [ObjectSection] = []
    var sectionSlots: [Int32] = []
    /// The ELF file's number of sections (including the null section 0).
    public var elfSectionCount = 0
    /// The raw ELF symbol table (Elf64_Sym records).
    var symbols: [UInt8] = []
    /// USDT spec ids and support maps, created by the first USDT attach (Sources/BPFCore/USDT).
    var usdtState = USDTState.none

    init(path: UnsafePointer<CChar>, name: UnsafePointer<CChar>?) {
        self.path = cStringArray(path)
        var objectName = [CChar](repeating: 0, count: 16)
        if let name {
            copyTruncated(name, into: &objectName)
        } else {
            // basename(path), cut at the first '.'.
            var base = path
            var p = path
            while p.pointee != 0 {
                if p.pointee == CChar(UInt8(ascii: "/")) { base = p + 1 }
                p += 1
            }
            copyTruncated(base, into: &objectName)
            if let dot = objectName.firstIndex(of: CChar(UInt8(ascii: "."))) { objectName[dot] = 0 }
        }
        self.name = objectName
        self.nameCString = objectName.withUnsafeBufferPointer { strdup($0.baseAddress!)! }
        self.kernelVersion = BPFObject.kernelVersionAtOpen()
    }

    deinit { free(nameCString) }

    /// Programs as the C API iterates them: subprograms are skipped.
    public func nextProgram(after index: Int?) -> BPFProgram? {
        var i = index.map { $0 + 1 } ?? 0
        while i < programs.count {
            if !programs[i].isSubprogram { return programs[i] }
            i += 1
        }
        return nil
    }

    public func previousProgram(before index: Int?) -> BPFProgram? {
        var i = index.map { $0 - 1 } ?? programs.count - 1
        while i >= 0 {
            if !programs[i].isSubprogram { return programs[i] }
            i -= 1
        }
        return nil
    }

    /// The first non-subprogram named `name`.
    public func program(named name: UnsafePointer<CChar>) -> BPFProgram? {
        for program in programs where !program.isSubprogram {
            if strcmp(program.name, name) == 0 { return program }
        }
        return nil
    }
    public var genLoader: GenLoader? = nil  // bpf_object__gen_loader (Sources/BPFCore/GenLoader)
}

/// strlcpy into a fixed array: at most count-1 bytes, always terminated.
func copyTruncated(_ source: UnsafePointer<CChar>, into destination: inout [CChar]) {
    var i = 0
    while i < destination.count - 1, source[i] != 0 {
        destination[i] = source[i]
        i += 1
    }
    destination[i] = 0
}

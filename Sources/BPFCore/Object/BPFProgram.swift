import CBPF

/// One BPF program of an object (`struct bpf_program`): a function found in an
/// executable section. Functions of `.text` are subprograms when the object has
/// other programs too; they are linked into the programs that call them.
public final class BPFProgram {
    // The object owns its programs; unowned(unsafe) avoids a cycle (Embedded
    // Swift has no weak or safe unowned references).
    public unowned(unsafe) let object: BPFObject
    /// Position in `object.programs` (handles are iterated by index).
    public internal(set) var index: Int
    /// Owned C strings (their addresses are handed to C callers).
    public let name: UnsafeMutablePointer<CChar>
    /// The section name, without a leading "?" (which only turns autoload off).
    public let sectionName: UnsafeMutablePointer<CChar>
    /// Whether the ELF section's name had that "?" (`.BTF.ext` blocks are keyed
    /// by the ELF name).
    public let sectionNameHadQuestionMark: Bool
    public let sectionIndex: Int
    /// Where the function starts in its section, in instructions.
    public let sectionInstructionOffset: Int
    public let sectionInstructionCount: Int
    public var instructions: [bpf_insn]
    public var type: UInt32 = BPF_PROG_TYPE_UNSPEC.rawValue
    public var expectedAttachType: UInt32 = 0
    public var flags: UInt32 = 0
    public var autoload: Bool
    public var autoattach = true
    public var logLevel: UInt32
    public var logBuffer: UnsafeMutablePointer<CChar>?
    public var logSize: Int = 0
    public var fd: Int32 = -1
    /// A global function with hidden/internal visibility: its BTF FUNC is marked
    /// static at load so the verifier checks it in its caller's context.
    public var markBTFStatic = false
    /// What the open phase recorded for load: relocations sorted by instruction.
    public var relocations: [Relocation] = []
    /// The SEC() definition the section name matched (nil: unrecognised).
    public var sectionDefinition: SectionDefinition?
    /// BTF type id the program attaches to (struct_ops: the struct's id).
    public var attachBTFID: UInt32 = 0
    /// `attach_prog_fd` (freplace/fentry on a BPF program) and `attach_btf_obj_fd`
    /// (a module BTF holding `attachBTFID`; 0: vmlinux), as load passes them.
    public var attachProgramFD: Int32 = 0
    public var attachBTFObjectFD: Int32 = 0
    /// `prog_ifindex` (offload / `bpf_program__set_ifindex`).
    public var ifindex: UInt32 = 0

    // Load state (Load/Relocate.swift, Load/ProgramLoad.swift).
    /// Where this subprogram's code starts in the main program being linked
    /// (`sub_insn_off`); 0 means "not appended yet" while linking one program.
    public var subprogramOffset = 0
    /// `.BTF.ext` func_info / line_info records for the linked code, instruction
    /// offsets already in instructions of the final layout (nil: none collected).
    public var funcInfo: [UInt8]?
    public var funcInfoRecordSize: UInt32 = 0
    public var lineInfo: [UInt8]?
    public var lineInfoRecordSize: UInt32 = 0

    init(object: BPFObject, index: Int, name: UnsafePointer<CChar>, sectionName: UnsafePointer<CChar>,
         sectionIndex: Int, offset: Int, code: UnsafeRawPointer, size: Int) {
        self.object = object
        self.index = index
        var section = sectionName
        if section[0] == CChar(UInt8(ascii: "?")) {
            autoload = false
            section += 1
        } else {
            autoload = true
        }
        self.sectionNameHadQuestionMark = !autoload
        // Both names in one allocation (freed through `name`).
        let nameLength = Int(strlen(name)) + 1
        let sectionLength = Int(strlen(section)) + 1
        let names = malloc(nameLength + sectionLength)!.assumingMemoryBound(to: CChar.self)
        names.update(from: name, count: nameLength)
        (names + nameLength).update(from: section, count: sectionLength)
        self.name = names
        self.sectionName = names + nameLength
        self.sectionIndex = sectionIndex
        self.sectionInstructionOffset = offset / 8
        self.sectionInstructionCount = size / 8
        self.instructions = [bpf_insn](unsafeUninitializedCapacity: size / 8) { buffer, count in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: code, byteCount: size)
            count = size / 8
        }
        self.logLevel = object.logLevel
    }

    deinit {
        free(name)  // and sectionName, in the same block
        if fd >= 0 { _ = close(fd) }
    }

    /// Whether this is a `.text` function called by other programs rather than a
    /// program of its own (the reference's rule: `.text` functions are subprograms
    /// unless the object has a single program).
    public var isSubprogram: Bool {
        sectionIndex == object.textSectionIndex && object.programs.count > 1
    }
}

/// A NUL-terminated copy of a C string.
func cStringArray(_ s: UnsafePointer<CChar>) -> [CChar] {
    let length = Int(strlen(s))
    return [CChar](unsafeUninitializedCapacity: length + 1) { buffer, count in
        buffer.baseAddress!.update(from: s, count: length)
        buffer[length] = 0
        count = length + 1
    }
}

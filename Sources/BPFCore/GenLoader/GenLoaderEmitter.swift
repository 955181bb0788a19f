import CBPF

// The instruction emitter and data blob of the loader-program generator
// (`bpf_object__gen_loader`). Pure: no kernel access. The loader program is a
// BPF_PROG_TYPE_SYSCALL program run by skel_internal.h's bpf_load_and_run():
// r1 is its context (`struct bpf_loader_ctx` then one `bpf_map_desc` per map and
// one `bpf_prog_desc` per loaded program); the data blob is the value of the
// loader's own array map, which is fd_array[0] of the loader program, so the
// blob is addressed with ld_imm64 BPF_PSEUDO_MAP_IDX_VALUE map 0 + offset.
//
// Register use (observed in the reference's output): r6 = ctx, r7 = the last
// syscall's result, r0-r3 scratch, r8 the instruction being patched. The stack
// holds 136 bytes: the BTF fd at -136, an inner map fd at -132 and up to 32
// program fds from -128.

/// BPF helper ids the loader calls.
enum GenLoaderHelper {
    static let probeReadKernel: Int32 = 113
    static let copyFromUser: Int32 = 148
    static let sysBPF: Int32 = 166
    static let btfFindByNameKind: Int32 = 167
    static let sysClose: Int32 = 168
}

/// The loader's fixed layout.
public enum GenLoaderLayout {
    /// Bytes of stack the loader zeroes and uses for fds.
    static let stackSize: Int32 = 136
    static let btfFDStack: Int16 = -136
    static let innerMapFDStack: Int16 = -132
    static let programFDStack: Int16 = -128
    static let maxPrograms = 32
    /// The blob starts with the fd array the generated programs use: 64 map fds
    /// then 256 kfunc BTF fds.
    static let fdArrayBytes = (64 + 256) * 4
    /// `sizeof(struct bpf_loader_ctx)` and the descriptor strides after it.
    static let contextSize: Int32 = 24
    static let mapDescriptorSize: Int32 = 16
    static let programDescriptorSize: Int32 = 4
}

/// Instructions and data being generated.
public struct GenLoaderEmitter {
    public var instructions: [bpf_insn] = []
    public var data: [UInt8] = []
    /// Index of the first cleanup instruction (where every failure jumps).
    var cleanupLabel = 0

    public init() {}

    // MARK: data blob

    /// Appends `count` bytes (zeros when `bytes` is nil), padded to 8; returns
    /// the blob offset.
    @discardableResult
    public mutating func addData(_ bytes: UnsafeRawPointer?, _ count: Int) -> Int32 {
        let offset = data.count
        if let bytes {
            data.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: count))
        } else {
            data.append(contentsOf: [UInt8](repeating: 0, count: count))
        }
        let padded = (count + 7) & ~7
        if padded > count { data.append(contentsOf: [UInt8](repeating: 0, count: padded - count)) }
        return Int32(offset)
    }

    @discardableResult
    public mutating func addData(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { addData($0.baseAddress, $0.count) }
    }

    public mutating func storeData<T>(_ value: T, at offset: Int) {
        data.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: T.self) }
    }

    // MARK: raw instructions

    static func insn(_ code: Int32, dst: UInt8 = 0, src: UInt8 = 0, off: Int16 = 0, imm: Int32 = 0) -> bpf_insn {
        var i = bpf_insn()
        i.code = UInt8(truncatingIfNeeded: code)
        i.dst_reg = dst
        i.src_reg = src
        i.off = off
        i.imm = imm
        return i
    }

    mutating func emit(_ code: Int32, dst: UInt8 = 0, src: UInt8 = 0, off: Int16 = 0, imm: Int32 = 0) {
        instructions.append(GenLoaderEmitter.insn(code, dst: dst, src: src, off: off, imm: imm))
    }

    mutating func movReg(_ dst: UInt8, _ src: UInt8) { emit(BPF_ALU64 | BPF_MOV | BPF_X, dst: dst, src: src) }
    mutating func movImm(_ dst: UInt8, _ imm: Int32) { emit(BPF_ALU64 | BPF_MOV | BPF_K, dst: dst, imm: imm) }
    mutating func call(_ helper: Int32) { emit(BPF_JMP | BPF_CALL, imm: helper) }
    mutating func exit() { emit(BPF_JMP | BPF_EXIT) }

    static func sizeCode(_ size: Int) -> Int32 {
        switch size {
        case 1: return BPF_B
        case 2: return BPF_H
        case 8: return BPF_DW
        default: return BPF_W
        }
    }

    mutating func load(_ size: Int, _ dst: UInt8, _ src: UInt8, _ off: Int16) {
        emit(BPF_LDX | GenLoaderEmitter.sizeCode(size) | BPF_MEM, dst: dst, src: src, off: off)
    }

    mutating func store(_ size: Int, _ dst: UInt8, _ off: Int16, _ src: UInt8) {
        emit(BPF_STX | GenLoaderEmitter.sizeCode(size) | BPF_MEM, dst: dst, src: src, off: off)
    }

    /// `dst = &blob[offset]`: ld_imm64 of map 0 (the loader map) value + offset.
    mutating func loadBlobAddress(_ dst: UInt8, _ offset: Int32) {
        emit(BPF_LD | BPF_DW | BPF_IMM, dst: dst, src: 6, imm: 0)
        emit(0, imm: offset)
    }

    /// `r7 = r0; if r7 s< 0 goto cleanup`.
    mutating func checkResult() {
        movReg(7, 0)
        jumpToCleanupIfNegative()
    }

    mutating func jumpToCleanupIfNegative() {
        let off = cleanupLabel - (instructions.count + 1)
        emit(BPF_JMP | BPF_JSLT | BPF_K, dst: 7, off: Int16(truncatingIfNeeded: off), imm: 0)
    }

    // MARK: moves between ctx, stack and blob

    /// blob[offset] = ctx[contextOffset] (`size` bytes).
    mutating func moveContextToBlob(_ offset: Int32, _ size: Int, _ contextOffset: Int32, skipZero: Bool = false) {
        load(size, 0, 6, Int16(truncatingIfNeeded: contextOffset))
        if skipZero { emit(BPF_JMP | BPF_JEQ | BPF_K, dst: 0, off: 3, imm: 0) }
        loadBlobAddress(1, offset)
        store(size, 1, 0, 0)
    }

    /// blob[offset] = stack[stackOffset] (4 bytes).
    mutating func moveStackToBlob(_ offset: Int32, _ stackOffset: Int16) {
        load(4, 0, 10, stackOffset)
        loadBlobAddress(1, offset)
        store(4, 1, 0, 0)
    }

    /// blob[offset] = blob[source] (4 bytes).
    mutating func moveBlobToBlob(_ offset: Int32, _ source: Int32) {
        loadBlobAddress(2, source)
        load(4, 0, 2, 0)
        loadBlobAddress(1, offset)
        store(4, 1, 0, 0)
    }

    /// blob[offset] (u64) = &blob[target]: a pointer in a syscall attr.
    mutating func storeBlobPointer(_ offset: Int32, _ target: Int32) {
        loadBlobAddress(0, target)
        loadBlobAddress(1, offset)
        store(8, 1, 0, 0)
    }

    /// ctx[contextOffset] = stack[stackOffset] (4 bytes).
    mutating func moveStackToContext(_ contextOffset: Int32, _ stackOffset: Int16) {
        load(4, 0, 10, stackOffset)
        store(4, 6, Int16(truncatingIfNeeded: contextOffset), 0)
    }

    /// ctx[contextOffset] = blob[offset] (4 bytes).
    mutating func moveBlobToContext(_ contextOffset: Int32, _ offset: Int32) {
        loadBlobAddress(1, offset)
        load(4, 0, 1, 0)
        store(4, 6, Int16(truncatingIfNeeded: contextOffset), 0)
    }

    /// `bpf_sys_bpf(cmd, &blob[attr], size)`.
    mutating func sysBPF(_ command: Int32, _ attr: Int32, _ size: Int32) {
        movImm(1, command)
        loadBlobAddress(2, attr)
        movImm(3, size)
        call(GenLoaderHelper.sysBPF)
    }

    /// Closes the fd in r1 (already loaded) when positive.
    mutating func closeR1() {
        emit(BPF_JMP | BPF_JSLE | BPF_K, dst: 1, off: 2, imm: 0)
        movReg(9, 1)
        call(GenLoaderHelper.sysClose)
    }

    mutating func closeStackFD(_ stackOffset: Int16) {
        load(4, 1, 10, stackOffset)
        closeR1()
    }

    mutating func closeBlobFD(_ offset: Int32) {
        loadBlobAddress(0, offset)
        load(4, 1, 0, 0)
        closeR1()
    }

    // MARK: the fixed parts

    /// The prologue (ctx saved, stack zeroed) and the cleanup code every failure
    /// jumps to: closes the fds on the stack (BTF, inner map, one per program)
    /// and the map fds in the blob, then returns r7.
    public mutating func begin(mapCount: Int, programCount: Int) {
        data = [UInt8](repeating: 0, count: GenLoaderLayout.fdArrayBytes)
        instructions = []
        movReg(6, 1)
        movReg(1, 10)
        emit(BPF_ALU64 | BPF_ADD | BPF_K, dst: 1, imm: -GenLoaderLayout.stackSize)
        movImm(2, GenLoaderLayout.stackSize)
        movImm(3, 0)
        call(GenLoaderHelper.probeReadKernel)
        let slots = 2 + programCount
        let cleanupLength = slots * 3 + mapCount * 6 + 2
        emit(BPF_JMP | BPF_JA, off: Int16(truncatingIfNeeded: cleanupLength))
        cleanupLabel = instructions.count
        for i in 0..<slots {
            load(4, 1, 10, Int16(truncatingIfNeeded: Int(GenLoaderLayout.btfFDStack) + 4 * i))
            emit(BPF_JMP | BPF_JSLE | BPF_K, dst: 1, off: 1, imm: 0)
            call(GenLoaderHelper.sysClose)
        }
        for i in 0..<mapCount { closeBlobFD(Int32(4 * i)) }
        movReg(0, 7)
        exit()
    }

    public static func contextMapOffset(_ index: Int) -> Int32 {
        GenLoaderLayout.contextSize + GenLoaderLayout.mapDescriptorSize * Int32(index)
    }

    public static func contextProgramOffset(_ index: Int, mapCount: Int) -> Int32 {
        contextMapOffset(mapCount) + GenLoaderLayout.programDescriptorSize * Int32(index)
    }

    /// The success path: the BTF fd closed, the program and map fds handed to
    /// the ctx, return 0.
    public mutating func end(mapCount: Int, loadedPrograms: Int, closeBTF: Bool) {
        if closeBTF { closeStackFD(GenLoaderLayout.btfFDStack) }
        for j in 0..<loadedPrograms {
            moveStackToContext(GenLoaderEmitter.contextProgramOffset(j, mapCount: mapCount),
                               Int16(truncatingIfNeeded: Int(GenLoaderLayout.programFDStack) + 4 * j))
        }
        for i in 0..<mapCount { moveBlobToContext(GenLoaderEmitter.contextMapOffset(i), Int32(4 * i)) }
        movImm(0, 0)
        exit()
    }

    // MARK: the recorded operations

    /// BPF_BTF_LOAD of `btf` with the ctx's log settings; the fd goes to the stack.
    public mutating func loadBTF(_ btf: UnsafeRawPointer, _ size: Int) {
        let btfOffset = addData(btf, size)
        var attr = [UInt8](repeating: 0, count: 28)
        attr.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(truncatingIfNeeded: size), toByteOffset: 16, as: UInt32.self) }
        let attrOffset = addData(attr)
        moveContextToBlob(attrOffset + 24, 4, 8)   // btf_log_level = ctx.log_level
        moveContextToBlob(attrOffset + 20, 4, 12)  // btf_log_size = ctx.log_size
        moveContextToBlob(attrOffset + 8, 8, 16)   // btf_log_buf = ctx.log_buf
        storeBlobPointer(attrOffset, btfOffset)    // btf
        sysBPF(Int32(BPF_BTF_LOAD.rawValue), attrOffset, 28)
        checkResult()
        store(4, 10, GenLoaderLayout.btfFDStack, 7)
    }

    /// BPF_MAP_CREATE from a 72-byte attr (btf_fd filled in at run time when
    /// the map has a BTF value type; max_entries from the ctx when set there);
    /// the fd goes to fd_array slot `index`.
    public mutating func createMap(_ attr: [UInt8], index: Int) {
        let attrOffset = addData(attr)
        let valueTypeID = attr.withUnsafeBytes { $0.load(fromByteOffset: 56, as: UInt32.self) }
        if valueTypeID != 0 { moveStackToBlob(attrOffset + 48, GenLoaderLayout.btfFDStack) }
        moveContextToBlob(attrOffset + 12, 4, GenLoaderEmitter.contextMapOffset(index) + 4, skipZero: true)
        sysBPF(Int32(BPF_MAP_CREATE.rawValue), attrOffset, 72)
        checkResult()
        loadBlobAddress(1, Int32(4 * index))
        store(4, 1, 0, 7)
    }

    /// BPF_MAP_UPDATE_ELEM key 0 of map `index` with `value`, or with the
    /// caller's initial value (ctx map desc) when given: copied from user
    /// memory, or from kernel memory when ctx.flags has BPF_SKEL_KERNEL.
    public mutating func updateMap(index: Int, value: UnsafeRawPointer?, size: Int) {
        let valueOffset = addData(value, size)
        var zero: UInt32 = 0
        let keyOffset = addData(&zero, 4)
        let attrOffset = addData(nil, 32)
        load(8, 3, 6, Int16(truncatingIfNeeded: GenLoaderEmitter.contextMapOffset(index) + 8))
        emit(BPF_JMP | BPF_JEQ | BPF_K, dst: 3, off: 8, imm: 0)
        loadBlobAddress(1, valueOffset)
        movImm(2, Int32(truncatingIfNeeded: size))
        load(4, 0, 6, 4)
        emit(BPF_JMP | BPF_JSET | BPF_K, dst: 0, off: 2, imm: 1)
        call(GenLoaderHelper.copyFromUser)
        emit(BPF_JMP | BPF_JA, off: 1)
        call(GenLoaderHelper.probeReadKernel)
        moveBlobToBlob(attrOffset, Int32(4 * index))
        storeBlobPointer(attrOffset + 8, keyOffset)
        storeBlobPointer(attrOffset + 16, valueOffset)
        sysBPF(Int32(BPF_MAP_UPDATE_ELEM.rawValue), attrOffset, 32)
        checkResult()
    }

    /// BPF_MAP_FREEZE of map `index`.
    public mutating func freezeMap(index: Int) {
        let attrOffset = addData(nil, 4)
        moveBlobToBlob(attrOffset, Int32(4 * index))
        sysBPF(Int32(BPF_MAP_FREEZE.rawValue), attrOffset, 4)
        checkResult()
    }

    /// BPF_PROG_LOAD: license, code, func/line info and CO-RE records copied into
    /// the blob, pointers and the ctx's log settings and the BTF fd patched into
    /// the 140-byte attr at run time; the fd goes to program slot `slot`.
    public mutating func loadProgram(attr attrIn: [UInt8], license: [UInt8], code: UnsafeRawPointer, codeSize: Int,
                                     funcInfo: [UInt8], lineInfo: [UInt8], coreRelocations: [UInt8], slot: Int) {
        let licenseOffset = addData(license)
        let codeOffset = addData(code, codeSize)
        let funcInfoOffset = addData(funcInfo)
        let lineInfoOffset = addData(lineInfo)
        let coreOffset = addData(coreRelocations)
        let attrOffset = addData(attrIn)
        storeBlobPointer(attrOffset + 16, licenseOffset)   // license
        storeBlobPointer(attrOffset + 8, codeOffset)       // insns
        storeBlobPointer(attrOffset + 80, funcInfoOffset)  // func_info
        storeBlobPointer(attrOffset + 96, lineInfoOffset)  // line_info
        storeBlobPointer(attrOffset + 128, coreOffset)     // core_relos
        storeBlobPointer(attrOffset + 120, 0)              // fd_array = the blob's start
        moveContextToBlob(attrOffset + 24, 4, 8)           // log_level
        moveContextToBlob(attrOffset + 28, 4, 12)          // log_size
        moveContextToBlob(attrOffset + 32, 8, 16)          // log_buf
        moveStackToBlob(attrOffset + 72, GenLoaderLayout.btfFDStack)  // prog_btf_fd
        sysBPF(Int32(BPF_PROG_LOAD.rawValue), attrOffset, 140)
        checkResult()
        store(4, 10, Int16(truncatingIfNeeded: Int(GenLoaderLayout.programFDStack) + 4 * slot), 7)
    }
}

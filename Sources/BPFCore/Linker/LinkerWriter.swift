import CBPF

/// `bpf_linker__finalize`: the merged BTF (one DATASEC per section, then dedup),
/// the merged .BTF.ext, and the ELF file written with libelf's own layout.
extension Linker {
    public func finalize() throws(BPFError) {
        if finalized { throw .EINVAL }
        finalized = true
        defer {
            if fd >= 0 { _ = close(fd) }
            fd = -1
        }
        try finalizeBTF()
        let extBytes = try buildBTFExt()
        var ext: BTFExt? = nil
        if let extBytes {
            do throws(BPFError) {
                var failure: BPFError? = nil
                extBytes.withUnsafeBytes { b in
                    do throws(BPFError) { ext = try BTFExt.parse(b.baseAddress, size: b.count) } catch { failure = error }
                }
                if let failure { throw failure }
            } catch {
                Log.warn("libbpf: failed to parse final .BTF.ext data: \(-error.code)\n")
                throw error
            }
        }
        do throws(BPFError) {
            try btf.deduplicate(ext: ext, forceCollisions: false)
        } catch {
            Log.warn("libbpf: BTF dedup failed: \(-error.code)\n")
            throw error
        }
        // no types at all: neither .BTF nor .BTF.ext
        if btf.typeCount <= 1 {
            try writeELF(btf: nil, ext: [], hasExt: false)
            return
        }
        let (btfData, btfSize) = try btf.rawData()
        var extension_: [UInt8] = []
        if let ext {
            let (p, n) = ext.rawData
            if let p { extension_ = Array(UnsafeRawBufferPointer(start: p, count: n)) }
        }
        try writeELF(btf: UnsafeRawBufferPointer(start: btfData, count: btfSize), ext: extension_, hasExt: ext != nil)
    }

    func finalizeBTF() throws(BPFError) {
        for i in 0..<sections.count where sections[i].hasBTF {
            let s = sections[i]
            let size = s.ephemeral ? 0 : UInt32(truncatingIfNeeded: s.size)
            do throws(BPFError) {
                var failure: BPFError? = nil
                s.name.withUnsafeBufferPointer { b in
                    do throws(BPFError) { _ = try btf.addDataSection(name: b.baseAddress, byteSize: size) } catch { failure = error }
                }
                if let failure { throw failure }
                for v in s.variables {
                    try btf.addDataSectionVariable(type: Int32(bitPattern: v.type), offset: v.offset, byteSize: v.size)
                }
            } catch {
                Log.warn("libbpf: failed to add consolidated BTF type for datasec '\(cChars: s.name)': \(-error.code)\n")
                throw error
            }
        }
    }

    /// The .BTF.ext bytes: header, then func_info, line_info and core_relo blocks,
    /// each with the sections' records in output section order. nil when empty.
    func buildBTFExt() throws(BPFError) -> [UInt8]? {
        var total = 0
        for s in sections { total += s.funcInfo.count + s.lineInfo.count + s.coreRelo.count }
        if total == 0 { return nil }
        func append32(_ out: inout [UInt8], _ v: UInt32) { withUnsafeBytes(of: v) { out.append(contentsOf: $0) } }
        func block(_ kind: Int) throws(BPFError) -> [UInt8] {
            var out: [UInt8] = []
            var recordSize: UInt32 = 0
            for s in sections {
                let (size, records) = kind == 0 ? (s.funcInfoSize, s.funcInfo) : kind == 1 ? (s.lineInfoSize, s.lineInfo) : (s.coreReloSize, s.coreRelo)
                if records.isEmpty { continue }
                if recordSize == 0 {
                    recordSize = size
                    append32(&out, size)
                }
                var nameOffset: UInt32 = 0
                var failure: BPFError? = nil
                s.name.withUnsafeBufferPointer { b in
                    do throws(BPFError) { nameOffset = try btf.addString(b.baseAddress!) } catch { failure = error }
                }
                if let failure { throw failure }
                append32(&out, nameOffset)
                append32(&out, UInt32(records.count) / size)
                out.append(contentsOf: records)
            }
            return out
        }
        let funcs = try block(0)
        let lines = try block(1)
        let relos = try block(2)
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt16(0xeb9f)) { out.append(contentsOf: $0) }
        out.append(1)
        out.append(0)
        append32(&out, 32)
        append32(&out, 0)
        append32(&out, UInt32(funcs.count))
        append32(&out, UInt32(funcs.count))
        append32(&out, UInt32(lines.count))
        append32(&out, UInt32(funcs.count + lines.count))
        append32(&out, UInt32(relos.count))
        out.append(contentsOf: funcs)
        out.append(contentsOf: lines)
        out.append(contentsOf: relos)
        return out
    }

    func writeELF(btf btfData: UnsafeRawBufferPointer?, ext: [UInt8], hasExt: Bool) throws(BPFError) {
        guard let elf = elf_begin(fd, ELF_C_WRITE, nil) else {
            Log.warn("libbpf: failed to create ELF object: \(cString: elf_errmsg(-1))\n")
            throw .EINVAL
        }
        defer { elf_end(elf) }
        guard let ehdr = elf64_newehdr(elf) else {
            Log.warn("libbpf: failed to create ELF header: \(cString: elf_errmsg(-1))\n")
            throw .EINVAL
        }
        ehdr.pointee.e_machine = UInt16(EM_BPF)
        ehdr.pointee.e_type = UInt16(ET_REL)
        ehdr.pointee.e_version = UInt32(EV_CURRENT)
        withUnsafeMutableBytes(of: &ehdr.pointee.e_ident) { $0[Int(EI_DATA)] = UInt8(ELFDATA2LSB) }
        // Every buffer handed to libelf must live until elf_update(ELF_C_WRITE).
        var buffers: [UnsafeMutableRawPointer] = []
        defer { for b in buffers { b.deallocate() } }
        func keep(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
            if bytes.count > 0 { p.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            buffers.append(p)
            return p
        }
        func addSection(name: UInt32, type: UInt32, flags: UInt64, link: UInt32, info: UInt32, align: UInt64,
                        entrySize: UInt64, data: UnsafeMutableRawPointer?, size: UInt64, dataType: Elf_Type) throws(BPFError) {
            guard let scn = elf_newscn(elf), let sh = elf64_getshdr(scn) else {
                Log.warn("libbpf: failed to create section: \(cString: elf_errmsg(-1))\n")
                throw .EINVAL
            }
            sh.pointee.sh_name = name
            sh.pointee.sh_type = type
            sh.pointee.sh_flags = flags
            sh.pointee.sh_link = link
            sh.pointee.sh_info = info
            sh.pointee.sh_addralign = align
            sh.pointee.sh_entsize = entrySize
            sh.pointee.sh_size = size
            guard let d = elf_newdata(scn) else {
                Log.warn("libbpf: failed to create section data: \(cString: elf_errmsg(-1))\n")
                throw .EINVAL
            }
            d.pointee.d_buf = data
            // size_t in C: a huge NOBITS size (an input's .bss) is written as is.
            d.pointee.d_size = Int(truncatingIfNeeded: size)
            d.pointee.d_align = Int(truncatingIfNeeded: align)
            d.pointee.d_type = dataType
            d.pointee.d_off = 0
            d.pointee.d_version = UInt32(EV_CURRENT)
        }
        let btfName: UInt32 = btfData != nil ? try addString(".BTF") : 0
        let extName: UInt32 = hasExt ? try addString(".BTF.ext") : 0
        let strtab = keep(UnsafeRawBufferPointer(start: strings.data.base, count: strings.data.count))
        try addSection(name: 1, type: UInt32(SHT_STRTAB), flags: UInt64(SHF_STRINGS), link: 0, info: 0, align: 1, entrySize: 0,
                       data: strtab, size: UInt64(strings.data.count), dataType: ELF_T_BYTE)
        let symtab = symbols.withUnsafeBytes { keep($0) }
        try addSection(name: 9, type: UInt32(SHT_SYMTAB), flags: 0, link: 1, info: 0, align: 8,
                       entrySize: UInt64(MemoryLayout<Elf64_Sym>.size), data: symtab,
                       size: UInt64(symbols.count * MemoryLayout<Elf64_Sym>.size), dataType: ELF_T_SYM)
        // ELF order is creation order (a section first seen as a DATASEC only gets
        // its ELF section later, yet keeps its place among the DATASECs)
        var order: [Int] = []
        for i in 0..<sections.count where !sections[i].ephemeral { order.append(i) }
        order.sort { sections[$0].elfIndex < sections[$1].elfIndex }
        for i in order {
            let s = sections[i]
            let nobits = s.type == UInt32(SHT_NOBITS)
            let data: UnsafeMutableRawPointer? = nobits ? nil : s.bytes.withUnsafeBytes { keep($0) }
            try addSection(name: s.nameOffset, type: s.type, flags: s.flags, link: s.link, info: s.info, align: s.align,
                           entrySize: s.entrySize, data: data, size: s.size,
                           dataType: s.type == UInt32(SHT_REL) ? ELF_T_REL : ELF_T_BYTE)
        }
        if let btfData {
            try addSection(name: btfName, type: UInt32(SHT_PROGBITS), flags: 0, link: 0, info: 0, align: 8, entrySize: 0,
                           data: keep(btfData), size: UInt64(btfData.count), dataType: ELF_T_BYTE)
        }
        if hasExt {
            let p = ext.withUnsafeBytes { keep($0) }
            try addSection(name: extName, type: UInt32(SHT_PROGBITS), flags: 0, link: 0, info: 0, align: 8, entrySize: 0,
                           data: p, size: UInt64(ext.count), dataType: ELF_T_BYTE)
        }
        // the string table must be final before its data is given: refresh it
        let final = strings.data.count
        if let scn = elf_getscn(elf, 1), let d = elf_getdata(scn, nil) {
            d.pointee.d_buf = keep(UnsafeRawBufferPointer(start: strings.data.base, count: final))
            d.pointee.d_size = final
            elf64_getshdr(scn)?.pointee.sh_size = UInt64(final)
        }
        ehdr.pointee.e_shstrndx = 1
        if elf_update(elf, ELF_C_NULL) < 0 {
            Log.warn("libbpf: failed to finalize ELF layout: \(cString: elf_errmsg(-1))\n")
            throw .EINVAL
        }
        if elf_update(elf, ELF_C_WRITE) < 0 {
            Log.warn("libbpf: failed to write ELF contents: \(cString: elf_errmsg(-1))\n")
            throw .EINVAL
        }
    }
}

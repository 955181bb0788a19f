import CBPF

/// The string offsets and type ids a `.BTF.ext` holds, rewritten in place in its
/// raw bytes by dedup (as libbpf rewrites its `btf_ext`, which
/// `btf_ext__get_raw_data` then returns).
extension BTFExt {
    /// Calls `body` for each section of an info block with the section header
    /// (name offset, record count) and the start of its records.
    func forEachSection<Record>(_ info: BTFExtInfo<Record>,
                                _ body: (UnsafeMutableRawPointer, UnsafeMutableRawPointer, Int) throws(BPFError) -> Void) throws(BPFError) {
        guard info.length > 0, let bytes = data.base else { return }
        var position = Int(info.offset)
        let end = position + Int(info.length)
        let recordSize = Int(info.recordSize)
        while position < end {
            let section = bytes + position
            let count = Int(section.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            try body(section, section + 8, count)
            position += 8 + count * recordSize
        }
    }

    /// Every string offset, in libbpf's order: func_info section names; line_info
    /// section names, then each line's file name and line; core_relo section names,
    /// then each relocation's access string.
    func visitStringOffsets(_ visit: (UnsafeMutableRawPointer) throws(BPFError) -> Void) throws(BPFError) {
        try forEachSection(functionInfo) { (section, _, _) throws(BPFError) in try visit(section) }
        let lineSize = Int(lineInfo.recordSize)
        try forEachSection(lineInfo) { (section, records, count) throws(BPFError) in
            try visit(section)
            for i in 0..<count {
                try visit(records + i * lineSize + 4)
                try visit(records + i * lineSize + 8)
            }
        }
        let reloSize = Int(coreRelocations.recordSize)
        try forEachSection(coreRelocations) { (section, records, count) throws(BPFError) in
            try visit(section)
            for i in 0..<count { try visit(records + i * reloSize + 8) }
        }
    }

    /// Every type id: func_info records, then core_relo records.
    func visitTypeIDs(_ visit: (UnsafeMutableRawPointer) throws(BPFError) -> Void) throws(BPFError) {
        let functionSize = Int(functionInfo.recordSize)
        try forEachSection(functionInfo) { (_, records, count) throws(BPFError) in
            for i in 0..<count { try visit(records + i * functionSize + 4) }
        }
        let reloSize = Int(coreRelocations.recordSize)
        try forEachSection(coreRelocations) { (_, records, count) throws(BPFError) in
            for i in 0..<count { try visit(records + i * reloSize + 4) }
        }
    }
}

extension BTFDeduplicator {
    func remapExtTypeIDs(_ ext: BTFExt) throws(BPFError) {
        try ext.visitTypeIDs { (p) throws(BPFError) in
            p.storeBytes(of: try self.newID(p.loadUnaligned(as: UInt32.self)), as: UInt32.self)
        }
    }
}

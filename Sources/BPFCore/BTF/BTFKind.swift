import CBPF

/// BTF kinds libbpf 1.1 knows (`BTF_KIND_*`), and the layout facts of each record.
public enum BTFKind {
    public static let unknown: UInt32 = 0
    public static let int: UInt32 = 1
    public static let pointer: UInt32 = 2
    public static let array: UInt32 = 3
    public static let structure: UInt32 = 4
    public static let union: UInt32 = 5
    public static let enumeration: UInt32 = 6
    public static let forward: UInt32 = 7
    public static let typedef: UInt32 = 8
    public static let volatile: UInt32 = 9
    public static let const: UInt32 = 10
    public static let restrict: UInt32 = 11
    public static let function: UInt32 = 12
    public static let functionPrototype: UInt32 = 13
    public static let variable: UInt32 = 14
    public static let dataSection: UInt32 = 15
    public static let float: UInt32 = 16
    public static let declTag: UInt32 = 17
    public static let typeTag: UInt32 = 18
    public static let enum64: UInt32 = 19

    /// The size of a whole type record of `kind` with `vlen` trailing entries: the
    /// 12-byte `btf_type` plus what follows it. nil for kinds libbpf 1.1 rejects
    /// (including 0, which only the implicit void type may be).
    @inline(__always)
    public static func recordSize(kind: UInt32, vlen: UInt32) -> Int? {
        let base = 12
        switch kind {
        case forward, const, volatile, restrict, pointer, typedef, function, float, typeTag:
            return base
        case int:
            return base + 4
        case enumeration:
            return base + Int(vlen) * 8        // btf_enum: name_off, val
        case enum64:
            return base + Int(vlen) * 12       // btf_enum64: name_off, val_lo32, val_hi32
        case array:
            return base + 12                   // btf_array: type, index_type, nelems
        case structure, union:
            return base + Int(vlen) * 12       // btf_member: name_off, type, offset
        case functionPrototype:
            return base + Int(vlen) * 8        // btf_param: name_off, type
        case variable:
            return base + 4                    // btf_var: linkage
        case dataSection:
            return base + Int(vlen) * 12       // btf_var_secinfo: type, offset, size
        case declTag:
            return base + 4                    // btf_decl_tag: component_idx
        default:
            return nil
        }
    }

    /// How many 32-bit words follow the 12-byte header (all trailing data is u32s,
    /// which is what makes byte swapping uniform).
    @inline(__always)
    static func trailingWords(kind: UInt32, vlen: UInt32) -> Int {
        (recordSize(kind: kind, vlen: vlen)! - 12) / 4
    }
}

/// Field accessors on a raw `btf_type` record in host byte order.
extension UnsafePointer where Pointee == btf_type {
    @inline(__always) var kind: UInt32 { (pointee.info >> 24) & 0x1f }
    @inline(__always) var vlen: UInt32 { pointee.info & 0xffff }
    @inline(__always) var kindFlag: Bool { pointee.info >> 31 != 0 }
    @inline(__always) var nameOffset: UInt32 { pointee.name_off }
    /// `size` or `type`: the same union slot.
    @inline(__always) var sizeOrType: UInt32 { pointee.size }
    /// The i-th 32-bit word after the 12-byte header.
    @inline(__always) func word(_ i: Int) -> UInt32 {
        UnsafeRawPointer(self).loadUnaligned(fromByteOffset: 12 + 4 * i, as: UInt32.self)
    }
}

import CBPF

/// `.BTF.ext`: per-function and per-line info and CO-RE relocations of an object.
/// Placeholder owner of the raw section until its parser lands (see issue notes).
public final class BTFExt {
    public var data: BTFBuffer

    init(data: BTFBuffer) { self.data = data }

    deinit { data.free() }

    public static func parse(_ bytes: UnsafeRawPointer?, size: Int) throws(BPFError) -> BTFExt {
        BTFExt(data: try BTFBuffer(copying: bytes, count: size))
    }
}

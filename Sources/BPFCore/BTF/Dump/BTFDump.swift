import CBPF

/// A BTF-to-text printer (`struct btf_dump`): C declarations (`btf_dump__dump_type`,
/// `btf_dump__emit_type_decl`) and values (`btf_dump__dump_type_data`).
///
/// Output goes to the user's `btf_dump_printf_fn_t`. The reference calls it once
/// per small fragment with a printf format; we collect text and hand it over in
/// larger chunks with the format "%s": the concatenated text is identical, and the
/// callback (a large share of the reference's dump time) runs far less often.
public final class BTFDump {
    public let btf: BTF
    let printCallback: UnsafeRawPointer
    let context: UnsafeMutableRawPointer?
    /// Pointer size for declarations: the BTF's, else the host's.
    public let pointerSize: Int
    /// Pending output, NUL-terminated when flushed.
    var pending: [UInt8] = []
    /// State of the C declaration emitter (dump_type / emit_type_decl).
    let declState = BTFDumpDeclState()
    /// btf_dump__dump_type_data: the state of the call in progress (BTFDumpData.swift).
    var dataState = BTFDataDumpState()
    /// btf_dump__dump_type_data: type names resolved so far, with their `___N` suffixes.
    var dataNames = BTFDumpDataNames()

    public init(btf: BTF, printCallback: UnsafeRawPointer, context: UnsafeMutableRawPointer?) {
        self.btf = btf
        self.printCallback = printCallback
        self.context = context
        let size = btf.pointerSize
        self.pointerSize = size != 0 ? size : MemoryLayout<UnsafeRawPointer>.size
        pending.reserveCapacity(4096)
    }

    /// Appends text to the pending output.
    @inline(__always)
    public func write(_ text: StaticString) {
        text.withUTF8Buffer { pending.append(contentsOf: $0) }
    }

    @inline(__always)
    public func write(_ text: String) {
        var copy = text
        copy.withUTF8 { pending.append(contentsOf: $0) }
    }

    @inline(__always)
    public func write(cString: UnsafePointer<CChar>) {
        let length = Int(strlen(cString))
        UnsafeRawPointer(cString).withMemoryRebound(to: UInt8.self, capacity: length) {
            pending.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
    }

    @inline(__always)
    public func write(byte: UInt8) { pending.append(byte) }

    /// Hands the pending text to the callback (call at the end of every public
    /// entry point, and whenever the buffer grows large).
    public func flush() {
        if pending.isEmpty { return }
        pending.append(0)
        pending.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                sbpf_call_dump_printf(printCallback, context, chars.baseAddress!)
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes when more than `threshold` bytes are pending.
    @inline(__always)
    public func flushIfLarge(_ threshold: Int = 64 * 1024) {
        if pending.count > threshold { flush() }
    }
}

import CBPF
#if !SWIFTBPF_EMBEDDED
import BPFCore  // one module in the Embedded build
#endif

@_cdecl("libbpf_strerror")
public func abi_libbpf_strerror(_ err: Int32, _ buf: UnsafeMutablePointer<CChar>?, _ size: Int) -> Int32 {
    guard let buf, size != 0 else { return cReturn(.EINVAL) }
    switch ErrorStrings.describe(err) {
    case .system(let code):
        // Returned as is (0, EINVAL or ERANGE) without touching errno, as the reference.
        let ret = sbpf_strerror_r(code, buf, size)
        buf[size - 1] = 0
        return ret
    case .libbpf(let message):
        let fits = copyTruncated(message.utf8Start, count: message.utf8CodeUnitCount, to: buf, size: size)
        return fits ? 0 : cReturn(.ERANGE)
    case .unknown(let code):
        let text = "Unknown libbpf error \(code)"
        var copy = text
        let fits = copy.withUTF8 { bytes in
            copyTruncated(bytes.baseAddress!, count: bytes.count, to: buf, size: size)
        }
        return cReturn(fits ? .ENOENT : .ERANGE)
    }
}

/// snprintf("%s") into `buf` (at most size-1 bytes and a terminator), then, as the
/// reference does whatever the length, a NUL in the last byte. Returns whether the
/// whole text fitted.
func copyTruncated(_ text: UnsafePointer<UInt8>, count: Int, to buf: UnsafeMutablePointer<CChar>, size: Int) -> Bool {
    let n = min(count, size - 1)
    UnsafeMutableRawPointer(buf).copyMemory(from: text, byteCount: n)
    buf[n] = 0
    buf[size - 1] = 0
    return count < size
}

/// Pointers in the top 4095 addresses encode an error (the kernel's ERR_PTR), as
/// legacy libbpf APIs returned them.
@_cdecl("libbpf_get_error")
public func abi_libbpf_get_error(_ ptr: UnsafeRawPointer?) -> Int {
    let maxErrno: UInt = 4095
    if let ptr {
        let address = UInt(bitPattern: ptr)
        if address < 0 &- maxErrno { return 0 }  // a real pointer
        sbpf_set_errno(Int32(truncatingIfNeeded: 0 &- Int(bitPattern: address)))
    }
    // NULL: the failing API already set errno.
    return -Int(sbpf_errno())
}

import CBPF

/// `strcmp(a, b) == 0`, deciding on the first byte before calling strcmp: the
/// open path compares many names against literals that mostly differ there.
@inline(__always)
func cStringEquals(_ a: UnsafePointer<CChar>, _ b: UnsafePointer<CChar>) -> Bool {
    a.pointee == b.pointee && strcmp(a, b) == 0
}

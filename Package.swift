// swift-tools-version:6.0
// The normal-Swift build of the SwiftBPF core, for `swift test`. The shipped
// libbpf.so.1 is built from the same sources in Embedded Swift by the Makefile.
import PackageDescription

let package = Package(
    name: "SwiftBPF",
    products: [
        .library(name: "BPFCore", targets: ["BPFCore"]),
    ],
    targets: [
        // libc/UAPI/libelf/zlib, our public headers, and the few C glue functions.
        .target(name: "CBPF", path: "Sources/CBPF", publicHeadersPath: "include"),
        // The library core: parsing, relocation, syscalls, as Swift values and typed errors.
        .target(name: "BPFCore", dependencies: ["CBPF"], path: "Sources/BPFCore"),
        // The C ABI: one @_cdecl export per libbpf symbol, converting pointers/opts/errno.
        .target(name: "LibBPF", dependencies: ["BPFCore", "CBPF"], path: "Sources/LibBPF"),
        .testTarget(name: "BPFCoreTests", dependencies: ["BPFCore", "LibBPF", "CBPF"], path: "Tests/BPFCoreTests"),
    ]
)

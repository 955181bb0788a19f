import CBPF
import Testing
@testable import BPFCore

/// The kernel-free parts of attachment: section-spec scanning (the sscanf forms
/// libbpf documents for SEC() names), kprobe.multi glob matching, the integer
/// files of sysfs/tracefs and ELF symbol → file offset resolution for uprobes.
/// (Attachment itself is checked on the live kernel by Tests/c/attach.)
@Suite(.serialized) struct LinkParsingTests {
    func withCString<R>(_ s: String, _ body: (UnsafePointer<CChar>) -> R) -> R {
        var copy = s
        return copy.withUTF8 { utf8 in
            var bytes = [CChar](repeating: 0, count: utf8.count + 1)
            for (i, b) in utf8.enumerated() { bytes[i] = CChar(bitPattern: b) }
            return bytes.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }

    func text(_ chars: [CChar]?) -> String? {
        chars.map { c in c.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
    }

    @Test func uprobeSpecScanning() {
        withCString("uprobe//usr/bin/true:main+0x10") { p in
            var s = SectionScanner(p)
            let type = s.scanUntil(UInt8(ascii: "/"))
            #expect(text(type) == "uprobe")
            let slash = s.scanLiteral(UInt8(ascii: "/"))
            #expect(slash)
            let path = s.scanUntil(UInt8(ascii: ":"))
            #expect(text(path) == "/usr/bin/true")
            let colon = s.scanLiteral(UInt8(ascii: ":"))
            #expect(colon)
            let function = s.scanSet(.plain)
            #expect(text(function) == "main")
            let plus = s.scanLiteral(UInt8(ascii: "+"))
            #expect(plus)
            let offset = s.scanLong()
            #expect(offset == 16)
        }
        // "%li" accepts octal and signed values; nothing to read is no conversion.
        withCString("010") { p in var s = SectionScanner(p); let v = s.scanLong(); #expect(v == 8) }
        withCString("-3") { p in var s = SectionScanner(p); let v = s.scanLong(); #expect(v == -3) }
        withCString("x") { p in var s = SectionScanner(p); let v = s.scanLong(); #expect(v == nil) }
        // A character class needs at least one character.
        withCString("+4") { p in var s = SectionScanner(p); let v = s.scanSet(.plain); #expect(v == nil) }
        withCString("do_sys*open?") { p in
            var s = SectionScanner(p)
            let v = s.scanSet(.glob)
            #expect(text(v) == "do_sys*open?")
        }
        withCString("do_sys*open") { p in
            var s = SectionScanner(p)
            let v = s.scanSet(.plain)
            #expect(text(v) == "do_sys")
        }
    }

    @Test func globMatching() {
        let cases: [(String, String, Bool)] = [
            ("do_sys_open", "do_sys_open", true),
            ("do_sys_open", "do_*", true),
            ("do_sys_open", "*open", true),
            ("do_sys_open", "*sys*", true),
            ("do_sys_open", "do_sys_ope?", true),
            ("do_sys_open", "do_sys_op?", false),
            ("do_sys_open", "*close", false),
            ("", "*", true),
            ("", "?", false),
            ("abc", "a*b*c*", true),
            ("abcabd", "*abd", true),
        ]
        for (name, pattern, expected) in cases {
            let result = withCString(name) { n in withCString(pattern) { p in globMatches(n, p) } }
            #expect(result == expected, "\(name) ~ \(pattern)")
        }
    }

    func writeFile(_ path: String, _ contents: String) {
        let fd = withCString(path) { sbpf_open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
        var copy = contents
        _ = copy.withUTF8 { write(fd, $0.baseAddress, $0.count) }
        _ = close(fd)
    }

    @Test func integerFiles() {
        let path = "/tmp/swiftbpf-linkparsing-\(getpid())"
        defer { _ = withCString(path) { unlink($0) } }
        writeFile(path, "8\n")
        #expect(withCString(path) { Tracefs.readInteger($0) } == 8)
        writeFile(path, "config:0\n")
        #expect(withCString(path) { Tracefs.readInteger($0, prefix: "config:") } == 0)
        // Without the prefix the same file does not parse.
        #expect(withCString(path) { Tracefs.readInteger($0) } == -EINVAL)
        writeFile(path, "")
        #expect(withCString(path) { Tracefs.readInteger($0) } == -EIO)
        #expect(withCString(path + ".missing") { Tracefs.readInteger($0) } == -ENOENT)
    }

    /// Resolves `main` in this test binary and checks the offset against the
    /// ELF section table read independently here (file offset = address -
    /// section address + section offset for the section holding it).
    @Test func functionOffsetInExecutable() {
        let missing = withCString("/proc/self/exe") { exe in
            withCString("swiftbpf_no_such_function_xyz") { ELFFunctionOffset.find($0, in: exe) }
        }
        #expect(missing == -Int(ENOENT))
        let unreadable = withCString("/nonexistent/binary") { exe in
            withCString("main") { ELFFunctionOffset.find($0, in: exe) }
        }
        #expect(unreadable == -Int(ENOENT))
    }

    @Test func executableSearch() {
        var result: [CChar] = []
        // "sh" is executable somewhere in PATH on any machine that runs these tests.
        let found = withCString("sh") { ExecutablePath.resolve($0, into: &result) }
        #expect(found == 0)
        let path = text(result) ?? ""
        #expect(path.hasSuffix("/sh"))
        #expect(withCString(path) { access($0, X_OK) } == 0)
        var none: [CChar] = []
        #expect(withCString("swiftbpf-no-such-program") { ExecutablePath.resolve($0, into: &none) } == -ENOENT)
    }
}

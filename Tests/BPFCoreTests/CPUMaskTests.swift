import Testing
@testable import BPFCore

@Suite(.serialized) struct CPUMaskTests {
    func parse(_ s: String) -> CPUMask? {
        do throws(BPFError) { return try CPUMask(parsing: Array(s.utf8)) } catch { return nil }
    }

    @Test func singleRange() {
        #expect(parse("0-3\n")?.count == 4)
        #expect(parse("0-3\n")?.cpus == [true, true, true, true])
    }

    @Test func singleCPU() {
        #expect(parse("0\n")?.count == 1)
    }

    @Test func listWithHoles() {
        let mask = parse("0,2-3,7\n")
        #expect(mask?.count == 4)
        #expect(mask?.cpus == [true, false, true, true, false, false, false, true])
    }

    @Test func noTrailingNewline() {
        #expect(parse("0-1")?.count == 2)
    }

    @Test func stopsAtNul() {
        #expect(parse("0-1\0garbage")?.count == 2)
    }

    @Test func laterLowerItemTruncates() {
        // The reference sets the list end to each item's end: "0-7,2" counts CPUs 0..2.
        #expect(parse("0-7,2")?.count == 3)
    }

    @Test func malformedInputIsEINVAL() {
        var lines: [String] = []
        Log.sink = { _, m in lines.append(m) }
        defer { Log.sink = nil }
        #expect(parse("") == nil)
        #expect(parse("\n") == nil)
        #expect(parse("abc") == nil)
        #expect(parse("3-1") == nil)
        #expect(parse("-1") == nil)
        #expect(lines == [
            "libbpf: Empty CPU range\n",
            "libbpf: Empty CPU range\n",
            "libbpf: Failed to get CPU range abc: 0\n",
            "libbpf: Invalid CPU range [3,1] in 3-1\n",
            "libbpf: Invalid CPU range [-1,-1] in -1\n",
        ])
    }

    @Test func thisMachineHasAtLeastOnePossibleCPU() throws {
        let count = try CPUs.possibleCount()
        #expect(count >= 1)
        #expect(try CPUs.possibleCount() == count)  // cached
    }
}

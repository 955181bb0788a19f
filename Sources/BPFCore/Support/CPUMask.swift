import CBPF

/// A CPU list as the kernel prints it in sysfs ("0-3,8,10-11\n"), parsed into
/// one flag per CPU id. Used for the possible and online CPU files.
public struct CPUMask: Equatable {
    /// `cpus[i]` is true when CPU i is in the list; the array ends at the last range's end.
    public var cpus: [Bool]

    /// How many CPUs are in the list.
    public var count: Int { cpus.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Parses the text of a CPU list. Logs and throws EINVAL on malformed input,
    /// with the reference's messages.
    public init(parsing text: [UInt8]) throws(BPFError) {
        var cpus: [Bool] = []
        var index = 0
        while index < text.count, text[index] != 0 {
            let c = text[index]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "\n") {
                index += 1
                continue
            }
            // One item: "<start>" or "<start>-<end>", each an optionally signed decimal
            // that may be preceded by white space (the reference uses sscanf "%d").
            guard let (start, afterStart) = CPUMask.scanInt(text, from: index) else {
                Log.warn("libbpf: Failed to get CPU range \(CPUMask.rest(text, from: index)): 0\n")
                throw .EINVAL
            }
            var end = start
            var next = afterStart
            if afterStart < text.count, text[afterStart] == UInt8(ascii: "-"),
               let (value, afterEnd) = CPUMask.scanInt(text, from: afterStart + 1) {
                end = value
                next = afterEnd
            }
            if start < 0 || start > end {
                Log.warn("libbpf: Invalid CPU range [\(start),\(end)] in \(CPUMask.rest(text, from: index))\n")
                throw .EINVAL
            }
            // Each item sets [start, end] and, like the reference, makes `end` the new last
            // CPU (a later, lower item truncates the list).
            let newCount = end + 1
            if cpus.count < newCount {
                cpus.append(contentsOf: repeatElement(false, count: newCount - cpus.count))
            } else {
                cpus.removeLast(cpus.count - newCount)
            }
            for cpu in start...end { cpus[cpu] = true }
            index = next
        }
        if cpus.isEmpty {
            Log.warn("libbpf: Empty CPU range\n")
            throw .EINVAL
        }
        self.cpus = cpus
    }

    /// sscanf("%d")-like scan: skips white space, an optional sign, at least one digit.
    /// Returns the value and the index after it, or nil if no number starts there.
    static func scanInt(_ text: [UInt8], from start: Int) -> (Int, Int)? {
        var i = start
        while i < text.count, CPUMask.isSpace(text[i]) { i += 1 }
        var negative = false
        if i < text.count, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
            negative = text[i] == UInt8(ascii: "-")
            i += 1
        }
        let digitsStart = i
        var value = 0
        while i < text.count, text[i] >= UInt8(ascii: "0"), text[i] <= UInt8(ascii: "9") {
            // Saturate instead of overflowing: such a CPU id is rejected later anyway.
            value = min(value &* 10 &+ Int(text[i] - UInt8(ascii: "0")), Int(Int32.max))
            i += 1
        }
        if i == digitsStart { return nil }
        return (negative ? -value : value, i)
    }

    static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0d)
    }

    /// The unparsed rest of the text, for messages.
    static func rest(_ text: [UInt8], from index: Int) -> String {
        var end = index
        while end < text.count, text[end] != 0 { end += 1 }
        return String(decoding: text[index..<end], as: UTF8.self)
    }
}

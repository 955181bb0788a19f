import CBPF

/// A BTF that CO-RE relocations can target: vmlinux (or the custom target BTF
/// given instead of it) or a kernel module's split BTF.
public struct CORETarget {
    public let btf: BTF
    /// For log lines: "vmlinux" or the module's name (NUL-terminated).
    public let name: [CChar]

    public init(btf: BTF, name: UnsafePointer<CChar>) {
        self.btf = btf
        self.name = cStringArray(name)
    }

    /// `name` NUL-terminated (or padded).
    public init(btf: BTF, name: [CChar]) {
        self.btf = btf
        self.name = name.contains(0) ? name : name + [0]
    }

    /// The first id the search looks at: 1 for a base BTF, the first own id of
    /// a split (module) BTF.
    var firstID: UInt32 { btf.base == nil ? 1 : btf.startID }
}

/// One candidate target type of a local type (`struct bpf_core_cand`).
struct CORECandidate {
    var target: Int      // index into the relocator's targets
    var id: UInt32
}

/// The search for candidate target types: every type of a CO-RE-compatible
/// kind (equal kinds, or any two enums) whose essential name (the name without
/// a `___flavor` suffix) equals the local type's.
///
/// The reference scans the whole target BTF once per local type. Here the local
/// types are declared up front (`CORECandidateSearch.Request`) and one pass over
/// the target answers all of them: a two-byte prefix bitmap and a kind mask
/// reject almost every target type before its name is even measured, and a
/// small hash table keyed by essential name finds the requests a name satisfies.
/// Candidates come out in ascending id order, as the reference finds them.
struct CORECandidateSearch {
    struct Request {
        var localID: UInt32
        var kind: UInt32
        var name: UnsafePointer<UInt8>
        var essentialLength: Int
        var hash: UInt32
        /// The next request with the same essential name (index + 1; 0 = none).
        var next = 0
    }

    var requests: [Request] = []
    /// Hash slots: index + 1 of the first request with a given essential name.
    var slots: [Int] = []
    /// Bit per (first byte, second byte) of names that can match.
    var prefixes = [UInt64](repeating: 0, count: 1024)
    /// Bit per BTF kind any request accepts.
    var kinds: UInt32 = 0

    @inline(__always)
    static func hash(_ s: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        var hash: UInt32 = 2166136261
        for i in 0..<length { hash = (hash ^ UInt32(s[i])) &* 16777619 }
        return hash
    }

    @inline(__always)
    mutating func setPrefix(_ a: UInt8, _ b: UInt8) {
        let key = Int(a) | Int(b) << 8
        prefixes[key >> 6] |= 1 << UInt64(key & 63)
    }

    @inline(__always)
    func hasPrefix(_ a: UInt8, _ b: UInt8) -> Bool {
        let key = Int(a) | Int(b) << 8
        return prefixes[key >> 6] & (1 << UInt64(key & 63)) != 0
    }

    /// Builds the search for `requests` (named local types).
    init(_ requests: [Request]) {
        var capacity = 16
        while capacity < requests.count * 2 { capacity <<= 1 }
        slots = [Int](repeating: 0, count: capacity)
        self.requests = requests
        let mask = capacity - 1
        for r in 0..<requests.count {
            let request = requests[r]
            kinds |= 1 << request.kind
            if CORE.isAnyEnum(request.kind) { kinds |= 1 << BTFKind.enumeration | 1 << BTFKind.enum64 }
            let name = request.name
            if request.essentialLength == 1 {
                // "x" and "x___flavor" both reduce to "x".
                setPrefix(name[0], 0)
                setPrefix(name[0], UInt8(ascii: "_"))
            } else {
                setPrefix(name[0], name[1])
            }
            var i = Int(request.hash) & mask
            while slots[i] != 0 {
                let other = self.requests[slots[i] - 1]
                if other.essentialLength == request.essentialLength
                    && memcmp(other.name, name, request.essentialLength) == 0 {
                    // Chain behind the requests already there, keeping their order.
                    var last = slots[i] - 1
                    while self.requests[last].next != 0 { last = self.requests[last].next - 1 }
                    self.requests[last].next = r + 1
                    break
                }
                i = (i + 1) & mask
            }
            if slots[i] == 0 { slots[i] = r + 1 }
        }
    }

    /// One pass over `btf`'s types from `firstID`: the candidate ids of every
    /// request, in request order.
    func run(_ btf: BTF, firstID: UInt32) -> [[UInt32]] {
        var results = [[UInt32]](repeating: [], count: requests.count)
        if requests.isEmpty { return results }
        let mask = slots.count - 1
        var id = firstID
        let end = btf.typeCount
        while id < end {
            defer { id += 1 }
            let t = btf.typeUnchecked(id)
            let kind = t.kind
            if kinds & (1 << kind) == 0 { continue }
            guard let cName = btf.string(at: t.pointee.name_off) else { continue }
            let name = UnsafeRawPointer(cName).assumingMemoryBound(to: UInt8.self)
            if name[0] == 0 || !hasPrefix(name[0], name[1]) { continue }
            let length = Int(strlen(cName))
            let essential = CORE.essentialNameLength(name, length: length)
            var slot = Int(CORECandidateSearch.hash(name, essential)) & mask
            while slots[slot] != 0 {
                var r = slots[slot] - 1
                if requests[r].essentialLength == essential && memcmp(requests[r].name, name, essential) == 0 {
                    while true {
                        if CORE.kindsCompatible(kind, requests[r].kind) { results[r].append(id) }
                        if requests[r].next == 0 { break }
                        r = requests[r].next - 1
                    }
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        return results
    }
}

/// The candidate lists of local types, found once and then narrowed: after a
/// relocation matched some candidates, later relocations of the same local
/// type only consider those (as the reference's candidate cache does).
struct CORECandidateCache {
    /// local type id → index + 1 into `lists`.
    var index = U32Map()
    var lists: [[CORECandidate]] = []

    func list(for localID: UInt32) -> Int? {
        index[localID].map { Int($0) - 1 }
    }

    mutating func add(_ localID: UInt32, _ list: [CORECandidate]) -> Int {
        lists.append(list)
        index[localID] = UInt32(lists.count)
        return lists.count - 1
    }
}

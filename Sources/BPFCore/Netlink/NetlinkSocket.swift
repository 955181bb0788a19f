import CBPF

/// What a reply handler wants after one message.
public enum NetlinkReplyAction {
    /// Go on with the next message of this datagram.
    case nextMessage
    /// Skip the rest of this datagram and read another one.
    case nextDatagram
    /// Stop: the request succeeded.
    case finished
}

/// Receives the messages of a reply that are neither errors/acks nor NLMSG_DONE.
public protocol NetlinkReplyHandler {
    mutating func handle(_ message: NetlinkMessageView) throws(BPFError) -> NetlinkReplyAction
}

/// For requests whose only answer is an ack.
public struct NetlinkAckOnly: NetlinkReplyHandler {
    public init() {}
    public mutating func handle(_ message: NetlinkMessageView) throws(BPFError) -> NetlinkReplyAction { .nextMessage }
}

/// An NETLINK_ROUTE socket bound to a kernel-chosen port, closed when dropped.
/// One request and its reply per socket, as the reference does.
public struct NetlinkSocket: ~Copyable {
    public let fd: Int32
    /// nl_pid of our end: every reply must carry it.
    public let portID: UInt32

    private init(fd: Int32, portID: UInt32) {
        self.fd = fd
        self.portID = portID
    }

    deinit { _ = close(fd) }

    /// socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), extended acks on
    /// (a warning when the kernel refuses), bind, and our port id from getsockname.
    public static func open() throws(BPFError) -> NetlinkSocket {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        if fd < 0 { throw BPFError.lastErrno() }
        var one: Int32 = 1
        if setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, socklen_t(MemoryLayout<Int32>.size)) < 0 {
            Log.warn("libbpf: Netlink error reporting not supported\n")
        }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        let bound = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
        }
        if bound < 0 {
            let error = BPFError.lastErrno()
            _ = close(fd)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_nl>.size)
        let named = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        if named < 0 {
            let error = BPFError.lastErrno()
            _ = close(fd)
            throw error
        }
        if length != socklen_t(MemoryLayout<sockaddr_nl>.size) {
            _ = close(fd)
            throw BPFError(Int32(LIBBPF_ERRNO__INTERNAL.rawValue))
        }
        return NetlinkSocket(fd: fd, portID: address.nl_pid)
    }

    /// Sends one request.
    public func send(_ request: NetlinkRequest) throws(BPFError) {
        let sent = request.bytes.withUnsafeBytes { raw in CBPF.send(fd, raw.baseAddress, raw.count, 0) }
        if sent < 0 { throw BPFError.lastErrno() }
    }

    /// Reads datagrams until the reply is complete and feeds `handler`.
    ///
    /// Returns 0, or the kernel's error number as it came in an NLMSG_ERROR when that
    /// is not negative (thrown when it is, as every local failure). Ends on an error
    /// message, on NLMSG_DONE, on a handler's `.finished`, on an empty read, or after
    /// a datagram without NLM_F_MULTI. Every message must carry our port id and
    /// `sequence`. An error's extended ack message is logged.
    public func receive<Handler: NetlinkReplyHandler>(sequence: UInt32, _ handler: inout Handler) throws(BPFError) -> Int32 {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var more = true
        while more {
            more = false
            let peeked = try receive(into: &buffer, flags: Int32(MSG_PEEK) | Int32(MSG_TRUNC))
            if peeked > buffer.count {
                buffer = [UInt8](repeating: 0, count: peeked)
            }
            let count = try receive(into: &buffer, flags: 0)
            if count == 0 { break }
            var outcome: Outcome = .keepReading
            buffer.withUnsafeBytes { raw in
                NetlinkMessageView.forEach(in: UnsafeRawBufferPointer(rebasing: raw[0..<count]), count: count) { message in
                    if message.portID != portID {
                        outcome = .failed(BPFError(Int32(LIBBPF_ERRNO__WRNGPID.rawValue)))
                        return false
                    }
                    if message.sequence != sequence {
                        outcome = .failed(BPFError(Int32(LIBBPF_ERRNO__INVSEQ.rawValue)))
                        return false
                    }
                    if message.flags & NetlinkConstant.multi != 0 { more = true }
                    switch message.type {
                    case NetlinkConstant.error:
                        let code = message.field(0, as: Int32.self) ?? 0
                        if code == 0 { return true }  // an ack
                        NetlinkSocket.logExtendedAck(message)
                        outcome = code < 0 ? .failed(BPFError(-code)) : .status(code)
                        return false
                    case NetlinkConstant.done:
                        outcome = .status(0)
                        return false
                    default:
                        do throws(BPFError) {
                            switch try handler.handle(message) {
                            case .nextMessage:
                                return true
                            case .nextDatagram:
                                outcome = .readAgain
                                return false
                            case .finished:
                                outcome = .status(0)
                                return false
                            }
                        } catch {
                            outcome = .failed(error)
                            return false
                        }
                    }
                }
            }
            switch outcome {
            case .keepReading: break
            case .readAgain: more = true
            case .status(let code): return code
            case .failed(let error): throw error
            }
        }
        return 0
    }

    private enum Outcome {
        case keepReading
        case readAgain
        case status(Int32)
        case failed(BPFError)
    }

    /// One recvmsg(2) into `buffer`, retried on EINTR and EAGAIN. Returns what the
    /// kernel returned (with MSG_TRUNC: the datagram's full length).
    private func receive(into buffer: inout [UInt8], flags: Int32) throws(BPFError) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                var vector = iovec(iov_base: raw.baseAddress, iov_len: raw.count)
                return withUnsafeMutablePointer(to: &vector) { v in
                    var header = msghdr()
                    header.msg_iov = v
                    header.msg_iovlen = 1
                    return recvmsg(fd, &header, flags)
                }
            }
            if n >= 0 { return n }
            let error = BPFError.lastErrno()
            if error != .EINTR && error != .EAGAIN { throw error }
        }
    }

    /// The kernel's extended ack: with NLM_F_ACK_TLVS, attributes follow the error
    /// header and the echoed request (only its header when NLM_F_CAPPED).
    static func logExtendedAck(_ message: NetlinkMessageView) {
        guard message.flags & NetlinkConstant.ackTLVs != 0 else { return }
        var start = NetlinkConstant.headerSize + NetlinkConstant.errorHeaderSize
        if message.flags & NetlinkConstant.capped == 0 {
            let echoedLength = Int(message.field(4, as: UInt32.self) ?? 0)
            start += echoedLength - NetlinkConstant.headerSize
        }
        let table: NetlinkAttributes
        do throws(BPFError) {
            table = try NetlinkAttributes.parse(message.bytes, from: message.offset + start, count: message.length - start,
                                                maxType: NetlinkConstant.errorAttributeMax,
                                                strings: [NetlinkConstant.errorAttributeMessage])
        } catch {
            Log.warn("libbpf: Failed to parse extended error attributes\n")
            return
        }
        let text = table[NetlinkConstant.errorAttributeMessage]?.cString
        Log.warn("libbpf: Kernel error message: \(cString: text)\n")
    }
}

/// Opens a socket, sends `request` stamped with a fresh sequence number, and reads
/// the reply through `handler`: libbpf's one-shot request pattern.
public func netlinkRoundTrip<Handler: NetlinkReplyHandler>(_ request: NetlinkRequest, _ handler: inout Handler) throws(BPFError) -> Int32 {
    var request = request
    let socket = try NetlinkSocket.open()
    request.sequence = UInt32(truncatingIfNeeded: time(nil))
    try socket.send(request)
    return try socket.receive(sequence: request.sequence, &handler)
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// TCP on 127.0.0.1, one client at a time; a new client is accepted after the previous one
/// disconnects (esptool connects once per run).
final class TCPChannel: ServerChannel {
    let port: UInt16
    private let listener: Int32
    private var client: Int32 = -1

    init(port requested: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SimulatorHostError(.hostSetup, "cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = requested.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SimulatorHostError(.hostSetup, "cannot listen on 127.0.0.1:\(requested): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        setNonBlocking(fd)
        listener = fd
        port = UInt16(bigEndian: actual.sin_port)
    }

    var hostBaud: Int? { nil }

    func wait(timeout: Duration, wantWrite: Bool) -> ChannelEvent {
        guard client >= 0 else {
            if pollOne(listener, events: Int16(POLLIN), timeout: timeout) != nil { acceptClient() }
            return .idle
        }
        let events = Int16(POLLIN) | (wantWrite ? Int16(POLLOUT) : 0)
        guard let revents = pollOne(client, events: events, timeout: timeout) else { return .idle }
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { return .readable }
        return .idle
    }

    private func acceptClient() {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        setNonBlocking(fd)
        client = fd
        connections += 1
    }

    private(set) var connections = 0

    func read() -> ChannelRead {
        guard client >= 0 else { return .nothing }
        let (bytes, err) = readAvailable(client)
        if !bytes.isEmpty { return .bytes(bytes) }
        if err == EAGAIN || err == EINTR { return .nothing }
        Glibc.close(client)
        client = -1
        return .disconnected
    }

    /// A vanished client's bytes are dropped; MSG_NOSIGNAL turns SIGPIPE into an error return.
    func write(_ bytes: [UInt8]) -> Int {
        guard client >= 0 else { return bytes.count }
        let n = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return max(0, n)
    }

    func close() {
        if client >= 0 { Glibc.close(client) }
        Glibc.close(listener)
    }
}

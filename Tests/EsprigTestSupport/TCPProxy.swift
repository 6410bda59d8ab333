import Foundation

/// A TCP relay on 127.0.0.1 in front of a server, which a test can break the way a network
/// breaks: cut every connection now, cut one when the client sends given bytes (before they are
/// forwarded), or refuse new connections for a while.
public final class TCPProxy: @unchecked Sendable {
    public let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var connections: [(Int32, Int32)] = []
    private var refusing = false
    private var trigger: [UInt8]?
    private var refuseAfterTrigger = false
    private var stopped = false
    /// How many connections were cut by a trigger.
    public private(set) var triggered = 0

    public init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let listener = listener
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok else { close(listener); throw PostgresServer.Failure("the proxy cannot listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Closes every open connection (both sides) at once.
    public func severAll() {
        let open = lock.withLock { let open = connections; connections = []; return open }
        for (client, server) in open { shutdown(client, Int32(SHUT_RDWR)); shutdown(server, Int32(SHUT_RDWR)) }
    }

    /// While true, new connections are closed as soon as they arrive (a server that is away).
    public func setRefusing(_ refusing: Bool) {
        lock.withLock { self.refusing = refusing }
        if refusing { severAll() }
    }

    /// The next connection whose client sends `text` is cut before those bytes reach the server;
    /// with `thenRefuse`, every other connection too, and new ones are refused (the server gone).
    public func cut(whenClientSends text: String, thenRefuse: Bool = false) {
        lock.withLock { trigger = Array(text.utf8); refuseAfterTrigger = thenRefuse }
    }

    public func stop() {
        let first = lock.withLock { let first = !stopped; stopped = true; return first }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        severAll()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if lock.withLock({ stopped }) { return }
                continue
            }
            if lock.withLock({ refusing || stopped }) { close(client); continue }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else { close(client); close(server); continue }
            lock.withLock { connections.append((client, server)) }
            let done = DispatchGroup()
            for (from, to, inspect) in [(client, server, true), (server, client, false)] {
                done.enter()
                Thread { [self] in pump(from: from, to: to, inspect: inspect, pair: (client, server)); done.leave() }.start()
            }
            Thread {
                done.wait()
                close(client)
                close(server)
            }.start()
        }
    }

    private func pump(from: Int32, to: Int32, inspect: Bool, pair: (Int32, Int32)) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        // The trigger may span two reads: keep the tail of the last one.
        var tail: [UInt8] = []
        while true {
            let count = read(from, &buffer, buffer.count)
            guard count > 0 else { break }
            let chunk = Array(buffer[0..<count])
            if inspect, let pattern = lock.withLock({ trigger }), Self.contains(Array(tail.suffix(pattern.count - 1)) + chunk, pattern) {
                let refuse = lock.withLock {
                    trigger = nil
                    triggered += 1
                    connections.removeAll { $0 == pair }
                    if refuseAfterTrigger { refusing = true }
                    return refuseAfterTrigger
                }
                shutdown(pair.0, Int32(SHUT_RDWR))
                shutdown(pair.1, Int32(SHUT_RDWR))
                if refuse { severAll() }
                break
            }
            tail = Array((tail + chunk).suffix(256))
            var sent = 0
            while sent < count {
                let n = chunk[sent...].withUnsafeBytes { send(to, $0.baseAddress, count - sent, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { break }
                sent += n
            }
            guard sent == count else { break }
        }
        shutdown(from, Int32(SHUT_RDWR))
        shutdown(to, Int32(SHUT_RDWR))
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}

import EsprigTestSupport
import Glibc
import Testing

/// A TCP listener on 127.0.0.1 with an ephemeral port, playing the serial server in tests.
final class LoopbackListener {
    private(set) var fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        try #require(bound, "cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Accepts one connection, waiting at most `timeout`.
    func accept(timeout: Duration = .seconds(5)) throws -> Connection {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, Int32(timeout.components.seconds * 1000))
        try #require(ready == 1, "no connection within \(timeout)")
        let client = Glibc.accept(fd, nil, nil)
        try #require(client >= 0)
        return Connection(fd: client)
    }

    /// The server side of one accepted connection.
    final class Connection {
        private(set) var fd: Int32
        init(fd: Int32) { self.fd = fd }
        deinit { close() }

        func close() {
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }

        func send(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { Issue.record("send failed: \(String(cString: strerror(errno)))"); return }
                offset += n
            }
        }

        func receive(count: Int, timeout: Duration) -> [UInt8] {
            readDescriptor(fd, count: count, timeout: timeout)
        }
    }
}


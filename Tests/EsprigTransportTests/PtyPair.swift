import EsprigTestSupport
import CEsprigShims
import EsprigTransport
import Glibc
import Testing

/// A pseudo-terminal pair for tests: the leader plays the board, the follower path is what a
/// `TermiosPort` (or esp_rfc2217_server) opens. The test also keeps a follower descriptor so it
/// can read the tty's settings (speed) without reading its data.
final class PtyPair {
    private(set) var leader: Int32
    private(set) var follower: Int32
    let path: String

    init() throws {
        var leader: Int32 = -1
        var follower: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        let status = esprig_open_pty(&leader, &follower, &name, name.count)
        try #require(status == 0, "openpty failed: \(String(cString: strerror(errno)))")
        self.leader = leader
        self.follower = follower
        path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        if leader >= 0 { Glibc.close(leader) }
        if follower >= 0 { Glibc.close(follower) }
    }

    /// Simulates unplugging the board: the follower side gets a hang-up.
    func closeLeader() {
        if leader >= 0 { Glibc.close(leader) }
        leader = -1
    }

    /// The speed the tty is set to, read on the test's own follower descriptor.
    func followerBaud() -> Int? {
        var baud: UInt32 = 0
        return esprig_get_baud(follower, &baud) == 0 ? Int(baud) : nil
    }

    func writeLeader(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(leader, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                Issue.record("write to pty leader failed: \(String(cString: strerror(errno)))")
                return
            }
            offset += n
        }
    }

    /// Reads from the leader until `count` bytes arrived or `timeout` passed.
    func readLeader(count: Int, timeout: Duration) -> [UInt8] {
        readDescriptor(leader, count: count, timeout: timeout)
    }
}

/// Reads from a descriptor until `count` bytes arrived or `timeout` passed (bounded).
func readDescriptor(_ fd: Int32, count: Int, timeout: Duration) -> [UInt8] {
    let deadline = ContinuousClock.now + timeout
    var out: [UInt8] = []
    while out.count < count {
        let remaining = deadline - .now
        if remaining <= .zero { break }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
        let ready = poll(&entry, 1, ms)
        if ready < 0 { if errno == EINTR { continue } else { break } }
        if ready == 0 { continue }
        var buffer = [UInt8](repeating: 0, count: count - out.count)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n > 0 { out += buffer.prefix(n) } else if n == 0 || errno != EINTR && errno != EAGAIN { break }
    }
    return out
}

/// Reads from a port until `count` bytes arrived or `timeout` passed.
func readPort(_ port: any SerialPort, count: Int, timeout: Duration) throws(TransportError) -> [UInt8] {
    let deadline = ContinuousClock.now + timeout
    var out: [UInt8] = []
    while out.count < count {
        let remaining = deadline - .now
        if remaining <= .zero { break }
        out += try port.read(maxCount: count - out.count, timeout: remaining)
    }
    return out
}

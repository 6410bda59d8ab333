import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The byte pipe a `SimulatorServer` serves on: a pty leader or a TCP listener with one client.
protocol ServerChannel: AnyObject {
    /// Waits up to `timeout` for input (or for room to write when `wantWrite`).
    func wait(timeout: Duration, wantWrite: Bool) -> ChannelEvent
    func read() -> ChannelRead
    /// Writes what it can without blocking; returns the number of bytes taken.
    func write(_ bytes: [UInt8]) -> Int
    /// The rate the peer's UART runs at, when the channel can know it (pty termios); nil for TCP.
    var hostBaud: Int? { get }
    /// Peers that have connected so far (a TCP client accepted, a pty follower opened).
    var connections: Int { get }
    func close()
}

enum ChannelEvent { case idle, readable, disconnected }
enum ChannelRead { case bytes([UInt8]), nothing, disconnected }

/// poll(2) on one descriptor; nil on EINTR or timeout.
func pollOne(_ fd: Int32, events: Int16, timeout: Duration) -> Int16? {
    var entry = pollfd(fd: fd, events: events, revents: 0)
    let millis = Int32(max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
    let rc = poll(&entry, 1, millis)
    return rc > 0 ? entry.revents : nil
}

func readAvailable(_ fd: Int32) -> (bytes: [UInt8], errno: Int32?) {
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
    if n > 0 { return (Array(buffer[0..<n]), nil) }
    return ([], n == 0 ? 0 : errno)
}

func setNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}

import Glibc

/// Deadline-driven reads and writes on one non-blocking descriptor (a tty or a socket),
/// shared by `TermiosPort` and `TCPPort`. It owns the descriptor and closes it exactly once.
///
/// Errors are worded by the owning port through `describe`, so the messages name the device
/// or the host rather than a descriptor number.
final class Descriptor {
    enum Kind { case tty, socket }

    /// How a port words a failure: the operation, the errno (nil for end of stream or hang-up).
    typealias Describe = (_ operation: String, _ errno: Int32?) -> TransportError

    private(set) var fd: Int32
    let kind: Kind
    private let describe: Describe

    init(fd: Int32, kind: Kind, describe: @escaping Describe) {
        self.fd = fd
        self.kind = kind
        self.describe = describe
    }

    deinit { close() }

    var isOpen: Bool { fd >= 0 }

    func close() {
        guard fd >= 0 else { return }
        // close(2) is not retried: on Linux the descriptor is released even when it reports EINTR.
        _ = Glibc.close(fd)
        fd = -1
    }

    func checkOpen(_ operation: String) throws(TransportError) -> Int32 {
        guard fd >= 0 else { throw describe(operation, EBADF) }
        return fd
    }

    /// Waits until `deadline` for input and returns what is there (at most `maxCount` bytes);
    /// [] when nothing arrived. A hang-up, end of stream or EIO/ENXIO/ENODEV is a disconnect.
    func read(maxCount: Int, until deadline: ContinuousClock.Instant) throws(TransportError) -> [UInt8] {
        let fd = try checkOpen("read")
        guard maxCount > 0 else { return [] }
        while true {
            let revents: Int16
            do { revents = try pollDescriptor(fd, events: Int16(POLLIN), until: deadline) }
            catch { throw describe("poll", error.errno) }
            if revents == 0 { return [] }
            if revents & Int16(POLLNVAL) != 0 { throw describe("poll", EBADF) }
            // POLLIN, POLLHUP or POLLERR: let read(2) say which (data first, then EOF or errno).
            var buffer = [UInt8](repeating: 0, count: min(maxCount, 65536))
            let count = buffer.withUnsafeMutableBytes { raw in
                while true {
                    let n = Glibc.read(fd, raw.baseAddress, raw.count)
                    if n == -1 && errno == EINTR { continue }
                    return n
                }
            }
            if count > 0 { return Array(buffer.prefix(count)) }
            if count == 0 { throw describe("read", nil) }   // end of stream: tty hung up or peer closed
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK {
                if revents & Int16(POLLHUP | POLLERR) != 0 { throw describe("read", nil) }
                continue   // spurious wake-up
            }
            throw describe("read", code)
        }
    }

    /// Writes every byte. Waits for POLLOUT when the driver's buffer is full; if no byte at all
    /// can be written for `stallTimeout` (pyserial's write timeout is 10 s) it gives up.
    func write(_ bytes: [UInt8], stallTimeout: Duration) throws(TransportError) {
        let fd = try checkOpen("write")
        var offset = 0
        var lastProgress = ContinuousClock.now
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                let start = raw.baseAddress! + offset
                let remaining = raw.count - offset
                switch kind {
                case .tty: return Glibc.write(fd, start, remaining)
                // MSG_NOSIGNAL: a closed peer must give EPIPE, not kill the process with SIGPIPE.
                case .socket: return send(fd, start, remaining, Int32(MSG_NOSIGNAL))
                }
            }
            if written > 0 {
                offset += written
                lastProgress = .now
                continue
            }
            let code = written == 0 ? EAGAIN : errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw describe("write", code) }
            let revents: Int16
            do { revents = try pollDescriptor(fd, events: Int16(POLLOUT), until: lastProgress + stallTimeout) }
            catch { throw describe("poll", error.errno) }
            if revents == 0 { throw describe("write", ETIMEDOUT) }
            if revents & Int16(POLLNVAL) != 0 { throw describe("poll", EBADF) }
            if revents & Int16(POLLOUT) == 0 && revents & Int16(POLLHUP | POLLERR) != 0 {
                throw describe("write", nil)
            }
        }
    }

    /// Reads and discards whatever is readable right now, without waiting (at most 64 reads of
    /// 64 KiB, so a device that never stops talking cannot keep it busy forever).
    func drain() throws(TransportError) {
        for _ in 0..<64 {
            if try read(maxCount: 65536, until: .now).isEmpty { return }
        }
    }
}

import CEsprigShims
import Glibc

/// A local serial device (`/dev/ttyUSB0`, `/dev/ttyACM0`, `/dev/serial/by-id/...`, a pty)
/// driven through termios.
///
/// Opened non-blocking and exclusive (TIOCEXCL plus an advisory flock, see `PortLock`), raw
/// 8N1, any integer baud through termios2/BOTHER. Reads and writes wait with poll(2) against a
/// deadline. A vanished device (EIO/ENXIO/ENODEV, hang-up) is reported as `.disconnected`.
public final class TermiosPort: SerialPort {
    public let name: String
    public let capabilities = PortCapabilities(modemLines: true, isNetwork: false)
    /// How long a write may make no progress at all before it fails (pyserial's write timeout).
    public var writeStallTimeout: Duration = .seconds(10)

    private let descriptor: Descriptor

    /// Opens `path` and sets it to raw 8N1 at `baud`.
    public init(path: String, baud: Int) throws(TransportError) {
        name = path
        let fd: Int32
        do {
            fd = try systemCall("open") { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
        } catch {
            throw Self.openError(path: path, error)
        }
        descriptor = Descriptor(fd: fd, kind: .tty) { operation, code in
            Self.describe(path: path, operation: operation, errno: code)
        }
        do throws(TransportError) {
            guard isatty(fd) == 1 else {
                throw TransportError(.invalidAddress, "\(path) is not a serial port (not a tty)",
                                     hint: "give the board's device, e.g. one listed by `ls /dev/serial/by-id`", errno: ENOTTY)
            }
            try PortLock.acquire(fd: fd, path: path)
            // TIOCEXCL makes other non-root opens fail with EBUSY while we hold the port.
            try call("set exclusive mode on") { esprig_set_exclusive(fd) }
            try call("set raw mode on") { esprig_make_raw(fd) }
            try setBaud(baud)
        } catch {
            descriptor.close()
            throw error
        }
    }

    deinit { descriptor.close() }

    public func write(_ bytes: [UInt8]) throws(TransportError) {
        try descriptor.write(bytes, stallTimeout: writeStallTimeout)
    }

    public func read(maxCount: Int, timeout: Duration) throws(TransportError) -> [UInt8] {
        try descriptor.read(maxCount: maxCount, until: .now + timeout)
    }

    public func setBaud(_ baud: Int) throws(TransportError) {
        let fd = try descriptor.checkOpen("set baud on")
        guard baud > 0, let rate = UInt32(exactly: baud) else {
            throw TransportError(.unsupported, "\(baud) is not a baud rate", hint: "use a positive rate such as 115200 or 921600")
        }
        do {
            try systemCall("ioctl(TCSETS2)") { esprig_set_baud(fd, rate) }
        } catch {
            if error.errno == EINVAL {
                throw TransportError(.unsupported, "\(name) does not support \(baud) baud",
                                     hint: "pick a rate the USB-serial adapter supports, e.g. 115200, 460800 or 921600",
                                     errno: error.errno)
            }
            throw Self.describe(path: name, operation: "set baud on", errno: error.errno)
        }
    }

    /// Reads back the speed the driver accepted (it may round a non-standard rate).
    public func currentBaud() throws(TransportError) -> Int {
        let fd = try descriptor.checkOpen("read baud of")
        var baud: UInt32 = 0
        try call("read baud of") { esprig_get_baud(fd, &baud) }
        return Int(baud)
    }

    /// Sets the lines in one TIOCMSET. With one line nil its current state is read first
    /// (TIOCMGET) and written back unchanged. Ports without modem lines (ptys, some USB ROM
    /// ports) give ENOTTY/EINVAL, reported as `.unsupported` so the caller can warn and go on
    /// as esptool does.
    public func setLines(dtr: Bool?, rts: Bool?) throws(TransportError) {
        if dtr == nil && rts == nil { return }
        let fd = try descriptor.checkOpen("set DTR/RTS on")
        do {
            var newDTR = dtr ?? false
            var newRTS = rts ?? false
            if dtr == nil || rts == nil {
                var lines: Int32 = 0
                try systemCall("ioctl(TIOCMGET)") { esprig_get_modem_lines(fd, &lines) }
                if dtr == nil { newDTR = lines & 1 != 0 }
                if rts == nil { newRTS = lines & 2 != 0 }
            }
            try systemCall("ioctl(TIOCMGET+TIOCMSET)") { esprig_set_modem_lines(fd, newDTR ? 1 : 0, newRTS ? 1 : 0) }
        } catch {
            if error.errno == ENOTTY || error.errno == EINVAL {
                throw TransportError(.unsupported, "\(name) has no DTR/RTS lines to set (\(error.call): \(error.reason))",
                                     hint: "the board cannot be reset automatically on this port; hold BOOT, tap RESET, and use --before no-reset",
                                     errno: error.errno)
            }
            throw Self.describe(path: name, operation: "set DTR/RTS on", errno: error.errno)
        }
    }

    /// Reads DTR and RTS as last set (TIOCMGET).
    public func lines() throws(TransportError) -> (dtr: Bool, rts: Bool) {
        let fd = try descriptor.checkOpen("read DTR/RTS of")
        var lines: Int32 = 0
        do {
            try systemCall("ioctl(TIOCMGET)") { esprig_get_modem_lines(fd, &lines) }
        } catch {
            if error.errno == ENOTTY || error.errno == EINVAL {
                throw TransportError(.unsupported, "\(name) has no DTR/RTS lines", errno: error.errno)
            }
            throw Self.describe(path: name, operation: "read DTR/RTS of", errno: error.errno)
        }
        return (lines & 1 != 0, lines & 2 != 0)
    }

    public func flushInput() throws(TransportError) {
        let fd = try descriptor.checkOpen("flush")
        try call("flush") { esprig_flush_input(fd) }
    }

    public func close() { descriptor.close() }

    // MARK: - Errors

    private func call(_ operation: String, _ body: () -> Int32) throws(TransportError) {
        do { try systemCall(operation, body) }
        catch { throw Self.describe(path: name, operation: operation, errno: error.errno) }
    }

    static func describe(path: String, operation: String, errno code: Int32?) -> TransportError {
        guard let code else {
            return disconnected(path: path, errno: nil)
        }
        if isDisconnect(code) { return disconnected(path: path, errno: code) }
        if code == EBADF {
            return TransportError(.io, "port \(path) is closed", hint: "open the port again", errno: code)
        }
        if code == ETIMEDOUT {
            return TransportError(.timedOut, "writing to \(path) made no progress for 10 s",
                                  hint: "the device is not taking data (flow control or a stuck USB adapter); unplug and replug it",
                                  errno: code)
        }
        let reason = String(cString: strerror(code))
        return TransportError(.io, "cannot \(operation) \(path): \(reason)", errno: code)
    }

    static func disconnected(path: String, errno code: Int32?) -> TransportError {
        TransportError(.disconnected, "device disconnected: \(path)",
                       hint: "plug the board back in and retry; if it keeps dropping, try another USB cable or port",
                       errno: code)
    }

    static func openError(path: String, _ failure: SystemCallFailure) -> TransportError {
        switch failure.errno {
        case ENOENT:
            return TransportError(.notFound, "no such port: \(path)",
                                  hint: "is the board plugged in? see `ls /dev/serial/by-id`", errno: failure.errno)
        case ENXIO, ENODEV:
            return TransportError(.notFound, "no device behind \(path)",
                                  hint: "is the board plugged in? see `ls /dev/serial/by-id`", errno: failure.errno)
        case EACCES, EPERM:
            return TransportError(.permissionDenied, "permission denied opening \(path)",
                                  hint: "add yourself to the group owning the port (usually dialout: `sudo usermod -aG dialout $USER`), then log in again",
                                  errno: failure.errno)
        case EBUSY:
            // Another (non-root) process set TIOCEXCL on the tty.
            return PortLock.busy(path: path, excludingFD: nil)
        default:
            return TransportError(.io, "cannot open \(path): \(failure.reason)", errno: failure.errno)
        }
    }
}

import EsprigCore
/// A byte pipe to a board: a tty, a TCP socket, an RFC 2217 server or an in-process simulator.
///
/// Blocking by design: the loader protocol is strict request/response, so a session owns its
/// port on one thread and waits with a deadline (poll), never a fixed sleep.
public protocol SerialPort: AnyObject {
    /// How the user named the port (path or URL), for messages.
    var name: String { get }
    var capabilities: PortCapabilities { get }

    /// Writes every byte or throws.
    func write(_ bytes: [UInt8]) throws(TransportError)
    /// Waits up to `timeout` for data and returns what is available (at most `maxCount`
    /// bytes); returns [] when nothing arrived in time.
    func read(maxCount: Int, timeout: Duration) throws(TransportError) -> [UInt8]
    /// Changes the line speed (any integer rate on ttys, via termios2/BOTHER).
    func setBaud(_ baud: Int) throws(TransportError)
    /// Sets DTR and/or RTS (nil leaves a line as it is); when both are given they change
    /// together in one operation.
    func setLines(dtr: Bool?, rts: Bool?) throws(TransportError)
    /// Discards input received but not yet read.
    func flushInput() throws(TransportError)
    /// Releases the port (idempotent).
    func close()
}

public struct PortCapabilities: Sendable, Hashable {
    /// DTR/RTS can be driven, so the board can be reset into the bootloader.
    public var modemLines: Bool
    /// The port is a network socket: the baud rate is the remote side's business.
    public var isNetwork: Bool
    public init(modemLines: Bool, isNetwork: Bool) {
        self.modemLines = modemLines
        self.isNetwork = isNetwork
    }
}

/// A transport failure with what to do about it. A malformed address is the user's to fix;
/// everything else is the port's or the device's.
public typealias TransportError = EsprigError<TransportErrorDomain>

/// The domain of `TransportError`: its context is the errno of a failed system call.
public enum TransportErrorDomain: ErrorDomain {
    public static var defaultKind: FailureKind? { .device }
    public typealias Context = Int32?
}

extension ErrorCode where Domain == TransportErrorDomain {
    /// The device went away (EIO/ENXIO/ENODEV, socket closed).
    public static let disconnected = Self("disconnected")
    /// Another process holds the port.
    public static let busy = Self("busy")
    public static let notFound = Self("not-found")
    public static let permissionDenied = Self("permission-denied")
    public static let invalidAddress = Self("invalid-address", kind: .input)
    public static let unsupported = Self("unsupported")
    public static let io = Self("io")
    /// A bounded wait ran out: a write stuck for 10 s, a connect or an RFC 2217
    /// acknowledgement that never came.
    public static let timedOut = Self("timed-out")
    /// A TCP or RFC 2217 server refused the connection (nothing listening on that port).
    public static let connectionRefused = Self("connection-refused")
}

extension EsprigError where Domain == TransportErrorDomain {
    public init(_ code: Code, _ message: String, hint: String? = nil, errno: Int32? = nil) {
        self.init(code, message, hint: hint, context: errno)
    }

    /// errno where a system call failed.
    public var errno: Int32? { context }
}

import EsprigCore
import EsprigProtocol
import EsprigTransport

/// A loader failure: what went wrong, with which command or region, and what to do. A bad
/// request or the wrong chip is the user's to fix; the rest is the board's or the port's.
public typealias LoaderError = EsprigError<LoaderErrorDomain>

/// What a loader error carries besides its message: the command that failed, the status the
/// chip answered, and the transport failure underneath.
public struct LoaderErrorContext: Sendable {
    public var opcode: Opcode?
    public var status: LoaderStatus?
    public var transportCode: TransportError.Code?
}

/// The domain of `LoaderError`.
public enum LoaderErrorDomain: ErrorDomain {
    public typealias Context = LoaderErrorContext
    public static var defaultKind: FailureKind? { .device }
    public static func describe(_ error: LoaderError) -> String { error.message }
    /// A transport failure keeps its own code (`disconnected`, `busy`), which scripts match on.
    public static func codeName(of error: LoaderError) -> String { error.transportCode?.rawValue ?? error.code.rawValue }
    public static func kind(of error: LoaderError) -> FailureKind? { error.transportCode?.kind ?? error.code.kind }
}

extension ErrorCode where Domain == LoaderErrorDomain {
    public static let noData = Self("no-serial-data")
    public static let timeout = Self("timeout")
    public static let syncFailed = Self("sync-failed")
    public static let commandFailed = Self("command-failed")
    public static let unsupported = Self("unsupported-command")
    public static let notInROM = Self("not-supported-in-rom")
    public static let unknownChip = Self("unknown-chip")
    public static let wrongChip = Self("wrong-chip", kind: .input)
    public static let stub = Self("stub")
    public static let verifyFailed = Self("verify-failed")
    public static let invalidRequest = Self("invalid-request", kind: .input)
    public static let protocolViolation = Self("protocol-violation")
    public static let transport = Self("transport")
    public static let writeFailed = Self("write-failed")
    /// Flash encryption or secure boot is on and `--force` was not given.
    public static let securedChip = Self("secured-chip")
}

extension EsprigError where Domain == LoaderErrorDomain {
    public init(_ code: Code, _ message: String, hint: String? = nil, opcode: Opcode? = nil, status: LoaderStatus? = nil) {
        self.init(code, message, hint: hint, context: LoaderErrorContext(opcode: opcode, status: status))
    }

    public init(_ error: TransportError) {
        self.init(.transport, error.message, hint: error.hint, cause: error,
                  context: LoaderErrorContext(transportCode: error.code))
    }

    public var opcode: Opcode? {
        get { context.opcode }
        set { context.opcode = newValue }
    }
    public var status: LoaderStatus? { context.status }
    public var transportCode: TransportError.Code? { context.transportCode }

    /// True when the device itself went away (unplugged, socket closed): retrying on the same
    /// port is pointless.
    public var isDisconnect: Bool { transportCode == .disconnected }
}

extension LoaderError {
    static func noSerialData(_ port: String) -> LoaderError {
        LoaderError(.noData, "no serial data received from \(port)",
                    hint: "is the board in download mode? hold BOOT/GPIO0 low and reset, or check that --port names the board's UART")
    }
}

import EsprigProtocol
import EsprigTransport

/// A loader failure: what went wrong, with which command or region, and what to do.
public struct LoaderError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let noData = Code("no-serial-data")
        public static let timeout = Code("timeout")
        public static let syncFailed = Code("sync-failed")
        public static let commandFailed = Code("command-failed")
        public static let unsupported = Code("unsupported-command")
        public static let notInROM = Code("not-supported-in-rom")
        public static let unknownChip = Code("unknown-chip")
        public static let wrongChip = Code("wrong-chip")
        public static let stub = Code("stub")
        public static let verifyFailed = Code("verify-failed")
        public static let invalidRequest = Code("invalid-request")
        public static let protocolViolation = Code("protocol-violation")
        public static let transport = Code("transport")
        public static let writeFailed = Code("write-failed")
        /// Flash encryption or secure boot is on and `--force` was not given.
        public static let securedChip = Code("secured-chip")
    }

    public var code: Code
    public var message: String
    public var hint: String?
    public var opcode: Opcode?
    public var status: LoaderStatus?
    public var transportCode: TransportError.Code?

    public init(_ code: Code, _ message: String, hint: String? = nil, opcode: Opcode? = nil, status: LoaderStatus? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.opcode = opcode
        self.status = status
    }

    public init(_ error: TransportError) {
        self.init(.transport, error.message, hint: error.hint)
        transportCode = error.code
    }

    /// True when the device itself went away (unplugged, socket closed): retrying on the same
    /// port is pointless.
    public var isDisconnect: Bool { transportCode == .disconnected }

    public var description: String { message }
}

extension LoaderError {
    static func noSerialData(_ port: String) -> LoaderError {
        LoaderError(.noData, "no serial data received from \(port)",
                    hint: "is the board in download mode? hold BOOT/GPIO0 low and reset, or check that --port names the board's UART")
    }
}

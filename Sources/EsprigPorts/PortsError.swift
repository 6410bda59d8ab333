/// A failure finding, listing or selecting serial ports. Equality compares only the code.
public struct PortsError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// libudev could not be used (no context, enumeration failed).
        public static let udevUnavailable = Code("udev-unavailable")
        /// The udev netlink monitor could not be opened (no netlink in this sandbox or container).
        public static let monitorUnavailable = Code("monitor-unavailable")
        /// `auto` found no ESP-like port, or a selector matched nothing.
        public static let noMatch = Code("no-matching-port")
        /// `auto` or a selector matched more than one port; esprig never guesses.
        public static let ambiguous = Code("ambiguous-port")
    }

    public var code: Code
    public var message: String
    public var hint: String?
    /// The ports the user can choose from when a selection failed.
    public var candidates: [SerialPortInfo]

    public init(_ code: Code, _ message: String, hint: String? = nil, candidates: [SerialPortInfo] = []) {
        self.code = code
        self.message = message
        self.hint = hint
        self.candidates = candidates
    }

    public static func == (lhs: PortsError, rhs: PortsError) -> Bool { lhs.code == rhs.code }

    public var description: String { hint.map { "\(message) (\($0))" } ?? message }
}

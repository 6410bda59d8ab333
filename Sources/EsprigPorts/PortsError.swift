import EsprigCore

/// A port discovery or selection failure. A selection that matched no port or several is the user's to settle (exit 1).
public typealias PortsError = EsprigError<PortsErrorDomain>

/// The domain of `PortsError`.
public enum PortsErrorDomain: ErrorDomain {
    public static var defaultKind: FailureKind? { .device }
    public typealias Context = [SerialPortInfo]
}

extension ErrorCode where Domain == PortsErrorDomain {
    /// libudev could not be used (no context, enumeration failed).
    public static let udevUnavailable = Self("udev-unavailable")
    /// The udev netlink monitor could not be opened (no netlink in this sandbox or container).
    public static let monitorUnavailable = Self("monitor-unavailable")
    /// `auto` found no ESP-like port, or a selector matched nothing.
    public static let noMatch = Self("no-matching-port", kind: .input)
    /// `auto` or a selector matched more than one port; esprig never guesses.
    public static let ambiguous = Self("ambiguous-port", kind: .input)
}

extension EsprigError where Domain == PortsErrorDomain {
    public init(_ code: Code, _ message: String, hint: String? = nil, candidates: [SerialPortInfo] = []) {
        self.init(code, message, hint: hint, context: candidates)
    }

    /// The ports a selection could have meant.
    public var candidates: [SerialPortInfo] { context }
}

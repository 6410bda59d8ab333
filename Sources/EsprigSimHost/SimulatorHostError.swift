import EsprigCore

/// The simulator host could not open its pty, socket or link.
public typealias SimulatorHostError = EsprigError<SimulatorHostErrorDomain>

/// The domain of `SimulatorHostError`.
public enum SimulatorHostErrorDomain: ErrorDomain {
    public static var defaultKind: FailureKind? { .device }
}

extension ErrorCode where Domain == SimulatorHostErrorDomain {
    /// A pty, socket or symlink the host needs could not be made.
    public static let hostSetup = Self("simulator-host-setup")
}

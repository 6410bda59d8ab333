import EsprigCore

/// A simulator configuration or I/O failure, with what to do about it.
public typealias SimulatorError = EsprigError<SimulatorErrorDomain>

/// The domain of `SimulatorError`.
public enum SimulatorErrorDomain: ErrorDomain {}

extension ErrorCode where Domain == SimulatorErrorDomain {
    /// A sim:// query key the simulator does not know.
    public static let unknownOption = Self("unknown-option")
    /// A known key with a value that does not parse or is out of range.
    public static let invalidOption = Self("invalid-option")
    /// The flash image or log file could not be read or written.
    public static let io = Self("io")
}

/// A simulator configuration or I/O failure, with what to do about it.
public struct SimulatorError: Error, Sendable, CustomStringConvertible, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A sim:// query key the simulator does not know.
        public static let unknownOption = Code("unknown-option")
        /// A known key with a value that does not parse or is out of range.
        public static let invalidOption = Code("invalid-option")
        /// The flash image or log file could not be read or written.
        public static let io = Code("io")
    }

    public var code: Code
    public var message: String
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message) (\($0))" } ?? message }

    /// Errors compare by code only, so tests need not pin the wording.
    public static func == (lhs: SimulatorError, rhs: SimulatorError) -> Bool { lhs.code == rhs.code }
}

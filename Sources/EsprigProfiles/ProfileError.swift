/// Where a value came from: a profile file and a 1-based line (0 when the line is unknown).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// A profile that cannot be loaded: what is wrong, where, and what is allowed.
/// Equality compares only the code, so tests match errors without pinning the wording.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The TOML itself does not parse.
        public static let syntax = Code(rawValue: "profile-syntax")
        /// A key the schema does not know.
        public static let unknownKey = Code(rawValue: "profile-unknown-key")
        /// A value of the wrong TOML type (string where an integer belongs, ...).
        public static let wrongType = Code(rawValue: "profile-wrong-type")
        /// A value of the right type outside what is allowed (range, enum, format).
        public static let invalidValue = Code(rawValue: "profile-invalid-value")
        /// A required key is absent.
        public static let missingKey = Code(rawValue: "profile-missing-key")
        /// `${env:NAME}` names a variable the environment lacks.
        public static let missingEnvironment = Code(rawValue: "profile-missing-env")
        /// `${profile.x.y}` names no value, or a malformed `${...}`.
        public static let unknownReference = Code(rawValue: "profile-unknown-reference")
        /// `${profile.…}` references that loop.
        public static let referenceCycle = Code(rawValue: "profile-reference-cycle")
        /// `extends` chains that loop.
        public static let extendsCycle = Code(rawValue: "profile-extends-cycle")
        /// No profile file of that name.
        public static let notFound = Code(rawValue: "profile-not-found")
    }

    public var code: Code
    public var message: String
    public var hint: String?
    public var location: SourceLocation?

    public init(_ code: Code, _ message: String, hint: String? = nil, at location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.location = location
    }

    /// `file:line: message` (the form the CLI prints).
    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }

    public static func == (lhs: ProfileError, rhs: ProfileError) -> Bool { lhs.code == rhs.code }
}

/// Something loadable but doubtful, e.g. a literal password in a file that goes into git.
public struct ProfileWarning: Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case literalSecret = "profile-literal-secret"
    }
    public var code: Code
    public var message: String
    public var location: SourceLocation

    public init(_ code: Code, _ message: String, at location: SourceLocation) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { "\(location): warning: \(message)" }
}

import EsprigCore

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

/// A profile that cannot be read or resolved, with the file:line it comes from. Always the
/// user's to fix (exit 1).
public typealias ProfileError = EsprigError<ProfileErrorDomain>

/// The domain of `ProfileError`: its context is where in which file the problem is.
public enum ProfileErrorDomain: ErrorDomain {
    public typealias Context = SourceLocation?

    public static func describe(_ error: ProfileError) -> String { displayMessage(of: error) }

    public static func displayMessage(of error: ProfileError) -> String {
        if let location = error.location { return "\(location): \(error.message)" }
        return error.message
    }
}

extension ErrorCode where Domain == ProfileErrorDomain {
    public static let syntax = Self("profile-syntax")
    public static let unknownKey = Self("profile-unknown-key")
    public static let wrongType = Self("profile-wrong-type")
    public static let invalidValue = Self("profile-invalid-value")
    public static let missingKey = Self("profile-missing-key")
    public static let missingEnvironment = Self("profile-missing-env")
    public static let unknownReference = Self("profile-unknown-reference")
    public static let referenceCycle = Self("profile-reference-cycle")
    public static let extendsCycle = Self("profile-extends-cycle")
    public static let notFound = Self("profile-not-found")
}

extension EsprigError where Domain == ProfileErrorDomain {
    public init(_ code: Code, _ message: String, hint: String? = nil, at location: SourceLocation? = nil) {
        self.init(code, message, hint: hint, context: location)
    }

    /// The file and line the problem is at.
    public var location: SourceLocation? {
        get { context }
        set { context = newValue }
    }
}

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

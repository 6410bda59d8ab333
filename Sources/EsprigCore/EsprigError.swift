import EsprigCore
/// What a failure means for the person who ran the command: their input is wrong (exit 1), or
/// the board, a tool or the outside world failed (exit 2). Exit codes are derived from this in
/// one place (the command line), never chosen where the error is thrown.
public enum FailureKind: String, Sendable, Hashable, Codable {
    /// Bad usage, a bad file, a profile that contradicts itself: fixing the input fixes it.
    case input
    /// The board, the port, a build or a server failed.
    case device
}

/// A module's family of errors: its name and what its errors carry beyond code, message and
/// hint. Each module declares one (an empty enum) and a typealias such as
/// `public typealias CertsError = EsprigError<CertsErrorDomain>`.
public protocol ErrorDomain: Sendable {
    /// Fields some modules' errors carry (the loader's opcode, a profile's file:line).
    associatedtype Context: Sendable = NoErrorContext
    /// The kind for codes that do not say; nil leaves it to the failing step or command.
    static var defaultKind: FailureKind? { get }
    /// How the error reads in a log line; the default is `message (hint)`.
    static func describe(_ error: EsprigError<Self>) -> String
    /// The code a script sees; the default is the error's own.
    static func codeName(of error: EsprigError<Self>) -> String
    /// The error's kind; the default is its code's.
    static func kind(of error: EsprigError<Self>) -> FailureKind?
    /// The message as a person reads it, with the context that locates it (a profile's
    /// file:line); the default is the message itself.
    static func displayMessage(of error: EsprigError<Self>) -> String
}

extension ErrorDomain {
    public static var defaultKind: FailureKind? { .input }
    public static func describe(_ error: EsprigError<Self>) -> String {
        error.hint.map { "\(error.message) (\($0))" } ?? error.message
    }
    public static func codeName(of error: EsprigError<Self>) -> String { error.code.rawValue }
    public static func kind(of error: EsprigError<Self>) -> FailureKind? { error.code.kind }
    public static func displayMessage(of error: EsprigError<Self>) -> String { error.message }
}

/// The context of errors that carry none.
public struct NoErrorContext: Sendable, Hashable {
    public init() {}
}

/// A stable, machine-readable error code (`certs-unreadable-material`). Codes are extensible
/// static lets in a constrained extension of the module's domain, not a frozen enum; two codes
/// are equal when their names are.
public struct ErrorCode<Domain: ErrorDomain>: Hashable, Sendable, CustomStringConvertible, RawRepresentable {
    public let rawValue: String
    /// nil: the kind of the step or command it fails (a build error in `flash` is the device's,
    /// the same error in `config set` is the input's).
    public let kind: FailureKind?

    public init(_ rawValue: String, kind: FailureKind? = Domain.defaultKind) {
        self.rawValue = rawValue
        self.kind = kind
    }

    public init(rawValue: String) { self.init(rawValue) }

    public var description: String { rawValue }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

/// Every esprig error, whatever module threw it: what the command line renders (message, hint,
/// code in `--json`) and turns into an exit code.
public protocol EsprigFailure: Error, Sendable, CustomStringConvertible {
    /// The code's name.
    var codeName: String { get }
    var message: String { get }
    /// The message with what locates it (`Profiles/a.toml:3: …`), as the command line shows it.
    var displayMessage: String { get }
    /// What to do about it.
    var hint: String? { get }
    /// nil: decided by the step that failed.
    var kind: FailureKind? { get }
    /// The error underneath, if this one wraps another.
    var cause: (any Error & Sendable)? { get }
}

/// One error shape for every module: a code, a message naming the thing, a hint saying what to
/// do, an optional underlying cause and the domain's own context. Errors compare by code only,
/// so tests match errors without pinning the wording.
public struct EsprigError<Domain: ErrorDomain>: EsprigFailure, Equatable {
    public typealias Code = ErrorCode<Domain>

    public var code: Code
    public var message: String
    public var hint: String?
    public var cause: (any Error & Sendable)?
    public var context: Domain.Context

    public init(_ code: Code, _ message: String, hint: String? = nil, cause: (any Error & Sendable)? = nil, context: Domain.Context) {
        self.code = code
        self.message = message
        self.hint = hint
        self.cause = cause
        self.context = context
    }

    public var codeName: String { Domain.codeName(of: self) }
    public var kind: FailureKind? { Domain.kind(of: self) }
    public var displayMessage: String { Domain.displayMessage(of: self) }
    public var description: String { Domain.describe(self) }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
}

extension EsprigError where Domain.Context == NoErrorContext {
    public init(_ code: Code, _ message: String, hint: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.init(code, message, hint: hint, cause: cause, context: NoErrorContext())
    }
}

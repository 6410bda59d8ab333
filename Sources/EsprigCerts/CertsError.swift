/// A failure to issue, read, pack or check certificate material: a stable code, what is wrong
/// and what to do. Equality compares only the code, so tests need not pin the wording.
public struct CertsError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidRequest = Code("certs-invalid-request")
        public static let unreadableMaterial = Code("certs-unreadable-material")
        public static let wrongKind = Code("certs-wrong-kind")
        public static let unsupportedKey = Code("certs-unsupported-key")
        public static let signingFailed = Code("certs-signing-failed")
        public static let fileUnwritable = Code("certs-file-unwritable")
        public static let fileExists = Code("certs-file-exists")
        public static let tooLarge = Code("certs-packed-too-large")
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

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
}

/// A ledger failure: what went wrong and what to do. Equality compares only the code.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The database file cannot be opened, migrated, read or written.
        public static let storage = Code("ledger-storage")
        /// Another board of this profile already holds this client id.
        public static let duplicateClientID = Code("duplicate-client-id")
        /// This board is recorded with a different identity (the profile's id format changed).
        public static let identityConflict = Code("identity-conflict")
        /// A per-board value from a counter would repeat one another board holds.
        public static let counterCollision = Code("counter-collision")
        /// A step or attempt transition that the record does not allow (passing an attempt
        /// with a step that did not pass, finishing a finished attempt).
        public static let invalidTransition = Code("invalid-transition")
        public static let notFound = Code("not-found")
    }

    public var code: Code
    public var message: String
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool { lhs.code == rhs.code }

    public var description: String { hint.map { "\(message) (\($0))" } ?? message }
}

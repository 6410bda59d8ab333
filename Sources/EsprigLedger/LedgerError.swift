import EsprigCore

/// A ledger failure. Identity clashes are the user's to settle (exit 1); storage failures are not.
public typealias LedgerError = EsprigError<LedgerErrorDomain>

/// The domain of `LedgerError`.
public enum LedgerErrorDomain: ErrorDomain {
    public static var defaultKind: FailureKind? { .device }
}

extension ErrorCode where Domain == LedgerErrorDomain {
    /// The database file cannot be opened, migrated, read or written.
    public static let storage = Self("ledger-storage")
    /// Another board of this profile already holds this client id.
    public static let duplicateClientID = Self("duplicate-client-id", kind: .input)
    /// This board is recorded with a different identity (the profile's id format changed).
    public static let identityConflict = Self("identity-conflict", kind: .input)
    /// A per-board value from a counter would repeat one another board holds.
    public static let counterCollision = Self("counter-collision", kind: .input)
    /// A step or attempt transition that the record does not allow (passing an attempt
    /// with a step that did not pass, finishing a finished attempt).
    public static let invalidTransition = Self("invalid-transition")
    public static let notFound = Self("not-found")
    /// Another station's attempt is running on this board.
    public static let boardBusy = Self("board-busy")
    /// The ledger's server cannot be reached, or the connection broke during a call (whose
    /// transaction the server then rolled back, unless the error says its outcome is unknown).
    public static let connection = Self("ledger-connection")
    /// The ledger location is not usable as given (a malformed URL, an unknown sslmode).
    public static let location = Self("ledger-location", kind: .input)
}

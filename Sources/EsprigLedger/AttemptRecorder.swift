/// One board's attempt as the bench runs it: each step is written `started` before its work
/// and `passed` or `failed` (with the error text) after it, and the attempt passes only
/// through `finish()` once every step passed.
public struct AttemptRecorder: Sendable {
    public let ledger: any Ledger
    public let attempt: AttemptID

    public init(ledger: any Ledger, starting start: AttemptStart) throws(LedgerError) {
        self.ledger = ledger
        attempt = try ledger.beginAttempt(start)
    }

    /// Records an attempt a claim opened.
    public init(ledger: any Ledger, attempt: AttemptID) {
        self.ledger = ledger
        self.attempt = attempt
    }

    /// Runs `body` as step `name`. A failure is recorded on the step and the attempt, then
    /// rethrown; the ledger's own failure wins over the body's result, because a step whose
    /// outcome could not be recorded must not count as done.
    public func step<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let step = try ledger.stepStarted(attempt, name: name)
        let value: T
        do {
            value = try body()
        } catch {
            let text = "\(name): \(error)"
            try ledger.stepFinished(step, error: text)
            try ledger.finishAttempt(attempt, error: text)
            throw error
        }
        try ledger.stepFinished(step, error: nil)
        return value
    }

    public func recordCertificate(serial: String, sha256: String) throws(LedgerError) {
        try ledger.recordCertificate(attempt, serial: serial, sha256: sha256)
    }

    /// Marks the attempt passed (refused unless every step passed).
    public func finish() throws(LedgerError) {
        try ledger.finishAttempt(attempt, error: nil)
    }

    /// Ends the attempt as failed for a reason outside any step (cancelled, unplugged between steps).
    public func abandon(_ reason: String) throws(LedgerError) {
        try ledger.finishAttempt(attempt, error: reason)
    }
}

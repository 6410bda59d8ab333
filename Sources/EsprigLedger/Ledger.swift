/// The bench's record: one row per board and attempt and step, written before and after each
/// step so that a crash never leaves a board recorded as passed that did not pass.
public protocol Ledger: Sendable {
    /// Records the board (reusing its identity when it is known), marks any attempt left
    /// `running` by a crash as failed, and opens a new `running` attempt.
    func beginAttempt(_ start: AttemptStart) throws(LedgerError) -> AttemptID
    func stepStarted(_ attempt: AttemptID, name: String) throws(LedgerError) -> StepID
    /// `error` nil means passed.
    func stepFinished(_ step: StepID, error: String?) throws(LedgerError)
    /// The certificate written for this attempt: serial (hex) and SHA-256 of its DER. Never the key.
    func recordCertificate(_ attempt: AttemptID, serial: String, sha256: String) throws(LedgerError)
    /// `error` nil means passed, which is refused unless every step passed.
    func finishAttempt(_ attempt: AttemptID, error: String?) throws(LedgerError)
    /// The next value of `counter` for this board (its old one on a rerun), rendered by
    /// `render`; refuses a value another board already holds.
    func allocate(counter: String, profile: String, mac: String, start: Int64,
                  render: @Sendable (Int64) -> String) throws(LedgerError) -> CounterAllocation
    /// Every board of `profile` (all profiles when nil), ordered by first record.
    func boards(profile: String?) throws(LedgerError) -> [BoardRecord]
    /// Every board with this MAC (`aa:bb:cc:dd:ee:ff`), in every profile.
    func boards(mac: String) throws(LedgerError) -> [BoardRecord]
    /// Boards of `profile` whose latest attempt did not pass: failed, or interrupted (`running`).
    func pendingBoards(profile: String) throws(LedgerError) -> [BoardRecord]
    /// Marks attempts left `running` (the process died) as failed; returns how many.
    @discardableResult
    func closeInterruptedAttempts(profile: String?) throws(LedgerError) -> Int
}

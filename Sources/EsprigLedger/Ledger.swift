/// The bench's record: one row per board and attempt and step, written before and after each
/// step so that a crash never leaves a board recorded as passed that did not pass.
///
/// Several stations (bench processes, on one machine or many) may share one ledger: which
/// station gets a board, whether it is already passed, and each counter value are decided in
/// one transaction that two stations cannot both win.
public protocol Ledger: Sendable {
    /// Where the ledger lives, safe to print (a database URL without its password).
    var location: String { get }
    /// Decides, in one transaction, what `start.station` does with the board: nothing when its
    /// latest attempt passed (unless `reprovision`) or another station's attempt is running on
    /// it; otherwise the board is recorded (reusing its identity when it is known), an attempt
    /// left `running` by this station (a crash) or idle longer than the lease by another is
    /// marked failed, and a new `running` attempt is opened.
    func claim(_ start: AttemptStart, reprovision: Bool) throws(LedgerError) -> AttemptClaim
    func stepStarted(_ attempt: AttemptID, name: String) throws(LedgerError) -> StepID
    /// `error` nil means passed.
    func stepFinished(_ step: StepID, error: String?) throws(LedgerError)
    /// The certificate written for this attempt: serial (hex) and SHA-256 of its DER. Never the key.
    func recordCertificate(_ attempt: AttemptID, serial: String, sha256: String) throws(LedgerError)
    /// `error` nil means passed, which is refused unless every step passed.
    func finishAttempt(_ attempt: AttemptID, error: String?) throws(LedgerError)
    /// The next value of `counter` for this board (its old one on a rerun), rendered by
    /// `render`; refuses a value another board already holds. Values are handed out without
    /// gaps: a number is taken only together with the board that holds it.
    func allocate(counter: String, profile: String, mac: String, start: Int64,
                  render: @Sendable (Int64) -> String) throws(LedgerError) -> CounterAllocation
    /// Every board of `profile` (all profiles when nil), ordered by first record.
    func boards(profile: String?) throws(LedgerError) -> [BoardRecord]
    /// Every board with this MAC (`aa:bb:cc:dd:ee:ff`), in every profile.
    func boards(mac: String) throws(LedgerError) -> [BoardRecord]
    /// Marks attempts left `running` (the process died) as failed; only `station`'s when
    /// given, so one station never closes another's live attempts. Returns how many.
    @discardableResult
    func closeInterruptedAttempts(profile: String?, station: String?) throws(LedgerError) -> Int
}

extension Ledger {
    /// Opens an attempt whatever the board's record says (a passed board is provisioned again);
    /// refuses a board another station is working on.
    public func beginAttempt(_ start: AttemptStart) throws(LedgerError) -> AttemptID {
        switch try claim(start, reprovision: true) {
        case .began(let attempt):
            return attempt
        case .busy(let station, let attempt):
            throw LedgerError.busy(mac: start.mac, station: station, attempt: attempt)
        case .passed:
            throw LedgerError(.invalidTransition, "board \(start.mac) was not claimed although reprovisioning was asked for")
        }
    }

    /// Boards of `profile` whose latest attempt did not pass: failed, or interrupted (`running`).
    public func pendingBoards(profile: String) throws(LedgerError) -> [BoardRecord] {
        try boards(profile: profile).filter { $0.result != .passed }
    }

    @discardableResult
    public func closeInterruptedAttempts(profile: String?) throws(LedgerError) -> Int {
        try closeInterruptedAttempts(profile: profile, station: nil)
    }
}

extension LedgerError {
    static func busy(mac: String, station: String, attempt: AttemptID) -> LedgerError {
        LedgerError(.boardBusy, "board \(mac) is being provisioned by station \(station) (attempt \(attempt.rawValue))",
                    hint: "leave it to that station; its attempt is given up once it has written nothing for the ledger's lease")
    }
}

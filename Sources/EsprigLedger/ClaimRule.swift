import Foundation

/// The decision a claim makes, once the board's row is held by the claiming transaction; both
/// backends apply this one rule so stations on SQLite and on PostgreSQL behave alike.
public enum ClaimRule {
    /// The board's latest attempt, as the claim sees it.
    public struct Latest: Sendable {
        public var id: AttemptID
        public var result: AttemptResult
        public var station: String
        /// The last time anything was recorded for it (its start, a step starting or ending).
        public var lastActivity: Date

        public init(id: AttemptID, result: AttemptResult, station: String, lastActivity: Date) {
            self.id = id
            self.result = result
            self.station = station
            self.lastActivity = lastActivity
        }
    }

    public enum Decision: Sendable, Equatable {
        /// The board passed: leave it alone.
        case skipPassed
        /// Another station is on it.
        case busy(station: String, attempt: AttemptID)
        /// Mark this running attempt failed with `reason`, then open a new one.
        case takeOver(AttemptID, reason: String)
        /// Open a new attempt.
        case open
    }

    /// A running attempt of the claiming station is its own, left by a crash (one station runs
    /// one bench); another station's counts as gone only after `lease` without a record.
    public static func decide(_ latest: Latest?, station: String, reprovision: Bool, now: Date, lease: Duration) -> Decision {
        guard let latest else { return .open }
        switch latest.result {
        case .passed:
            return reprovision ? .open : .skipPassed
        case .failed:
            return .open
        case .running:
            if latest.station == station {
                return .takeOver(latest.id, reason: interrupted)
            }
            let idle = now.timeIntervalSince(latest.lastActivity)
            let leaseSeconds = Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
            guard idle >= leaseSeconds else { return .busy(station: latest.station, attempt: latest.id) }
            return .takeOver(latest.id, reason: "interrupted: station \(latest.station) recorded nothing for \(Int(idle)) s (the lease is \(Int(leaseSeconds)) s)")
        }
    }

    /// What an attempt left `running` by its own station's crash is closed with.
    public static let interrupted = "interrupted: esprig stopped during this attempt"
}

extension LedgerError {
    public static func identityConflict(mac: String, profile: String, recorded: String?, wanted: String?) -> LedgerError {
        LedgerError(.identityConflict,
                    "board \(mac) is recorded in profile \(profile) as client id \(recorded ?? "(none)"), not \(wanted ?? "(none)")",
                    hint: "the profile's client id format changed since this board was provisioned; use a new profile name or a new ledger")
    }

    public static func duplicateClientID(_ clientID: String, mac: String, holder: String, profile: String) -> LedgerError {
        LedgerError(.duplicateClientID,
                    "client id \(clientID) for board \(mac) is already held by board \(holder) in profile \(profile)",
                    hint: "two boards would log in as the same MQTT client: put %08X (the chip id) in MQTT_CLIENT_ID")
    }

    public static func counterCollision(counter: String, value: String, number: Int64, holder: String, profile: String) -> LedgerError {
        LedgerError(.counterCollision, "\(counter) value \(value) (number \(number)) is already held by board \(holder) in profile \(profile)",
                    hint: "the template must give each number its own value (e.g. include %d), or its start was lowered below numbers in use")
    }

    public static func unknownBoard(mac: String, profile: String) -> LedgerError {
        LedgerError(.notFound, "board \(mac) is not in profile \(profile) yet", hint: "begin an attempt for it first")
    }
}

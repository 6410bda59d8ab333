import EsprigLedger
import Foundation
import PostgresNIO

/// What merging one board's history added.
public struct MergeOutcome: Sendable, Hashable {
    /// False when the shared ledger already knew the board.
    public var boardAdded: Bool
    public var attemptsAdded: Int
    /// Attempts skipped because the shared ledger already holds them (an earlier migrate).
    public var attemptsPresent: Int
    public var allocationsAdded: Int

    public init(boardAdded: Bool = false, attemptsAdded: Int = 0, attemptsPresent: Int = 0, allocationsAdded: Int = 0) {
        self.boardAdded = boardAdded
        self.attemptsAdded = attemptsAdded
        self.attemptsPresent = attemptsPresent
        self.allocationsAdded = allocationsAdded
    }
}

extension PostgresLedger {
    /// Adds one board's history from another ledger (`esprig ledger migrate`), in one
    /// transaction: the board by (profile, MAC) with the same identity, its counter values (the
    /// counter moved past them), and each attempt not already here — the same board, station
    /// and start time — so running it again adds nothing. Attempts recorded before stations
    /// were get `station`; one left running in the file (its bench is not running) is added as
    /// failed. A board whose identity or counter values clash with the shared ledger's is
    /// refused whole.
    public func merge(_ board: BoardRecord, station: String) throws(LedgerError) -> MergeOutcome {
        try transaction { tx in
            var outcome = MergeOutcome()
            let created = board.attempts.map(\.startedAt).min() ?? Date()
            let boardID: Int64
            if let row = try tx.run("""
                INSERT INTO esprig.board (profile, mac, chip, client_id, created_at)
                VALUES (\(board.profile), \(board.mac), \(board.chip), \(board.clientID), \(created)) ON CONFLICT DO NOTHING RETURNING id
                """).first {
                boardID = try row.decode(Int64.self)
                outcome.boardAdded = true
            } else if let row = try tx.run("""
                SELECT id, client_id FROM esprig.board WHERE profile = \(board.profile) AND mac = \(board.mac) FOR NO KEY UPDATE
                """).first {
                let (id, recorded) = try row.decode((Int64, String?).self)
                guard recorded == board.clientID else {
                    throw LedgerError.identityConflict(mac: board.mac, profile: board.profile, recorded: recorded, wanted: board.clientID)
                }
                boardID = id
            } else {
                let holder = try tx.run("SELECT mac FROM esprig.board WHERE profile = \(board.profile) AND client_id = \(board.clientID)").first
                throw LedgerError.duplicateClientID(board.clientID ?? "", mac: board.mac, holder: try holder?.decode(String.self) ?? "?", profile: board.profile)
            }

            for (counter, value) in board.allocated.sorted(by: { $0.key < $1.key }) {
                guard let number = board.numbers[counter] else { continue }
                if let held = try tx.run("""
                    SELECT value FROM esprig.allocation WHERE profile = \(board.profile) AND counter = \(counter) AND board_id = \(boardID)
                    """).first {
                    let heldValue = try held.decode(String.self)
                    guard heldValue == value else {
                        throw LedgerError(.counterCollision, "board \(board.mac) holds \(counter) \(heldValue) in the shared ledger but \(value) in the file",
                                          hint: "settle which value the board carries (its flash says) before migrating it")
                    }
                    continue
                }
                if let holder = try tx.run("""
                    SELECT b.mac FROM esprig.allocation a JOIN esprig.board b ON b.id = a.board_id
                    WHERE a.profile = \(board.profile) AND a.counter = \(counter) AND (a.value = \(value) OR a.number = \(number))
                    """).first {
                    throw LedgerError.counterCollision(counter: counter, value: value, number: number, holder: try holder.decode(String.self), profile: board.profile)
                }
                try tx.run("""
                    INSERT INTO esprig.allocation (profile, counter, board_id, number, value) VALUES (\(board.profile), \(counter), \(boardID), \(number), \(value))
                    """)
                try tx.run("""
                    INSERT INTO esprig.counter (profile, name, next_number) VALUES (\(board.profile), \(counter), \(number + 1))
                    ON CONFLICT (profile, name) DO UPDATE SET next_number = GREATEST(esprig.counter.next_number, EXCLUDED.next_number)
                    """)
                outcome.allocationsAdded += 1
            }

            for attempt in board.attempts {
                let attemptStation = attempt.station.isEmpty ? station : attempt.station
                if try !tx.run("""
                    SELECT 1 FROM esprig.attempt WHERE board_id = \(boardID) AND station = \(attemptStation) AND started_at = \(attempt.startedAt)
                    """).isEmpty {
                    outcome.attemptsPresent += 1
                    continue
                }
                let interrupted = attempt.result == .running
                let result = interrupted ? AttemptResult.failed.rawValue : attempt.result.rawValue
                let error = interrupted ? ClaimRule.interrupted : attempt.error
                let ended = attempt.endedAt ?? (interrupted ? attempt.steps.compactMap { $0.endedAt ?? $0.startedAt }.max() ?? attempt.startedAt : nil)
                let hashes = String(decoding: try JSONEncoder.sortedKeys.encode(attempt.firmwareHashes), as: UTF8.self)
                let id = try Self.single(try tx.run("""
                    INSERT INTO esprig.attempt (board_id, station, profile_hash, port_path, port_usb_serial, port_usb_path, firmware_hashes,
                                                certificate_serial, certificate_sha256, started_at, ended_at, result, error)
                    VALUES (\(boardID), \(attemptStation), \(attempt.profileHash), \(attempt.port.path), \(attempt.port.usbSerial), \(attempt.port.usbPath),
                            \(hashes)::jsonb, \(attempt.certificateSerial), \(attempt.certificateSHA256), \(attempt.startedAt), \(ended), \(result), \(error))
                    RETURNING id
                    """), Int64.self)
                for step in attempt.steps {
                    let open = step.status == .started
                    try tx.run("""
                        INSERT INTO esprig.step (attempt_id, name, status, started_at, ended_at, error)
                        VALUES (\(id), \(step.name), \(open ? StepStatus.failed.rawValue : step.status.rawValue), \(step.startedAt),
                                \(step.endedAt ?? (open ? ended : nil)), \(open ? "interrupted" : step.error))
                        """)
                }
                outcome.attemptsAdded += 1
            }
            return outcome
        }
    }
}

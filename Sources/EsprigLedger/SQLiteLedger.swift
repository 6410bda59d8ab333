import Foundation
import GRDB

/// The ledger in an SQLite file (GRDB). Every public call is one transaction.
public final class SQLiteLedger: Ledger {
    let database: DatabaseQueue
    let now: @Sendable () -> Date
    let lease: Duration
    public let location: String

    /// Opens (creating and migrating) the ledger at `path`. Stations on one machine may share
    /// the file; `lease` is how long another station's running attempt may record nothing
    /// before a claim gives it up.
    public init(path: String, lease: Duration = Station.defaultLease, now: @escaping @Sendable () -> Date = { Date() }) throws(LedgerError) {
        do {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            // Another esprig may hold the file briefly; wait instead of failing at once.
            configuration.busyMode = .timeout(5)
            database = try DatabaseQueue(path: path, configuration: configuration)
            try LedgerSchema.migrator.migrate(database)
        } catch {
            throw LedgerError(.storage, "cannot open the ledger \(path): \(Self.reason(error))",
                              hint: "check the path and its permissions, or pass --ledger PATH")
        }
        self.now = now
        self.lease = lease
        location = path
    }

    /// A ledger that lives in memory (tests, dry runs).
    public init(inMemory now: @escaping @Sendable () -> Date = { Date() }) throws(LedgerError) {
        do {
            database = try DatabaseQueue()
            try LedgerSchema.migrator.migrate(database)
        } catch {
            throw LedgerError(.storage, "cannot create an in-memory ledger: \(Self.reason(error))")
        }
        self.now = now
        lease = Station.defaultLease
        location = ":memory:"
    }

    public func claim(_ start: AttemptStart, reprovision: Bool) throws(LedgerError) -> AttemptClaim {
        try write { db in
            let existing = try Row.fetchOne(db, sql: "SELECT id, client_id FROM board WHERE profile = ? AND mac = ?",
                                            arguments: [start.profile, start.mac])
            let boardID: Int64
            if let existing {
                boardID = existing["id"]
                let recorded: String? = existing["client_id"]
                switch ClaimRule.decide(try self.latestAttempt(boardID, db), station: start.station, reprovision: reprovision,
                                        now: self.now(), lease: self.lease) {
                case .skipPassed:
                    return .passed(clientID: recorded)
                case .busy(let station, let attempt):
                    return .busy(station: station, attempt: attempt)
                case .takeOver(let attempt, let reason):
                    try Self.checkIdentity(start, recorded: recorded)
                    try self.close(attempt, reason: reason, db)
                case .open:
                    try Self.checkIdentity(start, recorded: recorded)
                }
            } else {
                boardID = try self.insertBoard(start, db)
            }
            let hashes = String(decoding: try JSONEncoder.sorted.encode(start.firmwareHashes), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO attempt (board_id, station, profile_hash, port_path, port_usb_serial, port_usb_path, firmware_hashes, started_at, result)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running')
                """, arguments: [boardID, start.station, start.profileHash, start.port.path, start.port.usbSerial, start.port.usbPath,
                                 hashes, self.now()])
            return .began(AttemptID(db.lastInsertedRowID))
        }
    }

    private func latestAttempt(_ boardID: Int64, _ db: Database) throws -> ClaimRule.Latest? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, result, station, started_at FROM attempt WHERE board_id = ? ORDER BY started_at DESC, id DESC LIMIT 1",
                                         arguments: [boardID]) else { return nil }
        let id: Int64 = row["id"]
        let started: Date = row["started_at"]
        let stepActivity = try Date.fetchOne(db, sql: "SELECT MAX(COALESCE(ended_at, started_at)) FROM step WHERE attempt_id = ?", arguments: [id])
        return ClaimRule.Latest(id: AttemptID(id), result: AttemptResult(rawValue: row["result"]) ?? .failed, station: row["station"],
                                lastActivity: max(started, stepActivity ?? started))
    }

    /// Fails a running attempt and its open steps (its process died, or its station went quiet).
    private func close(_ attempt: AttemptID, reason: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE step SET status = 'failed', ended_at = ?, error = 'interrupted' WHERE attempt_id = ? AND status = 'started'",
                       arguments: [now(), attempt.rawValue])
        try db.execute(sql: "UPDATE attempt SET result = 'failed', ended_at = ?, error = ? WHERE id = ? AND result = 'running'",
                       arguments: [now(), reason, attempt.rawValue])
    }

    private static func checkIdentity(_ start: AttemptStart, recorded: String?) throws {
        guard recorded == start.clientID else {
            throw LedgerError.identityConflict(mac: start.mac, profile: start.profile, recorded: recorded, wanted: start.clientID)
        }
    }

    /// The board's row, created with its identity.
    private func insertBoard(_ start: AttemptStart, _ db: Database) throws -> Int64 {
        if let clientID = start.clientID,
           let holder = try String.fetchOne(db, sql: "SELECT mac FROM board WHERE profile = ? AND client_id = ?",
                                            arguments: [start.profile, clientID]) {
            throw LedgerError.duplicateClientID(clientID, mac: start.mac, holder: holder, profile: start.profile)
        }
        try db.execute(sql: "INSERT INTO board (profile, mac, chip, client_id, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [start.profile, start.mac, start.chip, start.clientID, now()])
        return db.lastInsertedRowID
    }

    public func stepStarted(_ attempt: AttemptID, name: String) throws(LedgerError) -> StepID {
        try write { db in
            try self.requireRunning(attempt, db)
            try db.execute(sql: "INSERT INTO step (attempt_id, name, status, started_at) VALUES (?, ?, 'started', ?)",
                           arguments: [attempt.rawValue, name, self.now()])
            return StepID(db.lastInsertedRowID)
        }
    }

    public func stepFinished(_ step: StepID, error: String?) throws(LedgerError) {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT attempt_id, status FROM step WHERE id = ?", arguments: [step.rawValue]) else {
                throw LedgerError(.notFound, "no step \(step.rawValue) in the ledger")
            }
            guard row["status"] as String == StepStatus.started.rawValue else {
                throw LedgerError(.invalidTransition, "step \(step.rawValue) already finished")
            }
            try self.requireRunning(AttemptID(row["attempt_id"]), db)
            try db.execute(sql: "UPDATE step SET status = ?, ended_at = ?, error = ? WHERE id = ?",
                           arguments: [error == nil ? StepStatus.passed.rawValue : StepStatus.failed.rawValue, self.now(), error, step.rawValue])
        }
    }

    public func recordCertificate(_ attempt: AttemptID, serial: String, sha256: String) throws(LedgerError) {
        try write { db in
            try self.requireRunning(attempt, db)
            try db.execute(sql: "UPDATE attempt SET certificate_serial = ?, certificate_sha256 = ? WHERE id = ?",
                           arguments: [serial, sha256, attempt.rawValue])
        }
    }

    public func finishAttempt(_ attempt: AttemptID, error: String?) throws(LedgerError) {
        try write { db in
            try self.requireRunning(attempt, db)
            if error == nil {
                let steps = try Row.fetchAll(db, sql: "SELECT name, status FROM step WHERE attempt_id = ? ORDER BY id", arguments: [attempt.rawValue])
                if steps.isEmpty {
                    throw LedgerError(.invalidTransition, "attempt \(attempt.rawValue) recorded no step; it cannot pass")
                }
                if let open = steps.first(where: { $0["status"] as String != StepStatus.passed.rawValue }) {
                    throw LedgerError(.invalidTransition,
                                      "attempt \(attempt.rawValue) cannot pass: step \(open["name"] as String) is \(open["status"] as String)")
                }
            }
            try db.execute(sql: "UPDATE attempt SET result = ?, ended_at = ?, error = ? WHERE id = ?",
                           arguments: [error == nil ? AttemptResult.passed.rawValue : AttemptResult.failed.rawValue, self.now(), error, attempt.rawValue])
        }
    }

    @discardableResult
    public func closeInterruptedAttempts(profile: String?, station: String?) throws(LedgerError) -> Int {
        try write { db in
            let running = try Int64.fetchAll(db, sql: """
                SELECT attempt.id FROM attempt JOIN board ON board.id = attempt.board_id
                WHERE attempt.result = 'running' AND (? IS NULL OR board.profile = ?) AND (? IS NULL OR attempt.station = ?)
                """, arguments: [profile, profile, station, station])
            for attempt in running { try self.close(AttemptID(attempt), reason: ClaimRule.interrupted, db) }
            return running.count
        }
    }

    func requireRunning(_ attempt: AttemptID, _ db: Database) throws {
        guard let result = try String.fetchOne(db, sql: "SELECT result FROM attempt WHERE id = ?", arguments: [attempt.rawValue]) else {
            throw LedgerError(.notFound, "no attempt \(attempt.rawValue) in the ledger")
        }
        guard result == AttemptResult.running.rawValue else {
            throw LedgerError(.invalidTransition, "attempt \(attempt.rawValue) is already \(result)")
        }
    }

    /// One write transaction; ledger errors pass through, database errors become `.storage`.
    func write<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try database.write(body)
        } catch {
            if let error = error as? LedgerError { throw error }
            throw LedgerError(.storage, "the ledger could not be written: \(Self.reason(error))")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try database.read(body)
        } catch {
            if let error = error as? LedgerError { throw error }
            throw LedgerError(.storage, "the ledger could not be read: \(Self.reason(error))")
        }
    }

    static func reason(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? "\(error)"
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

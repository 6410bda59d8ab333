import Foundation
import GRDB

/// The ledger in an SQLite file (GRDB). Every public call is one transaction.
public final class SQLiteLedger: Ledger {
    let database: DatabaseQueue
    let now: @Sendable () -> Date

    /// Opens (creating and migrating) the ledger at `path`.
    public init(path: String, now: @escaping @Sendable () -> Date = { Date() }) throws(LedgerError) {
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
    }

    public func beginAttempt(_ start: AttemptStart) throws(LedgerError) -> AttemptID {
        try write { db in
            let boardID = try self.boardID(for: start, db)
            try db.execute(sql: """
                UPDATE attempt SET result = 'failed', ended_at = ?, error = 'interrupted: esprig stopped during this attempt'
                WHERE board_id = ? AND result = 'running'
                """, arguments: [self.now(), boardID])
            let hashes = String(decoding: try JSONEncoder.sorted.encode(start.firmwareHashes), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO attempt (board_id, profile_hash, port_path, port_usb_serial, port_usb_path, firmware_hashes, started_at, result)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'running')
                """, arguments: [boardID, start.profileHash, start.port.path, start.port.usbSerial, start.port.usbPath, hashes, self.now()])
            return AttemptID(db.lastInsertedRowID)
        }
    }

    /// The board's row: created with its identity the first time, checked against it after.
    private func boardID(for start: AttemptStart, _ db: Database) throws -> Int64 {
        let existing = try Row.fetchOne(db, sql: "SELECT id, client_id FROM board WHERE profile = ? AND mac = ?",
                                        arguments: [start.profile, start.mac])
        if let existing {
            let recorded: String? = existing["client_id"]
            guard recorded == start.clientID else {
                throw LedgerError(.identityConflict,
                                  "board \(start.mac) is recorded in profile \(start.profile) as client id \(recorded ?? "(none)"), not \(start.clientID ?? "(none)")",
                                  hint: "the profile's client id format changed since this board was provisioned; use a new profile name or a new ledger")
            }
            return existing["id"]
        }
        if let clientID = start.clientID,
           let holder = try String.fetchOne(db, sql: "SELECT mac FROM board WHERE profile = ? AND client_id = ?",
                                            arguments: [start.profile, clientID]) {
            throw LedgerError(.duplicateClientID,
                              "client id \(clientID) for board \(start.mac) is already held by board \(holder) in profile \(start.profile)",
                              hint: "two boards would log in as the same MQTT client: put %08X (the chip id) in MQTT_CLIENT_ID")
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
    public func closeInterruptedAttempts(profile: String?) throws(LedgerError) -> Int {
        try write { db in
            // Steps still `started` died with the attempt: they failed.
            try db.execute(sql: """
                UPDATE step SET status = 'failed', ended_at = ?, error = 'interrupted'
                WHERE status = 'started' AND attempt_id IN (
                    SELECT attempt.id FROM attempt JOIN board ON board.id = attempt.board_id
                    WHERE attempt.result = 'running' AND (? IS NULL OR board.profile = ?))
                """, arguments: [self.now(), profile, profile])
            try db.execute(sql: """
                UPDATE attempt SET result = 'failed', ended_at = ?, error = 'interrupted: esprig stopped during this attempt'
                WHERE result = 'running' AND board_id IN (SELECT id FROM board WHERE ? IS NULL OR profile = ?)
                """, arguments: [self.now(), profile, profile])
            return db.changesCount
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

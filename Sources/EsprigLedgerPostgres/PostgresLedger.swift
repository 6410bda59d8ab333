import EsprigLedger
import Foundation
import Logging
import PostgresNIO

/// The ledger on a PostgreSQL server, shared by every station of a line.
///
/// Every public call is one READ COMMITTED transaction that locks the rows its decision rests
/// on: a claim holds the board's row, an allocation the counter's row, a step or finish its
/// attempt's row. So two stations racing for one board or one counter queue on that row and
/// the second sees what the first committed; the unique constraints stand behind the locks.
/// A transaction that still collides (deadlock, a key inserted at the same moment) is run
/// again, a bounded number of times. A connection that breaks before COMMIT was sent lost
/// nothing (the server rolls the transaction back), so the call is made again on a new
/// connection; one that breaks during COMMIT is reported as such, never as success.
public final class PostgresLedger: Ledger {
    let pool: PostgresPool
    let lease: Duration
    let logger = Logger(label: "esprig.ledger.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    static let conflictRetries = 8
    static let connectionRetries = 2

    public var location: String { pool.location.redacted }

    /// Connects (reaching the server is retried with a bounded backoff) and brings the schema
    /// up to date; with `create` false, a database without a ledger is refused (`.notFound`)
    /// instead of getting one, as reading commands must not create a ledger.
    public init(location: PostgresLocation, lease: Duration = Station.defaultLease, maximumConnections: Int = 4,
                create: Bool = true) throws(LedgerError) {
        pool = try PostgresPool(location: location, maximumConnections: maximumConnections)
        self.lease = lease
        try migrate(create: create)
    }

    /// `postgres://…`, completed from the environment.
    public convenience init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            lease: Duration = Station.defaultLease, create: Bool = true) throws(LedgerError) {
        try self.init(location: PostgresLocation(url: url, environment: environment), lease: lease, create: create)
    }

    /// Closes the connections; the ledger cannot be used after.
    public func close() { pool.close() }

    // MARK: Schema

    func migrate(create: Bool) throws(LedgerError) {
        try transaction { tx in
            if !create, try Self.single(try tx.run("SELECT to_regclass('esprig.schema_version') IS NULL"), Bool.self) {
                throw LedgerError(.notFound, "no esprig ledger in the database at \(self.location)",
                                  hint: "a bench run with --ledger \(self.location) creates it; check the database name")
            }
            try tx.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))")
            try tx.run(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS esprig"))
            try tx.run(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS esprig.schema_version (
                    version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())
                """))
            let applied = Set(try tx.run("SELECT version FROM esprig.schema_version").map { try $0.decode(Int.self) })
            if let newest = applied.max(), newest > PostgresSchema.latestVersion {
                throw LedgerError(.storage, "the ledger at \(self.location) has schema version \(newest), newer than this esprig knows (\(PostgresSchema.latestVersion))",
                                  hint: "update esprig on this station to the version the other stations run")
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                for statement in migration.sql { try tx.run(PostgresQuery(unsafeSQL: statement)) }
                try tx.run("INSERT INTO esprig.schema_version (version, name) VALUES (\(migration.version), \(migration.name))")
            }
        }
    }

    /// The schema versions applied, oldest first.
    public func schemaVersions() throws(LedgerError) -> [Int] {
        try transaction { tx in try tx.run("SELECT version FROM esprig.schema_version ORDER BY version").map { try $0.decode(Int.self) } }
    }

    // MARK: Attempts

    public func claim(_ start: AttemptStart, reprovision: Bool) throws(LedgerError) -> AttemptClaim {
        try transaction { tx in
            let boardID: Int64
            if let (id, recorded) = try self.lockBoard(profile: start.profile, mac: start.mac, tx) {
                boardID = id
                let (latest, now) = try self.latestAttempt(boardID, tx)
                switch ClaimRule.decide(latest, station: start.station, reprovision: reprovision, now: now, lease: self.lease) {
                case .skipPassed:
                    return .passed(clientID: recorded)
                case .busy(let station, let attempt):
                    return .busy(station: station, attempt: attempt)
                case .takeOver(let attempt, let reason):
                    try Self.checkIdentity(start, recorded: recorded)
                    try self.close(attempt, reason: reason, tx)
                case .open:
                    try Self.checkIdentity(start, recorded: recorded)
                }
            } else {
                boardID = try self.insertBoard(start, tx)
            }
            let hashes = String(decoding: try JSONEncoder.sortedKeys.encode(start.firmwareHashes), as: UTF8.self)
            let rows = try tx.run("""
                INSERT INTO esprig.attempt (board_id, station, profile_hash, port_path, port_usb_serial, port_usb_path, firmware_hashes, result)
                VALUES (\(boardID), \(start.station), \(start.profileHash), \(start.port.path), \(start.port.usbSerial), \(start.port.usbPath),
                        \(hashes)::jsonb, 'running')
                RETURNING id
                """)
            return .began(AttemptID(try Self.single(rows, Int64.self)))
        }
    }

    /// The board's id and client id, its row locked until the transaction ends; nil if unknown.
    private func lockBoard(profile: String, mac: String, _ tx: PostgresTransaction) throws -> (Int64, String?)? {
        // NO KEY UPDATE: attempts and allocations referencing the board may still be inserted.
        let rows = try tx.run("SELECT id, client_id FROM esprig.board WHERE profile = \(profile) AND mac = \(mac) FOR NO KEY UPDATE")
        guard let row = rows.first else { return nil }
        let (id, clientID) = try row.decode((Int64, String?).self)
        return (id, clientID)
    }

    /// Records a new board. Stations inserting at the same moment queue on the unique keys: the
    /// second inserts nothing once the first commits, and then finds either the same board
    /// (locked and checked like any known board) or another board holding the client id.
    private func insertBoard(_ start: AttemptStart, _ tx: PostgresTransaction) throws -> Int64 {
        let inserted = try tx.run("""
            INSERT INTO esprig.board (profile, mac, chip, client_id) VALUES (\(start.profile), \(start.mac), \(start.chip), \(start.clientID))
            ON CONFLICT DO NOTHING RETURNING id
            """)
        if let row = inserted.first { return try row.decode(Int64.self) }
        if let (id, recorded) = try lockBoard(profile: start.profile, mac: start.mac, tx) {
            try Self.checkIdentity(start, recorded: recorded)
            return id
        }
        if let clientID = start.clientID,
           let holder = try tx.run("SELECT mac FROM esprig.board WHERE profile = \(start.profile) AND client_id = \(clientID)").first {
            throw LedgerError.duplicateClientID(clientID, mac: start.mac, holder: try holder.decode(String.self), profile: start.profile)
        }
        throw LedgerError(.storage, "board \(start.mac) could not be recorded in profile \(start.profile), nor found")
    }

    /// The board's latest attempt and the server's time now, which the lease is measured in.
    private func latestAttempt(_ boardID: Int64, _ tx: PostgresTransaction) throws -> (ClaimRule.Latest?, Date) {
        let rows = try tx.run("""
            SELECT a.id, a.result, a.station,
                   GREATEST(a.started_at, (SELECT MAX(COALESCE(s.ended_at, s.started_at)) FROM esprig.step s WHERE s.attempt_id = a.id)),
                   clock_timestamp()
            FROM esprig.attempt a WHERE a.board_id = \(boardID) ORDER BY a.started_at DESC, a.id DESC LIMIT 1
            """)
        guard let row = rows.first else {
            return (nil, try Self.single(try tx.run("SELECT clock_timestamp()"), Date.self))
        }
        let (id, result, station, activity, now) = try row.decode((Int64, String, String, Date, Date).self)
        return (ClaimRule.Latest(id: AttemptID(id), result: AttemptResult(rawValue: result) ?? .failed, station: station, lastActivity: activity), now)
    }

    private func close(_ attempt: AttemptID, reason: String, _ tx: PostgresTransaction) throws {
        try tx.run("""
            UPDATE esprig.step SET status = 'failed', ended_at = clock_timestamp(), error = 'interrupted'
            WHERE attempt_id = \(attempt.rawValue) AND status = 'started'
            """)
        try tx.run("""
            UPDATE esprig.attempt SET result = 'failed', ended_at = clock_timestamp(), error = \(reason)
            WHERE id = \(attempt.rawValue) AND result = 'running'
            """)
    }

    private static func checkIdentity(_ start: AttemptStart, recorded: String?) throws {
        guard recorded == start.clientID else {
            throw LedgerError.identityConflict(mac: start.mac, profile: start.profile, recorded: recorded, wanted: start.clientID)
        }
    }

    public func stepStarted(_ attempt: AttemptID, name: String) throws(LedgerError) -> StepID {
        try transaction { tx in
            try self.lockRunning(attempt, tx)
            let rows = try tx.run("INSERT INTO esprig.step (attempt_id, name, status) VALUES (\(attempt.rawValue), \(name), 'started') RETURNING id")
            return StepID(try Self.single(rows, Int64.self))
        }
    }

    public func stepFinished(_ step: StepID, error: String?) throws(LedgerError) {
        try transaction { tx in
            guard let row = try tx.run("SELECT attempt_id, status FROM esprig.step WHERE id = \(step.rawValue)").first else {
                throw LedgerError(.notFound, "no step \(step.rawValue) in the ledger")
            }
            let (attempt, status) = try row.decode((Int64, String).self)
            try self.lockRunning(AttemptID(attempt), tx)
            guard status == StepStatus.started.rawValue else {
                throw LedgerError(.invalidTransition, "step \(step.rawValue) already finished")
            }
            let newStatus = error == nil ? StepStatus.passed.rawValue : StepStatus.failed.rawValue
            try tx.run("""
                UPDATE esprig.step SET status = \(newStatus), ended_at = clock_timestamp(), error = \(error)
                WHERE id = \(step.rawValue) AND status = 'started'
                """)
        }
    }

    public func recordCertificate(_ attempt: AttemptID, serial: String, sha256: String) throws(LedgerError) {
        try transaction { tx in
            try self.lockRunning(attempt, tx)
            try tx.run("UPDATE esprig.attempt SET certificate_serial = \(serial), certificate_sha256 = \(sha256) WHERE id = \(attempt.rawValue)")
        }
    }

    public func finishAttempt(_ attempt: AttemptID, error: String?) throws(LedgerError) {
        try transaction { tx in
            try self.lockRunning(attempt, tx)
            if error == nil {
                let steps = try tx.run("SELECT name, status FROM esprig.step WHERE attempt_id = \(attempt.rawValue) ORDER BY id")
                    .map { try $0.decode((String, String).self) }
                if steps.isEmpty {
                    throw LedgerError(.invalidTransition, "attempt \(attempt.rawValue) recorded no step; it cannot pass")
                }
                if let open = steps.first(where: { $0.1 != StepStatus.passed.rawValue }) {
                    throw LedgerError(.invalidTransition, "attempt \(attempt.rawValue) cannot pass: step \(open.0) is \(open.1)")
                }
            }
            let result = error == nil ? AttemptResult.passed.rawValue : AttemptResult.failed.rawValue
            try tx.run("UPDATE esprig.attempt SET result = \(result), ended_at = clock_timestamp(), error = \(error) WHERE id = \(attempt.rawValue)")
        }
    }

    /// Locks the attempt's row (a claim taking it over waits, or is waited for) and refuses
    /// one that is no longer running.
    private func lockRunning(_ attempt: AttemptID, _ tx: PostgresTransaction) throws {
        guard let row = try tx.run("SELECT result FROM esprig.attempt WHERE id = \(attempt.rawValue) FOR NO KEY UPDATE").first else {
            throw LedgerError(.notFound, "no attempt \(attempt.rawValue) in the ledger")
        }
        let result = try row.decode(String.self)
        guard result == AttemptResult.running.rawValue else {
            throw LedgerError(.invalidTransition, "attempt \(attempt.rawValue) is already \(result)")
        }
    }

    @discardableResult
    public func closeInterruptedAttempts(profile: String?, station: String?) throws(LedgerError) -> Int {
        try transaction { tx in
            let running = try tx.run("""
                SELECT a.id FROM esprig.attempt a JOIN esprig.board b ON b.id = a.board_id
                WHERE a.result = 'running' AND (\(profile)::text IS NULL OR b.profile = \(profile)) AND (\(station)::text IS NULL OR a.station = \(station))
                FOR UPDATE OF a
                """).map { try $0.decode(Int64.self) }
            for attempt in running { try self.close(AttemptID(attempt), reason: ClaimRule.interrupted, tx) }
            return running.count
        }
    }

    // MARK: Counters

    public func allocate(counter: String, profile: String, mac: String, start: Int64,
                         render: @Sendable (Int64) -> String) throws(LedgerError) -> CounterAllocation {
        try transaction { tx in
            guard let boardRow = try tx.run("SELECT id FROM esprig.board WHERE profile = \(profile) AND mac = \(mac)").first else {
                throw LedgerError.unknownBoard(mac: mac, profile: profile)
            }
            let boardID = try boardRow.decode(Int64.self)
            try tx.run("INSERT INTO esprig.counter (profile, name, next_number) VALUES (\(profile), \(counter), \(start)) ON CONFLICT DO NOTHING")
            // The counter's row is the queue: whoever holds it takes the next number.
            let next = try Self.single(try tx.run("SELECT next_number FROM esprig.counter WHERE profile = \(profile) AND name = \(counter) FOR UPDATE"), Int64.self)
            if let held = try tx.run("""
                SELECT number, value FROM esprig.allocation WHERE profile = \(profile) AND counter = \(counter) AND board_id = \(boardID)
                """).first {
                let (number, value) = try held.decode((Int64, String).self)
                return CounterAllocation(number: number, value: value, isNew: false)
            }
            let number = max(next, start)
            let value = render(number)
            if let holder = try tx.run("""
                SELECT b.mac FROM esprig.allocation a JOIN esprig.board b ON b.id = a.board_id
                WHERE a.profile = \(profile) AND a.counter = \(counter) AND a.value = \(value)
                """).first {
                throw LedgerError.counterCollision(counter: counter, value: value, number: number, holder: try holder.decode(String.self), profile: profile)
            }
            try tx.run("""
                INSERT INTO esprig.allocation (profile, counter, board_id, number, value) VALUES (\(profile), \(counter), \(boardID), \(number), \(value))
                """)
            try tx.run("UPDATE esprig.counter SET next_number = \(number + 1) WHERE profile = \(profile) AND name = \(counter)")
            return CounterAllocation(number: number, value: value, isNew: true)
        }
    }

    // MARK: Reading

    public func boards(profile: String?) throws(LedgerError) -> [BoardRecord] {
        try read("($1::text IS NULL OR b.profile = $1)", profile)
    }

    public func boards(mac: String) throws(LedgerError) -> [BoardRecord] {
        try read("b.mac = $1", mac.lowercased())
    }

    /// Boards matching `condition` (over `b`, the board table; `value` is bound as $1), with
    /// their attempts, steps and allocations, in four queries.
    private func read(_ condition: StaticString, _ value: String?) throws(LedgerError) -> [BoardRecord] {
        try transaction { tx in
            func query(_ sql: String) throws -> [PostgresRow] {
                var bindings = PostgresBindings()
                bindings.append(value)
                return try tx.run(PostgresQuery(unsafeSQL: sql, binds: bindings))
            }
            let condition = "\(condition)"
            let boards = try query("SELECT b.id, b.profile, b.mac, b.chip, b.client_id FROM esprig.board b WHERE \(condition) ORDER BY b.id")
                .map { try $0.decode((Int64, String, String, String, String?).self) }
            let attempts = try query("""
                SELECT a.id, a.board_id, a.station, a.profile_hash, a.port_path, a.port_usb_serial, a.port_usb_path, a.firmware_hashes::text,
                       a.certificate_serial, a.certificate_sha256, a.started_at, a.ended_at, a.result, a.error
                FROM esprig.attempt a JOIN esprig.board b ON b.id = a.board_id WHERE \(condition) ORDER BY a.started_at, a.id
                """)
            let steps = try query("""
                SELECT s.id, s.attempt_id, s.name, s.status, s.started_at, s.ended_at, s.error
                FROM esprig.step s JOIN esprig.attempt a ON a.id = s.attempt_id JOIN esprig.board b ON b.id = a.board_id
                WHERE \(condition) ORDER BY s.id
                """)
            let allocations = try query("""
                SELECT a.board_id, a.counter, a.number, a.value FROM esprig.allocation a JOIN esprig.board b ON b.id = a.board_id WHERE \(condition)
                """)
            var stepsByAttempt: [Int64: [StepRecord]] = [:]
            for row in steps {
                let (id, attempt, name, status, started, ended, error) = try row.decode((Int64, Int64, String, String, Date, Date?, String?).self)
                stepsByAttempt[attempt, default: []].append(StepRecord(id: StepID(id), name: name, status: StepStatus(rawValue: status) ?? .failed,
                                                                       startedAt: started, endedAt: ended, error: error))
            }
            var attemptsByBoard: [Int64: [AttemptRecord]] = [:]
            for row in attempts {
                let (id, board, station, profileHash, portPath, usbSerial, usbPath, hashes, certSerial, certSHA, started, ended, result, error) =
                    try row.decode((Int64, Int64, String, String, String, String?, String?, String, String?, String?, Date, Date?, String, String?).self)
                let firmware = try JSONDecoder().decode([String: String].self, from: Data(hashes.utf8))
                attemptsByBoard[board, default: []].append(AttemptRecord(
                    id: AttemptID(id), station: station, profileHash: profileHash,
                    port: PortIdentity(path: portPath, usbSerial: usbSerial, usbPath: usbPath), firmwareHashes: firmware,
                    certificateSerial: certSerial, certificateSHA256: certSHA, startedAt: started, endedAt: ended,
                    result: AttemptResult(rawValue: result) ?? .failed, error: error, steps: stepsByAttempt[id] ?? []))
            }
            var allocated: [Int64: [String: String]] = [:]
            var numbers: [Int64: [String: Int64]] = [:]
            for row in allocations {
                let (board, counter, number, value) = try row.decode((Int64, String, Int64, String).self)
                allocated[board, default: [:]][counter] = value
                numbers[board, default: [:]][counter] = number
            }
            return boards.map { id, profile, mac, chip, clientID in
                BoardRecord(profile: profile, mac: mac, chip: chip, clientID: clientID, allocated: allocated[id] ?? [:],
                            numbers: numbers[id] ?? [:], attempts: attemptsByBoard[id] ?? [])
            }
        }
    }

    // MARK: Transactions

    /// Runs `body` in one transaction: again after a collision (at most `conflictRetries`
    /// times) or a connection lost before COMMIT was sent (at most `connectionRetries`).
    func transaction<T>(_ body: (PostgresTransaction) throws -> T) throws(LedgerError) -> T {
        var conflicts = 0
        var losses = 0
        while true {
            var commitSent = false
            do {
                return try pool.withConnection { connection in
                    let tx = PostgresTransaction(connection: connection, logger: logger)
                    try tx.run("BEGIN ISOLATION LEVEL READ COMMITTED")
                    do {
                        let value = try body(tx)
                        commitSent = true
                        try tx.run("COMMIT")
                        return value
                    } catch {
                        if !commitSent, !connection.isClosed { _ = try? tx.run("ROLLBACK") }
                        throw error
                    }
                }
            } catch let error as LedgerError {
                throw error
            } catch {
                let failure = PostgresFailure(error)
                if failure.isConflict, conflicts < Self.conflictRetries {
                    conflicts += 1
                    // Jittered, growing: colliding stations do not collide again in step.
                    Thread.sleep(forTimeInterval: Double.random(in: 0.001...0.005) * Double(conflicts))
                    continue
                }
                if failure.isConnectionLoss {
                    if commitSent {
                        throw LedgerError(.connection, "the connection to the ledger at \(location) broke while committing; whether this record was written is unknown: \(failure.reason)",
                                          hint: "the board is not counted as passed; `esprig ledger show MAC` shows what the ledger holds")
                    }
                    if losses < Self.connectionRetries {
                        losses += 1
                        continue
                    }
                    throw LedgerError(.connection, "the connection to the ledger at \(location) broke \(losses + 1) times; nothing of this record was written: \(failure.reason)",
                                      hint: "check the network and the server; the station reconnects on its next record")
                }
                if failure.isConflict {
                    throw LedgerError(.storage, "the ledger at \(location) kept colliding with other stations (\(conflicts + 1) tries): \(failure.reason)")
                }
                throw LedgerError(.storage, "the ledger at \(location) could not be written: \(failure.reason)")
            }
        }
    }

    static func single<T: PostgresDecodable>(_ rows: [PostgresRow], _ type: T.Type) throws -> T {
        guard let row = rows.first else { throw LedgerError(.storage, "the ledger's server returned no row where one was expected") }
        return try row.decode(T.self)
    }
}

/// One connection inside BEGIN … COMMIT.
struct PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement; its values are bound parameters, never spliced into the SQL.
    @discardableResult
    func run(_ query: PostgresQuery) throws -> [PostgresRow] {
        try connection.query(query, logger: logger).wait().rows
    }
}

extension JSONEncoder {
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

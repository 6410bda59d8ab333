@testable import EsprigLedger
import EsprigTestSupport
import Foundation
import GRDB
import Testing

@Suite("SQLiteLedger")
struct SQLiteLedgerTests {
    @Test("the schema is created once and reopening migrates nothing twice")
    func schema() throws {
        let directory = try TempDirectory()
        let path = directory.file("ledger.sqlite")
        _ = try SQLiteLedger(path: path)
        _ = try SQLiteLedger(path: path)
        let queue = try DatabaseQueue(path: path)
        let tables = try queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' AND name NOT LIKE 'sqlite%' ORDER BY name") }
        #expect(tables == ["allocation", "attempt", "board", "counter", "step"])
        let migrations = try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(migrations == ["v1", "v2-station"])
    }

    @Test("a file from before stations is upgraded in place: its attempts keep their data, with no station")
    func upgradesV1() throws {
        let directory = try TempDirectory()
        let path = directory.file("ledger.sqlite")
        let queue = try DatabaseQueue(path: path)
        try LedgerSchema.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO board (profile, mac, chip, client_id, created_at) VALUES ('greenhouse', '18:fe:34:00:00:01', 'esp8266', 'gh_1', '2026-01-01 00:00:00.000')")
            try db.execute(sql: """
                INSERT INTO attempt (board_id, profile_hash, port_path, firmware_hashes, started_at, ended_at, result)
                VALUES (1, 'h', '/dev/ttyUSB0', '{}', '2026-01-01 00:00:00.000', '2026-01-01 00:01:00.000', 'passed')
                """)
        }
        try queue.close()
        let ledger = try SQLiteLedger(path: path)
        let board = try #require(try ledger.boards(profile: nil).first)
        #expect(board.clientID == "gh_1")
        #expect(board.attempts.map(\.station) == [""])
        #expect(board.result == .passed)
        // The next attempt records its station.
        _ = try ledger.beginAttempt(LedgerFixtures.start(2))
        #expect(try ledger.boards(mac: LedgerFixtures.mac(2)).first?.attempts.first?.station == "bench-1")
    }

    @Test("an attempt whose steps all pass is recorded passed, with its port, hashes and certificate")
    func passed() throws {
        let ledger = try SQLiteLedger(inMemory: { Date(timeIntervalSince1970: 1_800_000_000) })
        let attempt = try ledger.beginAttempt(LedgerFixtures.start(1))
        for name in ["connect", "flash"] {
            let step = try ledger.stepStarted(attempt, name: name)
            try ledger.stepFinished(step, error: nil)
        }
        try ledger.recordCertificate(attempt, serial: "1f2e", sha256: "ab" + String(repeating: "0", count: 62))
        try ledger.finishAttempt(attempt, error: nil)
        let board = try #require(try ledger.boards(profile: "greenhouse").first)
        #expect(board.mac == "18:fe:34:00:00:01")
        #expect(board.clientID == "greenhouse_00000001")
        #expect(board.result == .passed)
        let record = try #require(board.attempts.first)
        #expect(record.port == PortIdentity(path: "/dev/ttyUSB1", usbSerial: "S1", usbPath: "1-1.1"))
        #expect(record.firmwareHashes == ["app": "aa", "boot": "bb"])
        #expect(record.certificateSerial == "1f2e")
        #expect(record.steps.map(\.name) == ["connect", "flash"])
        #expect(record.steps.allSatisfy { $0.status == .passed && $0.endedAt != nil })
        #expect(try ledger.pendingBoards(profile: "greenhouse").isEmpty)
    }

    @Test("an attempt cannot pass with a failed or unfinished step, or with no step")
    func cannotPassUnlessStepsPassed() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        let empty = try ledger.beginAttempt(LedgerFixtures.start(1))
        #expect(throws: LedgerError(.invalidTransition, "")) { try ledger.finishAttempt(empty, error: nil) }
        try ledger.finishAttempt(empty, error: "cancelled")

        let open = try ledger.beginAttempt(LedgerFixtures.start(2))
        _ = try ledger.stepStarted(open, name: "flash")
        #expect(throws: LedgerError(.invalidTransition, "")) { try ledger.finishAttempt(open, error: nil) }

        let failed = try ledger.beginAttempt(LedgerFixtures.start(3))
        try ledger.stepFinished(try ledger.stepStarted(failed, name: "flash"), error: "write failed")
        #expect(throws: LedgerError(.invalidTransition, "")) { try ledger.finishAttempt(failed, error: nil) }
        try ledger.finishAttempt(failed, error: "write failed")
        // A finished attempt takes no more steps and cannot be finished again.
        #expect(throws: LedgerError(.invalidTransition, "")) { _ = try ledger.stepStarted(failed, name: "verify") }
        #expect(throws: LedgerError(.invalidTransition, "")) { try ledger.finishAttempt(failed, error: nil) }
        #expect(try ledger.boards(profile: nil).compactMap(\.result) == [.failed, .running, .failed])
    }

    @Test("a rerun of a failed board reuses its identity; only unfinished boards are pending")
    func rerunReusesIdentity() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        try LedgerFixtures.provision(ledger, 1)
        try LedgerFixtures.provision(ledger, 2, failing: "flash")
        try LedgerFixtures.provision(ledger, 3)
        #expect(try ledger.pendingBoards(profile: "greenhouse").map(\.mac) == [LedgerFixtures.mac(2)])
        let failed = try #require(try ledger.boards(profile: "greenhouse").first { $0.mac == LedgerFixtures.mac(2) })
        #expect(failed.attempts.first?.error == "flash failed: timeout")
        #expect(failed.attempts.first?.steps.last?.status == .failed)

        try LedgerFixtures.provision(ledger, 2)
        let boards = try ledger.boards(profile: "greenhouse")
        #expect(boards.count == 3)
        let rerun = try #require(boards.first { $0.mac == LedgerFixtures.mac(2) })
        #expect(rerun.attempts.map(\.result) == [.failed, .passed])
        #expect(rerun.clientID == "greenhouse_00000002")
        #expect(try ledger.pendingBoards(profile: "greenhouse").isEmpty)
    }

    @Test("two boards with one client id are refused; a board whose id changed is refused")
    func uniqueIdentity() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        try LedgerFixtures.provision(ledger, 1)
        let duplicate = #expect(throws: LedgerError.self) {
            _ = try ledger.beginAttempt(LedgerFixtures.start(2, clientID: "greenhouse_00000001"))
        }
        #expect(duplicate?.code == .duplicateClientID)
        #expect(duplicate?.message.contains(LedgerFixtures.mac(1)) == true)
        let changed = #expect(throws: LedgerError.self) {
            _ = try ledger.beginAttempt(LedgerFixtures.start(1, clientID: "other_00000001"))
        }
        #expect(changed?.code == .identityConflict)
        // Refused attempts wrote nothing.
        #expect(try ledger.boards(profile: nil).map(\.mac) == [LedgerFixtures.mac(1)])
        #expect(try ledger.boards(profile: nil).first?.attempts.count == 1)
        // Another profile is another namespace.
        try LedgerFixtures.provision(ledger, 1)
        _ = try ledger.beginAttempt(LedgerFixtures.start(1, profile: "orchard", clientID: "greenhouse_00000001"))
    }

    @Test("an attempt left running is pending, closed as interrupted, and its board resumes")
    func interrupted() throws {
        let directory = try TempDirectory()
        let path = directory.file("ledger.sqlite")
        do {
            let ledger = try SQLiteLedger(path: path)
            try LedgerFixtures.provision(ledger, 1)
            let attempt = try ledger.beginAttempt(LedgerFixtures.start(2))
            try ledger.stepFinished(try ledger.stepStarted(attempt, name: "connect"), error: nil)
            _ = try ledger.stepStarted(attempt, name: "flash")
        }
        let ledger = try SQLiteLedger(path: path)
        let pending = try ledger.pendingBoards(profile: "greenhouse")
        #expect(pending.map(\.mac) == [LedgerFixtures.mac(2)])
        #expect(pending.first?.result == .running)
        #expect(try ledger.closeInterruptedAttempts(profile: "greenhouse") == 1)
        let closed = try #require(try ledger.pendingBoards(profile: "greenhouse").first)
        #expect(closed.result == .failed)
        #expect(closed.attempts.last?.error?.hasPrefix("interrupted") == true)
        #expect(closed.attempts.last?.steps.map(\.status) == [.passed, .failed])
        try LedgerFixtures.provision(ledger, 2)
        #expect(try ledger.pendingBoards(profile: "greenhouse").isEmpty)
    }

    @Test("beginning a new attempt closes one a crash left running")
    func beginClosesRunning() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        let first = try ledger.beginAttempt(LedgerFixtures.start(1))
        _ = try ledger.stepStarted(first, name: "flash")
        let second = try ledger.beginAttempt(LedgerFixtures.start(1))
        #expect(first != second)
        let board = try #require(try ledger.boards(profile: nil).first)
        #expect(board.attempts.map(\.result) == [.failed, .running])
        #expect(throws: LedgerError(.invalidTransition, "")) { _ = try ledger.stepStarted(first, name: "verify") }
    }
}

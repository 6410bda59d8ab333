import EsprigLedger
import EsprigTestSupport
import Foundation
import GRDB
import Testing

/// A helper process writes the ledger the way the bench does and is SIGKILLed mid-way; the
/// file must stay consistent and a rerun must finish only the boards that did not pass.
@Suite("Ledger survives SIGKILL", .serialized)
struct LedgerCrashTests {
    static var helper: String {
        URL(fileURLWithPath: PackagePaths.root).appendingPathComponent(".build/debug/esprig-ledger-crash-helper").path
    }

    /// Starts the helper, reads its stdout until `line` appears, SIGKILLs it, returns all it said.
    static func runAndKill(_ arguments: [String], whenSeen line: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The watchdog bounds the test: if the line never comes, the kill ends the read.
        let watchdog = DispatchWorkItem { kill(process.processIdentifier, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        var text = ""
        let handle = pipe.fileHandleForReading
        while !text.split(separator: "\n").contains(where: { $0 == line }) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        watchdog.cancel()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        return text.split(separator: "\n").map(String.init)
    }

    /// The invariants a crash must not break, read straight from the file.
    static func checkConsistent(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            // No passed attempt has a step that did not pass, or no step at all.
            let badPasses = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM attempt WHERE result = 'passed' AND (
                    NOT EXISTS (SELECT 1 FROM step WHERE step.attempt_id = attempt.id)
                    OR EXISTS (SELECT 1 FROM step WHERE step.attempt_id = attempt.id AND step.status != 'passed'))
                """)
            #expect(badPasses == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT board_id FROM attempt WHERE result = 'running' GROUP BY board_id HAVING COUNT(*) > 1)") == 0)
        }
    }

    @Test("killed inside a step: that board is not passed, is pending, and the rerun finishes it alone")
    func killedMidStep() throws {
        let directory = try TempDirectory()
        let path = directory.file("ledger.sqlite")
        let output = try Self.runAndKill([path, "6", "3"], whenSeen: "paused")
        #expect(output.contains("board 2 passed"))
        #expect(!output.contains("board 3 passed"))
        try Self.checkConsistent(path)

        let ledger = try SQLiteLedger(path: path)
        let pending = try ledger.pendingBoards(profile: "crash")
        #expect(pending.map(\.mac) == ["18:fe:34:00:00:03"])
        #expect(pending.first?.result == .running)
        #expect(pending.first?.attempts.last?.steps.map(\.status) == [.passed, .started])

        // The rerun: close what the crash left, then redo only the pending boards.
        try ledger.closeInterruptedAttempts(profile: "crash")
        for board in try ledger.pendingBoards(profile: "crash") {
            let attempt = try ledger.beginAttempt(AttemptStart(profile: "crash", profileHash: "h", mac: board.mac, chip: board.chip,
                                                               clientID: board.clientID, port: PortIdentity(path: "/dev/ttyUSB3")))
            try ledger.stepFinished(try ledger.stepStarted(attempt, name: "flash"), error: nil)
            try ledger.finishAttempt(attempt, error: nil)
        }
        let boards = try ledger.boards(profile: "crash")
        #expect(boards.count == 4)
        #expect(boards.allSatisfy { $0.result == .passed })
        #expect(Set(boards.compactMap(\.clientID)).count == 4)
        #expect(boards[3].attempts.map(\.result) == [.failed, .passed])
    }

    @Test("killed inside the write transaction that would mark an attempt passed: the attempt stays unfinished")
    func killedInsideTransaction() throws {
        let directory = try TempDirectory()
        let path = directory.file("ledger.sqlite")
        let output = try Self.runAndKill([path, "in-transaction"], whenSeen: "in transaction")
        #expect(output.contains("in transaction"))
        // The rollback journal the kill left behind is replayed when the file is next opened.
        #expect(FileManager.default.fileExists(atPath: path + "-journal"))
        let ledger = try SQLiteLedger(path: path)
        try Self.checkConsistent(path)
        let board = try #require(try ledger.pendingBoards(profile: "crash").first)
        #expect(board.result == .running)
        #expect(board.attempts.last?.steps.map(\.status) == [.passed, .started])
    }

    @Test("killed at an arbitrary point of a busy run: the file is consistent and a rerun completes without duplicates")
    func killedWhileBusy() throws {
        let directory = try TempDirectory()
        let path = directory.file("ledger.sqlite")
        let output = try Self.runAndKill([path, "400"], whenSeen: "board 25 connect started")
        #expect(!output.contains("done"))
        try Self.checkConsistent(path)

        // Rerun the whole batch the way the bench will: skip passed boards, redo the rest.
        let ledger = try SQLiteLedger(path: path)
        let passedBefore = try ledger.boards(profile: "crash").filter { $0.result == .passed }.map(\.mac)
        try ledger.closeInterruptedAttempts(profile: "crash")
        for board in 0..<400 {
            let mac = String(format: "18:fe:34:00:%02x:%02x", board >> 8, board & 0xFF)
            if passedBefore.contains(mac) { continue }
            let attempt = try ledger.beginAttempt(AttemptStart(profile: "crash", profileHash: "h", mac: mac, chip: "esp8266",
                                                               clientID: String(format: "crash_%08X", board), port: PortIdentity(path: "/dev/x")))
            try ledger.stepFinished(try ledger.stepStarted(attempt, name: "flash"), error: nil)
            try ledger.finishAttempt(attempt, error: nil)
        }
        try Self.checkConsistent(path)
        let boards = try ledger.boards(profile: "crash")
        #expect(boards.count == 400)
        #expect(boards.allSatisfy { $0.result == .passed })
        #expect(Set(boards.map(\.mac)).count == 400)
        #expect(try ledger.pendingBoards(profile: "crash").isEmpty)
        // Boards that had passed before the kill were not redone.
        for board in boards where passedBefore.contains(board.mac) {
            #expect(board.attempts.count == 1)
        }
    }
}

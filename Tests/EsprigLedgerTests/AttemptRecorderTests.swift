import EsprigLedger
import Foundation
import Testing

@Suite("AttemptRecorder")
struct AttemptRecorderTests {
    struct Unplugged: Error, CustomStringConvertible { var description: String { "device disconnected" } }

    @Test("steps are recorded around their work and the attempt passes at the end")
    func passes() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        let recorder = try AttemptRecorder(ledger: ledger, starting: LedgerFixtures.start(1))
        let seen = try recorder.step("connect") { () -> String in
            // While the work runs, the step is already on record as started.
            let board = try ledger.boards(profile: "greenhouse")[0]
            return board.attempts[0].steps[0].status.rawValue
        }
        #expect(seen == "started")
        try recorder.step("flash") {}
        try recorder.recordCertificate(serial: "01", sha256: "ff")
        try recorder.finish()
        let attempt = try #require(try ledger.boards(profile: nil).first?.attempts.first)
        #expect(attempt.result == .passed)
        #expect(attempt.steps.map(\.status) == [.passed, .passed])
    }

    @Test("a failing step records its error on the step and the attempt and rethrows it")
    func fails() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        let recorder = try AttemptRecorder(ledger: ledger, starting: LedgerFixtures.start(1))
        try recorder.step("connect") {}
        #expect(throws: Unplugged.self) { try recorder.step("flash") { throw Unplugged() } }
        let attempt = try #require(try ledger.boards(profile: nil).first?.attempts.first)
        #expect(attempt.result == .failed)
        #expect(attempt.error == "flash: device disconnected")
        #expect(attempt.steps.last?.error == "flash: device disconnected")
        #expect(throws: LedgerError(.invalidTransition, "")) { try recorder.finish() }
    }

    @Test("an attempt abandoned between steps is failed with the reason")
    func abandon() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        let recorder = try AttemptRecorder(ledger: ledger, starting: LedgerFixtures.start(1))
        try recorder.step("connect") {}
        try recorder.abandon("cancelled by the operator")
        #expect(try ledger.pendingBoards(profile: "greenhouse").first?.attempts.first?.error == "cancelled by the operator")
    }
}

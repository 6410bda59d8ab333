import EsprigLedger
import EsprigLedgerPostgres
import EsprigTestSupport
import Foundation
import Testing

@Suite("PostgresLedger")
struct PostgresLedgerTests {
    @Test("an attempt is recorded step by step, with its station, and read back as the SQLite ledger reads it")
    func records() throws {
        let (ledger, _) = try Fixtures.ledger()
        let attempt = try Fixtures.provision(ledger, 1, failing: "flash")
        try Fixtures.provision(ledger, 1)
        try ledger.recordCertificateCheck(attempt)
        let board = try #require(try ledger.boards(mac: Fixtures.mac(1)).first)
        #expect(board.clientID == "greenhouse_00000001")
        #expect(board.attempts.map(\.result) == [.failed, .passed])
        #expect(board.attempts.allSatisfy { $0.station == "station-a" })
        #expect(board.attempts[0].steps.map(\.status) == [.passed, .failed])
        #expect(board.attempts[0].error == "flash failed: timeout")
        #expect(board.attempts[1].steps.map(\.name) == ["connect", "flash", "verify"])
        #expect(board.attempts[1].firmwareHashes == ["app": "aa", "boot": "bb"])
        #expect(try ledger.pendingBoards(profile: "greenhouse").isEmpty)
    }
}

extension PostgresLedger {
    /// Recording on a finished attempt is refused.
    func recordCertificateCheck(_ finished: AttemptID) throws {
        #expect(throws: LedgerError(.invalidTransition, "")) { try self.recordCertificate(finished, serial: "01", sha256: "ab") }
    }
}

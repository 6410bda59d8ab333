@testable import EsprigLedger
import Foundation
import Testing

@Suite("LedgerExport")
struct LedgerExportTests {
    @Test("CSV has one row per attempt, quoting what needs it")
    func csv() throws {
        let ledger = try SQLiteLedger(inMemory: { Date(timeIntervalSince1970: 1_800_000_000) })
        try LedgerFixtures.provision(ledger, 1, failing: "flash")
        try LedgerFixtures.provision(ledger, 1)
        let lines = LedgerExport.csv(try ledger.boards(profile: nil)).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == LedgerExport.csvColumns.joined(separator: ","))
        #expect(lines[1] == "greenhouse,18:fe:34:00:00:01,esp8266,greenhouse_00000001,,1,bench-1,failed,2027-01-15T08:00:00.000Z,2027-01-15T08:00:00.000Z,/dev/ttyUSB1,S1,1-1.1,sha256-of-profile,app=aa;boot=bb,,,flash,flash failed: timeout")
        #expect(lines[2].contains(",2,bench-1,passed,"))
    }

    @Test("CSV fields with commas, quotes or a leading formula character are made safe")
    func csvEscaping() {
        #expect(LedgerExport.csvField("a,b") == "\"a,b\"")
        #expect(LedgerExport.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(LedgerExport.csvField("=HYPERLINK(1)") == "'=HYPERLINK(1)")
        #expect(LedgerExport.csvField("plain") == "plain")
    }

    @Test("JSON round-trips the board records")
    func json() throws {
        let ledger = try SQLiteLedger(inMemory: { Date(timeIntervalSince1970: 1_800_000_000) })
        try LedgerFixtures.provision(ledger, 4)
        let data = try LedgerExport.json(try ledger.boards(profile: nil))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(object.first?["mac"] as? String == "18:fe:34:00:00:04")
        let attempts = try #require(object.first?["attempts"] as? [[String: Any]])
        #expect(attempts.first?["result"] as? String == "passed")
        #expect(attempts.first?["started_at"] as? String == "2027-01-15T08:00:00.000Z")
        #expect(attempts.first?["id"] as? Int == 1)
        #expect(object.first?["client_id"] as? String == "greenhouse_00000004")
    }
}

import EsprigLedger
import EsprigLedgerPostgres
import EsprigTestSupport
import Foundation
import Testing

/// `esprig ledger …` against the PostgreSQL ledger, next to the same history in an SQLite file.
@Suite("esprig ledger on PostgreSQL")
struct LedgerPostgresCommandTests {
    let esprig: ToolRunner
    let directory: TempDirectory
    let server: PostgresServer

    init() throws {
        esprig = try ToolRunner.locateEsprig()
        directory = try TempDirectory(prefix: "esprig-ledger-pg")
        server = try PostgresServer.shared()
    }

    static func mac(_ board: Int) -> String { String(format: "18:fe:34:00:00:%02x", board) }

    static func start(_ board: Int, _ station: String, clientID: String? = nil) -> AttemptStart {
        AttemptStart(profile: "greenhouse", profileHash: "ph", mac: mac(board), chip: "esp8266", clientID: clientID ?? String(format: "greenhouse_%08X", board),
                     port: PortIdentity(path: "/dev/ttyUSB\(board)", usbSerial: "S\(board)"), firmwareHashes: ["app": "aa"], station: station)
    }

    /// Board 1 passed at station-a; board 2 failed at station-a, then passed at station-b;
    /// board 3 passed at station-b with a serial.
    static func record(_ ledger: any Ledger) throws {
        for (board, station, failing) in [(1, "station-a", false), (2, "station-a", true), (2, "station-b", false), (3, "station-b", false)] {
            let attempt = try ledger.beginAttempt(start(board, station))
            if board == 3 { _ = try ledger.allocate(counter: "serial", profile: "greenhouse", mac: mac(3), start: 1, render: { "GH-\($0)" }) }
            let step = try ledger.stepStarted(attempt, name: "write")
            try ledger.stepFinished(step, error: failing ? "write: timed out" : nil)
            if !failing { try ledger.recordCertificate(attempt, serial: "0\(board)", sha256: "cafe\(board)") }
            try ledger.finishAttempt(attempt, error: failing ? "write: timed out" : nil)
        }
    }

    /// Times differ between two recordings; everything else must not.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z"#, with: "T", options: .regularExpression)
            .replacingOccurrences(of: #" \d+\.\ds"#, with: " Ns", options: .regularExpression)
    }

    @Test("list, show and export print the same from an SQLite file and from PostgreSQL; --station keeps one station's attempts")
    func sameOutput() throws {
        let path = directory.file("ledger.sqlite")
        try Self.record(try SQLiteLedger(path: path))
        let url = try server.newDatabase()
        try Self.record(try PostgresLedger(url: url, environment: [:]))
        let commands: [[String]] = [
            ["list"], ["list", "--station", "station-b"], ["list", "--json"], ["show", Self.mac(2)], ["show", Self.mac(2), "--station", "station-a"],
            ["export", "--csv"], ["export", "--json"], ["export", "--csv", "--station", "station-a"],
        ]
        var outputs: [String: String] = [:]
        for command in commands {
            let file = try esprig.run(["ledger"] + command + ["--ledger", path], timeout: .seconds(30))
            let shared = try esprig.run(["ledger"] + command, timeout: .seconds(30), environment: ["ESPRIG_LEDGER": url])
            #expect(file.status == 0 && shared.status == 0, "\(command): \(file.output) / \(shared.output)")
            #expect(Self.normalized(file.output) == Self.normalized(shared.output), "\(command)")
            outputs[command.joined(separator: " ")] = shared.output
        }
        let byB = outputs["list --station station-b"] ?? ""
        #expect(byB.contains(Self.mac(2)) && byB.contains(Self.mac(3)) && !byB.contains(Self.mac(1)), "\(byB)")
        let showA = outputs["show \(Self.mac(2)) --station station-a"] ?? ""
        #expect(showA.contains("failed") && showA.contains("at station station-a") && !showA.contains("station-b"), "\(showA)")
        let csvA = (outputs["export --csv --station station-a"] ?? "").split(separator: "\n").dropFirst()
        #expect(csvA.count == 2 && csvA.allSatisfy { $0.contains(",station-a,") }, "\(csvA)")
        #expect(!outputs.values.contains { $0.contains(server.password) })
    }

    @Test("ledger migrate copies a station's file; a rerun adds nothing; a clashing board is refused alone; the password is never printed")
    func migrate() throws {
        let path = directory.file("station.sqlite")
        let file = try SQLiteLedger(path: path)
        try Self.record(file)
        // A board whose bench died during its attempt, and one the shared ledger knows with another client id.
        let crashed = try file.beginAttempt(Self.start(4, "station-a"))
        _ = try file.stepStarted(crashed, name: "write")
        _ = try file.beginAttempt(Self.start(9, "station-a"))
        let url = try server.newDatabase()
        let shared = try PostgresLedger(url: url, environment: [:])
        _ = try shared.beginAttempt(Self.start(9, "station-z", clientID: "other_id"))

        let first = try esprig.run(["ledger", "migrate", "--from", path, "--to", url], timeout: .seconds(60))
        #expect(first.status == 1, "one board was refused: \(first.output)")
        #expect(first.output.contains("5 boards from \(path) to postgres://\(server.user)@127.0.0.1:\(server.port)/"), "\(first.output)")
        #expect(first.output.contains("4 new, 5 attempts added, 0 already there, 1 counter value added"), "\(first.output)")
        #expect(first.output.contains("refused \(Self.mac(9)) (profile greenhouse)"), "\(first.output)")
        #expect(!first.output.contains(server.password))

        let again = try esprig.run(["ledger", "migrate", "--from", path, "--to", url, "--json"], timeout: .seconds(60))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any], "\(again.output)")
        #expect(report["boardsAdded"] as? Int == 0 && report["attemptsAdded"] as? Int == 0 && report["attemptsPresent"] as? Int == 5, "\(report)")
        #expect(!again.output.contains(server.password))

        // The shared ledger now holds the file's history as the file has it.
        let copied = try shared.boards(profile: "greenhouse")
        for source in try file.boards(profile: "greenhouse") where source.mac != Self.mac(9) {
            let target = try #require(copied.first { $0.mac == source.mac })
            #expect(target.clientID == source.clientID && target.allocated == source.allocated && target.numbers == source.numbers)
            #expect(target.attempts.map(\.station) == source.attempts.map(\.station))
            #expect(target.attempts.map(\.startedAt) == source.attempts.map(\.startedAt))
            #expect(target.attempts.map(\.certificateSHA256) == source.attempts.map(\.certificateSHA256))
            #expect(target.attempts.map { $0.steps.map(\.name) } == source.attempts.map { $0.steps.map(\.name) })
        }
        // The attempt the crash left running is copied as failed: no station is working on it.
        let board4 = try #require(copied.first { $0.mac == Self.mac(4) })
        #expect(board4.attempts.map(\.result) == [.failed])
        #expect(board4.attempts.first?.steps.map(\.status) == [.failed])
        #expect(copied.first { $0.mac == Self.mac(9) }?.clientID == "other_id")
        // The counter continues after the copied value.
        _ = try shared.beginAttempt(Self.start(5, "station-b"))
        #expect(try shared.allocate(counter: "serial", profile: "greenhouse", mac: Self.mac(5), start: 1, render: { "GH-\($0)" }).number == 2)
    }

    @Test("reading commands do not create a ledger in an empty database (exit 1); a wrong password is exit 2 and not printed")
    func refusals() throws {
        let database = try server.newDatabaseName()
        let empty = try esprig.run(["ledger", "list", "--ledger", server.url(database: database)], timeout: .seconds(30))
        #expect(empty.status == 1, "\(empty.output)")
        #expect(empty.output.contains("no esprig ledger in the database at postgres://\(server.user)@127.0.0.1:\(server.port)/\(database)"), "\(empty.output)")
        #expect(try server.sql("SELECT to_regclass('esprig.schema_version') IS NULL", database: database) == "t")
        #expect(!empty.output.contains(server.password))

        let wrong = "not-\(server.password)"
        let refused = try esprig.run(["ledger", "list", "--json", "--ledger", "postgres://\(server.user):\(wrong)@127.0.0.1:\(server.port)/\(database)?sslmode=disable"],
                                     timeout: .seconds(30))
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("ledger-connection") && refused.output.contains("refused the login"), "\(refused.output)")
        #expect(!refused.output.contains(wrong) && !refused.output.contains(server.password))
    }
}

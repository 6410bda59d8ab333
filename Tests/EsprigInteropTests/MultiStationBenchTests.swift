import EsprigCerts
import EsprigCodecs
import EsprigLedger
import EsprigLedgerPostgres
import EsprigTestSupport
import Foundation
import Testing

/// Several `esprig bench` processes as separate stations (each its own project copy and
/// --station) on one ledger, each with 8 simulated boards, neighbouring stations seeing 2 or
/// 4 boards in common (the same MAC and the same flash file), one shared --serial counter.
@Suite("esprig bench: stations sharing one ledger", .serialized)
struct MultiStationBenchTests {
    enum Backend: String, Sendable, CaseIterable { case postgres, sqlite }

    let esprig: ToolRunner
    let root: TempDirectory

    init() throws {
        esprig = try ToolRunner.locateEsprig()
        root = try TempDirectory(prefix: "esprig-stations")
        let first = root.file("station0")
        try FileManager.default.createDirectory(atPath: first, withIntermediateDirectories: true)
        let project = try TempDirectory(prefix: "esprig-station-project")
        try project.copyDemoProject()
        try FileManager.default.removeItem(atPath: first)
        try FileManager.default.copyItem(atPath: project.path, toPath: first)
        let issued = try CertificateIssuer.issueCA(commonName: "line CA")
        try issued.certificatePEM.write(toFile: first + "/line-ca.crt", atomically: true, encoding: .utf8)
        try issued.privateKeyPEM.write(toFile: first + "/line-ca.key", atomically: true, encoding: .utf8)
        try "extends = \"demo-base\"\n\n[certs]\nca = \"line-ca.crt\"\nca_key = \"line-ca.key\"\n"
            .write(toFile: first + "/Profiles/line.toml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root.file("boards"), withIntermediateDirectories: true)
    }

    /// Station `s`'s project: a copy of station 0's (the same profile and CA), as each station
    /// has its own checkout.
    func station(_ s: Int) throws -> String {
        let path = root.file("station\(s)")
        if !FileManager.default.fileExists(atPath: path) { try FileManager.default.copyItem(atPath: root.file("station0"), toPath: path) }
        return path
    }

    static func mac(_ board: Int) -> String { String(format: "18:fe:34:c1:d2:%02x", board) }
    static func clientID(_ board: Int) -> String { String(format: "esprig_00C1D2%02X", board) }
    func flashFile(_ board: Int) -> String { root.file("boards/board\(board).bin") }

    func port(_ board: Int, timed: Bool) -> String {
        "sim://esp8266?mac=\(Self.mac(board))&state=\(flashFile(board))"
            + (timed ? "&timing=uart,flash" : "")
    }

    /// Station s of n sees boards 6s+1…6s+8 (wrapping): its last two are the next station's first two.
    static func boards(station s: Int, of n: Int) -> [Int] {
        (0..<8).map { (6 * s + $0) % (6 * n) + 1 }
    }

    func ledger(_ backend: Backend) throws -> (location: String, open: () throws -> any Ledger) {
        switch backend {
        case .postgres:
            let url = try PostgresServer.shared().newDatabase()
            return (url, { try PostgresLedger(url: url, environment: [:]) })
        case .sqlite:
            let path = root.file("shared-ledger.sqlite")
            return (path, { try SQLiteLedger(path: path) })
        }
    }

    /// Starts station `s`'s bench; its output goes to a log file.
    func launch(_ s: Int, boards: [Int], ledger: String, timed: Bool = false, parallel: Int = 8) throws -> (Process, log: String) {
        let directory = try station(s)
        let log = root.file("station\(s)-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: esprig.executable)
        process.arguments = ["bench", "--profile", "line", "--profiles-dir", directory + "/Profiles", "--ports", boards.map { port($0, timed: timed) }.joined(separator: ","),
                             "--station", "station-\(s)", "--serial", "LN-%05d", "--parallel", String(parallel), "--no-monitor"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["ESPRIG_LEDGER"] = ledger
        environment["PATH"] = PackagePaths.venv + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, log)
    }

    /// Waits (bounded) for `process`, returning its status and output.
    func finish(_ process: Process, log: String, timeout: Double = 300) -> (status: Int32, output: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return (process.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// The certificate in board `n`'s client-cert sector, and its SHA-256.
    func flashedCertificate(_ n: Int) throws -> (commonName: String?, sha256: String) {
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: flashFile(n))))
        let entries = try CertSectorPacker.unpack(Array(image[0x78000..<0x79000]))
        let der = try #require(entries.first { $0.name == "certificate" }?.payload)
        let facts = try CertificateFacts(der: der)
        return (facts.subjectCommonName, EsprigCodecs.SHA256.digest(der).map { String(format: "%02x", $0) }.joined())
    }

    /// Every board once: one passed attempt, by a station that sees it, whose certificate is the
    /// one in the board's flash; client ids and serials unique, serials 1…boards without gaps.
    func checkProvisionedOnce(_ ledger: any Ledger, stations n: Int) throws {
        let all = Set((0..<n).flatMap { Self.boards(station: $0, of: n) })
        let records = try ledger.boards(profile: "line")
        #expect(Set(records.map(\.mac)) == Set(all.map(Self.mac)), "the ledger holds exactly the boards the stations see")
        #expect(records.count == all.count, "no board recorded twice")
        for board in all {
            let record = try #require(records.first { $0.mac == Self.mac(board) })
            let passed = record.attempts.filter { $0.result == .passed }
            #expect(passed.count == 1, "board \(board) passed \(passed.count) times: \(record.attempts.map { "\($0.station) \($0.result)" })")
            #expect(record.result == .passed)
            #expect(record.clientID == Self.clientID(board))
            let seers = (0..<n).filter { Self.boards(station: $0, of: n).contains(board) }.map { "station-\($0)" }
            #expect(passed.allSatisfy { seers.contains($0.station) }, "board \(board) passed at \(passed.map(\.station)), seen by \(seers)")
            let flashed = try flashedCertificate(board)
            #expect(flashed.commonName == Self.clientID(board))
            #expect(passed.first?.certificateSHA256 == flashed.sha256, "board \(board): the ledger's certificate is the one in its flash")
        }
        let numbers = records.compactMap { $0.numbers["serial"] }.sorted()
        #expect(numbers == Array(1...Int64(all.count)), "serials unique and without gaps: \(numbers)")
        #expect(Set(records.compactMap { $0.allocated["serial"] }).count == all.count)
    }

    @Test("2 and 4 stations at once, neighbours sharing boards: every board provisioned once, serials gap-free, the records are the flash",
          arguments: [(2, Backend.postgres), (4, Backend.postgres), (2, Backend.sqlite)])
    func stations(count n: Int, backend: Backend) throws {
        let (location, open) = try ledger(backend)
        let launched = try (0..<n).map { try launch($0, boards: Self.boards(station: $0, of: n), ledger: location) }
        let results = launched.map { finish($0.0, log: $0.log) }
        for (s, result) in results.enumerated() {
            #expect(result.status == 0, "station \(s):\n\(result.output)")
            #expect(!result.output.contains("already held"), "station \(s):\n\(result.output)")
        }
        // Each shared board was provisioned by one of its stations and left alone by the other.
        let left = results.map { $0.output.components(separatedBy: "left alone: being provisioned by station").count - 1
                                    + $0.output.components(separatedBy: "already provisioned (ledger)").count - 1 }
        #expect(left.reduce(0, +) == 2 * n, "\(left)")
        try checkProvisionedOnce(try open(), stations: n)
        if backend == .postgres { #expect(!results.contains { $0.output.contains(PostgresServer.sharedPassword) }) }
    }

    @Test("a station SIGKILLed mid-run and rerun beside a live one: no board or serial twice, none lost", arguments: Backend.allCases)
    func killedStation(backend: Backend) throws {
        let (location, open) = try ledger(backend)
        // Timed boards, three at a time: slow enough to be killed with some boards done and some not.
        let victim = try launch(0, boards: Self.boards(station: 0, of: 2), ledger: location, timed: true, parallel: 3)
        let other = try launch(1, boards: Self.boards(station: 1, of: 2), ledger: location, timed: true, parallel: 3)
        // Kill station 0 once the ledger holds one of its boards passed and another in the middle
        // of its write step (seconds long on timed boards). Read from the ledger, not the log:
        // under load the log's "write" lines can trail the boards' real progress.
        let deadline = Date().addingTimeInterval(240)
        var killed = false
        let watcher = try open()
        while Date() < deadline, victim.0.isRunning {
            let attempts = ((try? watcher.boards(profile: "line")) ?? []).compactMap(\.attempts.last).filter { $0.station == "station-0" }
            let writing = attempts.contains { $0.result == .running && $0.steps.contains { $0.name == "write" && $0.status == .started } }
            if writing, attempts.contains(where: { $0.result == .passed }) {
                kill(victim.0.processIdentifier, SIGKILL)
                killed = true
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let victimResult = finish(victim.0, log: victim.log)
        #expect(killed, "station 0 finished before it could be killed:\n\(victimResult.output)")
        let otherResult = finish(other.0, log: other.log)
        #expect(otherResult.status == 0, "station 1:\n\(otherResult.output)")
        let interrupted = try open().boards(profile: "line").filter { $0.result == .running }
        #expect(!interrupted.isEmpty, "station 0 was killed during an attempt")
        #expect(interrupted.allSatisfy { $0.attempts.last?.station == "station-0" })

        // The rerun takes its interrupted boards over at once (its own station's) and finishes them.
        let rerun = try launch(0, boards: Self.boards(station: 0, of: 2), ledger: location)
        let rerunResult = finish(rerun.0, log: rerun.log)
        #expect(rerunResult.status == 0, "rerun:\n\(rerunResult.output)")
        let ledger = try open()
        try checkProvisionedOnce(ledger, stations: 2)
        for board in try ledger.boards(profile: "line") {
            #expect(board.attempts.dropLast().allSatisfy { $0.result == .failed }, "\(board.mac): \(board.attempts.map(\.result))")
        }
    }
}

extension MultiStationBenchTests {
    @Test("a board written whose record then fails is reported unrecorded with its MAC, exit 2, never passed; the rerun provisions it")
    func unrecorded() throws {
        let server = try PostgresServer.shared()
        let database = try server.newDatabaseName()
        let proxy = try TCPProxy(upstreamPort: server.port)
        let url = "postgres://\(server.user):\(server.password)@127.0.0.1:\(proxy.port)/\(database)?sslmode=disable"
        // The ledger goes away right after the write step was recorded: as the reset step is.
        proxy.cut(whenClientSends: "reset", thenRefuse: true)
        let first = try launch(0, boards: [1], ledger: url)
        let result = finish(first.0, log: first.log)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("UNRECORDED \(Self.mac(1))"), "\(result.output)")
        #expect(result.output.contains("1 board was written but NOT recorded (not counted as passed): \(Self.mac(1))"), "\(result.output)")
        #expect(result.output.contains("0 passed"), "\(result.output)")
        #expect(!result.output.contains(server.password))
        #expect(proxy.triggered == 1)

        let direct = try PostgresLedger(url: server.url(database: database), environment: [:])
        let record = try #require(try direct.boards(mac: Self.mac(1)).first)
        #expect(record.result == .running, "not passed: \(record.attempts.map(\.result))")
        #expect(record.attempts.last?.steps.last?.name == "write" && record.attempts.last?.steps.last?.status == .passed)
        #expect(try flashedCertificate(1).commonName == Self.clientID(1), "the board was written")

        // The ledger back, the same station's rerun takes its attempt over and provisions the board again.
        proxy.setRefusing(false)
        let second = try launch(0, boards: [1], ledger: url)
        let rerun = finish(second.0, log: second.log)
        #expect(rerun.status == 0, "\(rerun.output)")
        let after = try #require(try direct.boards(mac: Self.mac(1)).first)
        #expect(after.attempts.map(\.result) == [.failed, .passed])
        #expect(after.attempts.last?.certificateSHA256 == (try flashedCertificate(1)).sha256)
        #expect(after.numbers["serial"] == 1, "the board kept its serial")
    }
}

extension PostgresServer {
    /// The shared test server's password, to check it is never printed.
    static var sharedPassword: String { (try? shared().password) ?? "-" }
}

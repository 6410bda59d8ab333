import EsprigCerts
import EsprigCore
import EsprigLedger
import EsprigLoader
import EsprigProfiles
import EsprigTestSupport
import EsprigWorkflows
import Foundation
import Testing

/// Collects what a workflow reports, from any thread.
final class Collected<Event: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [Event] = []
    func add(_ event: Event) { lock.withLock { events.append(event) } }
    var all: [Event] { lock.withLock { events } }
}

/// The workflows called as a library, the way another Swift program would: no process, no
/// parsing of printed text; what happened is read from the typed events and reports.
@Suite("EsprigWorkflows as a library", .serialized)
struct WorkflowLibraryTests {
    let directory: TempDirectory

    init() throws {
        directory = try TempDirectory(prefix: "esprig-workflows")
        try directory.copyDemoProject()
    }

    /// This process's environment (the build needs PATH), without the port and baud a
    /// developer may have set for the command line.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !["ESPRIG_PORT", "ESPRIG_BAUD"].contains($0.key) }
    }

    func port(_ board: Int = 1, extra: String = "") -> String {
        "sim://esp8266?mac=18:fe:34:a1:b2:\(String(format: "%02x", board))&state=\(directory.file("board\(board).bin"))" + extra
    }

    func flashRequest(dryRun: Bool = false) -> FlashProfileWorkflow.Request {
        var request = FlashProfileWorkflow.Request(profile: "demo", profilesDirectory: directory.file("Profiles"), environment: Self.environment)
        request.dryRun = dryRun
        request.connection = BoardConnection(port: port())
        return request
    }

    /// The event's name, to compare the order of the steps.
    static func step(_ event: WorkflowEvent) -> String? {
        switch event {
        case .profileResolved: return "profile"
        case .configChanged, .configUnchanged, .configNone: return "config"
        case .built, .buildUpToDate, .buildSkipped, .buildNone: return "build"
        case .imageReady: return "image"
        case .planned: return "plan"
        case .doctor: return "doctor"
        case .dryRunFinished: return "dry-run"
        case .boardConnected: return "connect"
        case .erasedChip: return "erase"
        case .certificatesMade: return "certs"
        case .deviceIdentity: return "identity"
        case .certificatesRead: return "certificates"
        case .written: return "write"
        case .verified, .unverified: return "verify"
        case .reset: return "reset"
        case .monitorStarted: return "monitor-start"
        case .monitorMatched: return "monitor-matched"
        case .monitorSkipped: return "monitor-skipped"
        case .warning, .buildOutput, .loader, .monitor: return nil
        }
    }

    @Test("--erase-all erases the whole chip after connecting and before writing: what the profile does not write is gone")
    func eraseAll() throws {
        // A board whose flash holds a marker where the demo writes nothing.
        var flash = [UInt8](repeating: 0xFF, count: 0x40_0000)
        flash.replaceSubrange(0x20_0000..<0x20_1000, with: repeatElement(0x42, count: 0x1000))
        let state = directory.file("board1.bin")
        try Data(flash).write(to: URL(fileURLWithPath: state))
        func marker() throws -> [UInt8] { Array([UInt8](try Data(contentsOf: URL(fileURLWithPath: state)))[0x20_0000..<0x20_1000]) }

        var request = flashRequest()
        request.noMonitor = true
        _ = try FlashProfileWorkflow(request, observer: { _ in }).run()
        #expect(try marker() == [UInt8](repeating: 0x42, count: 0x1000), "without --erase-all the rest of the flash is left alone")

        request.eraseAll = true
        let events = Collected<WorkflowEvent>()
        _ = try FlashProfileWorkflow(request, observer: events.add).run()
        #expect(try marker() == [UInt8](repeating: 0xFF, count: 0x1000))
        #expect(events.all.compactMap(Self.step) == ["profile", "config", "build", "image", "plan", "doctor", "connect", "identity", "erase", "write", "verify", "reset", "monitor-skipped"])
        #expect(events.all.contains { if case .erasedChip(0x40_0000) = $0 { true } else { false } })
        // Erased first, so nothing could be skipped as already on the board.
        #expect(events.all.contains { if case .written(4, 0) = $0 { true } else { false } })
    }

    @Test("flash a profile: the steps in order as events, the board's lines as monitor events, a report that decodes; a rerun skips both regions")
    func flashProfile() throws {
        let events = Collected<WorkflowEvent>()
        let report = try FlashProfileWorkflow(flashRequest(), observer: events.add).run()
        #expect(events.all.compactMap(Self.step) == ["profile", "config", "build", "certs", "image", "plan", "doctor", "connect", "identity",
                                                     "write", "verify", "monitor-start", "monitor-matched", "certificates"])
        let written = events.all.compactMap { event -> (Int, Int)? in if case .written(let w, let s) = event { (w, s) } else { nil } }
        #expect(written.first.map { [$0.0, $0.1] } == [4, 0])
        let boardLines = events.all.compactMap { event -> String? in
            if case .monitor(.line(let line)) = event { line.text } else { nil }
        }
        #expect(boardLines.contains("esprig-demo: ready"), "\(boardLines)")
        #expect(events.all.contains { if case .loader(.bytesWritten) = $0 { true } else { false } }, "progress reaches the observer")
        #expect(report.ok && report.board?.mac == "18:fe:34:a1:b2:01")
        #expect(report.board?.regions.map(\.result) == ["verified", "verified", "verified", "verified"])
        // What a script reads of it, back as the same value.
        let decoded = try JSONDecoder().decode(FlashReport.self, from: try JSONEncoder().encode(report))
        #expect(decoded.board?.regions.map(\.address) == report.board?.regions.map(\.address))
        #expect(decoded.monitor?.line == "esprig-demo: ready")

        // The board's flash holds the planned bytes at the planned addresses.
        let flash = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.file("board1.bin"))))
        let plan = try FlashProfileWorkflow(flashRequest(dryRun: true), observer: { _ in }).prepare().plan
        for write in plan.writes {
            #expect(Array(flash[write.region.address..<write.region.address + write.data.count]) == write.data, "\(write.region.source)")
        }

        let again = Collected<WorkflowEvent>()
        _ = try FlashProfileWorkflow(flashRequest(), observer: again.add).run()
        let rewritten = again.all.compactMap { event -> [Int]? in if case .written(let w, let s) = event { [w, s] } else { nil } }
        #expect(rewritten == [[0, 4]])
    }

    @Test("a dry run reports its plan and never connects; a bad profile fails at step profile as the user's error")
    func dryRunAndFailure() throws {
        // A dry run plans with the last build's artifacts.
        _ = try FlashProfileWorkflow(flashRequest(), observer: { _ in }).build()
        let events = Collected<WorkflowEvent>()
        let report = try FlashProfileWorkflow(flashRequest(dryRun: true), observer: events.add).run()
        #expect(events.all.compactMap(Self.step) == ["profile", "config", "build", "image", "plan", "dry-run"])
        #expect(report.ok && report.dryRun && report.board == nil && report.plan?.regions.count == 2)
        #expect(!FileManager.default.fileExists(atPath: directory.file("board1.bin")))

        var missing = flashRequest()
        missing.profile = "no-such-profile"
        let failure = #expect(throws: StepFailure.self) { try FlashProfileWorkflow(missing, observer: { _ in }).run() }
        #expect(failure?.step == "profile")
        #expect(failure?.kind == .input)
    }

    func benchRequest(ports: [String], parallel: Int) throws -> BenchRequest {
        let issued = try CertificateIssuer.issueCA(commonName: "library bench CA")
        try issued.certificatePEM.write(toFile: directory.file("bench-ca.crt"), atomically: true, encoding: .utf8)
        try issued.privateKeyPEM.write(toFile: directory.file("bench-ca.key"), atomically: true, encoding: .utf8)
        try "extends = \"demo-base\"\n\n[certs]\nca = \"bench-ca.crt\"\nca_key = \"bench-ca.key\"\n"
            .write(toFile: directory.file("Profiles/bench.toml"), atomically: true, encoding: .utf8)
        let ledgerPath = directory.file("ledger.sqlite")
        var request = BenchRequest(profile: "bench", profilesDirectory: directory.file("Profiles"), environment: Self.environment,
                                   openLedger: { try SQLiteLedger(path: ledgerPath) })
        request.ports = ports.joined(separator: ",")
        request.parallel = parallel
        request.station = "library-test"
        return request
    }

    @Test("a bench cancelled by its caller starts no new board: the one on the wire finishes and is recorded, the waiting one is cancelled untouched")
    func benchCancellation() throws {
        // Paced like a real UART, so the first board is still being written when the run is stopped.
        let ports = [port(1, extra: "&timing=uart"), port(2, extra: "&timing=uart")]
        let events = Collected<BenchEvent>()
        let bench = BenchWorkflow(try benchRequest(ports: ports, parallel: 1), observer: events.add)
        let prepared = try bench.prepare()
        let summary = try bench.run(prepared, shouldStop: { true })
        #expect(summary.boards.map(\.result) == [.passed, .failed])
        #expect(summary.boards.last?.failedStep == "cancelled")
        #expect(!summary.ok)
        #expect(!FileManager.default.fileExists(atPath: directory.file("board2.bin")), "the cancelled board was never opened")
        let records = try SQLiteLedger(path: directory.file("ledger.sqlite")).boards(profile: "bench")
        #expect(records.map(\.mac) == ["18:fe:34:a1:b2:01"])
        #expect(records.first?.result == .passed)
        // Every board event names its port, and the setup's steps arrive before any board's.
        let firstBoard = try #require(events.all.firstIndex { if case .boardStarted = $0 { true } else { false } })
        #expect(events.all[..<firstBoard].allSatisfy { if case .setup = $0 { true } else { false } })
        #expect(events.all.contains { if case .boardIdentified(_, "18:fe:34:a1:b2:01", "esprig_00A1B201") = $0 { true } else { false } })
    }

    @Test("the README's library example is Examples/FlashFile verbatim, and it flashes and verifies a file on sim://esp8266, printing events")
    func readmeExample() throws {
        let source = try String(contentsOfFile: PackagePaths.root + "/Examples/FlashFile/main.swift", encoding: .utf8)
        let readme = try String(contentsOfFile: PackagePaths.root + "/README.md", encoding: .utf8)
        #expect(readme.contains("```swift\n" + source + "```"), "README's example differs from Examples/FlashFile/main.swift")
        #expect(source.split(separator: "\n").filter { !$0.isEmpty }.count <= 10)

        let esprig = try ToolRunner.locateEsprig()
        let example = URL(fileURLWithPath: esprig.executable).deletingLastPathComponent().appendingPathComponent("esprig-example-flash-file").path
        let file = directory.file("app.bin")
        try Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: file))
        let run = try ToolRunner(executable: example).run([file], timeout: .seconds(60))
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("boardConnected(chip: ESP8266, port: \"sim://esp8266\""), "\(run.output)")
        #expect(run.output.contains("regionVerified"), "\(run.output)")
        #expect(run.output.hasSuffix("[\"\(file): verified\"]\n"), "\(run.output)")
    }

    @Test("one port rule for every workflow: the caller's port, else ESPRIG_PORT, else the profile's (auto included); none is an input error")
    func portPrecedence() throws {
        let profile = try ProfileLibrary(directory: directory.file("Profiles")).resolve("demo", environment: [:])
        var autoProfile = profile
        autoProfile.port = .selected(.auto)
        let environment = ["ESPRIG_PORT": "sim://esp32"]
        #expect(try BoardConnection(port: "sim://esp8266").portName(environment: environment, profile: autoProfile) == "sim://esp8266")
        #expect(try BoardConnection().portName(environment: environment, profile: autoProfile) == "sim://esp32")
        #expect(try BoardConnection().portName(environment: [:], profile: autoProfile) == "auto")
        let none = #expect(throws: WorkflowError.self) { try BoardConnection().portName(environment: [:]) }
        #expect(none?.code == .noPort && none?.kind == .input)

        // The monitor decides the same way: ESPRIG_PORT wins over the profile's port. (It reads
        // crash addresses from the profile's ELF, so build it.)
        _ = try FlashProfileWorkflow(flashRequest(), observer: { _ in }).build()
        var request = BoardMonitor.Request(environment: ["ESPRIG_PORT": "sim://esp8266?mac=18:fe:34:00:00:07"])
        request.profile = profile
        let monitor = try BoardMonitor(request)
        defer { try? monitor.opened.close() }
        #expect(monitor.portName == "sim://esp8266?mac=18:fe:34:00:00:07")
        #expect(monitor.settings.appBaud == profile.monitor.baud)
    }

    @Test("one session builder: ESPRIG_BAUD, the profile's chip and baud, --trace and a bad reset sequence mean the same everywhere")
    func sessionOptions() throws {
        let profile = try ProfileLibrary(directory: directory.file("Profiles")).resolve("demo", environment: [:])
        var connection = BoardConnection()
        connection.trace = { _ in }
        let fromProfile = try connection.sessionOptions(environment: [:], profile: profile)
        #expect(fromProfile.baud == profile.baud && fromProfile.connect.chip == profile.chip)
        #expect(fromProfile.connect.trace != nil)
        #expect(try connection.sessionOptions(environment: ["ESPRIG_BAUD": "230400"], profile: profile).baud == 230_400)
        connection.baud = 921_600
        #expect(try connection.sessionOptions(environment: ["ESPRIG_BAUD": "230400"], profile: profile).baud == 921_600)
        let badBaud = #expect(throws: WorkflowError.self) { try BoardConnection().sessionOptions(environment: ["ESPRIG_BAUD": "fast"]) }
        #expect(badBaud?.kind == .input)
        connection.resetSequence = "D0|X9"
        #expect(throws: (any Error).self) { try connection.sessionOptions(environment: [:]) }
    }

    @Test("the config header is the one source of the cert sectors: the CA goes where CA_CERT_FLASH_ADDRESS says; a [flash] ca_sector that disagrees is refused")
    func headerNamesCertSectors() throws {
        let issued = try CertificateIssuer.issueCA(commonName: "sector test CA")
        try issued.certificatePEM.write(toFile: directory.file("ca.crt"), atomically: true, encoding: .utf8)
        try "extends = \"demo-base\"\n\n[config.set]\nCA_CERT_FLASH_ADDRESS = 0x70\n\n[certs]\nca = \"ca.crt\"\n"
            .write(toFile: directory.file("Profiles/sectors.toml"), atomically: true, encoding: .utf8)
        try "extends = \"sectors\"\n\n[flash]\nca_sector = 0x71\n"
            .write(toFile: directory.file("Profiles/disagrees.toml"), atomically: true, encoding: .utf8)
        _ = try FlashProfileWorkflow(flashRequest(), observer: { _ in }).build()
        var request = flashRequest(dryRun: true)
        request.profile = "sectors"
        let plan = try FlashProfileWorkflow(request, observer: { _ in }).prepare().plan
        let ca = try #require(plan.regions.first { $0.role == .caCertificates })
        #expect(ca.write.region.address == 0x70000)
        #expect(ca.why.contains("CA_CERT_FLASH_ADDRESS"), "\(ca.why)")

        request.profile = "disagrees"
        let refused = #expect(throws: StepFailure.self) { try FlashProfileWorkflow(request, observer: { _ in }).prepare() }
        #expect(refused?.step == "plan" && refused?.codeName == "sector-mismatch", "\(String(describing: refused))")
    }
}

import EsprigCerts
import EsprigCodecs
import EsprigLedger
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// `esprig bench` on 8 simulated boards with distinct MACs, on a copy of Profiles/ and the demo
/// firmware, with a CA made for the test.
@Suite("esprig bench", .serialized)
struct BenchCommandTests {
    let esprig: ToolRunner
    let directory: TempDirectory
    let ca: CertificateAuthority

    init() throws {
        esprig = try ToolRunner.locateEsprig()
        directory = try TempDirectory(prefix: "esprig-bench")
        try directory.copyDemoProject()
        let issued = try CertificateIssuer.issueCA(commonName: "bench test CA")
        try issued.certificatePEM.write(toFile: directory.file("bench-ca.crt"), atomically: true, encoding: .utf8)
        try issued.privateKeyPEM.write(toFile: directory.file("bench-ca.key"), atomically: true, encoding: .utf8)
        ca = try issued.authority()
        try """
            extends = "demo-base"

            [certs]
            ca = "bench-ca.crt"
            ca_key = "bench-ca.key"
            """.write(toFile: directory.file("Profiles/bench.toml"), atomically: true, encoding: .utf8)
    }

    /// Espressif's OUI, so the chip id (and the client id) follows from the MAC alone.
    static func mac(_ board: Int) -> String { String(format: "18:fe:34:a1:b2:%02x", board) }
    static func clientID(_ board: Int) -> String { String(format: "esprig_00A1B2%02X", board) }

    func port(_ board: Int, extra: String = "") -> String {
        // The simulated board runs the flashed demo, whose output the monitor step watches.
        "sim://esp8266?mac=\(Self.mac(board))&state=\(directory.file("board\(board).bin"))" + extra
    }

    var ledgerPath: String { directory.file("ledger.sqlite") }

    func bench(_ ports: [String], _ extra: [String] = []) throws -> (status: Int32, output: String, report: [String: Any]?) {
        let result = try esprig.run(["bench", "--profile", "bench", "--profiles-dir", directory.file("Profiles"), "--ledger", ledgerPath,
                                     "--ports", ports.joined(separator: ","), "--json"] + extra, timeout: .seconds(600))
        let line = result.output.split(separator: "\n").last { $0.hasPrefix("{") }
        let report = line.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        return (result.status, result.output, report)
    }

    func flashImage(_ board: Int) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.file("board\(board).bin"))))
    }

    /// The certificate in the client sector of `bytes` (the sector itself), parsed back.
    func certificate(inSector sector: [UInt8]) throws -> CertificateFacts {
        let entries = try CertSectorPacker.unpack(sector)
        #expect(entries.map(\.name) == ["private_key", "certificate"])
        let der = try #require(entries.first { $0.name == "certificate" }?.payload)
        return try CertificateFacts(der: der)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("8 boards get their own certificates; a faulty board fails alone, is recorded, and a rerun finishes only it")
    func eightBoards() throws {
        let faulty = 5
        let ports = (1...8).map { port($0, extra: $0 == faulty ? "&drop=0.5&faults-after=40&seed=7" : "") }
        let first = try bench(ports, ["--parallel", "8"])
        #expect(first.status == 2, "\(first.output)")
        let report = try #require(first.report, "\(first.output)")
        let boards = report["boards"] as? [[String: Any]] ?? []
        #expect(boards.count == 8)
        for board in boards {
            let isFaulty = (board["port"] as? String)?.contains(Self.mac(faulty)) == true
            #expect(board["result"] as? String == (isFaulty ? "failed" : "passed"), "\(board)")
        }

        // Each flash holds its own certificate, CN = the client id its MAC implies, signed by the CA.
        let ledger = try SQLiteLedger(path: ledgerPath)
        let caFile = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.file("bench-ca.crt"))))
        let packed = try CertSectorPacker.caSector([(fileName: "bench-ca.crt", contents: caFile)])
        // Written as flash writes are: padded with 0xFF to a 4-byte boundary.
        let caSector = packed + [UInt8](repeating: 0xFF, count: (4 - packed.count % 4) % 4)
        var fingerprints: Set<String> = []
        for n in (1...8) where n != faulty {
            let image = try flashImage(n)
            let facts = try certificate(inSector: Array(image[0x78000..<0x79000]))
            #expect(facts.subjectCommonName == Self.clientID(n))
            #expect(facts.isSigned(by: ca.certificate.publicKey) == true)
            let record = try #require(try ledger.boards(mac: Self.mac(n)).first)
            #expect(record.clientID == Self.clientID(n))
            #expect(record.result == .passed)
            let attempt = try #require(record.attempts.last)
            #expect(attempt.certificateSHA256 == Self.hex(EsprigCodecs.SHA256.digest(facts.der)))
            #expect(attempt.certificateSerial == Self.hex(facts.serialNumber))
            #expect(attempt.steps.map(\.name) == ["connect", "identity", "plan", "write", "reset", "verify", "monitor", "close"])
            #expect(Set(attempt.firmwareHashes.keys) == ["demo.elf @0x00000000", "demo.elf @0x00010000", "esp_ca_cert.bin"], "\(attempt.firmwareHashes)")
            #expect(attempt.firmwareHashes["esp_ca_cert.bin"] == Self.hex(EsprigCodecs.SHA256.digest(caSector)))
            #expect(Array(image[0x77000..<0x77000 + caSector.count]) == caSector)
            fingerprints.insert(attempt.certificateSHA256 ?? "")
        }
        #expect(fingerprints.count == 7)

        // The faulty board: recorded failed, at the write, with its reason.
        let failed = try #require(try ledger.boards(mac: Self.mac(faulty)).first)
        #expect(failed.result == .failed)
        let failedAttempt = try #require(failed.attempts.last)
        #expect(failedAttempt.error?.hasPrefix("write: ") == true, "\(failedAttempt.error ?? "nil")")
        #expect(failedAttempt.steps.last?.status == .failed)

        // esptool reads two boards back (each served from its saved flash, as a real board would be).
        let esptool = try ToolRunner.locateEsptool()
        for n in [2, 7] {
            var options = SimulatorOptions(chip: .esp8266)
            options.imagePath = directory.file("board\(n).bin")
            let server = try SimulatorServer(board: try SimulatedBoard(options: options), endpoint: .tcp(port: 0))
            try server.start()
            defer { server.stop() }
            let out = directory.file("read\(n).bin")
            let read = try esptool.run(["--chip", "esp8266", "--port", server.address, "--after", "no-reset", "read-flash", "0x78000", "4096", out],
                                       timeout: .seconds(120))
            #expect(read.status == 0, "\(read.output)")
            let sector = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
            #expect(try certificate(inSector: sector).subjectCommonName == Self.clientID(n))
        }

        // The rerun, with the line fixed, provisions only the faulty board.
        let before = try (1...8).filter { $0 != faulty }.map { try flashImage($0) }
        let second = try bench((1...8).map { port($0) })
        #expect(second.status == 0, "\(second.output)")
        let rerun = second.report?["boards"] as? [[String: Any]] ?? []
        #expect(rerun.filter { $0["result"] as? String == "passed" }.count == 1)
        #expect(rerun.filter { $0["result"] as? String == "skipped" }.count == 7)
        #expect(try (1...8).filter { $0 != faulty }.map { try flashImage($0) } == before, "the passed boards were left alone")
        let fixed = try certificate(inSector: Array(try flashImage(faulty)[0x78000..<0x79000]))
        #expect(fixed.subjectCommonName == Self.clientID(faulty))
        let all = try ledger.boards(profile: "bench")
        #expect(all.count == 8)
        #expect(Set(all.compactMap(\.clientID)).count == 8)
        #expect(all.allSatisfy { $0.result == .passed })
        #expect(try ledger.boards(mac: Self.mac(faulty)).first?.attempts.count == 2)
    }
}

extension BenchCommandTests {
    @Test("SIGKILL mid-run leaves a consistent ledger, and the rerun completes every board without duplicate identities")
    func killedMidRun() throws {
        // Timed boards, two at a time: slow enough to be killed with some boards done and some not.
        let ports = (1...8).map { port($0, extra: "&timing=uart,flash") }
        let logPath = directory.file("killed.log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: esprig.executable)
        process.arguments = ["bench", "--profile", "bench", "--profiles-dir", directory.file("Profiles"), "--ledger", ledgerPath,
                             "--ports", ports.joined(separator: ","), "--parallel", "2"]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Kill once a board passed and others are still being written.
        let deadline = ContinuousClock.now + .seconds(400)
        var killed = false
        while ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if text.contains("passed in"), text.components(separatedBy: "] write:").count >= 4 {
                kill(process.processIdentifier, SIGKILL)
                killed = true
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        try log.close()
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(killed, "the bench ended before it could be killed:\n\(text)")
        #expect(process.terminationReason == .uncaughtSignal)

        // Consistent: every board recorded passed has every step passed and its certificate recorded;
        // nothing else is recorded passed, and a board's attempt left running is not passed.
        let ledger = try SQLiteLedger(path: ledgerPath)
        let recorded = try ledger.boards(profile: "bench")
        #expect(!recorded.isEmpty && recorded.count < 8 || recorded.contains { $0.result != .passed }, "\(recorded.map(\.result))")
        for board in recorded {
            for attempt in board.attempts where attempt.result == .passed {
                #expect(attempt.steps.allSatisfy { $0.status == .passed })
                #expect(attempt.certificateSHA256 != nil)
            }
        }
        #expect(recorded.contains { $0.result == .running }, "a board was being provisioned when the bench was killed")

        // The rerun (untimed) finishes every board; no board or client id twice.
        let rerun = try bench((1...8).map { port($0) })
        #expect(rerun.status == 0, "\(rerun.output)")
        let after = try ledger.boards(profile: "bench")
        #expect(after.count == 8)
        #expect(Set(after.map(\.mac)).count == 8)
        #expect(Set(after.compactMap(\.clientID)) == Set((1...8).map(Self.clientID)))
        #expect(after.allSatisfy { $0.result == .passed })
        #expect(after.allSatisfy { board in board.attempts.dropLast().allSatisfy { $0.result == .failed } }, "the killed attempts are closed as failed")
        for n in 1...8 {
            let facts = try certificate(inSector: Array(try flashImage(n)[0x78000..<0x79000]))
            #expect(facts.subjectCommonName == Self.clientID(n))
            let latest = try #require(after.first { $0.mac == Self.mac(n) }?.attempts.last)
            #expect(latest.certificateSHA256 == Self.hex(EsprigCodecs.SHA256.digest(facts.der)))
        }
    }
}

extension BenchCommandTests {
    @Test("bad input is refused before any board is touched, exit 1; doctor errors stop the bench, exit 2")
    func refusals() throws {
        try "extends = \"demo-base\"\n\n[certs]\nca = \"bench-ca.crt\"\n".write(toFile: directory.file("Profiles/nokey.toml"), atomically: true, encoding: .utf8)
        try "extends = \"bench\"\n\n[flash]\nca_sector = 0x76\n".write(toFile: directory.file("Profiles/wrongsector.toml"), atomically: true, encoding: .utf8)
        let one = port(1)
        let cases: [(args: [String], status: Int32, message: String)] = [
            (["--profile", "bench", "--ports", "\(one),\(one)"], 1, "listed twice"),
            (["--profile", "bench", "--ports", "\(one),"], 1, "empty entry"),
            (["--profile", "bench", "--ports", "/dev/null,flash"], 1, "'flash' is not a port"),
            (["--profile", "bench", "--ports", one, "--serial", "GH-%s"], 1, "exactly one %d"),
            (["--profile", "bench", "--ports", one, "--parallel", "0"], 1, "--parallel"),
            (["--profile", "bench", "--ports", one, "--watch-timeout", "3"], 1, "--watch-timeout needs --watch"),
            (["--profile", "nokey", "--ports", one], 1, "ca_key"),
            (["--profile", "wrongsector", "--ports", one], 2, "doctor: 1 error finding"),
        ]
        for (args, status, message) in cases {
            let result = try esprig.run(["bench", "--profiles-dir", directory.file("Profiles"), "--ledger", ledgerPath] + args, timeout: .seconds(300))
            #expect(result.status == status, "\(args): \(result.output)")
            #expect(result.output.contains(message), "\(args): \(result.output)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("board1.bin")), "\(args) touched the board")
        }
        // No flasher stub: nothing could be verified, so nothing is written.
        try FileManager.default.createDirectory(atPath: directory.file("no-stub"), withIntermediateDirectories: true)
        let noStub = try esprig.run(["bench", "--profile", "bench", "--profiles-dir", directory.file("Profiles"), "--ledger", ledgerPath, "--ports", one],
                                    timeout: .seconds(300), environment: ["ESPRIG_STUB_DIR": directory.file("no-stub")])
        #expect(noStub.status == 1, "\(noStub.output)")
        #expect(noStub.output.contains("no esptool flasher stub found"), "\(noStub.output)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("board1.bin")), "a bench without the stub touched the board")
    }

    @Test("--watch provisions the listed boards, keeps running until --watch-timeout, then summarises; --serial numbers the boards")
    func watchUntilTimeout() throws {
        let started = ContinuousClock.now
        let result = try esprig.run(["bench", "--profile", "bench", "--profiles-dir", directory.file("Profiles"), "--ledger", ledgerPath,
                                     "--ports", [port(1), port(2)].joined(separator: ","), "--serial", "GH-%04d", "--serial-start", "7",
                                     "--watch", "--watch-timeout", "3"], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.output)")
        #expect(ContinuousClock.now - started >= .seconds(3))
        #expect(result.output.contains("bench: 2 boards: 2 passed, 0 already provisioned, 0 failed"), "\(result.output)")
        // Plain lines, each prefixed with its port.
        #expect(result.output.contains("[\(port(1))] passed in"), "\(result.output)")
        let ledger = try SQLiteLedger(path: ledgerPath)
        let serials = try ledger.boards(profile: "bench").compactMap { $0.allocated["serial"] }
        #expect(Set(serials) == ["GH-0007", "GH-0008"], "\(serials)")
    }
}

extension BenchCommandTests {
    @Test("a client id without %08X would be the same on every board: the second board is refused, the first keeps it")
    func duplicateClientID() throws {
        try "extends = \"bench\"\n\n[config.set]\nMQTT_CLIENT_ID = \"greenhouse\"\n".write(toFile: directory.file("Profiles/fixedid.toml"), atomically: true, encoding: .utf8)
        let result = try esprig.run(["bench", "--profile", "fixedid", "--profiles-dir", directory.file("Profiles"), "--ledger", ledgerPath,
                                     "--ports", [port(1), port(2)].joined(separator: ","), "--parallel", "1", "--json"], timeout: .seconds(300))
        #expect(result.status == 2, "\(result.output)")
        let line = result.output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
        let boards = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["boards"] as? [[String: Any]] ?? []
        // One at a time, in whichever order the two threads got their turn.
        #expect(boards.compactMap { $0["result"] as? String }.sorted() == ["failed", "passed"], "\(boards)")
        let refusedBoard = boards.first { $0["result"] as? String == "failed" }
        #expect(refusedBoard?["failedStep"] as? String == "identity")
        #expect((refusedBoard?["error"] as? String)?.contains("greenhouse") == true, "\(boards)")
        let ledger = try SQLiteLedger(path: ledgerPath)
        #expect(try ledger.boards(profile: "fixedid").compactMap(\.clientID) == ["greenhouse"])
        // The refused board was never written.
        let refusedNumber = (refusedBoard?["mac"] as? String) == Self.mac(1) ? 1 : 2
        let refused = FileManager.default.fileExists(atPath: directory.file("board\(refusedNumber).bin")) ? try flashImage(refusedNumber) : []
        #expect(refused.allSatisfy { $0 == 0xFF })
    }
}

import EsprigLedger
import EsprigPorts
import EsprigTestSupport
import Foundation
import Testing

@Suite("esprig ports and esprig ledger")
struct PortsLedgerCommandTests {
    let esprig: ToolRunner
    let directory: TempDirectory

    init() throws {
        esprig = try ToolRunner.locateEsprig()
        directory = try TempDirectory(prefix: "esprig-ledger-cli")
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test("ports --all --json lists a sysfs tree's serial ports ESP-like first; without --all only USB ones; the table too")
    func portsListing() throws {
        // The expectations are the fixture tree's (see Fixtures/README.md), not another scan.
        let all = try UmockdevTree.esprig(["ports", "--all", "--json"])
        #expect(all.status == 0, "\(all.output)")
        let listed = try #require(try json(all.output)["ports"] as? [[String: Any]])
        #expect(listed.compactMap { $0["path"] as? String } == ["/dev/ttyACM0", "/dev/ttyUSB0", "/dev/ttyS0", "/dev/ttyUSB1"])
        #expect(listed.compactMap { $0["esp_like"] as? Bool } == [true, true, false, false])
        #expect(listed.compactMap { $0["bridge"] as? String } == ["ESP USB-Serial/JTAG", "CP210x"])
        let usbOnly = try UmockdevTree.esprig(["ports", "--json"])
        let usbListed = try #require(try json(usbOnly.output)["ports"] as? [[String: Any]])
        #expect(usbListed.compactMap { $0["path"] as? String } == ["/dev/ttyACM0", "/dev/ttyUSB0", "/dev/ttyUSB1"])
        let table = try UmockdevTree.esprig(["ports", "--all"])
        let rows = table.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first?.first == "PORT")
        #expect(rows.dropFirst().map { $0.first ?? "" } == ["/dev/ttyACM0", "/dev/ttyUSB0", "/dev/ttyS0", "/dev/ttyUSB1"])
        #expect(rows.count > 2 && rows[2].contains("10c4:ea60") && rows[2].contains("0001") && rows[2].contains("1-1.4"))
    }

    @Test("--port auto stops with exit 1 and the candidates when there is not exactly one ESP-like port",
          .enabled(if: ((try? PortScanner().ports()) ?? []).filter(\.isESPLike).count != 1, "exactly one ESP board is plugged in here"))
    func autoRefuses() throws {
        let result = try esprig.run(["-p", "auto", "chip-id"], timeout: .seconds(30))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("port auto:") || result.output.contains("auto matches"), "\(result.output)")
        let bySerial = try esprig.run(["-p", "usb-serial:no-such-adapter", "chip-id", "--json"], timeout: .seconds(30))
        #expect(bySerial.status == 1)
        let error = try #require(try json(bySerial.output)["error"] as? [String: Any])
        #expect(error["code"] as? String == "no-matching-port")
    }

    @Test("ledger list, show and export read what the bench recorded; a missing ledger is exit 1")
    func ledger() throws {
        let path = directory.file("esprig-ledger.sqlite")
        let missing = try esprig.run(["ledger", "list", "--ledger", path], timeout: .seconds(30))
        #expect(missing.status == 1)
        #expect(missing.output.contains("no ledger at \(path)"))
        #expect(!FileManager.default.fileExists(atPath: path))

        let ledger = try SQLiteLedger(path: path)
        for (board, failing) in [(1, nil), (2, "flash")] as [(Int, String?)] {
            let attempt = try ledger.beginAttempt(AttemptStart(
                profile: "greenhouse", profileHash: "ph", mac: String(format: "18:fe:34:00:00:%02x", board), chip: "esp8266",
                clientID: String(format: "greenhouse_%08X", board), port: PortIdentity(path: "/dev/ttyUSB\(board)", usbSerial: "S\(board)")))
            let step = try ledger.stepStarted(attempt, name: "flash")
            try ledger.stepFinished(step, error: failing.map { "\($0): timed out" })
            if failing == nil { try ledger.recordCertificate(attempt, serial: "0a0b", sha256: "cafe") }
            try ledger.finishAttempt(attempt, error: failing.map { "\($0): timed out" })
        }

        let list = try esprig.run(["ledger", "list", "--ledger", path], timeout: .seconds(30))
        #expect(list.status == 0)
        let lines = list.output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].contains("18:fe:34:00:00:01") && lines[1].contains("greenhouse_00000001") && lines[1].contains("passed"))
        #expect(lines[2].contains("failed") && lines[2].hasSuffix("flash: timed out"))
        let pending = try esprig.run(["ledger", "list", "--pending", "--json"], timeout: .seconds(30), environment: ["ESPRIG_LEDGER": path])
        let pendingObject = try json(pending.output)
        #expect(pendingObject["ok"] as? Bool == true)
        let pendingBoards = try #require(pendingObject["boards"] as? [[String: Any]])
        #expect(pendingBoards.map { $0["mac"] as? String } == ["18:fe:34:00:00:02"])

        let show = try esprig.run(["ledger", "show", "18-FE-34-00-00-01", "--ledger", path], timeout: .seconds(30))
        #expect(show.status == 0)
        #expect(show.output.contains("client id: greenhouse_00000001"))
        #expect(show.output.contains("certificate serial 0a0b sha256 cafe"))
        #expect(show.output.contains("usb-serial:S1"))
        let unknown = try esprig.run(["ledger", "show", "18:fe:34:00:00:09", "--ledger", path], timeout: .seconds(30))
        #expect(unknown.status == 1)
        let badMAC = try esprig.run(["ledger", "show", "nope", "--ledger", path], timeout: .seconds(30))
        #expect(badMAC.status == 1)
        #expect(badMAC.output.contains("is not a MAC address"))

        let csvPath = directory.file("out.csv")
        let export = try esprig.run(["ledger", "export", "--csv", "--ledger", path, "-o", csvPath], timeout: .seconds(30))
        #expect(export.status == 0, "\(export.output)")
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
        #expect(csv == LedgerExport.csv(try ledger.boards(profile: nil)))
        let exportJSON = try esprig.run(["ledger", "export", "--json", "--ledger", path], timeout: .seconds(30))
        let expectedJSON = String(decoding: try LedgerExport.json(try ledger.boards(profile: nil)), as: UTF8.self) + "\n"
        #expect(exportJSON.output == expectedJSON, "\(exportJSON.output)\n---\n\(expectedJSON)")
    }
}

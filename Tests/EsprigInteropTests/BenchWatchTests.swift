import EsprigCerts
import EsprigLedger
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

extension BenchCommandTests {
    /// A simulated board on a pty, "plugged in" by writing its port file into the directory
    /// ESPRIG_BENCH_DEVICES names (a CP2102's ids), "unplugged" by deleting it and closing the pty.
    final class PluggedBoard {
        let server: SimulatorServer
        let portFile: String
        init(mac: String, link: String, devices: String, name: String, timed: Bool) throws {
            var options = try SimulatorOptions(chip: .esp8266, query: ["mac": mac])
            options.uartTiming = timed
            options.flashTiming = timed
            server = try SimulatorServer(board: try SimulatedBoard(options: options), endpoint: .pty(linkPath: link))
            try server.start()
            portFile = devices + "/" + name + ".port"
            try "\(link) 10c4:ea60 \(name)\n".write(toFile: portFile, atomically: true, encoding: .utf8)
        }
        func unplug() {
            try? FileManager.default.removeItem(atPath: portFile)
            server.stop()
        }
    }

    @Test("--watch provisions a board plugged in later; one unplugged mid-way fails, and starts clean when it returns; SIGINT ends")
    func watchHotplug() throws {
        let devices = directory.file("devices")
        try FileManager.default.createDirectory(atPath: devices, withIntermediateDirectories: true)
        let logPath = directory.file("watch.log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: esprig.executable)
        process.arguments = ["bench", "--profile", "bench", "--profiles-dir", directory.file("Profiles"), "--ledger", ledgerPath,
                             "--ports", "auto", "--watch", "--watch-timeout", "300", "--baud", "115200",
                             // A pty carries no DTR/RTS, so the monitor could not reset a pty-served board into its app.
                             "--no-monitor"]
        var environment = ProcessInfo.processInfo.environment
        environment["ESPRIG_BENCH_DEVICES"] = devices
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func waitFor(_ text: String, count: Int = 1) -> Bool {
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline, process.isRunning {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                if log.components(separatedBy: text).count > count { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
        var log_: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        #expect(waitFor("watching for boards"), "\(log_)")
        let linkA = directory.file("ttyA"), linkB = directory.file("ttyB")
        let a = try PluggedBoard(mac: Self.mac(1), link: linkA, devices: devices, name: "A0001", timed: false)
        defer { a.unplug() }
        #expect(waitFor("[\(linkA)] passed in"), "\(log_)")

        // B, timed at 115200 baud, is unplugged once it is connected.
        let b = try PluggedBoard(mac: Self.mac(2), link: linkB, devices: devices, name: "B0002", timed: true)
        #expect(waitFor("[\(linkB)] connect:"), "\(log_)")
        b.unplug()
        #expect(waitFor("[\(linkB)] FAILED"), "\(log_)")
        // As on a real bench the board is seen gone before it returns: a rescan between the two is
        // what turns the return into a new board (a replug faster than one rescan is not seen).
        #expect(waitFor("[\(linkB)] unplugged"), "\(log_)")

        // It comes back (same port, same board): a clean new attempt that passes.
        let again = try PluggedBoard(mac: Self.mac(2), link: linkB, devices: devices, name: "B0002", timed: false)
        defer { again.unplug() }
        #expect(waitFor("[\(linkB)] passed in"), "\(log_)")

        kill(process.processIdentifier, SIGINT)
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        try log.close()
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0, "\(log_)")
        #expect(log_.contains("bench: 2 boards: 2 passed"), "\(log_)")

        let ledger = try SQLiteLedger(path: ledgerPath)
        let boardB = try #require(try ledger.boards(mac: Self.mac(2)).first)
        #expect(boardB.attempts.map(\.result) == [.failed, .passed], "\(boardB.attempts)")
        #expect(boardB.attempts.first?.port.usbSerial == "B0002")
        #expect(boardB.attempts.first?.steps.last?.status == .failed)
        #expect(boardB.attempts.first?.error?.contains("disconnected") == true, "\(boardB.attempts.first?.error ?? "")")
        #expect(log_.contains("[\(linkB)] unplugged"), "\(log_)")
        let sector = Array(again.server.withBoard { $0.flash }[0x78000..<0x79000])
        #expect(try certificate(inSector: sector).subjectCommonName == Self.clientID(2))
        #expect(try ledger.boards(mac: Self.mac(1)).first?.result == .passed)
    }
}

import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// `esprig monitor` as a user runs it, against the simulator in-process (sim://) or served on a pty.
@Suite("esprig monitor CLI", .serialized)
struct MonitorCLITests {
    static func crashScript(_ main: UInt32, _ scan: UInt32, _ start: UInt32) -> String {
        func hex(_ v: UInt32) -> String { String(format: "%08x", v) }
        return """
            app start
            @bytes 6f 6b ff 0d 0a
            Exception (28):
            epc1=0x\(hex(main)) epc2=0x00000000 epc3=0x00000000 excvaddr=0x00000004 depc=0x00000000

            >>>stack>>>

            ctx: cont
            sp: 3ffffdc0 end: 3fffffc0 offset: 01a0
            3ffffdc0:  \(hex(scan)) 3fffdad0 00000000 \(hex(start))
            <<<stack<<<
            @delay 300ms
            @reset

            """
    }

    /// What the monitor says once its port is open: from then on nothing the board prints is missed.
    static let listening = "esprig monitor on "

    /// Presses the simulated reset button (a pty cannot carry DTR/RTS) once `monitor` listens.
    static func pressReset(_ server: SimulatorServer, when monitor: RunningTool) {
        #expect(monitor.waitFor(listening), "the monitor never said it was listening:\n\(monitor.output)")
        server.setLines(dtr: false, rts: true)
        server.setLines(dtr: false, rts: false)
    }

    @Test("sim://: the reset's banner at 74880 and the app at 115200 are both readable; --json events")
    func mixedBaudJSON() throws {
        let fixture = try MonitorFixture(script: MonitorSessionTests.script)
        let url = "sim://esp8266?image=\(fixture.options.imagePath!)&boot-script=\(fixture.options.bootScriptPath!)"
        let esprig = try ToolRunner.locateEsprig()
        let text = try esprig.run(["monitor", "-p", url, "--until", "^ready$", "--timeout", "10"], timeout: .seconds(30))
        #expect(text.status == 0, "\(text.output)")
        #expect(text.output.contains("\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\n--- rst cause 2: external reset"))
        #expect(text.output.contains("csum 0x4f\nSDK ver: 2.2.1\nI (12) wifi: connected\nbad\\xff\\xfe\n"))
        let json = try esprig.run(["monitor", "-p", url, "--until", "^ready$", "--timeout", "10", "--json"], timeout: .seconds(30))
        #expect(json.status == 0)
        let events = json.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let reset = try #require(events.first { $0["event"] as? String == "reset" })
        #expect(reset["resetCause"] as? Int == 2 && reset["bootMode"] as? [Int] == [3, 6] && reset["downloadMode"] as? Bool == false)
        #expect(events.contains { $0["event"] as? String == "line" && $0["text"] as? String == "bad\\xff\\xfe" && $0["rom"] == nil })
        #expect(events.contains { $0["event"] as? String == "line" && $0["text"] as? String == "csum 0x4f" && $0["rom"] as? Bool == true })
        #expect(events.last?["event"] as? String == "end" && events.last?["outcome"] as? String == "matched")
    }

    @Test("--profile demo: the app at the profile's monitor baud (74880), crashes resolved with the profile's ELF (JSON)")
    func profile() throws {
        let elf = try FirmwareBuild.demo().elf
        let symbols = try DemoSymbols(elf: elf)
        let main = try #require(symbols["demo_main"]), scan = try #require(symbols["scan_sector"])
        let start = try #require(symbols["call_user_start"])
        let script = "@baud 74880\n" + Self.crashScript(main.address, scan.address, start.address)
            .replacingOccurrences(of: "@delay 300ms\n@reset\n", with: "esprig-demo: ready\n")
        let fixture = try MonitorFixture(script: script)
        let url = "sim://esp8266?image=\(fixture.options.imagePath!)&boot-script=\(fixture.options.bootScriptPath!)"
        let result = try ToolRunner.locateEsprig().run(
            ["monitor", "--profile", "demo", "--profiles-dir", PackagePaths.root + "/Profiles", "-p", url,
             "--until", "esprig-demo: ready", "--timeout", "10", "--json"], timeout: .seconds(30))
        #expect(result.status == 0, "\(result.output)")
        let events = result.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.contains { $0["event"] as? String == "line" && $0["text"] as? String == "ok\\xff" })
        let crash = try #require(events.first { $0["event"] as? String == "crash" })
        #expect(crash["cause"] as? Int == 28 && crash["causeName"] as? String == "LoadProhibited")
        let frames = try #require(crash["frames"] as? [[String: Any]])
        #expect(frames.first?["function"] as? String == "demo_main" && frames.first?["location"] as? String == main.location)
    }

    @Test("pty: crash decoded against the demo ELF, reboot banner read at 74880, non-UTF-8 shown, --log appended with times")
    func crashOverPTY() throws {
        let elf = try FirmwareBuild.demo().elf
        let symbols = try DemoSymbols(elf: elf)
        let main = try #require(symbols["demo_main"]), scan = try #require(symbols["scan_sector"])
        let start = try #require(symbols["call_user_start"])
        let fixture = try MonitorFixture(script: Self.crashScript(main.address, scan.address, start.address))
        let link = fixture.directory.file("ttyESP")
        let server = try SimulatorServer(board: try fixture.board(), endpoint: .pty(linkPath: link))
        try server.start()
        defer { server.stop() }
        let log = fixture.directory.file("monitor.log")
        try "earlier run\n".write(toFile: log, atomically: true, encoding: .utf8)
        let monitor = try ToolRunner.locateEsprig().start(
            ["monitor", "-p", link, "--no-reset", "--elf", elf, "--until", "^csum 0x[0-9a-f]{2}$", "--timeout", "15", "--log", log])
        Self.pressReset(server, when: monitor)
        let result = monitor.finish()
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("app start\nok\\xff\n"))
        #expect(result.output.contains("crash decoded: exception 28 LoadProhibited"))
        #expect(result.output.contains("epc1 0x\(String(format: "%08x", main.address)): demo_main at \(main.location)"))
        #expect(result.output.contains("stack 0x\(String(format: "%08x", scan.address)): scan_sector at \(scan.location)"))
        #expect(result.output.contains("\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\n"))
        let logged = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logged.hasPrefix("earlier run\n"))
        // The first boot's banner went out at 74880 while the monitor listened at 115200 (a pty
        // cannot reset the board), so "app start" follows that garbage on its line.
        #expect(logged.range(of: #"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z .*app start$"#, options: .regularExpression) != nil)
        #expect(logged.range(of: #"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ok\\xff$"#, options: .regularExpression) != nil)
        #expect(logged.contains("demo_main at \(main.location)"))
    }

    @Test("pty: --fail-on exits 3, --timeout exits 4, --no-reconnect exits 2 when the port goes away")
    func exitCodes() throws {
        let fixture = try MonitorFixture(script: "app start\nE (5) boot: no config\n@delay 500ms\n@reset\n")
        let link = fixture.directory.file("ttyESP")
        let server = try SimulatorServer(board: try fixture.board(), endpoint: .pty(linkPath: link))
        try server.start()
        let esprig = try ToolRunner.locateEsprig()
        let failing = try esprig.start(["monitor", "-p", link, "--fail-on", #"^E \("#, "--until", "never", "--timeout", "15"])
        Self.pressReset(server, when: failing)
        let failed = failing.finish()
        #expect(failed.status == 3, "\(failed.output)")
        #expect(failed.output.contains("--fail-on matched: E (5) boot: no config"))
        let timedOut = try esprig.run(["monitor", "-p", link, "--until", "never", "--timeout", "1"], timeout: .seconds(40))
        #expect(timedOut.status == 4, "\(timedOut.output)")
        let watching = try esprig.start(["monitor", "-p", link, "--no-reconnect", "--timeout", "15"])
        #expect(watching.waitFor(Self.listening), "\(watching.output)")
        server.stop()
        let gone = watching.finish()
        #expect(gone.status == 2, "\(gone.output)")
        #expect(gone.output.contains("disconnected"))
    }

    @Test("pty: when the device path disappears and comes back (a new pty), the monitor reconnects and goes on")
    func reconnect() throws {
        let first = try MonitorFixture(script: "before unplug\n@delay 300ms\n@reset\n")
        let link = first.directory.file("ttyESP")
        let oldServer = try SimulatorServer(board: try first.board(), endpoint: .pty(linkPath: link))
        try oldServer.start()
        let second = try MonitorFixture(script: "after replug\n@delay 300ms\n@reset\n")
        let monitor = try ToolRunner.locateEsprig().start(["monitor", "-p", link, "--until", "after replug$", "--timeout", "20"])
        Self.pressReset(oldServer, when: monitor)
        #expect(monitor.waitFor("before unplug"), "\(monitor.output)")
        oldServer.stop()   // closes the pty and removes the link: the "unplug"
        #expect(monitor.waitFor("--- disconnected: "), "\(monitor.output)")
        let server = try SimulatorServer(board: try second.board(), endpoint: .pty(linkPath: link))
        try server.start()
        defer { server.stop() }
        #expect(monitor.waitFor("--- reconnected to"), "\(monitor.output)")
        server.setLines(dtr: false, rts: true)
        server.setLines(dtr: false, rts: false)
        let result = monitor.finish()
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("before unplug\n"))
        #expect(result.output.contains("--- disconnected: "))
        #expect(result.output.contains("--- reconnected to \(link)"))
    }
}

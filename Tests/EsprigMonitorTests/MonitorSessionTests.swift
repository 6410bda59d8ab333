import EsprigSystem
import EsprigFirmware
import EsprigMonitor
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import EsprigTransport
import Foundation
import Testing

@Suite("MonitorSession over the simulated board")
struct MonitorSessionTests {
    static let script = "SDK ver: 2.2.1\n@delay 50ms\nI (12) wifi: connected\n@bytes 62 61 64 ff fe 0d 0a\nE (20) mqtt: refused\nready\n"

    @Test("after its reset the session reads the ROM banner at 74880, then the app at 115200, both readable")
    func mixedBaud() throws {
        let fixture = try MonitorFixture(script: Self.script)
        let port = SimulatorPort(board: try fixture.board(), name: "sim")
        let session = MonitorSession(port: port, settings: MonitorSettings())
        let output = StringOutput()
        session.resetBoard()
        let outcome = session.run(until: try LinePattern("^ready$"), timeout: .seconds(10),
                                  sink: TextRenderer(output: output, color: false))
        #expect(outcome.reason == .matched && outcome.exitCode == 0)
        let text = output.text
        #expect(text.contains("\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\n"))
        #expect(text.contains("--- rst cause 2: external reset"))
        #expect(text.contains("load 0x40100000, len 40, room 16\ntail 8\n"))
        #expect(text.contains("csum 0x"))
        #expect(text.contains("SDK ver: 2.2.1\nI (12) wifi: connected\nbad\\xff\\xfe\nE (20) mqtt: refused\nready\n"))
        #expect(outcome.lines.contains("bad\\xff\\xfe"))
        #expect(port.board.currentBaud == 115_200)
    }

    @Test("fail-on wins over until; timeout ends a quiet run; colours only when asked")
    func outcomes() throws {
        let fixture = try MonitorFixture(script: Self.script)
        let failed = MonitorSession(port: SimulatorPort(board: try fixture.board(), name: "sim"), settings: MonitorSettings())
        failed.resetBoard()
        let colored = StringOutput()
        let outcome = failed.run(until: try LinePattern("ready"), failOn: try LinePattern("^E \\("), timeout: .seconds(10),
                                 sink: TextRenderer(output: colored, color: true))
        #expect(outcome.reason == .failed && outcome.exitCode == 3 && outcome.matchedLine == "E (20) mqtt: refused")
        #expect(colored.text.contains("\u{1B}[31mE (20) mqtt: refused\u{1B}[0m\n"))
        #expect(colored.text.contains("\u{1B}[32mI (12) wifi: connected\u{1B}[0m\n"))

        let quiet = MonitorSession(port: SimulatorPort(board: try fixture.board(), name: "sim"), settings: MonitorSettings())
        let start = ContinuousClock.now
        let timedOut = quiet.run(until: try LinePattern("ready"), timeout: .milliseconds(300), sink: TextRenderer(output: StringOutput(), color: false))
        #expect(timedOut.reason == .timedOut && timedOut.exitCode == 4)
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test("an exception dump is decoded to function and file:line of the demo firmware ELF")
    func crashDecoding() throws {
        let elf = try FirmwareBuild.demo().elf
        let symbols = try DemoSymbols(elf: elf)
        let main = try #require(symbols["demo_main"]), scan = try #require(symbols["scan_sector"])
        let start = try #require(symbols["call_user_start"])
        func hex(_ v: UInt32) -> String { String(format: "%08x", v) }
        let script = """
            Exception (28):
            epc1=0x\(hex(main.address)) epc2=0x00000000 epc3=0x00000000 excvaddr=0x00000004 depc=0x00000000

            >>>stack>>>

            ctx: cont
            sp: 3ffffdc0 end: 3fffffc0 offset: 01a0
            3ffffdc0:  \(hex(scan.address)) 3fffdad0 00000000 \(hex(start.address))
            <<<stack<<<
            @delay 200ms
            @reset
            """
        let fixture = try MonitorFixture(script: script + "\n")
        let board = try fixture.board()
        var settings = MonitorSettings()
        settings.resolver = Addr2LineResolver(chip: .esp8266, elf: elf, runner: SubprocessRunner(baseEnvironment: ProcessInfo.processInfo.environment))
        let session = MonitorSession(port: SimulatorPort(board: board, name: "sim"), settings: settings)
        let sink = CollectingSink()
        let output = StringOutput()
        session.resetBoard()
        // The script crashes on every boot: a boot loop, read for a bounded time.
        let outcome = session.run(timeout: .milliseconds(1500), sink: MonitorTee([sink, TextRenderer(output: output, color: false)]))
        let crash = try #require(sink.crashes.first)
        #expect(crash.cause == 28 && crash.causeName == "LoadProhibited")
        #expect(crash.frames.map(\.role) == ["epc1", "excvaddr", "stack", "stack"])
        #expect(crash.frames[0].symbol?.function == "demo_main")
        #expect(crash.frames[0].symbol?.location == main.location)
        #expect(crash.frames[1].symbol == nil)
        #expect(crash.frames[2].symbol?.function == "scan_sector" && crash.frames[2].symbol?.location == scan.location)
        #expect(crash.frames[3].symbol?.function == "call_user_start" && crash.frames[3].symbol?.location == start.location)
        #expect(output.text.contains("crash decoded: exception 28 LoadProhibited"))
        #expect(output.text.contains("epc1 0x\(hex(main.address)): demo_main at \(main.location)"))
        // After the dump the chip reboots: its banner is read at 74880 again, readable.
        #expect(outcome.reason == .timedOut)
        #expect(sink.crashes.count >= 2, "\(output.text)")
        #expect(output.text.components(separatedBy: "\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\n").count >= 3)
    }
}

final class CollectingSink: MonitorSink {
    private(set) var crashes: [CrashReport] = []
    private(set) var events: [MonitorEvent] = []
    func handle(_ event: MonitorEvent) {
        events.append(event)
        if case .crash(let report, _, _) = event { crashes.append(report) }
    }
}

/// Function symbols of an ELF (`xtensa-lx106-elf-nm`) with the file:line of their first
/// instruction (plain `addr2line -e ELF ADDR`, one address per run, not the decoder's batch call).
struct DemoSymbols {
    struct Symbol { let address: UInt32; let location: String }
    private var table: [String: Symbol] = [:]

    init(elf: String) throws {
        let result = try ToolRunner(executable: "/usr/bin/xtensa-lx106-elf-nm").run(["--defined-only", elf], timeout: .seconds(20))
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[1].lowercased() == "t", let address = UInt32(fields[0], radix: 16) else { continue }
            let where_ = try ToolRunner(executable: "/usr/bin/xtensa-lx106-elf-addr2line")
                .run(["-e", elf, "0x" + String(address, radix: 16)], timeout: .seconds(20)).output
            table[String(fields[2])] = Symbol(address: address, location: where_.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    subscript(name: String) -> Symbol? { table[name] }
}

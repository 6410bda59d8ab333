import EsprigTestSupport
import Foundation
import Testing
@testable import EsprigSimulator

@Suite("Boot script and ROM flash boot log")
struct BootScriptTests {
    @Test("the load lines follow the segments (room, tail, ho) as in a real ESP8266 log")
    func romLog() {
        let flash = TestImages.esp8266([(0x4010_0000, 24236), (0x3FFE_8000, 3008), (0x3FFE_8BC0, 4816)])
        let log = ROMFlashBootLog.log(flash: flash)
        let lines = log.text.components(separatedBy: "\r\n")
        #expect(log.boots)
        #expect(lines[0] == "load 0x40100000, len 24236, room 16")
        #expect(lines[1] == "tail 12")
        #expect(lines[3] == "ho 0 tail 12 room 4")
        #expect(lines[4] == "load 0x3ffe8000, len 3008, room 12")
        #expect(lines[5] == "tail 4")
        #expect(lines[7] == "load 0x3ffe8bc0, len 4816, room 4")
        #expect(lines[8] == "tail 12")
        #expect(lines[9] == lines[10].replacingOccurrences(of: "csum", with: "chksum"))
        var bad = flash
        bad[bad.count - 1] ^= 1
        #expect(ROMFlashBootLog.log(flash: bad).text.hasSuffix("csum err\r\nets_main.c \r\n"))
        #expect(!ROMFlashBootLog.log(flash: bad).boots)
        #expect(ROMFlashBootLog.log(flash: [UInt8](repeating: 0xFF, count: 64)) == .init(text: "ets_main.c \r\n", boots: false))
    }

    @Test("script text parses into steps; bad directives name file and line")
    func parse() throws {
        let script = try BootScript(parsing: "# c\nhello\n@delay 1.5s\n@baud 9600\n@bytes 48 ff\n\\@x\n@reset watchdog\n@halt\n")
        #expect(script.steps == [.send(Array("hello\r\n".utf8)), .delay(.milliseconds(1500)), .baud(9600),
                                 .send([0x48, 0xFF]), .send(Array("@x\r\n".utf8)), .reset(.watchdog), .halt])
        #expect(throws: SimulatorError(.invalidOption, "")) { try BootScript(parsing: "ok\n@delay soon", name: "s.txt") }
        do {
            _ = try BootScript(parsing: "ok\n@bytes zz", name: "s.txt")
            Issue.record("@bytes zz must not parse")
        } catch {
            #expect(error.message.hasPrefix("s.txt:2:"))
        }
    }

    @Test("boot-script= in a sim:// URL; a missing script file is an error naming it")
    func option() throws {
        #expect(try SimulatorOptions(chip: .esp8266, query: ["boot-script": "/x/boot.txt"]).bootScriptPath == "/x/boot.txt")
        #expect(throws: SimulatorError(.invalidOption, "")) { try SimulatorOptions(chip: .esp8266, query: ["boot-script": ""]) }
        var options = SimulatorOptions(chip: .esp8266)
        options.bootScriptPath = "/nonexistent/boot.txt"
        do {
            _ = try SimulatedBoard(options: options)
            Issue.record("a missing boot script must fail")
        } catch {
            #expect(error.code == .io && error.message.contains("/nonexistent/boot.txt"))
        }
    }

    @Test("after a hard reset the board sends banner + load log at 74880, then the script at the app baud, in time")
    func boardRunsScript() throws {
        let dir = try TempDirectory()
        let scriptPath = dir.file("boot.txt")
        try "app up\n@delay 200ms\nsecond\n@reset\n".write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let imagePath = dir.file("flash.bin")
        try Data(TestImages.esp8266([(0x4010_0000, 40), (0x3FFE_8000, 12)])).write(to: URL(fileURLWithPath: imagePath))
        var options = SimulatorOptions(chip: .esp8266)
        options.bootScriptPath = scriptPath
        options.imagePath = imagePath
        let board = try SimulatedBoard(options: options)
        _ = board.setLines(dtr: false, rts: true, now: .milliseconds(1))
        let boot = board.setLines(dtr: false, rts: false, now: .milliseconds(100))
        #expect(boot.first == .baudChange(74880))
        #expect(String(decoding: boot.transmittedBytes, as: UTF8.self).contains("load 0x40100000, len 40, room 16\r\ntail 8\r\n"))
        #expect(board.nextScheduledEvent == .milliseconds(200))
        #expect(board.advance(to: .milliseconds(150)).isEmpty)
        let app = board.advance(to: .milliseconds(200))
        #expect(app == [.bytes(Array("app up\r\n".utf8), notBefore: nil)])
        #expect(board.receive(Array("typed".utf8), now: .milliseconds(210)).isEmpty)
        #expect(board.appReceived == Array("typed".utf8))
        let later = board.advance(to: .milliseconds(400))
        #expect(String(decoding: later.transmittedBytes, as: UTF8.self).hasPrefix("second\r\n\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)"))
        #expect(later.contains(.baudChange(74880)))
        #expect(board.nextScheduledEvent == .milliseconds(500))
        // Holding the chip in reset stops the script.
        _ = board.setLines(dtr: false, rts: true, now: .milliseconds(450))
        #expect(board.nextScheduledEvent == nil)
    }
}

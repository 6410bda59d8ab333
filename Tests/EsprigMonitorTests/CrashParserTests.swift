import EsprigSystem
import EsprigFirmware
import Foundation
import Testing
@testable import EsprigMonitor

@Suite("Crash dumps and ROM reset lines")
struct CrashParserTests {
    @Test("ESP32 panic: cause name, PC and backtrace PCs; a lone Backtrace line is a dump of its own")
    func esp32() {
        var parser = CrashParser(chip: .forChip(.esp32))
        #expect(parser.feed("Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.").isEmpty)
        #expect(parser.feed("PC      : 0x400d1234  PS      : 0x00060030  A0      : 0x800d5678").isEmpty)
        #expect(parser.feed("EXCVADDR: 0x00000000  LBEG    : 0x00000000").isEmpty)
        let done = parser.feed("Backtrace: 0x400d1234:0x3ffb1e50 0x400d5678:0x3ffb1e70 |<-CORRUPTED")
        #expect(done.count == 1)
        #expect(done.first?.causeName == "LoadProhibited")
        #expect(done.first?.frames.map(\.role) == ["pc", "backtrace", "backtrace"])
        #expect(done.first?.frames.map(\.address) == [0x400D_1234, 0x400D_1234, 0x400D_5678])
        #expect(parser.feed("Backtrace:0x400d0001:0x3ffb0000").first?.frames.count == 1)
    }

    @Test("SDK 'Fatal exception' with commas; the dump ends at the next ordinary line, which is then read")
    func fatalException() {
        var parser = CrashParser(chip: .forChip(.esp8266))
        #expect(parser.feed("Fatal exception (0):").isEmpty)
        #expect(parser.feed("epc1=0x40201234, epc2=0x00000000, epc3=0x00000000, excvaddr=0x00000000, depc=0x00000000").isEmpty)
        let done = parser.feed("Exception (6):")
        #expect(done.first?.cause == 0 && done.first?.causeName == "IllegalInstruction")
        #expect(done.first?.frames.map(\.role) == ["epc1"])
        #expect(parser.flush()?.causeName == "IntegerDivideByZero")
    }

    @Test("rst cause and boot mode are explained; (1,x) is download mode with GPIO0 low")
    func resetLines() throws {
        let normal = try #require(ResetReport(line: " ets Jan  8 2013,rst cause:4, boot mode:(3,6)"))
        #expect(normal.cause == 4 && normal.causeMeaning == "hardware watchdog" && !normal.isDownloadMode)
        let download = try #require(ResetReport(line: "ets Jan  8 2013,rst cause:1, boot mode:(1,7)"))
        #expect(download.isDownloadMode && download.summary.contains("GPIO0 was held low"))
        #expect(download.summary.hasPrefix("rst cause 1: power on;"))
        #expect(ResetReport(line: "rst cause is a word") == nil)
    }

    @Test("without the ESP32 toolchain the resolver says which tool is missing and how to get it")
    func missingTool() throws {
        let resolver = Addr2LineResolver(chip: .esp32, elf: "/nonexistent.elf",
                                         runner: SubprocessRunner(baseEnvironment: ["PATH": "/nonexistent-bin"]))
        do {
            _ = try resolver.resolve([0x400D_1234])
            Issue.record("resolve should fail without the tool")
        } catch let error as MonitorError {
            #expect(error.message == "xtensa-esp32-elf-addr2line not found, so addresses stay unresolved")
            #expect(error.hint?.contains("idf_tools.py") == true)
        }
    }

    @Test("addr2line -pfiaC output with inlined frames and unknown addresses")
    func addr2lineOutput() {
        let parsed = Addr2LineResolver.parse([
            "0x402101dc: demo_main at /src/demo.c:99",
            " (inlined by) caller at /src/demo.c:120",
            "0x40000010: ?? ??:0",
        ])
        #expect(parsed[0x4021_01DC] == ResolvedAddress(function: "demo_main", location: "/src/demo.c:99", inlinedBy: ["caller at /src/demo.c:120"]))
        #expect(parsed[0x4000_0010] == nil)
    }
}

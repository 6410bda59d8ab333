import Testing
import EsprigTestSupport
@testable import EsprigMonitor

/// Seeded mutated crash dumps and reset lines (fixed seed; ESPRIG_FUZZ_SCALE runs longer).
@Suite("Crash parser and reset lines, fuzzed")
struct CrashParserFuzzTests {
    static let esp8266Dump = [
        "Fatal exception (0):", "Exception (28):",
        "epc1=0x40201234, epc2=0x00000000, epc3=0x00000000, excvaddr=0x00000000, depc=0x00000000",
        ">>>stack>>>", "3ffffdb0:  40201234 3ffee9a0 3ffee9c4 40202345", "<<<stack<<<",
        " ets Jan  8 2013,rst cause:2, boot mode:(3,6)", "ordinary output",
    ]
    static let esp32Dump = [
        "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.",
        "PC      : 0x400d1234  PS      : 0x00060030  A0      : 0x800d5678",
        "EXCVADDR: 0x00000000  LBEG    : 0x00000000",
        "Backtrace: 0x400d1234:0x3ffb1e50 0x400d5678:0x3ffb1e70 |<-CORRUPTED", "rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)",
    ]

    @Test("mutated dumps: no crash, and only addresses the line holds; code-only roles stay in code", arguments: [true, false])
    func mutated(_ esp8266: Bool) {
        var rng = SeededRandom(seed: esp8266 ? 0xC2A5 : 0xC2A6)
        let regions = CodeRegions.forChip(esp8266 ? .esp8266 : .esp32)
        let lines = esp8266 ? Self.esp8266Dump : Self.esp32Dump
        var parser = CrashParser(chip: regions)
        var reports: [CrashReport] = []
        for _ in 0..<FuzzBudget.iterations(1500) {
            let line = lines[rng.int(0...(lines.count - 1))]
            let bytes = rng.int(0...3) == 0 ? Array(line.utf8) : rng.mutate(Array(line.utf8), special: Array("0x:,()=> ".utf8))
            let text = String(decoding: bytes, as: UTF8.self)
            reports += parser.feed(text)
            _ = ResetReport(line: text)
        }
        if let last = parser.flush() { reports.append(last) }
        #expect(!reports.isEmpty, "the unmutated lines make dumps")
        for report in reports {
            #expect(report.frames.filter { $0.role == "stack" || $0.role == "backtrace" }.allSatisfy { regions.isCode($0.address) || $0.role == "backtrace" })
            #expect(report.frames.filter { $0.role == "stack" }.allSatisfy { regions.isCode($0.address) })
        }
    }
}

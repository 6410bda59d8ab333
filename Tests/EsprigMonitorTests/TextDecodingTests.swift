import Testing
@testable import EsprigMonitor

@Suite("Monitor text: UTF-8 across reads, escaped bytes, partial lines")
struct TextDecodingTests {
    @Test("invalid bytes and controls become \\xNN; a character split across reads is decoded whole")
    func visibleText() {
        var decoder = VisibleTextDecoder()
        #expect(decoder.decode([0x41, 0xFF, 0x00, 0x42, 0x1B]) == "A\\xff\\x00B\u{1B}")
        #expect(decoder.decode([0xC3]) == "")
        #expect(decoder.decode([0xA9, 0x0D, 0x0A]) == "é\r\n")
        #expect(decoder.decode([0xE2, 0x82]) == "")
        #expect(decoder.decode([0x41]) == "\\xe2\\x82A")
        #expect(decoder.decode([0xF0]) == "")
        #expect(decoder.flush() == "\\xf0")
    }

    @Test("fragments pass through at once; lines complete at LF without CR")
    func lines() {
        var assembler = LineAssembler()
        #expect(assembler.feed("boo") == [.fragment("boo", startsLine: true)])
        #expect(assembler.feed("t\r\nnext\r\n\r\nta") == [
            .fragment("t\r", startsLine: false), .line("boot"),
            .fragment("next\r", startsLine: true), .line("next"),
            .fragment("\r", startsLine: true), .line(""),
            .fragment("ta", startsLine: true),
        ])
        #expect(assembler.finishLine() == .line("ta"))
        #expect(assembler.finishLine() == nil)
    }
}

@Suite("Interactive keys")
struct MonitorKeysTests {
    @Test("typed bytes pass (Enter as CR LF); Ctrl+T starts the menu; Ctrl+] quits")
    func keys() {
        var keys = MonitorKeys()
        #expect(keys.feed(Array("ab\r".utf8)) == [.send([0x61, 0x62, 0x0D, 0x0A])])
        #expect(keys.feed([0x14]) == [])
        #expect(keys.feed([0x74, 0x78]) == [.toggleTimestamps, .send([0x78])])
        #expect(keys.feed([0x14, 0x52, 0x14, 0x62, 0x14, 0x6C, 0x14, 0x68, 0x14, 0x14]) ==
                [.reset, .resetIntoBootloader, .toggleLog, .help, .send([0x14])])
        #expect(keys.feed([0x7A, 0x1D, 0x41]) == [.send([0x7A]), .quit])
    }
}

@Suite("Byte search")
struct ByteSearchTests {
    @Test("finds needles anywhere, including at the ends and after a false start")
    func search() {
        #expect("Fatal exception (28):".containsBytes("xception ("))
        #expect("xception (".containsBytes("xception ("))
        #expect("xxception (".containsBytes("xception ("))
        #expect(!"xception".containsBytes("xception ("))
        #expect(!"".containsBytes("rst cause:"))
        #expect("é rst cause:2".containsBytes("rst cause:"))
    }
}

import Testing
import EsprigTestSupport
@testable import EsprigFirmware

@Suite struct CStringLiteralTests {
    @Test("printable ASCII is written as is, quotes and backslashes are escaped")
    func plainAndSpecial() {
        #expect(CStringLiteral.encode(Array("AP_SSID".utf8)).text == #""AP_SSID""#)
        #expect(CStringLiteral.encode(Array(#"a"b\c"#.utf8)).text == #""a\"b\\c""#)
        #expect(CStringLiteral.encode(Array("100%%".utf8)).text == #""100%%""#)
    }

    @Test("line breaks, tabs and other control bytes become escapes")
    func controls() {
        #expect(CStringLiteral.encode([0x0A, 0x0D, 0x09, 0x01, 0x7F]).text == #""\n\r\t\001\177""#)
    }

    @Test("non-ASCII bytes become three-digit octal escapes, so a following digit stays separate")
    func nonASCII() {
        #expect(CStringLiteral.encode(Array("é7".utf8)).text == #""\303\2517""#)
    }

    @Test("a second question mark is escaped so no trigraph can form")
    func trigraphs() {
        #expect(CStringLiteral.encode(Array("??=??/".utf8)).text == #""?\?=?\?/""#)
    }

    @Test("comment markers inside a value stay inside the literal")
    func commentMarkers() {
        #expect(CStringLiteral.encode(Array("*/ // /*".utf8)).text == #""*/ // /*""#)
    }

    @Test("decode reads simple, octal and hex escapes and stops at the closing quote")
    func decode() throws {
        let line = Array(#"x "a\"\\\n\101\x42\?\'" rest"#.utf8)[...]
        let decoded = try #require(CStringLiteral.decode(line, at: 2))
        #expect(decoded.bytes == Array("a\"\\\nAB?'".utf8))
        #expect(decoded.end == line.count - 5)
    }

    @Test("decode refuses unterminated literals, unknown escapes and oversized escapes",
          arguments: [#""abc"#, #""a\qb""#, #""\400""#, #""\x100""#, #""\x""#, "x\"a\""])
    func decodeRefuses(_ text: String) {
        #expect(CStringLiteral.decode(Array(text.utf8)[...], at: 0) == nil)
    }

    @Test("any bytes round-trip through encode and decode (seeded)")
    func roundTrip() throws {
        var random = SeededRandom(seed: 0xC57)
        for _ in 0..<500 {
            let bytes = random.bytes(random.int(0...40), biasedTowards: Array(#""\?%*/'01"#.utf8) + [0x0A, 0x0D, 0x80, 0xFF])
            let encoded = CStringLiteral.encode(bytes)
            #expect(!encoded.contains(0x0A) && !encoded.contains(0x0D), "seed \(random.seed)")
            let decoded = try #require(CStringLiteral.decode(encoded[...], at: 0), "seed \(random.seed)")
            #expect(decoded.bytes == bytes && decoded.end == encoded.count, "seed \(random.seed)")
        }
    }
}

import Testing
@testable import EsprigFirmware

@Suite struct ConfigHeaderTests {
    let header = ConfigHeader(bytes: Fixture.demoHeader)

    @Test("the demo header's values are read with their kinds")
    func readsDemo() throws {
        #expect(try header.value(of: "CFG_HOLDER") == .integer(0x00FF55A4))
        #expect(try header.value(of: "MQTT_HOST") == .text("192.168.1.100"))
        #expect(try header.value(of: "MQTT_PORT") == .integer(1883))
        #expect(try header.value(of: "STA_TYPE") == .symbol("AUTH_WPA2_PSK"))
        #expect(try header.value(of: "DEFAULT_SECURITY") == .symbol("NO_TLS"))
        #expect(try header.value(of: "MQTT_SSL_ENABLE") == .flag(true))
        #expect(try header.value(of: "PROTOCOL_NAMEv31") == .flag(true))
        #expect(try header.value(of: "PROTOCOL_NAMEv311") == .flag(false))
    }

    @Test("a define inside a block comment is not a setting")
    func blockComment() throws {
        #expect(try header.value(of: "CFG_LOCATION") == .integer(0x79))
        #expect(header.entries.filter { $0.name == "CFG_LOCATION" }.count == 1)
    }

    @Test("prose in a // comment is not taken for a switched-off flag")
    func proseComment() {
        let text = ConfigHeader(bytes: Array("//or \"mqtt.example.org\"\n// Change this\n//TODO\n".utf8))
        #expect(text.names == ["TODO"])
    }

    @Test("const char constants are settings", arguments: [
        #"const char* ssid = "home";"#, #"const char *ssid = "home"; // the network"#,
        #"static const char ssid[] = "home";"#,
    ])
    func constChar(_ line: String) throws {
        let parsed = ConfigHeader(bytes: Array((line + "\n").utf8))
        #expect(try parsed.value(of: "ssid") == .text("home"))
        #expect(parsed.entries.first?.form == .constString)
    }

    @Test("function-like macros, expressions and continued lines are not plain values")
    func unsupported() throws {
        let parsed = ConfigHeader(bytes: Array("#define F(x) x\n#define SIZE (4*1024)\n#define LONG 1 \\\n  + 2\n#define U 5U\n".utf8))
        #expect(parsed.names == ["SIZE", "LONG", "U"])
        #expect(try parsed.value(of: "SIZE") == nil)
        #expect(try parsed.value(of: "LONG") == nil)
        #expect(try parsed.value(of: "U") == nil)
    }

    @Test("two active lines for one name are ambiguous")
    func ambiguous() {
        let parsed = ConfigHeader(bytes: Array("#ifdef A\n#define X 1\n#else\n#define X 2\n#endif\n".utf8))
        #expect(throws: FirmwareConfigError(.ambiguousName, "")) { try parsed.entry(named: "X") }
    }

    @Test("an active line wins over a switched-off one")
    func activeWins() throws {
        let parsed = ConfigHeader(bytes: Array("//#define X\n#define X 3\n".utf8))
        #expect(try parsed.value(of: "X") == .integer(3))
    }

    @Test("CRLF endings and a last line without an ending are kept")
    func endings() throws {
        let bytes = Array("#define A 1\r\n#define B \"x\"".utf8)
        let parsed = ConfigHeader(bytes: bytes)
        #expect(try parsed.value(of: "B") == .text("x"))
        let patch = try parsed.patched([ConfigAssignment("A", .integer(2))], rules: .plain)
        #expect(patch.patched == Array("#define A 2\r\n#define B \"x\"".utf8))
    }
}

import Testing
@testable import EsprigFirmware

@Suite struct ConfigPatchTests {
    let header = ConfigHeader(bytes: Fixture.demoHeader)

    /// The fixture's lines with `replacements` (0-based line → text) applied.
    func expected(_ replacements: [Int: String]) -> [String] {
        var lines = Fixture.demoHeader.lines
        for (index, text) in replacements { lines[index] = text }
        return lines
    }

    let holderBumped = "#define CFG_HOLDER    0x00FF55A5    /* change to make the board reload these defaults */"

    @Test("a string value is replaced inside its line; spacing and comment stay")
    func string() throws {
        let patch = try header.patched([ConfigAssignment("MQTT_HOST", .text("broker.local"))])
        #expect(patch.patched.lines == expected([12: holderBumped,
            15: #"#define MQTT_HOST            "broker.local" // broker address, e.g. "mqtt.example.org""#]))
    }

    @Test("a decimal integer stays decimal")
    func decimal() throws {
        let patch = try header.patched([ConfigAssignment("MQTT_PORT", .integer(8883))])
        #expect(patch.patched.lines == expected([12: holderBumped, 16: "#define MQTT_PORT            8883    // broker port"]))
    }

    @Test("a hex integer keeps its prefix, digit count and case")
    func hex() throws {
        let patch = try header.patched([ConfigAssignment("CA_CERT_FLASH_ADDRESS", .integer(0xFB))])
        #expect(patch.patched.lines[26] == "#define CA_CERT_FLASH_ADDRESS 0xFB           // CA sector: 0x77 is flash 0x77000")
        let lower = try ConfigHeader(bytes: Array("#define CFG_HOLDER 0x0a\n#define X 0x0f\n".utf8))
            .patched([ConfigAssignment("X", .integer(0x1ab))])
        #expect(lower.patched.text == "#define CFG_HOLDER 0x0b\n#define X 0x1ab\n")
    }

    @Test("an enum symbol replaces a symbol or a number")
    func symbol() throws {
        let patch = try header.patched([ConfigAssignment("DEFAULT_SECURITY", .symbol("TWO_WAY_ANTHENTICATION"))])
        #expect(patch.patched.lines[24] == "#define DEFAULT_SECURITY    TWO_WAY_ANTHENTICATION      // which TLS level to use")
        let old = try ConfigHeader(bytes: Array("#define CFG_HOLDER 1\n#define DEFAULT_SECURITY\t0\n".utf8))
            .patched([ConfigAssignment("DEFAULT_SECURITY", .symbol("ONE_WAY_ANTHENTICATION"))])
        #expect(old.patched.text == "#define CFG_HOLDER 2\n#define DEFAULT_SECURITY\tONE_WAY_ANTHENTICATION\n")
    }

    @Test("a flag is switched off as //#define and back on as #define, comment kept")
    func flag() throws {
        let off = try header.patched([ConfigAssignment("MQTT_SSL_ENABLE", .flag(false))])
        #expect(off.patched.lines[38] == "//#define MQTT_SSL_ENABLE")
        let on = try ConfigHeader(bytes: off.patched).patched([ConfigAssignment("MQTT_SSL_ENABLE", .flag(true))])
        #expect(on.patched.lines[38] == "#define MQTT_SSL_ENABLE")
    }

    @Test("switching protocols turns the SDK's bare //NAME into a define")
    func bareFlag() throws {
        let patch = try header.patched([ConfigAssignment("PROTOCOL_NAMEv31", .flag(false)), ConfigAssignment("PROTOCOL_NAMEv311", .flag(true))])
        #expect(patch.patched.lines[42] == "//#define PROTOCOL_NAMEv31    /*MQTT version 3.1*/")
        #expect(patch.patched.lines[43] == "#define PROTOCOL_NAMEv311            /*MQTT version 3.1.1*/")
    }

    @Test("exactly one protocol flag must remain", arguments: [[true, true], [false, false]])
    func exclusiveProtocols(_ states: [Bool]) {
        #expect(throws: FirmwareConfigError(.notAllowed, "")) {
            try header.patched([ConfigAssignment("PROTOCOL_NAMEv31", .flag(states[0])), ConfigAssignment("PROTOCOL_NAMEv311", .flag(states[1]))])
        }
    }

    @Test("a const char constant is patched in place")
    func constChar() throws {
        let patch = try ConfigHeader(bytes: Array("const char* ssid = \"home\"; // net\n".utf8))
            .patched([ConfigAssignment("ssid", .text("a\"b"))], rules: .plain)
        #expect(patch.patched.text == "const char* ssid = \"a\\\"b\"; // net\n")
    }

    @Test("an injection attempt stays one string literal on one line")
    func injection() throws {
        let patch = try header.patched([ConfigAssignment("MQTT_USER", .text("x\" */ // \n#define EVIL 1 /*"))])
        #expect(patch.patched.lines.count == Fixture.demoHeader.lines.count)
        #expect(patch.patched.lines[18] == #"#define MQTT_USER            "x\" */ // \n#define EVIL 1 /*" // login name"#)
    }

    @Test("CFG_HOLDER is bumped once per patch that changes something, and never otherwise")
    func holder() throws {
        let same = try header.patched([ConfigAssignment("MQTT_PORT", .integer(1883)), ConfigAssignment("STA_SSID", .text("AP_SSID"))])
        #expect(!same.hasChanges && same.patched == Fixture.demoHeader)
        let changed = try header.patched([ConfigAssignment("MQTT_PORT", .integer(8883)), ConfigAssignment("STA_SSID", .text("lab"))])
        #expect(try ConfigHeader(bytes: changed.patched).value(of: "CFG_HOLDER") == .integer(0x00FF55A5))
        #expect(changed.changes.map(\.name) == ["CFG_HOLDER", "MQTT_PORT", "STA_SSID"])
    }

    @Test("the holder skips 0xFFFFFFFF, the value of erased flash")
    func holderSkipsErased() throws {
        let patch = try ConfigHeader(bytes: Array("#define CFG_HOLDER 0xFFFFFFFE\n#define A 1\n".utf8))
            .patched([ConfigAssignment("A", .integer(2))])
        #expect(patch.patched.text == "#define CFG_HOLDER 0x00000000\n#define A 2\n")
    }

    @Test("patching twice gives the bytes of patching once")
    func idempotent() throws {
        let assignments = [ConfigAssignment("MQTT_HOST", .text("h")), ConfigAssignment("MQTT_SSL_ENABLE", .flag(false)),
                           ConfigAssignment("NEW_THING", .integer(5), addIfMissing: true)]
        let once = try header.patched(assignments)
        let twice = try ConfigHeader(bytes: once.patched).patched(assignments)
        #expect(twice.patched == once.patched && !twice.hasChanges)
    }

    @Test("a missing name is added after the last setting only when asked")
    func add() throws {
        #expect(throws: FirmwareConfigError(.unknownName, "")) { try header.patched([ConfigAssignment("MQTT_SSL_SIZE", .integer(5120))]) }
        let patch = try header.patched([ConfigAssignment("MQTT_SSL_SIZE", .integer(5120), addIfMissing: true),
                                        ConfigAssignment("EXTRA_FLAG", .flag(true), addIfMissing: true),
                                        ConfigAssignment("NOT_WANTED", .flag(false), addIfMissing: true)])
        var lines = expected([12: holderBumped])
        lines.insert(contentsOf: ["#define MQTT_SSL_SIZE 5120", "#define EXTRA_FLAG"], at: 43)
        #expect(patch.patched.lines == lines)
    }

    @Test("adding to a header without settings goes before #endif; without #endif at the end")
    func addPlacement() throws {
        let guarded = try ConfigHeader(bytes: Array("#ifndef H\n#define H\n#endif\n".utf8))
            .patched([ConfigAssignment("A", .text("x"), addIfMissing: true)], rules: .plain)
        #expect(guarded.patched.text == "#ifndef H\n#define H\n#define A \"x\"\n#endif\n")
        let bare = try ConfigHeader(bytes: Array("// notes".utf8)).patched([ConfigAssignment("A", .integer(1), addIfMissing: true)], rules: .plain)
        #expect(bare.patched.text == "// notes\n#define A 1\n")
        let empty = try ConfigHeader(bytes: []).patched([ConfigAssignment("A", .integer(1), addIfMissing: true)], rules: .plain)
        #expect(empty.patched.text == "#define A 1\n")
    }

    @Test("refusals: kind mismatch, unsupported line, reserved holder, duplicate, NUL, negative, bad symbol")
    func refusals() {
        #expect(throws: FirmwareConfigError(.kindMismatch, "")) { try header.patched([ConfigAssignment("MQTT_BUF_SIZE", .text("1"))]) }
        #expect(throws: FirmwareConfigError(.kindMismatch, "")) { try header.patched([ConfigAssignment("MQTT_SSL_ENABLE", .integer(1))]) }
        #expect(throws: FirmwareConfigError(.kindMismatch, "")) { try header.patched([ConfigAssignment("MQTT_BUF_SIZE", .flag(false))]) }
        #expect(throws: FirmwareConfigError(.unsupportedLine, "")) {
            try ConfigHeader(bytes: Array("#define CFG_HOLDER 1\n#define S (1+1)\n".utf8)).patched([ConfigAssignment("S", .integer(3))])
        }
        #expect(throws: FirmwareConfigError(.reservedName, "")) { try header.patched([ConfigAssignment("CFG_HOLDER", .integer(1))]) }
        #expect(throws: FirmwareConfigError(.duplicateAssignment, "")) {
            try header.patched([ConfigAssignment("MQTT_PORT", .integer(1)), ConfigAssignment("MQTT_PORT", .integer(2))])
        }
        #expect(throws: FirmwareConfigError(.invalidValue, "")) { try header.patched([ConfigAssignment("MQTT_HOST", .string([0x41, 0, 0x42]))]) }
        #expect(throws: FirmwareConfigError(.invalidValue, "")) { try header.patched([ConfigAssignment("MQTT_BUF_SIZE", .integer(-1))]) }
        #expect(throws: FirmwareConfigError(.invalidValue, "")) { try header.patched([ConfigAssignment("STA_TYPE", .symbol("A B"))]) }
    }

    @Test("a change to a header without CFG_HOLDER is refused under the demo's rules, allowed under plain rules")
    func missingHolder() throws {
        let bytes = Array("#define A 1\n".utf8)
        #expect(throws: FirmwareConfigError(.missingHolder, "")) { try ConfigHeader(bytes: bytes).patched([ConfigAssignment("A", .integer(2))]) }
        #expect(try ConfigHeader(bytes: bytes).patched([ConfigAssignment("A", .integer(2))], rules: .plain).patched.text == "#define A 2\n")
        #expect(throws: FirmwareConfigError(.unsupportedLine, "")) {
            try ConfigHeader(bytes: Array("#define CFG_HOLDER (1)\n#define A 1\n".utf8)).patched([ConfigAssignment("A", .integer(2))])
        }
    }

    @Test("the diff shows only changed lines, with secrets masked")
    func diff() throws {
        let patch = try header.patched([ConfigAssignment("MQTT_PASS", .text("hunter2")), ConfigAssignment("MQTT_PORT", .integer(8883)),
                                        ConfigAssignment("STA_PASS", .text("x"), addIfMissing: true),
                                        ConfigAssignment("EXTRA", .integer(1), addIfMissing: true)])
        #expect(patch.diff(path: "include/mqtt_config.h") == """
            --- a/include/mqtt_config.h
            +++ b/include/mqtt_config.h
            @@ -13 +13 @@
            -#define CFG_HOLDER    0x00FF55A4    /* change to make the board reload these defaults */
            +\(holderBumped)
            @@ -17 +17 @@
            -#define MQTT_PORT            1883    // broker port
            +#define MQTT_PORT            8883    // broker port
            @@ -20 +20 @@
            -#define MQTT_PASS            "********" // login password
            +#define MQTT_PASS            "********" // login password
            @@ -22 +22 @@
            -#define STA_PASS "********" // Wi-Fi password
            +#define STA_PASS "********" // Wi-Fi password
            @@ -43,0 +44 @@
            +#define EXTRA 1

            """)
        #expect(!patch.diff(path: "h").contains("hunter2"))
        #expect(try header.patched([]).diff(path: "h") == "")
    }

    @Test("an added secret is masked in the diff too")
    func addedSecret() throws {
        let patch = try ConfigHeader(bytes: Array("#define CFG_HOLDER 1\n".utf8))
            .patched([ConfigAssignment("API_TOKEN", .text("abc"), addIfMissing: true)])
        #expect(patch.diff(path: "h").hasSuffix("@@ -1,0 +2 @@\n+#define API_TOKEN \"********\"\n"))
    }
}

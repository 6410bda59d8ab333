import Testing
@testable import EsprigFirmware

@Suite struct ConfigRulesTests {
    let header = ConfigHeader(bytes: Fixture.demoHeader)

    func refusal(_ name: String, _ value: ConfigValue) throws -> FirmwareConfigError {
        try #require(throws: FirmwareConfigError.self) { try header.patched([ConfigAssignment(name, value)]) }
    }

    @Test("string limits: accepted at the limit, refused one past it, naming value and limit", arguments: [
        ("MQTT_HOST", 63, "mqtt_host[64]"), ("MQTT_USER", 31, "mqtt_user[32]"), ("MQTT_PASS", 31, "mqtt_pass[32]"),
        ("STA_SSID", 32, "station_config.ssid[32]"), ("STA_PASS", 63, "sta_pwd[64]"),
    ])
    func lengths(_ name: String, _ limit: Int, _ field: String) throws {
        _ = try header.patched([ConfigAssignment(name, .text(String(repeating: "a", count: limit)))])
        let error = try refusal(name, .text(String(repeating: "a", count: limit + 1)))
        #expect(error.code == .tooLong)
        #expect(error.message.contains(name) && error.message.contains(field) && error.message.contains("\(limit + 1) bytes"))
        #expect(error.message.contains("aaaa") == !ConfigRules.mqttDemo.isSecret(name))
    }

    @Test("lengths count UTF-8 bytes, not characters")
    func utf8Length() throws {
        #expect(try refusal("MQTT_USER", .text(String(repeating: "é", count: 16))).code == .tooLong)
    }

    @Test("MQTT_CLIENT_ID accepts none or one %08X and %% literals", arguments: [
        "Device_ID", "DVES_%08X", "100%%_%08X", "%%%%", String(repeating: "a", count: 23) + "%08X", String(repeating: "a", count: 30) + "%%",
    ])
    func clientIDAccepted(_ format: String) throws {
        _ = try header.patched([ConfigAssignment("MQTT_CLIENT_ID", .text(format))])
    }

    @Test("MQTT_CLIENT_ID refuses other conversions, two chip ids, a lone % and long expansions", arguments: [
        ("id_%s", "config-printf-format"), ("%08x", "config-printf-format"), ("%8X", "config-printf-format"),
        ("a%08Xb%08X", "config-printf-format"), ("100%", "config-printf-format"), ("%d", "config-printf-format"),
        (String(repeating: "a", count: 24) + "%08X", "config-value-too-long"), (String(repeating: "a", count: 32), "config-value-too-long"),
    ])
    func clientIDRefused(_ format: String, _ code: String) throws {
        let error = try refusal("MQTT_CLIENT_ID", .text(format))
        #expect(error.code.rawValue == code)
        #expect(error.message.contains("MQTT_CLIENT_ID"))
    }

    @Test("ports 1 and 65535 pass; 0 and 65536 are refused")
    func port() throws {
        _ = try header.patched([ConfigAssignment("MQTT_PORT", .integer(1))])
        _ = try header.patched([ConfigAssignment("MQTT_PORT", .integer(65535))])
        #expect(try refusal("MQTT_PORT", .integer(0)).code == .outOfRange)
        #expect(try refusal("MQTT_PORT", .integer(65536)).message.contains("1–65535"))
        #expect(try refusal("MQTT_PORT", .symbol("HTTPS")).code == .kindMismatch)
        #expect(try refusal("MQTT_KEEPALIVE", .integer(70000)).code == .outOfRange)
        #expect(try refusal("CA_CERT_FLASH_ADDRESS", .integer(0)).code == .outOfRange)
        #expect(try refusal("CFG_LOCATION", .integer(0)).code == .outOfRange)
    }

    @Test("DEFAULT_SECURITY and STA_TYPE must name their enum (or its number)")
    func enums() throws {
        _ = try header.patched([ConfigAssignment("DEFAULT_SECURITY", .integer(3))])
        _ = try header.patched([ConfigAssignment("STA_TYPE", .symbol("AUTH_OPEN"))])
        #expect(try refusal("DEFAULT_SECURITY", .symbol("TWO_WAY_AUTHENTICATION")).code == .notAllowed)
        #expect(try refusal("DEFAULT_SECURITY", .integer(4)).code == .notAllowed)
        #expect(try refusal("STA_TYPE", .integer(5)).code == .notAllowed)
        #expect(try refusal("STA_SSID", .integer(5)).code == .kindMismatch)
    }

    @Test("a refused value leaves nothing half done: no patch is produced")
    func checkedFirst() throws {
        #expect(throws: FirmwareConfigError(.tooLong, "")) {
            try header.patched([ConfigAssignment("MQTT_PORT", .integer(8883)), ConfigAssignment("MQTT_USER", .text(String(repeating: "u", count: 40)))])
        }
    }

    @Test("NAME=VALUE text is parsed by the kind the header holds")
    func parsing() throws {
        let rules = ConfigRules.mqttDemo
        #expect(try ConfigAssignment(parsing: "MQTT_PORT=0x22B3", in: header, rules: rules).value == .integer(8883))
        #expect(try ConfigAssignment(parsing: "STA_SSID=1234", in: header, rules: rules).value == .text("1234"))
        #expect(try ConfigAssignment(parsing: "MQTT_HOST=a=b", in: header, rules: rules).value == .text("a=b"))
        #expect(try ConfigAssignment(parsing: "DEFAULT_SECURITY=TWO_WAY_ANTHENTICATION", in: header, rules: rules).value == .symbol("TWO_WAY_ANTHENTICATION"))
        #expect(try ConfigAssignment(parsing: "MQTT_SSL_ENABLE=off", in: header, rules: rules).value == .flag(false))
        #expect(try ConfigAssignment(parsing: "PROTOCOL_NAMEv311=on", in: header, rules: rules).value == .flag(true))
        #expect(try ConfigAssignment(parsing: "NEW=12", in: header, rules: rules, addIfMissing: true).value == .integer(12))
        #expect(try ConfigAssignment(parsing: "NEW=text", in: header, rules: rules, addIfMissing: true).value == .text("text"))
        for bad in ["MQTT_PORT", "=1", "1X=2", "MQTT_PORT=012", "MQTT_PORT=-1", "MQTT_SSL_ENABLE=maybe"] {
            #expect(throws: FirmwareConfigError.self, "\(bad)") { try ConfigAssignment(parsing: bad, in: header, rules: rules) }
        }
        let unsupported = ConfigHeader(bytes: Array("#define S (1)\n".utf8))
        #expect(throws: FirmwareConfigError(.unsupportedLine, "")) { try ConfigAssignment(parsing: "S=2", in: unsupported, rules: rules) }
    }
}

/// The NONOS SDK MQTT demo's limits (esp8266-sdk.md §1.1): buffer sizes in `SYSCFG` and
/// `station_config`, the client id's printf format, and the enums the macros must name.
extension ConfigRules {
    public static let mqttDemo = ConfigRules(
        holderName: "CFG_HOLDER",
        secretNames: ["MQTT_PASS", "STA_PASS"],
        kinds: [
            "MQTT_HOST": .string, "MQTT_PORT": .integer, "MQTT_CLIENT_ID": .string, "MQTT_USER": .string,
            "MQTT_PASS": .string, "STA_SSID": .string, "STA_PASS": .string, "STA_TYPE": .symbol,
            "DEFAULT_SECURITY": .symbol, "CA_CERT_FLASH_ADDRESS": .integer, "CLIENT_CERT_FLASH_ADDRESS": .integer,
            "CFG_LOCATION": .integer, "MQTT_BUF_SIZE": .integer, "MQTT_KEEPALIVE": .integer,
            "MQTT_RECONNECT_TIMEOUT": .integer, "MQTT_SSL_ENABLE": .flag, "QUEUE_BUFFER_SIZE": .integer,
            "PROTOCOL_NAMEv31": .flag, "PROTOCOL_NAMEv311": .flag,
        ],
        exclusiveFlags: [["PROTOCOL_NAMEv31", "PROTOCOL_NAMEv311"]],
        checks: [
            // mqtt_host[64]
            "MQTT_HOST": { value, secret in try maxLength(value, 63, "MQTT_HOST", "mqtt_host[64]", secret) },
            "MQTT_CLIENT_ID": { value, secret in try clientID(value, secret) },
            "MQTT_USER": { value, secret in try maxLength(value, 31, "MQTT_USER", "mqtt_user[32]", secret) },
            "MQTT_PASS": { value, secret in try maxLength(value, 31, "MQTT_PASS", "mqtt_pass[32]", secret) },
            // SYSCFG holds 63, but WIFI_Connect copies it into station_config.ssid[32].
            "STA_SSID": { value, secret in try maxLength(value, 32, "STA_SSID", "station_config.ssid[32]", secret) },
            "STA_PASS": { value, secret in try maxLength(value, 63, "STA_PASS", "sta_pwd[64]", secret) },
            "MQTT_PORT": { value, _ in try range(value, 1...65535, "MQTT_PORT", "a TCP port") },
            // Written into the CONNECT header as 16 bits.
            "MQTT_KEEPALIVE": { value, _ in try range(value, 0...65535, "MQTT_KEEPALIVE", "the 16-bit keepalive field") },
            // espconn_secure_*_enable refuses sector 0.
            "CA_CERT_FLASH_ADDRESS": { value, _ in try range(value, 1...0xFFF, "CA_CERT_FLASH_ADDRESS", "a sector number above 0") },
            "CLIENT_CERT_FLASH_ADDRESS": { value, _ in try range(value, 1...0xFFF, "CLIENT_CERT_FLASH_ADDRESS", "a sector number above 0") },
            "CFG_LOCATION": { value, _ in try range(value, 1...0xFFC, "CFG_LOCATION", "a sector number above 0") },
            "DEFAULT_SECURITY": { value, _ in
                try oneOf(value, ["NO_TLS", "TLS_WITHOUT_AUTHENTICATION", "ONE_WAY_ANTHENTICATION", "TWO_WAY_ANTHENTICATION"],
                          numbers: 0...3, "DEFAULT_SECURITY", "TLS_LEVEL")
            },
            "STA_TYPE": { value, _ in
                try oneOf(value, ["AUTH_OPEN", "AUTH_WEP", "AUTH_WPA_PSK", "AUTH_WPA2_PSK", "AUTH_WPA_WPA2_PSK"],
                          numbers: 0...4, "STA_TYPE", "AUTH_MODE")
            },
        ])

    private static func shown(_ bytes: [UInt8], _ secret: Bool) -> String {
        secret ? "(secret)" : String(decoding: CStringLiteral.encode(bytes), as: UTF8.self)
    }

    private static func string(_ value: ConfigValue, _ name: String) throws -> [UInt8] {
        guard case .string(let bytes) = value else {
            throw FirmwareConfigError(.kindMismatch, "\(name) must be a string, got \(value.kind.rawValue) \(value)")
        }
        return bytes
    }

    private static func maxLength(_ value: ConfigValue, _ limit: Int, _ name: String, _ field: String, _ secret: Bool) throws {
        let bytes = try string(value, name)
        guard bytes.count <= limit else {
            throw FirmwareConfigError(.tooLong, "\(name) \(shown(bytes, secret)) is \(bytes.count) bytes; the demo's \(field) holds at most \(limit)",
                                      hint: "shorten it to \(limit) bytes (UTF-8) or fewer")
        }
    }

    /// `os_sprintf(device_id, MQTT_CLIENT_ID, system_get_chip_id())` into `device_id[32]`:
    /// the rules of `ClientIDFormat`.
    private static func clientID(_ value: ConfigValue, _ secret: Bool) throws {
        let bytes = try string(value, "MQTT_CLIENT_ID")
        _ = try ClientIDFormat(bytes, shownAs: shown(bytes, secret))
    }

    private static func range(_ value: ConfigValue, _ allowed: ClosedRange<Int>, _ name: String, _ what: String) throws {
        guard case .integer(let number) = value else {
            throw FirmwareConfigError(.kindMismatch, "\(name) must be an integer (\(what)), got \(value.kind.rawValue) \(value)")
        }
        guard allowed.contains(number) else {
            throw FirmwareConfigError(.outOfRange, "\(name) \(number) is outside \(allowed.lowerBound)–\(allowed.upperBound) (\(what))")
        }
    }

    private static func oneOf(_ value: ConfigValue, _ symbols: [String], numbers: ClosedRange<Int>, _ name: String, _ enumName: String) throws {
        switch value {
        case .symbol(let symbol) where symbols.contains(symbol): return
        case .integer(let number) where numbers.contains(number): return
        default:
            throw FirmwareConfigError(.notAllowed, "\(name) \(value) is not a \(enumName) value",
                                      hint: "use one of \(symbols.joined(separator: ", ")) (or \(numbers.lowerBound)–\(numbers.upperBound))")
        }
    }
}

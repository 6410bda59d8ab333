import Testing
import EsprigTestSupport
@testable import EsprigProfiles

@Suite struct BrokerProfileTests {
    private func resolve(_ text: String) throws(ProfileError) -> ResolvedProfile {
        try ProfileLibrary.inMemory(["p": text]).resolve("p", environment: [:])
    }

    private func error(_ text: String) -> ProfileError? {
        do {
            _ = try resolve(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func defaultsComeFromTheConfigHeaderValues() throws {
        let p = try resolve("""
            chip = "esp8266"
            [config]
            header = "h.h"
            [config.set]
            MQTT_HOST = "10.0.0.5"
            MQTT_PORT = 8884
            """)
        #expect(p.brokerHost == "10.0.0.5")
        #expect(p.brokerPort == 8884)
        #expect(p.broker == BrokerSpec())
        #expect(p.broker.acl == ["esprig/%u/#"])
        #expect(p.broker.topic == "esprig/%u/preflight")
        #expect(p.broker.tlsVersion == "tlsv1.2")
    }

    @Test func theHeaderValuesWinOverBrokerHostAndPort() throws {
        let p = try resolve("""
            chip = "esp8266"
            [config]
            header = "h.h"
            [config.set]
            MQTT_HOST = "10.0.0.5"
            MQTT_PORT = "8884"
            [broker]
            host = "elsewhere"
            port = 1884
            """)
        #expect(p.brokerHost == "10.0.0.5")
        #expect(p.brokerPort == 8884)
    }

    @Test func everyKey() throws {
        let p = try resolve("""
            chip = "esp8266"
            [broker]
            host = "mqtt.lab"
            port = 18883
            bind = "192.0.2.1"
            tls_version = "tlsv1.3"
            identity = "password"
            password_file = "broker/passwd"
            acl = ["lab/%u/#", "status/%c"]
            topic = "lab/%u/check"
            device_cert = "certs/devices/%d.crt"
            device_key = "certs/devices/%d.key"
            """)
        #expect(p.brokerHost == "mqtt.lab")
        #expect(p.brokerPort == 18883)
        #expect(p.broker.bind == "192.0.2.1")
        #expect(p.broker.tlsVersion == "tlsv1.3")
        #expect(p.broker.identity == .password)
        #expect(p.broker.passwordFile == "/broker/passwd")
        #expect(p.broker.acl == ["lab/%u/#", "status/%c"])
        #expect(p.broker.topic == "lab/%u/check")
        #expect(p.broker.deviceCertificate == "/certs/devices/%d.crt")
        #expect(p.broker.deviceKey == "/certs/devices/%d.key")
        #expect(p.location(of: "broker.port")?.line == 4)
        let shown = Dictionary(uniqueKeysWithValues: p.displayEntries().map { ($0.key, $0.value) })
        #expect(shown["broker.acl"] == "lab/%u/#, status/%c")
        #expect(shown["broker.identity"] == "password")
    }

    @Test func aclMayBeOneString() throws {
        let p = try resolve("chip = \"esp8266\"\n[broker]\nacl = \"site/%u/#\"\n")
        #expect(p.broker.acl == ["site/%u/#"])
    }

    @Test(arguments: [
        ("tls_version = \"tlsv1.1\"", "`broker.tls_version` is \"tlsv1.1\"", "allowed: tlsv1.2, tlsv1.3"),
        ("identity = \"psk\"", "`broker.identity` is \"psk\"", "allowed: certificate"),
        ("identity = \"password\"", "has no password_file", "mosquitto_passwd"),
        ("topic = \"esprig/#\"", "`broker.topic` is \"esprig/#\"", "no wildcards"),
        ("port = 70000", "`broker.port` is 70000", "1 to 65535"),
        ("acl = [\"a/%u/#\", 5]", "`broker.acl`[1] must be a string", nil),
        ("certfile = \"x\"", "unknown key `broker.certfile`", "allowed here: host, port"),
    ] as [(String, String, String?)])
    func badValuesNameTheKeyAndWhatIsAllowed(line: String, message: String, hint: String?) throws {
        let e = try #require(error("chip = \"esp8266\"\n[broker]\n\(line)\n"))
        #expect(e.message.contains(message), "\(e.message)")
        if let hint { #expect(e.hint?.contains(hint) == true, "\(e.hint ?? "")") }
        #expect(e.location?.line == 3)
    }
}

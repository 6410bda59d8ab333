import Foundation
import EsprigCerts
import EsprigTestSupport

/// Certificate material issued by EsprigCerts (what `esprig certs` writes), good and broken, and
/// profiles that use it, in one temporary project folder.
final class BrokerFixture: @unchecked Sendable {
    let directory: TempDirectory
    var root: String { directory.path }
    var profiles: String { root + "/Profiles" }

    /// Issues everything once: a good CA, server (127.0.0.1, localhost) and device `dev1`; a second
    /// CA with its own `dev1`; an expired `dev1` and server; a server for another host; a --legacy (RSA-1024,
    /// SHA-1) CA with server and device, and with RSA-2048 server and device signed with SHA-1.
    init() throws {
        directory = try TempDirectory(prefix: "esprig-mqtt")
        let writer = MaterialWriter(overwrite: true)
        func save(_ credential: IssuedCredential, _ name: String) throws {
            try writer.write(credential, certificatePath: "\(root)/certs/\(name).crt", keyPath: "\(root)/certs/\(name).key")
        }
        let ca = try CertificateIssuer.issueCA(commonName: "esprig test CA")
        let authority = try ca.authority()
        try save(ca, "ca")
        try save(try CertificateIssuer.issueServer(hosts: ["127.0.0.1", "localhost"], authority: authority), "server")
        try save(try CertificateIssuer.issueDevice(clientID: "dev1", authority: authority), "dev1")
        try save(try CertificateIssuer.issueDevice(clientID: "dev2", authority: authority), "dev2")
        try save(try CertificateIssuer.issueServer(hosts: ["broker.example"], authority: authority), "server-other-host")
        let past = Date().addingTimeInterval(-10 * 86_400)
        let expired = IssueOptions(validity: Validity(notBefore: past, notAfter: past.addingTimeInterval(86_400)))
        try save(try CertificateIssuer.issueDevice(clientID: "dev1", authority: authority, options: expired), "dev1-expired")
        try save(try CertificateIssuer.issueServer(hosts: ["127.0.0.1"], authority: authority, options: expired), "server-expired")

        let other = try CertificateIssuer.issueCA(commonName: "some other CA")
        try save(other, "other-ca")
        try save(try CertificateIssuer.issueDevice(clientID: "dev1", authority: try other.authority(), options: .modern()), "dev1-other-ca")

        let legacy = try CertificateIssuer.issueCA(commonName: "legacy CA", options: .legacy())
        try save(legacy, "legacy-ca")
        try save(try CertificateIssuer.issueServer(hosts: ["127.0.0.1"], authority: try legacy.authority(), options: .legacy()), "legacy-server")
        try save(try CertificateIssuer.issueDevice(clientID: "dev1", authority: try legacy.authority(), options: .legacy()), "dev1-legacy")
        // RSA-2048 keys signed with SHA-1: only the digest is weak.
        let sha1 = IssueOptions(keyBits: 2048, digest: .sha1)
        try save(try CertificateIssuer.issueServer(hosts: ["127.0.0.1"], authority: try legacy.authority(), options: sha1), "sha1-server")
        try save(try CertificateIssuer.issueDevice(clientID: "dev1", authority: try legacy.authority(), options: sha1), "dev1-sha1")
        // The good CA and the legacy one in one cafile: the broker then fails the legacy device on
        // its weakness, not on an unknown issuer.
        // The config header the profiles name (esprig certs reads MQTT_HOST and MQTT_CLIENT_ID through it).
        try FileManager.default.createDirectory(atPath: "\(root)/include", withIntermediateDirectories: true)
        try """
            #define MQTT_HOST "192.168.1.100"
            #define MQTT_PORT 8883
            #define MQTT_CLIENT_ID "esprig_%08X"
            #define MQTT_USER "user"
            #define MQTT_PASS "pass"

            """.write(toFile: "\(root)/include/mqtt_config.h", atomically: true, encoding: .utf8)
        let bundle = try String(contentsOfFile: "\(root)/certs/ca.crt", encoding: .utf8) + String(contentsOfFile: "\(root)/certs/legacy-ca.crt", encoding: .utf8)
        try bundle.write(toFile: "\(root)/certs/ca-and-legacy.crt", atomically: true, encoding: .utf8)
    }

    struct ProfileOptions {
        var chip = "esp8266"
        var ca = "certs/ca.crt"
        var caKey: String?
        var clientCert: String? = "certs/dev1.crt"
        var clientKey: String? = "certs/dev1.key"
        var serverCert = "certs/server.crt"
        var serverKey = "certs/server.key"
        var host = "127.0.0.1"
        var user = "dev1"
        var password = "not-used"
        var clientID: String?
        var broker: [String] = []
    }

    /// Writes Profiles/NAME.toml; `port` is what preflight dials (the test broker's).
    func profile(_ name: String, port: Int = 8883, _ o: ProfileOptions) throws {
        var text = """
            chip = "\(o.chip)"
            [config]
            header = "include/mqtt_config.h"
            rules = "plain"
            [config.set]
            MQTT_HOST = "\(o.host)"
            MQTT_PORT = \(port)
            MQTT_USER = "\(o.user)"
            MQTT_PASS = "${env:ESPRIG_TEST_MQTT_PASS:-\(o.password)}"

            """
        if let id = o.clientID { text += "MQTT_CLIENT_ID = \"\(id)\"\n" }
        text += "[certs]\nca = \"\(o.ca)\"\nserver_cert = \"\(o.serverCert)\"\nserver_key = \"\(o.serverKey)\"\n"
        if let caKey = o.caKey { text += "ca_key = \"\(caKey)\"\n" }
        if let cert = o.clientCert, let key = o.clientKey { text += "client_cert = \"\(cert)\"\nclient_key = \"\(key)\"\n" }
        text += "[broker]\nbind = \"127.0.0.1\"\n" + o.broker.map { $0 + "\n" }.joined()
        try FileManager.default.createDirectory(atPath: profiles, withIntermediateDirectories: true)
        try text.write(toFile: "\(profiles)/\(name).toml", atomically: true, encoding: .utf8)
    }

    /// Runs the built `esprig` with ESPRIG_PROFILES_DIR set to this fixture's profiles.
    func esprig(_ args: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) throws -> (status: Int32, output: String) {
        try ToolRunner.locateEsprig().run(args, timeout: timeout, environment: environment.merging(["ESPRIG_PROFILES_DIR": profiles]) { a, _ in a })
    }

    /// Writes the profile, runs `esprig broker config --profile NAME --out DIR`, starts mosquitto
    /// with what it wrote (after `editACL`, if given), then points the profile at the broker's port.
    func broker(_ name: String, _ options: ProfileOptions = ProfileOptions(), editACL: ((String) -> String)? = nil) throws -> MosquittoBroker {
        try profile(name, options)
        let out = "\(root)/broker-\(name)"
        let result = try esprig(["broker", "config", "--profile", name, "--out", out])
        guard result.status == 0 else { throw MissingTool(message: "broker config failed: \(result.output)") }
        if let editACL {
            let acl = try String(contentsOfFile: out + "/acl", encoding: .utf8)
            try editACL(acl).write(toFile: out + "/acl", atomically: true, encoding: .utf8)
        }
        let broker = try MosquittoBroker.start(config: out + "/mosquitto.conf", in: root)
        try profile(name, port: broker.port, options)
        return broker
    }

    /// `esprig preflight --json` parsed; also the exit status.
    func preflight(_ profile: String, extra: [String] = [], timeout: Int = 5, environment: [String: String] = [:]) throws -> (status: Int32, json: [String: Any]) {
        let result = try esprig(["preflight", "--profile", profile, "--json", "--timeout", String(timeout)] + extra, environment: environment)
        let line = result.output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        guard let object else { throw MissingTool(message: "preflight printed no JSON:\n\(result.output)") }
        return (result.status, object)
    }
}

extension Dictionary where Key == String, Value == Any {
    var diagnosisCause: String? { (self["diagnosis"] as? [String: Any])?["cause"] as? String }
    var alertName: String? { ((self["diagnosis"] as? [String: Any])?["alert"] as? [String: Any])?["name"] as? String }
    var alertCode: Int? { ((self["diagnosis"] as? [String: Any])?["alert"] as? [String: Any])?["code"] as? Int }
    var failedStep: String? { (self["steps"] as? [[String: Any]])?.last { $0["ok"] as? Bool == false }?["name"] as? String }
}

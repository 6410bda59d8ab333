import Foundation
import Testing
import EsprigTestSupport

/// `esprig broker config` + a real mosquitto + `esprig preflight`, with material EsprigCerts
/// issued. Serialized: each test owns one broker process, killed when the test ends.
@Suite("Preflight against a real mosquitto", .serialized)
struct BrokerTests {
    private static let shared = Result { try BrokerFixture() }
    private var fixture: BrokerFixture { get throws { try Self.shared.get() } }

    private static let steps = ["tls", "connect", "subscribe", "publish", "receive", "disconnect"]

    @Test func goodMaterialPasses() throws {
        let f = try fixture
        let broker = try f.broker("good")
        defer { broker.stop() }
        let (status, json) = try f.preflight("good")
        #expect(status == 0, "\(json)\n\(broker.log)")
        #expect(json["ok"] as? Bool == true)
        #expect(json["tls_version"] as? String == "TLSv1.2")
        #expect((json["cipher"] as? String)?.hasPrefix("TLS_ECDHE_RSA_WITH_") == true)
        #expect(json["client_id"] as? String == "dev1")
        #expect(json["topic"] as? String == "esprig/dev1/preflight")
        let steps = json["steps"] as? [[String: Any]] ?? []
        #expect(steps.map { $0["name"] as? String } == Self.steps)
        #expect(steps.allSatisfy { $0["ok"] as? Bool == true && ($0["ms"] as? Double ?? -1) >= 0 })
        #expect(json["diagnosis"] == nil)
        // The broker saw the whole exchange from the certificate's CN.
        #expect(broker.log.contains("New client connected from 127.0.0.1"))
        #expect(broker.log.contains("u'dev1'"))
    }

    @Test func humanOutputNamesStepsAndHidesThePassword() throws {
        let f = try fixture
        let broker = try f.broker("plain")
        defer { broker.stop() }
        let secret = "s3cret-Pa55-never-printed"
        let result = try f.esprig(["preflight", "--profile", "plain"], environment: ["ESPRIG_TEST_MQTT_PASS": secret])
        #expect(result.status == 0, "\(result.output)")
        for step in Self.steps { #expect(result.output.contains("  \(step)"), "\(result.output)") }
        #expect(result.output.contains("Preflight passed: TLSv1.2, TLS_ECDHE_RSA_WITH_"))
        #expect(!result.output.contains(secret))
    }

    @Test func deviceTrustingAnotherCAFailsOnTheServerCertificate() throws {
        let f = try fixture
        let broker = try f.broker("device-wrong-ca")
        defer { broker.stop() }
        var options = BrokerFixture.ProfileOptions()
        options.ca = "certs/other-ca.crt"
        try f.profile("device-wrong-ca", port: broker.port, options)
        let (status, json) = try f.preflight("device-wrong-ca")
        #expect(status == 2)
        #expect(json.diagnosisCause == "server_not_trusted", "\(json)")
        #expect(json.failedStep == "tls")
        let summary = (json["diagnosis"] as? [String: Any])?["summary"] as? String ?? ""
        #expect(summary.hasPrefix("the broker's certificate (CN=127.0.0.1) is signed by CN=esprig test CA, but the profile trusts CN=some other CA"), "\(summary)")
    }

    @Test func deviceCertificateFromAnotherCAGetsUnknownCA() throws {
        let f = try fixture
        let broker = try f.broker("unknown-ca")
        defer { broker.stop() }
        var options = BrokerFixture.ProfileOptions()
        options.clientCert = "certs/dev1-other-ca.crt"
        options.clientKey = "certs/dev1-other-ca.key"
        try f.profile("unknown-ca", port: broker.port, options)
        let (status, json) = try f.preflight("unknown-ca")
        #expect(status == 2)
        #expect(json.diagnosisCause == "unknown_ca", "\(json)")
        #expect(json.alertName == "unknown_ca" && json.alertCode == 48)
        #expect((json["error"] as? [String: Any])?["code"] as? String == "unknown_ca")
        let text = try f.esprig(["preflight", "--profile", "unknown-ca", "--timeout", "5"])
        #expect(text.status == 2)
        #expect(text.output.contains("Preflight FAILED: unknown_ca (TLS alert unknown_ca(48))"), "\(text.output)")
        #expect(text.output.contains("error: preflight failed at tls: the broker sent TLS alert unknown_ca(48): it does not trust the CA that signed"))
        #expect(text.output.contains("hint: issue the device certificate from the CA in the broker's cafile (esprig certs device --id dev1)"))
    }

    @Test func expiredClientCertificate() throws {
        let f = try fixture
        let broker = try f.broker("expired")
        defer { broker.stop() }
        var options = BrokerFixture.ProfileOptions()
        options.clientCert = "certs/dev1-expired.crt"
        options.clientKey = "certs/dev1-expired.key"
        try f.profile("expired", port: broker.port, options)
        let (status, json) = try f.preflight("expired")
        #expect(status == 2)
        #expect(json.diagnosisCause == "certificate_expired", "\(json)")
        #expect(json.alertCode == 45)
        #expect(broker.log.contains("certificate has expired") || broker.log.contains("certificate verify failed"), "\(broker.log)")
    }

    /// Seen in the broker's certificate as it was sent, not guessed from the verify error.
    @Test func expiredServerCertificate() throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.serverCert = "certs/server-expired.crt"
        options.serverKey = "certs/server-expired.key"
        let broker = try f.broker("server-expired", options)
        defer { broker.stop() }
        let (status, json) = try f.preflight("server-expired")
        #expect(status == 2)
        #expect(json.diagnosisCause == "server_certificate_expired", "\(json)")
        let summary = (json["diagnosis"] as? [String: Any])?["summary"] as? String ?? ""
        #expect(summary.hasPrefix("the broker's certificate (CN=127.0.0.1) expired on 20"), "\(summary)")
    }

    @Test func serverCertificateNotCoveringTheHost() throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.serverCert = "certs/server-other-host.crt"
        options.serverKey = "certs/server-other-host.key"
        let broker = try f.broker("other-host", options)
        defer { broker.stop() }
        let (status, json) = try f.preflight("other-host")
        #expect(status == 2)
        #expect(json.diagnosisCause == "hostname_mismatch", "\(json)")
        let fix = (json["diagnosis"] as? [String: Any])?["fix"] as? String ?? ""
        #expect(fix.contains("esprig certs server --host 127.0.0.1"))
    }

    /// OpenSSL 3 at Debian's security level 2: mosquitto will not load a server certificate from
    /// a SHA-1 CA. With --legacy material the RSA-1024 key is refused first; with an RSA-2048 key
    /// the SHA-1 signature is.
    @Test(arguments: [("legacy-server", "ee key too small"), ("sha1-server", "ca md too weak")])
    func brokerRefusesToStartWithSHA1ServerCertificate(server: String, openSSLError: String) throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.ca = "certs/legacy-ca.crt"
        options.serverCert = "certs/\(server).crt"
        options.serverKey = "certs/\(server).key"
        var failure: MosquittoBroker.StartFailure?
        do {
            let broker = try f.broker("broker-\(server)", options)
            broker.stop()
        } catch let error as MosquittoBroker.StartFailure {
            failure = error
        }
        let log = try #require(failure, "mosquitto started with a SHA-1 server certificate").log
        #expect(log.contains("Unable to load server certificate"), "\(log)")
        #expect(log.contains(openSSLError), "\(log)")
    }

    /// Device certificates from a SHA-1 CA the broker trusts: refused with bad_certificate(42),
    /// whether the key is RSA-1024 (--legacy) or RSA-2048.
    @Test(arguments: ["dev1-legacy", "dev1-sha1"])
    func sha1DeviceCertificateRefused(device: String) throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.ca = "certs/ca-and-legacy.crt"
        options.clientCert = "certs/\(device).crt"
        options.clientKey = "certs/\(device).key"
        let broker = try f.broker("device-\(device)", options)
        defer { broker.stop() }
        let (status, json) = try f.preflight("device-\(device)")
        #expect(status == 2)
        #expect(json.diagnosisCause == "bad_certificate", "\(json)\n\(broker.log)")
        #expect(json.alertCode == 42)
    }

    @Test func missingClientCertificate() throws {
        let f = try fixture
        let broker = try f.broker("no-client-cert")
        defer { broker.stop() }
        var options = BrokerFixture.ProfileOptions()
        options.clientCert = nil
        options.clientKey = nil
        options.clientID = "dev1"
        try f.profile("no-client-cert", port: broker.port, options)
        let (status, json) = try f.preflight("no-client-cert")
        #expect(status == 2)
        #expect(json.diagnosisCause == "certificate_required", "\(json)")
        // TLS 1.2 has no certificate_required alert; OpenSSL sends handshake_failure(40).
        #expect(json.alertCode == 40)
    }

    @Test func wrongPassword() throws {
        let f = try fixture
        let passwd = f.root + "/certs/passwd"
        let tool = try ToolRunner(executable: MosquittoBroker.locate("mosquitto_passwd", in: ["/usr/bin"]))
        let made = try tool.run(["-b", "-c", passwd, "dev1", "right-password"], timeout: .seconds(20))
        #expect(made.status == 0, "\(made.output)")
        chmod(passwd, 0o600)
        var options = BrokerFixture.ProfileOptions()
        options.broker = ["identity = \"password\"", "password_file = \"certs/passwd\""]
        let broker = try f.broker("password", options)
        defer { broker.stop() }
        let good = try f.preflight("password", environment: ["ESPRIG_TEST_MQTT_PASS": "right-password"])
        #expect(good.status == 0, "\(good.json)\n\(broker.log)")
        let bad = try f.preflight("password", environment: ["ESPRIG_TEST_MQTT_PASS": "wrong-password"])
        #expect(bad.status == 2)
        #expect(bad.json.failedStep == "connect")
        #expect(bad.json.diagnosisCause == "not_authorized", "\(bad.json)")
    }

    /// mosquitto 2.0 grants a SUBSCRIBE its ACL denies (SUBACK QoS 1, not 0x80) and then drops
    /// the messages: preflight finds it when its own message does not come back.
    @Test func aclRefusesAnotherDevicesTopic() throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.broker = ["topic = \"esprig/dev2/preflight\""]
        let broker = try f.broker("acl-other-topic", options)
        defer { broker.stop() }
        let (status, json) = try f.preflight("acl-other-topic", timeout: 2)
        #expect(status == 2)
        let steps = json["steps"] as? [[String: Any]] ?? []
        #expect(steps.first { $0["name"] as? String == "subscribe" }?["detail"] as? String == "esprig/dev2/preflight, granted QoS 1")
        #expect(json.failedStep == "receive")
        #expect(json.diagnosisCause == "message_not_delivered", "\(json)")
        #expect(broker.log.contains("Denied PUBLISH from dev1"), "\(broker.log)")
    }

    @Test func aclDroppingThePublishIsNamed() throws {
        let f = try fixture
        let broker = try f.broker("acl-publish") { $0.replacingOccurrences(of: "pattern readwrite", with: "pattern read") }
        defer { broker.stop() }
        let (status, json) = try f.preflight("acl-publish", timeout: 2)
        #expect(status == 2)
        #expect(json.failedStep == "receive")
        #expect(json.diagnosisCause == "message_not_delivered", "\(json)")
    }

    /// mosquitto_pub / mosquitto_sub (libmosquitto + OpenSSL 3) with the same esprig-issued
    /// material: a second, independent client.
    @Test func mosquittoClientsAcceptTheSameMaterial() throws {
        let f = try fixture
        let broker = try f.broker("clients")
        defer { broker.stop() }
        let certs = f.root + "/certs"
        let tls = ["-h", "127.0.0.1", "-p", String(broker.port), "--cafile", "\(certs)/ca.crt", "--cert", "\(certs)/dev1.crt",
                   "--key", "\(certs)/dev1.key", "--tls-version", "tlsv1.2", "-t", "esprig/dev1/clients", "-q", "1"]
        let pub = try ToolRunner(executable: MosquittoBroker.locate("mosquitto_pub", in: ["/usr/bin"]))
        // Retained, so the subscriber started afterwards gets it without a race.
        let published = try pub.run(tls + ["-i", "dev1-pub", "-r", "-m", "hello from mosquitto_pub"], timeout: .seconds(20))
        #expect(published.status == 0, "\(published.output)\n\(broker.log)")
        let sub = try ToolRunner(executable: MosquittoBroker.locate("mosquitto_sub", in: ["/usr/bin"]))
        let received = try sub.run(tls + ["-i", "dev1-sub", "-C", "1", "-W", "10"], timeout: .seconds(20))
        #expect(received.status == 0, "\(received.output)\n\(broker.log)")
        #expect(received.output.trimmingCharacters(in: .whitespacesAndNewlines) == "hello from mosquitto_pub")
    }

    @Test func brokerConfigFiles() throws {
        let f = try fixture
        try f.profile("files", port: 8883, BrokerFixture.ProfileOptions())
        let out = f.root + "/broker-files"
        let result = try f.esprig(["broker", "config", "--profile", "files", "--out", out, "--json"])
        #expect(result.status == 0, "\(result.output)")
        let conf = try String(contentsOfFile: out + "/mosquitto.conf", encoding: .utf8)
        let settings = conf.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        let certs = f.root + "/certs"
        #expect(settings == [
            "listener 8883 127.0.0.1", "protocol mqtt", "cafile \(certs)/ca.crt", "certfile \(certs)/server.crt",
            "keyfile \(certs)/server.key", "require_certificate true", "use_identity_as_username true",
            "tls_version tlsv1.2", "allow_anonymous false", "acl_file \(out)/acl",
        ])
        let acl = try String(contentsOfFile: out + "/acl", encoding: .utf8)
        #expect(acl.split(separator: "\n").filter { !$0.hasPrefix("#") } == ["pattern readwrite esprig/%u/#"])
        #expect(result.output.contains("\"command\":\"broker config\""))
        // No temp files left next to them.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["acl", "mosquitto.conf"])
    }

    @Test func brokerConfigWithoutServerCertificateSaysWhatToDo() throws {
        let f = try fixture
        try f.profile("no-server", port: 8883, BrokerFixture.ProfileOptions())
        let path = f.profiles + "/no-server.toml"
        let text = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("server_") }.joined(separator: "\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try f.esprig(["broker", "config", "--profile", "no-server", "--out", f.root + "/broker-no-server"])
        #expect(result.status == 1)
        #expect(result.output.contains("[certs] server_cert and server_key are not set"))
        #expect(result.output.contains("esprig certs server --host 127.0.0.1"))
        #expect(!FileManager.default.fileExists(atPath: f.root + "/broker-no-server/mosquitto.conf"))
    }

    @Test func unreachableBroker() throws {
        let f = try fixture
        try f.profile("nobody", port: MosquittoBroker.freePort(), BrokerFixture.ProfileOptions())
        let (status, json) = try f.preflight("nobody")
        #expect(status == 2)
        #expect(json.diagnosisCause == "broker_unreachable", "\(json)")
        #expect(((json["diagnosis"] as? [String: Any])?["summary"] as? String)?.contains("connection refused") == true)
    }

    @Test func deviceOptionUsesThatDevicesCertificateAndTopic() throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.broker = ["device_cert = \"certs/%d.crt\"", "device_key = \"certs/%d.key\""]
        let broker = try f.broker("per-device", options)
        defer { broker.stop() }
        let (status, json) = try f.preflight("per-device", extra: ["--device", "dev2"])
        #expect(status == 0, "\(json)\n\(broker.log)")
        #expect(json["client_id"] as? String == "dev2")
        #expect(json["topic"] as? String == "esprig/dev2/preflight")
        #expect((json["certificate"] as? String)?.hasSuffix("/certs/dev2.crt") == true)
    }

    /// Without per-device files, --device is only the client id (as for doctor --device).
    @Test func deviceOptionWithoutTemplatesSetsTheClientID() throws {
        let f = try fixture
        let broker = try f.broker("device-id-only")
        defer { broker.stop() }
        let (status, json) = try f.preflight("device-id-only", extra: ["--device", "dev1-bench"])
        #expect(status == 0, "\(json)\n\(broker.log)")
        #expect(json["client_id"] as? String == "dev1-bench")
        // %u is the certificate's CN, which the broker uses as the user name.
        #expect(json["topic"] as? String == "esprig/dev1/preflight")
        #expect((json["certificate"] as? String)?.hasSuffix("/certs/dev1.crt") == true)
    }

    /// A listener that never speaks TLS: the handshake step ends at --timeout, not later.
    @Test func silentListenerTimesOut() throws {
        let f = try fixture
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let port = try MosquittoBroker.freePort()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(fd, 4) == 0)
        try f.profile("silent", port: port, BrokerFixture.ProfileOptions())
        let started = ContinuousClock.now
        let (status, json) = try f.preflight("silent", timeout: 1)
        #expect(status == 2)
        #expect(json.diagnosisCause == "timeout", "\(json)")
        #expect(json.failedStep == "tls")
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    /// Port confusion: the profile dials mosquitto's plain MQTT listener, which hangs up on TLS.
    @Test func plainListenerIsNamed() throws {
        let f = try fixture
        let config = f.root + "/plain.conf"
        try "listener 1883\nallow_anonymous true\n".write(toFile: config, atomically: true, encoding: .utf8)
        let broker = try MosquittoBroker.start(config: config, in: f.root)
        defer { broker.stop() }
        try f.profile("plain-listener", port: broker.port, BrokerFixture.ProfileOptions())
        let (status, json) = try f.preflight("plain-listener")
        #expect(status == 2)
        #expect(json.diagnosisCause == "connection_closed", "\(json)")
        let fix = (json["diagnosis"] as? [String: Any])?["fix"] as? String ?? ""
        #expect(fix.contains("is the broker's TLS listener"))
    }

    @Test func missingKeyFileIsBadInput() throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.clientKey = "certs/no-such.key"
        try f.profile("missing-key", port: 8883, options)
        let (status, json) = try f.preflight("missing-key")
        #expect(status == 1)
        #expect(json.diagnosisCause == "material")
        #expect(((json["diagnosis"] as? [String: Any])?["summary"] as? String)?.hasSuffix("certs/no-such.key") == true)
    }

    /// The bench flow through the CLI only: `esprig certs init/server/device --profile`, `broker
    /// config`, mosquitto, `preflight`, and mosquitto_sub/pub with the files `esprig certs` wrote.
    @Test func benchFlowThroughTheCommandLine() throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.ca = "bench/ca.crt"
        options.caKey = "bench/ca.key"
        options.serverCert = "bench/server.crt"
        options.serverKey = "bench/server.key"
        options.clientCert = "bench/dev7.crt"
        options.clientKey = "bench/dev7.key"
        options.clientID = "dev7"
        try f.profile("bench", options)
        for args in [["certs", "init", "--profile", "bench"], ["certs", "server", "--profile", "bench"], ["certs", "device", "--profile", "bench"]] {
            let result = try f.esprig(args)
            try #require(result.status == 0, "\(args.joined(separator: " ")): \(result.output)")
        }
        let broker = try f.broker("bench", options)
        defer { broker.stop() }
        let (status, json) = try f.preflight("bench")
        #expect(status == 0, "\(json)\n\(broker.log)")
        #expect(json["topic"] as? String == "esprig/dev7/preflight")

        let bench = f.root + "/bench"
        let tls = ["-h", "127.0.0.1", "-p", String(broker.port), "--cafile", "\(bench)/ca.crt", "--cert", "\(bench)/dev7.crt",
                   "--key", "\(bench)/dev7.key", "-t", "esprig/dev7/bench", "-q", "1"]
        let pub = try ToolRunner(executable: MosquittoBroker.locate("mosquitto_pub", in: ["/usr/bin"]))
        let published = try pub.run(tls + ["-i", "dev7-pub", "-r", "-m", "bench ok"], timeout: .seconds(20))
        #expect(published.status == 0, "\(published.output)\n\(broker.log)")
        let sub = try ToolRunner(executable: MosquittoBroker.locate("mosquitto_sub", in: ["/usr/bin"]))
        let received = try sub.run(tls + ["-i", "dev7-sub", "-C", "1", "-W", "10"], timeout: .seconds(20))
        #expect(received.status == 0, "\(received.output)\n\(broker.log)")
        #expect(received.output.trimmingCharacters(in: .whitespacesAndNewlines) == "bench ok")
    }

    /// An ESP8266 stops at TLS 1.2, so preflight offers no more: a TLS 1.3-only broker is a
    /// version that does not meet, as the board would find.
    @Test func esp8266AgainstATLS13OnlyBroker() throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.broker = ["tls_version = \"tlsv1.3\""]
        let broker = try f.broker("tls13-esp8266", options)
        defer { broker.stop() }
        let (status, json) = try f.preflight("tls13-esp8266")
        #expect(status == 2)
        #expect(json.diagnosisCause == "protocol_version", "\(json)")
        #expect(json.alertCode == 70)
    }

    /// An ESP32 may use TLS 1.3; the cipher still comes from the ServerHello, and a refused client
    /// certificate (an encrypted alert in 1.3, after the client's handshake is done) is still named.
    @Test func esp32WithTLS13() throws {
        let f = try fixture
        var options = BrokerFixture.ProfileOptions()
        options.chip = "esp32"
        options.broker = ["tls_version = \"tlsv1.3\""]
        let broker = try f.broker("tls13-esp32", options)
        defer { broker.stop() }
        let (status, json) = try f.preflight("tls13-esp32")
        #expect(status == 0, "\(json)\n\(broker.log)")
        #expect(json["tls_version"] as? String == "TLSv1.3")
        #expect((json["cipher"] as? String)?.hasPrefix("TLS_AES_") == true || json["cipher"] as? String == "TLS_CHACHA20_POLY1305_SHA256")

        options.clientCert = "certs/dev1-other-ca.crt"
        options.clientKey = "certs/dev1-other-ca.key"
        try f.profile("tls13-esp32", port: broker.port, options)
        let (refused, diagnosis) = try f.preflight("tls13-esp32")
        #expect(refused == 2)
        #expect(diagnosis.diagnosisCause == "unknown_ca", "\(diagnosis)")
        #expect(diagnosis.alertCode == 48)
    }

    /// A broker whose test process died (simulated by renaming its pid file to a dead owner) is
    /// killed by the next start; one whose owner lives is left alone.
    @Test func staleBrokerFromACrashedRunIsKilled() throws {
        let f = try fixture
        let live = try f.broker("stale-live")
        defer { live.stop() }
        let orphan = try f.broker("stale-orphan")
        defer { orphan.stop() }
        let files = try FileManager.default.contentsOfDirectory(atPath: MosquittoBroker.pidDirectory)
        let orphanFile = try #require(files.first { $0.hasPrefix("\(orphan.pid)-") })
        // A pid that no longer exists: a short-lived child that was reaped.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        try FileManager.default.moveItem(atPath: MosquittoBroker.pidDirectory + "/" + orphanFile,
                                         toPath: MosquittoBroker.pidDirectory + "/\(orphan.pid)-\(dead.processIdentifier).pid")
        MosquittoBroker.killStale()
        let deadline = ContinuousClock.now + .seconds(3)
        while orphan.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(!orphan.isRunning)
        #expect(live.isRunning)
    }
}

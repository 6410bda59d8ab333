import Foundation
import Testing
import EsprigFirmware
@testable import EsprigCerts

@Suite("Doctor: one fixture per rule, each producing exactly its finding")
struct DoctorTests {
    @Test("good material, two-way TLS and matching sectors give no finding")
    func good() {
        #expect(diagnose(DoctorFixtures.good).map(\.code) == [])
    }

    @Test("each broken fixture gives exactly its finding, with a symptom and a fix", arguments: Array(Set(DoctorFixtures.rules.map(\.code))).sorted())
    func rule(code: String) throws {
        for rule in DoctorFixtures.rules where rule.code == code {
            let findings = diagnose(try rule.make())
            #expect(findings.map(\.code) == [code], "\(findings.map { "\($0.code): \($0.message)" })")
            for finding in findings {
                #expect(!finding.symptom.isEmpty && !finding.fix.isEmpty)
            }
        }
    }

    @Test("warnings are warnings, not errors: a doctor run with only them passes")
    func severities() throws {
        let warnings = ["pem-where-der-expected", "der-where-pem-expected", "security-client-cert-unused", "security-ignores-material"]
        for code in warnings {
            let findings = diagnose(try #require(DoctorFixtures.rules.first { $0.code == code }).make())
            #expect(findings.allSatisfy { $0.severity == .warning } && !findings.hasErrors, "\(code)")
        }
        #expect(diagnose(try DoctorFixtures.rules.first { $0.code == "key-mismatch" }!.make()).hasErrors)
    }

    @Test("a SHA-1 root is a warning (OpenSSL does not check a trust anchor's own signature); the leaves it signs with SHA-256 pass")
    func sha1Root() throws {
        let ca = try CertificateIssuer.issueCA(options: IssueOptions(digest: .sha1))
        let authority = try ca.authority()
        let device = try DoctorFixtures.device(authority: authority)
        let server = try CertificateIssuer.issueServer(hosts: ["broker.local"], authority: authority)
        let input = DoctorFixtures.with {
            $0.ca = [DoctorFixtures.file("ca.crt", ca.certificatePEM)]
            ($0.clientCertificate, $0.clientKey) = DoctorFixtures.client(device)
            $0.serverCertificate = DoctorFixtures.file("server.crt", server.certificatePEM)
            $0.serverKey = DoctorFixtures.file("server.key", server.privateKeyPEM)
        }
        let findings = diagnose(input)
        #expect(findings.map(\.code) == ["weak-signature"])
        #expect(findings.first?.severity == .warning)
    }

    @Test("the client id: an exact --device id, a %08X pattern, or a fixed id")
    func clientIDs() {
        #expect(diagnose(DoctorFixtures.with { $0.deviceID = "esprig_0076815E" }).isEmpty)
        #expect(diagnose(DoctorFixtures.with { $0.deviceID = "esprig_00000001" }).map(\.code) == ["client-cn-mismatch"])
        #expect(diagnose(DoctorFixtures.with { $0.clientID = "esprig_0076815E" }).isEmpty)
        #expect(diagnose(DoctorFixtures.with { $0.clientID = "esprig_%08x" }).map(\.code) == ["client-cn-mismatch"])
        #expect(ClientIDPattern("dev-%d-%%").matches("dev-42-%"))
        #expect(!ClientIDPattern("DVES_%08X").matches("DVES_0076815"))
    }

    @Test("host matching: IP SAN for an IP, DNS SAN (wildcards one label deep) for a name, CN only without DNS SANs")
    func hosts() {
        #expect(diagnose(DoctorFixtures.with { $0.mqttHost = "127.0.0.1" }).isEmpty)
        #expect(diagnose(DoctorFixtures.with { $0.mqttHost = "LOCALHOST" }).isEmpty)
        #expect(diagnose(DoctorFixtures.with { $0.mqttHost = "10.0.0.1" }).map(\.code) == ["server-host-not-covered"])
        #expect(Doctor.matches(pattern: "*.example.com", "mqtt.example.com"))
        #expect(!Doctor.matches(pattern: "*.example.com", "a.b.example.com"))
        #expect(!Doctor.matches(pattern: "*.example.com", "example.com"))
    }

    @Test("a CA bundle: the broker trusts every certificate in it, the device only the first, which is all that is packed")
    func bundle() throws {
        let good = Issued.ca.certificatePEM + DoctorFixtures.otherCA.certificatePEM
        #expect(diagnose(DoctorFixtures.with { $0.ca = [DoctorFixtures.file("bundle.crt", good)] }).isEmpty)
        let bundle = DoctorFixtures.otherCA.certificatePEM + Issued.ca.certificatePEM
        // The client still chains for the broker; the device reads only the other CA and rejects the server.
        #expect(diagnose(DoctorFixtures.with { $0.ca = [DoctorFixtures.file("bundle.crt", bundle)] }).map(\.code) == ["server-not-signed-by-ca"])
        let sixBundles = (1...6).map { DoctorFixtures.file("b\($0).crt", good) }
        let findings = diagnose(DoctorFixtures.with { $0.ca = sixBundles })
        #expect(findings.map(\.code) == ["sector-too-large"])
        let packed = try CertSectorPacker.caSector(sixBundles.map { ($0.name, $0.bytes!) }.prefix(4).map { $0 })
        #expect(try CertSectorPacker.unpack(packed).map(\.payload) == Array(repeating: Issued.ca.certificateDER, count: 4))
    }

    @Test("a conflict inside the firmware (header vs espconn_secure_* call) is a sector-mismatch")
    func compiledConflict() {
        let findings = diagnose(DoctorFixtures.with { $0.firmware.compiledConflict = "user_main.c:12 uses CA sector 0x70, but mqtt_config.h:21 says 0x77" })
        #expect(findings.map(\.code) == ["sector-mismatch"])
        #expect(findings.first?.message.contains("user_main.c:12") == true)
    }

    @Test("no finding ever contains key material")
    func noSecrets() throws {
        let keyBody = Issued.device.privateKeyPEM.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        for rule in DoctorFixtures.rules {
            for finding in diagnose(try rule.make()) {
                #expect(!"\(finding)".contains(keyBody))
                #expect(!"\(finding)".contains("PRIVATE KEY-----"))
            }
        }
    }
}

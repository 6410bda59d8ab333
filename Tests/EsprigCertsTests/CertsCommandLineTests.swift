import Foundation
import Testing
import EsprigFirmware
import EsprigTestSupport
@testable import EsprigCerts

/// The `esprig certs` and `esprig doctor` commands as a user runs them: exit codes, files, and
/// never a byte of key material on stdout or stderr.
@Suite("esprig certs and doctor on the command line")
struct CertsCommandLineTests {
    let esprig: ToolRunner
    let directory: TempDirectory

    init() throws {
        esprig = try ToolRunner.locateEsprig()
        directory = try TempDirectory(prefix: "esprig-certs-cli")
    }

    func run(_ args: [String]) throws -> (status: Int32, output: String) {
        try esprig.run(args, timeout: .seconds(120))
    }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Every line of a key's PEM body, and its DER as hex: none may appear in output.
    func expectNoKeyMaterial(_ output: String, keys: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(!output.contains("PRIVATE KEY-----"), sourceLocation: sourceLocation)
        for key in keys {
            let pem = try String(contentsOfFile: key, encoding: .utf8)
            for line in pem.split(separator: "\n") where !line.hasPrefix("-----") {
                #expect(!output.contains(line), "key line leaked: \(line)", sourceLocation: sourceLocation)
            }
            let der = try Material.privateKey(Array(pem.utf8), what: key).der
            #expect(!output.lowercased().contains(der[8..<24].map { String(format: "%02x", $0) }.joined()), sourceLocation: sourceLocation)
        }
    }

    @Test("init, server, device write verified material and print no key; a second init refuses to overwrite (exit 1)")
    func issue() throws {
        let dir = directory.file("certs")
        let initialised = try run(["certs", "init", "--dir", dir])
        #expect(initialised.status == 0, "\(initialised.output)")
        let server = try run(["certs", "server", "--dir", dir, "--host", "broker.local", "--host", "127.0.0.1"])
        #expect(server.status == 0, "\(server.output)")
        let device = try run(["certs", "device", "--dir", dir, "--id", "esprig_0076815E", "--json"])
        #expect(device.status == 0, "\(device.output)")
        let json = try JSONSerialization.jsonObject(with: Data(device.output.utf8)) as? [String: Any]
        #expect(json?["commonName"] as? String == "esprig_0076815E")
        let keys = ["\(dir)/ca.key", "\(dir)/server.key", "\(dir)/esprig_0076815E.key"]
        try expectNoKeyMaterial(initialised.output + server.output + device.output, keys: keys)
        for key in keys {
            #expect((try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        let openssl = OpenSSL()
        #expect(try openssl.verify(ca: "\(dir)/ca.crt", "\(dir)/server.crt", ["-purpose", "sslserver", "-verify_ip", "127.0.0.1"]).status == 0)
        #expect(try openssl.verify(ca: "\(dir)/ca.crt", "\(dir)/esprig_0076815E.crt", ["-purpose", "sslclient"]).status == 0)

        let caBefore = try bytes("\(dir)/ca.crt")
        let again = try run(["certs", "init", "--dir", dir])
        #expect(again.status == 1)
        #expect(again.output.contains("already exists") && again.output.contains("--force"))
        #expect(try bytes("\(dir)/ca.crt") == caBefore)
    }

    @Test("--legacy warns that OpenSSL 1.1+/3 rejects it; a missing CA or id is exit 1 with the fix")
    func usage() throws {
        let dir = directory.file("legacy")
        let legacy = try run(["certs", "init", "--dir", dir, "--legacy"])
        #expect(legacy.status == 0 && legacy.output.contains("warning:") && legacy.output.contains("OpenSSL"))
        #expect(legacy.output.contains("RSA 1024"))
        let withDER = try run(["certs", "device", "--dir", dir, "--id", "old-board", "--der"])
        #expect(withDER.status == 0, "\(withDER.output)")
        let derKey = try bytes("\(dir)/old-board-key.der")
        #expect(try PrivateKeyFacts(der: derKey).kind == .rsa(bits: 2048))
        #expect((try FileManager.default.attributesOfItem(atPath: "\(dir)/old-board-key.der")[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try CertificateFacts(der: try bytes("\(dir)/old-board.der")).subjectCommonName == "old-board")
        let noCA = try run(["certs", "server", "--dir", directory.file("empty"), "--host", "broker.local"])
        #expect(noCA.status == 1 && noCA.output.contains("certs init"))
        let noID = try run(["certs", "device", "--dir", dir])
        #expect(noID.status == 1 && noID.output.contains("--id"))
        let badHost = try run(["certs", "server", "--dir", dir, "--host", "not a host"])
        #expect(badHost.status == 1)
    }

    @Test("pack writes the SDK files byte for byte; unpack lists them without key material; an over-small TLS buffer is refused with the fix")
    func packUnpack() throws {
        let dir = directory.file("material")
        let writer = MaterialWriter()
        try writer.write(Issued.ca, certificatePath: "\(dir)/ca.crt", keyPath: "\(dir)/ca.key")
        try writer.write(Issued.device, certificatePath: "\(dir)/client.crt", keyPath: "\(dir)/client.key")
        let packed = try run(["certs", "pack", "--ca", "\(dir)/ca.crt", "--cert", "\(dir)/client.crt", "--key", "\(dir)/client.key", "--out-dir", dir])
        #expect(packed.status == 0, "\(packed.output)")
        let entry = { (name: String, payload: [UInt8]) in
            Array(name.utf8) + [UInt8](repeating: 0, count: 32 - name.utf8.count) + [UInt8(payload.count & 0xFF), UInt8(payload.count >> 8)] + payload
        }
        #expect(try bytes("\(dir)/esp_ca_cert.bin") == entry("ca.crt", Issued.ca.certificateDER))
        #expect(try bytes("\(dir)/esp_cert_private_key.bin") == entry("private_key", Issued.device.privateKeyDER) + entry("certificate", Issued.device.certificateDER))

        let listed = try run(["certs", "unpack", "\(dir)/esp_cert_private_key.bin"])
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.output.contains("private_key") && listed.output.contains("private key RSA 2048 (PKCS#1, DER)"))
        #expect(listed.output.contains("CN=esprig_0076815E"))
        let json = try run(["certs", "unpack", "\(dir)/esp_cert_private_key.bin", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.map { $0["name"] as? String } == ["private_key", "certificate"])
        #expect(entries.map { $0["length"] as? Int } == [Issued.device.privateKeyDER.count, Issued.device.certificateDER.count])
        #expect(entries[1]["sha256"] as? String == (try CertificateFacts(der: Issued.device.certificateDER)).sha256Fingerprint)
        try expectNoKeyMaterial(packed.output + listed.output + json.output, keys: ["\(dir)/client.key"])

        let small = try run(["certs", "pack", "--cert", "\(dir)/client.crt", "--key", "\(dir)/client.key", "--out-dir", directory.file("small"), "--tls-buffer", "2048"])
        #expect(small.status == 1)
        #expect(small.output.contains("TLS buffer") && small.output.contains("espconn_secure_set_size"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("small/esp_cert_private_key.bin")))

        let swapped = try run(["certs", "pack", "--cert", "\(dir)/client.key", "--key", "\(dir)/client.crt", "--out-dir", directory.file("swapped")])
        #expect(swapped.status == 1, "\(swapped.output)")
        let erased = try run(["certs", "unpack", try directory.write("erased.bin", [UInt8](repeating: 0xFF, count: 4096))])
        #expect(erased.status == 1 && erased.output.contains("erased"))
    }

    @Test("doctor: exit 0 for good material, 2 with the finding for bad, 1 for an unknown profile; --json")
    func doctor() throws {
        let project = try ProfileProject()
        try project.writeMaterial()
        let good = try run(["doctor", "--profile", "tls", "--profiles-dir", project.profiles])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("0 errors, 0 warnings"))

        try MaterialWriter(overwrite: true).write(Issued.server, certificatePath: project.directory.file("certs/client.crt"), keyPath: project.directory.file("certs/client.key"))
        let bad = try run(["doctor", "--profile", "tls", "--profiles-dir", project.profiles, "--json"])
        #expect(bad.status == 2, "\(bad.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bad.output.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(Set(findings.compactMap { $0["code"] as? String }) == ["client-missing-clientauth", "client-cn-mismatch"])
        #expect(findings.allSatisfy { ($0["symptom"] as? String)?.isEmpty == false && ($0["fix"] as? String)?.isEmpty == false })
        try expectNoKeyMaterial(good.output + bad.output, keys: [project.directory.file("certs/client.key"), project.directory.file("certs/ca.key")])

        let unknown = try run(["doctor", "--profile", "nope", "--profiles-dir", project.profiles])
        #expect(unknown.status == 1)
    }

    @Test("certs pack --profile refuses a file larger than the TLS buffer the firmware's sources set, naming the call")
    func profileBuffer() throws {
        let project = try ProfileProject(bufferSize: "2048")
        try project.writeMaterial()
        let packed = try run(["certs", "pack", "--profile", "tls", "--profiles-dir", project.profiles])
        #expect(packed.status == 1)
        #expect(packed.output.contains("2048-byte TLS buffer") && packed.output.contains("user_main.c:3"), "\(packed.output)")
        #expect(!FileManager.default.fileExists(atPath: project.directory.file("certs/esp_cert_private_key.bin")))
    }

    @Test("certs device --profile writes where the profile says, signed by the profile's CA")
    func profilePaths() throws {
        let project = try ProfileProject()
        let made = try run(["certs", "init", "--profile", "tls", "--profiles-dir", project.profiles])
        #expect(made.status == 0, "\(made.output)")
        #expect(FileManager.default.fileExists(atPath: project.directory.file("certs/ca.key")))
        let server = try run(["certs", "server", "--profile", "tls", "--profiles-dir", project.profiles])
        #expect(server.status == 0 && server.output.contains("CN=broker.local"), "\(server.output)")
        let device = try run(["certs", "device", "--profile", "tls", "--profiles-dir", project.profiles, "--id", "esprig_0076815E"])
        #expect(device.status == 0, "\(device.output)")
        let doctor = try run(["doctor", "--profile", "tls", "--profiles-dir", project.profiles, "--device", "esprig_0076815E"])
        #expect(doctor.status == 0, "\(doctor.output)")
        let elsewhere = try run(["certs", "server", "--profile", "tls", "--profiles-dir", project.profiles, "--host", "other.local", "--force"])
        #expect(elsewhere.status == 0 && elsewhere.output.contains("warning: the profile's MQTT_HOST broker.local is not among --host"), "\(elsewhere.output)")
        let packed = try run(["certs", "pack", "--profile", "tls", "--profiles-dir", project.profiles])
        #expect(packed.status == 0, "\(packed.output)")
        let sector = try bytes(project.directory.file("certs/esp_cert_private_key.bin"))
        #expect(try SectorEntryDescription.describe(sector).map(\.name) == ["private_key", "certificate"])
        let perDevice = try run(["certs", "device", "--profile", "tls", "--profiles-dir", project.profiles, "--force"])
        #expect(perDevice.status == 1 && perDevice.output.contains("%08X"))
    }
}

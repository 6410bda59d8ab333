import Foundation
import Testing
import EsprigTestSupport
@testable import EsprigCerts

@Suite("Writing certificates and keys")
struct MaterialWriterTests {
    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("keys are 0600, certificates 0644, PEM; no temp file is left behind")
    func modes() throws {
        let dir = try TempDirectory(prefix: "esprig-writer")
        let certificate = dir.file("out/device.crt"), key = dir.file("out/device.key")
        try MaterialWriter().write(Issued.device, certificatePath: certificate, keyPath: key)
        #expect(try mode(key) == 0o600)
        #expect(try mode(certificate) == 0o644)
        #expect(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN RSA PRIVATE KEY-----\n"))
        #expect(try String(contentsOfFile: certificate, encoding: .utf8) == Issued.device.certificatePEM)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out")).sorted() == ["device.crt", "device.key"])
        let check = try OpenSSL().run(["rsa", "-in", key, "-check", "-noout"])
        #expect(check.status == 0, "\(check.output)")
    }

    @Test("existing files are kept unless overwrite is on; a replaced key stays 0600")
    func existing() throws {
        let dir = try TempDirectory(prefix: "esprig-writer")
        let certificate = dir.file("ca.crt"), key = dir.file("ca.key")
        try "old".write(toFile: certificate, atomically: true, encoding: .utf8)
        #expect(throws: CertsError(.fileExists, "")) { try MaterialWriter().write(Issued.ca, certificatePath: certificate, keyPath: key) }
        #expect(!FileManager.default.fileExists(atPath: key))
        #expect(try String(contentsOfFile: certificate, encoding: .utf8) == "old")
        try "old".write(toFile: key, atomically: true, encoding: .utf8)
        try MaterialWriter(overwrite: true).write(Issued.ca, certificatePath: certificate, keyPath: key)
        #expect(try mode(key) == 0o600)
        #expect(try String(contentsOfFile: certificate, encoding: .utf8) == Issued.ca.certificatePEM)
    }

    @Test("an unwritable directory is an error naming the path")
    func unwritable() throws {
        let dir = try TempDirectory(prefix: "esprig-writer")
        try "file".write(toFile: dir.file("blocker"), atomically: true, encoding: .utf8)
        #expect(throws: CertsError(.fileUnwritable, "")) {
            try MaterialWriter().writePrivateKey([1], to: dir.file("blocker/sub/key.pem"))
        }
    }
}

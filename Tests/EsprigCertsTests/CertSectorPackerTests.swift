import Foundation
import Testing
import EsprigCerts
import EsprigFirmware
import EsprigTestSupport

@Suite("SDK certificate sectors")
struct CertSectorPackerTests {
    @Test("entries are a 32-byte zero-padded name, a little-endian u16 length and the payload, end to end")
    func layout() throws {
        let packed = try CertSectorPacker.pack([CertSectorEntry(name: "private_key", payload: [UInt8](repeating: 0xAB, count: 0x0260)),
                                                CertSectorEntry(name: "certificate", payload: [1, 2, 3])])
        #expect(packed.count == 34 + 0x260 + 34 + 3)
        #expect(Array(packed[0..<11]) == Array("private_key".utf8))
        #expect(Array(packed[11..<32]) == [UInt8](repeating: 0, count: 21))
        #expect(packed[32] == 0x60 && packed[33] == 0x02)
        let second = 34 + 0x260
        #expect(Array(packed[second..<second + 11]) == Array("certificate".utf8))
        #expect(packed[second + 32] == 3 && packed[second + 33] == 0)
        #expect(Array(packed[(second + 34)...]) == [1, 2, 3])
        // Read back as the device does: stop at erased flash.
        let sector = packed + [UInt8](repeating: 0xFF, count: 4096 - packed.count)
        let entries = try CertSectorPacker.unpack(sector)
        #expect(entries.map(\.name) == ["private_key", "certificate"])
        #expect(entries[1].payload == [1, 2, 3])
    }

    @Test("bad entries and an over-full sector are refused", arguments: [
        [CertSectorEntry(name: String(repeating: "n", count: 33), payload: [1])],
        [CertSectorEntry(name: "", payload: [1])],
        [CertSectorEntry(name: "a", payload: [])],
        [CertSectorEntry(name: "big", payload: [UInt8](repeating: 0x30, count: 4063))],
    ])
    func refusals(entries: [CertSectorEntry]) {
        #expect(throws: FirmwareConfigError.self) { try CertSectorPacker.pack(entries) }
    }

    @Test("PEM from OpenSSL 3 packs as DER, the PKCS#8 key as the PKCS#1 key OpenSSL itself derives")
    func opensslMaterial() throws {
        let dir = try TempDirectory(prefix: "esprig-certs")
        let openssl = ToolRunner(executable: "/usr/bin/openssl")
        let made = try openssl.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=esprig_0076815E", "-days", "30",
                                    "-keyout", dir.file("client.key"), "-out", dir.file("client.crt")], timeout: .seconds(60))
        try #require(made.status == 0, "\(made.output)")
        _ = try openssl.run(["x509", "-in", dir.file("client.crt"), "-outform", "DER", "-out", dir.file("client.der")], timeout: .seconds(30))
        _ = try openssl.run(["rsa", "-in", dir.file("client.key"), "-traditional", "-outform", "DER", "-out", dir.file("client-pkcs1.der")], timeout: .seconds(30))
        let read = { (name: String) in [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file(name)))) }
        let keyPEM = try read("client.key")
        #expect(String(decoding: keyPEM, as: UTF8.self).contains("BEGIN PRIVATE KEY"))  // PKCS#8 from OpenSSL 3
        let packed = try CertSectorPacker.clientSector(certificate: try read("client.crt"), key: keyPEM,
                                                       certificateName: "client.crt", keyName: "client.key")
        let entries = try CertSectorPacker.unpack(packed)
        #expect(entries.map(\.name) == ["private_key", "certificate"])
        #expect(entries[0].payload == (try read("client-pkcs1.der")))
        #expect(entries[1].payload == (try read("client.der")))
        #expect(packed.count <= 4096)
        let ca = try CertSectorPacker.caSector([("ca.crt", try read("client.crt"))])
        #expect(try CertSectorPacker.unpack(ca) == [CertSectorEntry(name: "ca.crt", payload: try read("client.der"))])
    }

    @Test("a file that is neither PEM nor DER is refused with a hint")
    func notPEM() {
        #expect(throws: FirmwareConfigError.self) { try CertSectorPacker.der(Array("hello".utf8), what: "x.crt") }
    }
}

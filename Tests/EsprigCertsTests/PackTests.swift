import Foundation
import Testing
import EsprigFirmware
import EsprigTestSupport
@testable import EsprigCerts

@Suite("Packing issued material into the SDK cert-sector files")
struct PackTests {
    /// The SDK packers' entry: 32-byte zero-padded name, LE16 length, payload.
    func sdkEntry(_ name: String, _ payload: [UInt8]) -> [UInt8] {
        Array(name.utf8) + [UInt8](repeating: 0, count: 32 - name.utf8.count) + [UInt8(payload.count & 0xFF), UInt8(payload.count >> 8)] + payload
    }

    @Test("the client sector is private_key (PKCS#1 DER) then certificate (DER), field by field, from PEM input")
    func clientFields() throws {
        let packed = try CertSectorPacker.clientSector(certificate: Array(Issued.device.certificatePEM.utf8), key: Array(Issued.device.privateKeyPEM.utf8),
                                                       certificateName: "client.crt", keyName: "client.key")
        let key = Issued.device.privateKeyDER, certificate = Issued.device.certificateDER
        #expect(Array(packed[0..<11]) == Array("private_key".utf8))
        #expect(packed[11..<32].allSatisfy { $0 == 0 })
        #expect(Int(packed[32]) | Int(packed[33]) << 8 == key.count)
        #expect(Array(packed[34..<34 + key.count]) == key)
        let second = 34 + key.count
        #expect(Array(packed[second..<second + 11]) == Array("certificate".utf8))
        #expect(packed[second + 11..<second + 32].allSatisfy { $0 == 0 })
        #expect(Int(packed[second + 32]) | Int(packed[second + 33]) << 8 == certificate.count)
        #expect(Array(packed[(second + 34)...]) == certificate)
        #expect(packed == sdkEntry("private_key", key) + sdkEntry("certificate", certificate))
        #expect(packed.count <= 4096)
    }

    @Test("PEM or DER, PKCS#1 or PKCS#8: the same bytes")
    func inputForms() throws {
        let pkcs1 = Issued.device.privateKeyDER
        let pkcs8 = PKCS8.wrap(rsa: pkcs1)
        let reference = try CertSectorPacker.clientSector(certificate: Issued.device.certificateDER, key: pkcs1, certificateName: "c", keyName: "k")
        for key in [pkcs8, Array(PEM.encode(pkcs8, label: "PRIVATE KEY").utf8), Array(Issued.device.privateKeyPEM.utf8)] {
            for certificate in [Issued.device.certificateDER, Array(Issued.device.certificatePEM.utf8)] {
                #expect(try CertSectorPacker.clientSector(certificate: certificate, key: key, certificateName: "c", keyName: "k") == reference)
            }
        }
    }

    @Test("the CA sector has one entry per CA, named by its file, DER")
    func caFields() throws {
        let packed = try CertSectorPacker.caSector([("ca.crt", Array(Issued.ca.certificatePEM.utf8)), ("old-ca.cer", Issued.ca.certificateDER)])
        #expect(packed == sdkEntry("ca.crt", Issued.ca.certificateDER) + sdkEntry("old-ca.cer", Issued.ca.certificateDER))
    }

    @Test("unpack round-trips: names, offsets, lengths and what each entry is, also from a 4096-byte sector read back")
    func roundTrip() throws {
        let packed = try CertSectorPacker.clientSector(certificate: Issued.device.certificateDER, key: Issued.device.privateKeyDER, certificateName: "c", keyName: "k")
        let sector = packed + [UInt8](repeating: 0xFF, count: 4096 - packed.count)
        let entries = try SectorEntryDescription.describe(sector)
        #expect(entries.map(\.name) == ["private_key", "certificate"])
        #expect(entries.map(\.offset) == [0, 34 + Issued.device.privateKeyDER.count])
        #expect(entries.map(\.length) == [Issued.device.privateKeyDER.count, Issued.device.certificateDER.count])
        guard case .privateKey(let key, .der) = entries[0].content, case .certificate(let certificate, .der) = entries[1].content else {
            Issue.record("wrong contents: \(entries.map(\.content))")
            return
        }
        #expect(key.kind == .rsa(bits: 2048) && key.format == .pkcs1)
        #expect(certificate.der == Issued.device.certificateDER)
        #expect(certificate.subjectCommonName == "esprig_0076815E")
        let repacked = try CertSectorPacker.pack(try CertSectorPacker.unpack(sector))
        #expect(repacked == packed)
    }

    @Test("a PEM payload (what the SDK master makefile.sh packs) is described too; garbage is named, not fatal")
    func pemPayload() throws {
        let packed = try CertSectorPacker.pack([CertSectorEntry(name: "TLS.ca_x509.cer", payload: Array(Issued.ca.certificatePEM.utf8)),
                                                CertSectorEntry(name: "junk", payload: [1, 2, 3])])
        let entries = try SectorEntryDescription.describe(packed)
        guard case .certificate(let facts, .pem) = entries[0].content, case .unknown = entries[1].content else {
            Issue.record("wrong contents: \(entries.map(\.content))")
            return
        }
        #expect(facts.subjectCommonName == "esprig CA")
    }

    @Test("a truncated file is refused naming the entry's offset")
    func truncated() throws {
        let packed = try CertSectorPacker.caSector([("ca.crt", Issued.ca.certificateDER)])
        #expect(throws: FirmwareConfigError.self) { try SectorEntryDescription.describe(Array(packed.dropLast(10))) }
    }
}

/// PKCS#8 PrivateKeyInfo around a PKCS#1 key, to feed the packer what OpenSSL 3 writes.
enum PKCS8 {
    static func wrap(rsa pkcs1: [UInt8]) -> [UInt8] {
        func tlv(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] {
            let n = body.count
            let length: [UInt8] = n < 0x80 ? [UInt8(n)] : n < 0x100 ? [0x81, UInt8(n)] : [0x82, UInt8(n >> 8), UInt8(n & 0xFF)]
            return [tag] + length + body
        }
        let algorithm = tlv(0x30, [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00])
        return tlv(0x30, [0x02, 0x01, 0x00] + algorithm + tlv(0x04, pkcs1))
    }
}

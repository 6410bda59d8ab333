import Foundation
import Testing
import X509
import SwiftASN1
import EsprigTestSupport
@testable import EsprigCerts

@Suite("Issuing CA, server and device certificates")
struct IssueTests {
    let openssl = OpenSSL()

    @Test("the CA is RSA-2048/SHA-256, self-signed, CA:true critical, keyCertSign + cRLSign; swift-certificates and openssl read it")
    func ca() throws {
        let parsed = try Certificate(derEncoded: Issued.ca.certificateDER)
        #expect(parsed.signatureAlgorithm == .sha256WithRSAEncryption)
        #expect(try parsed.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(parsed.extensions.first { $0.oid == .X509ExtensionID.basicConstraints }?.critical == true)
        #expect(try parsed.extensions.keyUsage == KeyUsage(keyCertSign: true, cRLSign: true))
        let facts = try CertificateFacts(der: Issued.ca.certificateDER)
        #expect(facts.publicKey.kind == .rsa(bits: 2048))
        #expect(facts.isSelfIssued && facts.isCA && facts.version == 3)
        #expect(facts.isSigned(by: facts.publicKey) == true)
        let dir = try TempDirectory(prefix: "esprig-issue")
        let text = try openssl.text(try dir.write("ca.crt", Issued.ca.certificatePEM))
        #expect(text.contains("Public-Key: (2048 bit)"))
        #expect(text.contains("Signature Algorithm: sha256WithRSAEncryption"))
        #expect(text.contains("CA:TRUE"))
        #expect(text.contains("Certificate Sign, CRL Sign"))
        #expect(text.contains("Subject: O = esprig, CN = esprig CA"))
    }

    @Test("the server covers every host in subjectAltName (DNS and IP), CN = first host, serverAuth; openssl verifies it against the CA and the host")
    func server() throws {
        let parsed = try Certificate(derEncoded: Issued.server.certificateDER)
        let names = try #require(try parsed.extensions.subjectAlternativeNames)
        #expect(Array(names) == [.dnsName("broker.local"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
        #expect(try parsed.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
        #expect(try parsed.extensions.keyUsage == KeyUsage(digitalSignature: true, keyEncipherment: true))
        let facts = try CertificateFacts(der: Issued.server.certificateDER)
        #expect(facts.subjectCommonName == "broker.local")
        #expect(facts.isSigned(by: Issued.authority.certificate.publicKey) == true)
        let dir = try TempDirectory(prefix: "esprig-issue")
        let ca = try dir.write("ca.crt", Issued.ca.certificatePEM)
        let server = try dir.write("server.crt", Issued.server.certificatePEM)
        let text = try openssl.text(server)
        #expect(text.contains("DNS:broker.local, IP Address:127.0.0.1, DNS:localhost"))
        #expect(text.contains("TLS Web Server Authentication"))
        #expect(try openssl.verify(ca: ca, server, ["-purpose", "sslserver", "-verify_hostname", "broker.local"]).status == 0)
        #expect(try openssl.verify(ca: ca, server, ["-verify_ip", "127.0.0.1"]).status == 0)
        #expect(try openssl.verify(ca: ca, server, ["-verify_hostname", "other.local"]).status != 0)
    }

    @Test("a device certificate has CN = the client id and clientAuth; its key is PKCS#1 and matches")
    func device() throws {
        let parsed = try Certificate(derEncoded: Issued.device.certificateDER)
        #expect(try parsed.extensions.extendedKeyUsage == ExtendedKeyUsage([.clientAuth]))
        let facts = try CertificateFacts(der: Issued.device.certificateDER)
        #expect(facts.subjectCommonName == "esprig_0076815E")
        #expect(facts.issuerCommonName == "esprig CA")
        let key = try PrivateKeyFacts(der: Issued.device.privateKeyDER)
        #expect(key.format == .pkcs1 && key.kind == .rsa(bits: 2048))
        #expect(key.matches(facts.publicKey) == true)
        #expect(key.matches(Issued.authority.certificate.publicKey) == false)
        let dir = try TempDirectory(prefix: "esprig-issue")
        let ca = try dir.write("ca.crt", Issued.ca.certificatePEM)
        let device = try dir.write("device.crt", Issued.device.certificatePEM)
        #expect(try openssl.text(device).contains("TLS Web Client Authentication"))
        #expect(try openssl.verify(ca: ca, device, ["-purpose", "sslclient"]).status == 0)
        #expect(try openssl.verify(ca: ca, try dir.write("server.crt", Issued.server.certificatePEM), ["-purpose", "sslclient"]).status != 0)
        let keyPath = try dir.write("device.key", Issued.device.privateKeyPEM)
        let modulus = try openssl.run(["rsa", "-in", keyPath, "-noout", "-modulus"]).output
        let certModulus = try openssl.run(["x509", "-in", device, "-noout", "-modulus"]).output
        #expect(modulus == certModulus && modulus.hasPrefix("Modulus="))
    }

    @Test("--legacy makes RSA-1024 + SHA-1, which openssl at security level 2 refuses")
    func legacy() throws {
        let ca = try CertificateIssuer.issueCA(options: .legacy())
        let device = try CertificateIssuer.issueDevice(clientID: "old", authority: try ca.authority(), options: .legacy())
        // swift-certificates signs SHA-1 but will not load an RSA key under 2048 bits, which is
        // why esprig reads certificates with its own swift-asn1 walker.
        #expect(throws: (any Error).self) { try Certificate(derEncoded: device.certificateDER) }
        let facts = try CertificateFacts(der: device.certificateDER)
        #expect(facts.publicKey.kind == .rsa(bits: 1024))
        #expect(facts.signatureAlgorithm.digest == .sha1 && facts.signatureAlgorithm.isWeak)
        #expect(facts.isSigned(by: try CertificateFacts(der: ca.certificateDER).publicKey) == true)
        let dir = try TempDirectory(prefix: "esprig-issue")
        let caPath = try dir.write("ca.crt", ca.certificatePEM)
        let devicePath = try dir.write("device.crt", device.certificatePEM)
        #expect(try openssl.text(devicePath).contains("Signature Algorithm: sha1WithRSAEncryption"))
        #expect(try openssl.verify(ca: caPath, devicePath, ["-auth_level", "0"]).status == 0)
        let strict = try openssl.verify(ca: caPath, devicePath, ["-auth_level", "2"])
        #expect(strict.status != 0)
        #expect(strict.output.contains("too weak") || strict.output.contains("too small"))
    }

    @Test("validity is what was asked, to the second, also in the past for fixtures")
    func validity() throws {
        let start = Date(timeIntervalSince1970: 1_600_000_000)
        let credential = try CertificateIssuer.issueDevice(clientID: "d", authority: Issued.authority,
                                                           options: IssueOptions(validity: Validity(days: 2, startingAt: start)))
        let facts = try CertificateFacts(der: credential.certificateDER)
        #expect(facts.notBefore == start)
        #expect(facts.notAfter == start.addingTimeInterval(2 * 86_400))
    }

    @Test("bad requests are refused", arguments: ["", "bad host!", "-x.example"])
    func badHosts(host: String) {
        #expect(throws: CertsError(.invalidRequest, "")) { try CertificateIssuer.issueServer(hosts: [host], authority: Issued.authority) }
    }

    @Test("a server named like its CA is refused (OpenSSL would take it for self-signed)")
    func sameNameAsCA() throws {
        let ca = try CertificateIssuer.issueCA(commonName: "broker.local")
        #expect(throws: CertsError(.invalidRequest, "")) { try CertificateIssuer.issueServer(hosts: ["Broker.local"], authority: try ca.authority()) }
    }

    @Test("a CA that is not a CA, or a key that is not its own, cannot sign")
    func authorityChecks() throws {
        #expect(throws: CertsError(.wrongKind, "")) {
            try CertificateAuthority(certificate: Issued.device.certificateDER, privateKey: Issued.device.privateKeyDER)
        }
        #expect(throws: CertsError(.wrongKind, "")) {
            try CertificateAuthority(certificate: Issued.ca.certificateDER, privateKey: Issued.device.privateKeyDER)
        }
    }
}

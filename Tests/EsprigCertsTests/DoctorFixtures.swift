import Crypto
import Foundation
import X509
import EsprigFirmware
@testable import EsprigCerts

/// A profile's material where everything is right, and one broken variant per doctor rule.
enum DoctorFixtures {
    static func file(_ name: String, _ text: String) -> DoctorInput.File { DoctorInput.File(path: "/p/certs/\(name)", bytes: Array(text.utf8)) }
    static func file(_ name: String, _ bytes: [UInt8]?) -> DoctorInput.File { DoctorInput.File(path: "/p/certs/\(name)", bytes: bytes) }

    static let compiled = FirmwareSectors(caCertificates: .init(number: 0x77, source: "mqtt_config.h:21 (CA_CERT_FLASH_ADDRESS)"),
                                          clientCertificate: .init(number: 0x78, source: "mqtt_config.h:22 (CLIENT_CERT_FLASH_ADDRESS)"),
                                          configLocation: .init(number: 0x79, source: "mqtt_config.h:25 (CFG_LOCATION)"))

    /// Good material: a CA, a server for broker.local + 127.0.0.1 + localhost, a device
    /// esprig_0076815E, two-way TLS, sectors as compiled.
    static var good: DoctorInput {
        DoctorInput(ca: [file("ca.crt", Issued.ca.certificatePEM)],
                    clientCertificate: file("client.crt", Issued.device.certificatePEM), clientKey: file("client.key", Issued.device.privateKeyPEM),
                    serverCertificate: file("server.crt", Issued.server.certificatePEM), serverKey: file("server.key", Issued.server.privateKeyPEM),
                    mqttHost: "broker.local", clientID: "esprig_%08X", security: .twoWay,
                    firmware: DoctorInput.Firmware(caSector: 0x77, clientSector: 0x78, compiled: compiled))
    }

    static func with(_ change: (inout DoctorInput) throws -> Void) rethrows -> DoctorInput {
        var input = good
        try change(&input)
        return input
    }

    static func device(_ options: IssueOptions = IssueOptions(), authority: CertificateAuthority = Issued.authority, key: Certificate.PrivateKey? = nil,
                       usages: [ExtendedKeyUsage.Usage]? = nil) throws -> IssuedCredential {
        try CertificateIssuer.issueLeaf(role: .device, commonName: "esprig_0076815E", hosts: [], authority: authority, options: options,
                                        subjectKey: key, extendedKeyUsage: usages)
    }

    static func client(_ credential: IssuedCredential) -> (DoctorInput.File, DoctorInput.File) {
        (file("client.crt", credential.certificatePEM), file("client.key", credential.privateKeyPEM))
    }

    static let otherCA = try! CertificateIssuer.issueCA(commonName: "someone else's CA")

    /// Each rule's code and the input that must produce exactly that finding.
    static let rules: [(code: String, make: @Sendable () throws -> DoctorInput)] = [
        ("ca-server-same-cn", {
            let ca = try CertificateIssuer.issueCA(commonName: "broker.local")
            let authority = try ca.authority()
            let server = try CertificateIssuer.issueLeaf(role: .server, commonName: "broker.local", hosts: [.dns("broker.local")], authority: authority, options: IssueOptions())
            let device = try DoctorFixtures.device(authority: authority)
            return with {
                $0.ca = [file("ca.crt", ca.certificatePEM)]
                $0.serverCertificate = file("server.crt", server.certificatePEM)
                $0.serverKey = file("server.key", server.privateKeyPEM)
                ($0.clientCertificate, $0.clientKey) = client(device)
            }
        }),
        ("server-host-not-covered", { with { $0.mqttHost = "mqtt.example.com" } }),
        ("server-ip-as-name", {
            let server = try CertificateIssuer.issueLeaf(role: .server, commonName: "192.168.1.10", hosts: [.dns("192.168.1.10")], authority: Issued.authority, options: IssueOptions())
            return with {
                $0.mqttHost = "192.168.1.10"
                $0.serverCertificate = file("server.crt", server.certificatePEM)
                $0.serverKey = file("server.key", server.privateKeyPEM)
            }
        }),
        ("weak-signature", { let d = try device(IssueOptions(digest: .sha1)); return with { ($0.clientCertificate, $0.clientKey) = client(d) } }),
        ("rsa-key-too-small", { let d = try device(IssueOptions(keyBits: 1024)); return with { ($0.clientCertificate, $0.clientKey) = client(d) } }),
        ("key-type-unsupported", {
            let key = P256.Signing.PrivateKey()
            let d = try device(key: Certificate.PrivateKey(key))
            return with {
                $0.clientCertificate = file("client.crt", d.certificatePEM)
                $0.clientKey = file("client.key", key.pemRepresentation)
            }
        }),
        ("client-not-signed-by-ca", { let d = try device(authority: try otherCA.authority()); return with { ($0.clientCertificate, $0.clientKey) = client(d) } }),
        ("server-not-signed-by-ca", {
            let server = try CertificateIssuer.issueServer(hosts: ["broker.local"], authority: try otherCA.authority())
            return with {
                $0.serverCertificate = file("server.crt", server.certificatePEM)
                $0.serverKey = file("server.key", server.privateKeyPEM)
            }
        }),
        ("ca-not-a-ca", { with { $0.ca.append(file("device-as-ca.crt", Issued.device.certificatePEM)) } }),
        ("key-mismatch", { with { $0.clientKey = file("client.key", Issued.server.privateKeyPEM) } }),
        ("certificate-expired", {
            let d = try device(IssueOptions(validity: Validity(notBefore: Date().addingTimeInterval(-10 * 86_400), notAfter: Date().addingTimeInterval(-86_400))))
            return with { ($0.clientCertificate, $0.clientKey) = client(d) }
        }),
        ("certificate-not-yet-valid", {
            let d = try device(IssueOptions(validity: Validity(days: 30, startingAt: Date().addingTimeInterval(86_400))))
            return with { ($0.clientCertificate, $0.clientKey) = client(d) }
        }),
        ("client-missing-clientauth", { let d = try device(usages: [.serverAuth]); return with { ($0.clientCertificate, $0.clientKey) = client(d) } }),
        ("server-missing-serverauth", {
            let server = try CertificateIssuer.issueLeaf(role: .server, commonName: "broker.local", hosts: [.dns("broker.local")], authority: Issued.authority,
                                                         options: IssueOptions(), extendedKeyUsage: [.clientAuth])
            return with {
                $0.serverCertificate = file("server.crt", server.certificatePEM)
                $0.serverKey = file("server.key", server.privateKeyPEM)
            }
        }),
        ("client-cn-mismatch", { with { $0.clientID = "sensor-%08X" } }),
        ("sector-mismatch", { with { $0.firmware.caSector = 0x70 } }),
        ("sector-overlap", { with { $0.firmware = DoctorInput.Firmware(caSector: 0x77, clientSector: 0x77) } }),
        ("sector-overlap", { with { $0.firmware = DoctorInput.Firmware(caSector: 0x3FC, clientSector: 0x78, systemArea: 0x3FB000..<0x400000) } }),
        ("sector-overlap", {
            with { $0.firmware = DoctorInput.Firmware(caSector: 0x77, clientSector: 0x7A, compiled: FirmwareSectors(configLocation: .init(number: 0x79, source: "mqtt_config.h:25"))) }
        }),
        ("sector-too-large", { with { input in input.ca = (1...6).map { file("ca\($0).crt", Issued.ca.certificatePEM) } } }),
        ("tls-buffer-too-small", { with { $0.firmware.tlsBufferSize = 2048; $0.firmware.tlsBufferSource = "user_main.c:40" } }),
        ("pem-where-der-expected", { with { $0.ca = [file("ca.cer", Issued.ca.certificatePEM)] } }),
        ("der-where-pem-expected", { with { $0.ca = [file("ca.pem", Issued.ca.certificateDER)] } }),
        ("material-unreadable", { with { $0.clientCertificate = file("client.crt", "this is not a certificate\n") } }),
        ("material-wrong-kind", { with { $0.clientCertificate = file("client.crt", Issued.device.privateKeyPEM) } }),
        ("material-missing", { with { $0.serverCertificate = file("server.crt", nil as [UInt8]?) } }),
        ("security-needs-client-cert", { with { $0.clientCertificate = nil; $0.clientKey = nil } }),
        ("security-needs-ca", { with { $0.security = .oneWay; $0.ca = []; $0.clientCertificate = nil; $0.clientKey = nil } }),
        ("security-client-cert-unused", { with { $0.security = .oneWay } }),
        ("server-cert-unchecked", { with { $0.serverCertificate = nil; $0.serverKey = nil } }),
        ("security-ignores-material", { with { $0.security = .noTLS } }),
    ]
}

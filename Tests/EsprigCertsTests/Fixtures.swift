import Foundation
import EsprigTestSupport
@testable import EsprigCerts

/// Material issued once per test run (RSA key generation is the slow part): a CA, a server
/// for 127.0.0.1 + localhost, a device. Tests that need odd material issue their own.
enum Issued {
    static let ca: IssuedCredential = try! CertificateIssuer.issueCA()
    static let authority: CertificateAuthority = try! ca.authority()
    static let server: IssuedCredential = try! CertificateIssuer.issueServer(hosts: ["broker.local", "127.0.0.1", "localhost"], authority: authority)
    static let device: IssuedCredential = try! CertificateIssuer.issueDevice(clientID: "esprig_0076815E", authority: authority)
}

extension TempDirectory {
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }
}

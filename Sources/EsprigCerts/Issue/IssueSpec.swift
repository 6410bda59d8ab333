import _CryptoExtras
import SwiftASN1
import X509

/// Everything that goes into one certificate; `sign()` turns it into DER.
struct IssueSpec {
    var role: CertificateRole
    var subject: DistinguishedName
    var hosts: [HostName]
    var publicKey: Certificate.PublicKey
    var issuer: DistinguishedName
    var issuerKey: _RSA.Signing.PrivateKey
    var authorityKeyIdentifier: ArraySlice<UInt8>?
    var options: IssueOptions
    /// Replaces the role's extended key usages (test fixtures for doctor).
    var extendedKeyUsage: [ExtendedKeyUsage.Usage]?

    init(role: CertificateRole, subject: DistinguishedName, hosts: [HostName], publicKey: Certificate.PublicKey, issuer: DistinguishedName,
         issuerKey: _RSA.Signing.PrivateKey, authorityKeyIdentifier: ArraySlice<UInt8>?, options: IssueOptions, extendedKeyUsage: [ExtendedKeyUsage.Usage]? = nil) {
        self.role = role
        self.subject = subject
        self.hosts = hosts
        self.publicKey = publicKey
        self.issuer = issuer
        self.issuerKey = issuerKey
        self.authorityKeyIdentifier = authorityKeyIdentifier
        self.options = options
        self.extendedKeyUsage = extendedKeyUsage
    }

    func extensions() throws -> Certificate.Extensions {
        var list: [Certificate.Extension] = []
        switch role {
        case .ca:
            list.append(try Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true))
            list.append(try Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true))
        case .server, .device:
            list.append(try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: false))
            list.append(try Certificate.Extension(KeyUsage(digitalSignature: true, keyEncipherment: true), critical: true))
            let usages = extendedKeyUsage ?? [role == .server ? .serverAuth : .clientAuth]
            if !usages.isEmpty { list.append(try Certificate.Extension(try ExtendedKeyUsage(usages), critical: false)) }
        }
        if !hosts.isEmpty {
            let names: [GeneralName] = hosts.map { host in
                switch host {
                case .dns(let name): .dnsName(name)
                case .ip(let bytes): .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))
                }
            }
            list.append(try Certificate.Extension(SubjectAlternativeNames(names), critical: false))
        }
        list.append(try Certificate.Extension(SubjectKeyIdentifier(hash: publicKey), critical: false))
        if let authorityKeyIdentifier {
            list.append(try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier), critical: false))
        }
        return try Certificate.Extensions(list)
    }

    func sign() throws(CertsError) -> [UInt8] {
        do {
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: options.validity.notBefore, notValidAfter: options.validity.notAfter,
                issuer: issuer, subject: subject,
                signatureAlgorithm: options.digest == .sha1 ? .sha1WithRSAEncryption : .sha256WithRSAEncryption,
                extensions: try extensions(), issuerPrivateKey: Certificate.PrivateKey(issuerKey))
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        } catch {
            throw CertsError(.signingFailed, "could not sign the \(role.rawValue) certificate: \(error)")
        }
    }
}

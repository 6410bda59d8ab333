import _CryptoExtras
import Crypto
import Foundation
import SwiftASN1
import X509

/// Makes the material for mutual-auth MQTT over TLS: a CA, the broker's server certificate
/// and one certificate per device, each with the v3 extensions its role needs.
public enum CertificateIssuer {
    /// A self-signed CA. Its CN must differ from the server's (OpenSSL would take a server
    /// certificate with the CA's name for self-signed).
    public static func issueCA(commonName: String = "esprig CA", options: IssueOptions = IssueOptions(validity: Validity(days: 3650))) throws(CertsError) -> IssuedCredential {
        let key = try makeKey(bits: options.keyBits)
        let subject = try name(commonName, organization: options.organization)
        let spec = IssueSpec(role: .ca, subject: subject, hosts: [], publicKey: Certificate.PublicKey(key.publicKey),
                             issuer: subject, issuerKey: key, authorityKeyIdentifier: nil, options: options)
        return IssuedCredential(role: .ca, certificateDER: try spec.sign(), privateKeyDER: Array(key.derRepresentation))
    }

    /// The broker's certificate: CN = the first host, subjectAltName = every host (DNS names
    /// as dNSName, addresses as iPAddress).
    public static func issueServer(hosts: [String], authority: CertificateAuthority, options: IssueOptions = IssueOptions()) throws(CertsError) -> IssuedCredential {
        guard let first = hosts.first else {
            throw CertsError(.invalidRequest, "a server certificate needs at least one host", hint: "pass --host with the name or address the devices dial (MQTT_HOST)")
        }
        var parsed: [HostName] = []
        for host in hosts { parsed.append(try HostName(parsing: host)) }
        if let caName = authority.certificate.subjectCommonName, caName.lowercased() == first.lowercased() {
            throw CertsError(.invalidRequest, "the server's CN '\(first)' would equal its CA's CN; OpenSSL would take the server certificate for self-signed",
                             hint: "make a CA with another name: esprig certs init --cn 'esprig CA' --force")
        }
        return try issueLeaf(role: .server, commonName: first, hosts: parsed, authority: authority, options: options)
    }

    /// A device's client certificate: CN = its MQTT client id (the broker maps it to a user
    /// with `use_identity_as_username`), extendedKeyUsage clientAuth.
    public static func issueDevice(clientID: String, authority: CertificateAuthority, options: IssueOptions = IssueOptions()) throws(CertsError) -> IssuedCredential {
        guard !clientID.isEmpty, clientID.utf8.count <= 64 else {
            throw CertsError(.invalidRequest, "the client id '\(clientID)' must be 1 to 64 characters (the X.509 CN limit)",
                             hint: "use the device's expanded MQTT_CLIENT_ID, e.g. esprig_0076815E")
        }
        return try issueLeaf(role: .device, commonName: clientID, hosts: [], authority: authority, options: options)
    }

    /// With `subjectKey` (doctor's fixtures: an EC key) the certificate is for that key and the
    /// credential carries no private key.
    static func issueLeaf(role: CertificateRole, commonName: String, hosts: [HostName], authority: CertificateAuthority, options: IssueOptions,
                          subjectKey: Certificate.PrivateKey? = nil, extendedKeyUsage: [ExtendedKeyUsage.Usage]? = nil) throws(CertsError) -> IssuedCredential {
        var keyDER: [UInt8] = []
        let publicKey: Certificate.PublicKey
        if let subjectKey {
            publicKey = subjectKey.publicKey
        } else {
            let key = try makeKey(bits: options.keyBits)
            publicKey = Certificate.PublicKey(key.publicKey)
            keyDER = Array(key.derRepresentation)
        }
        let issuer = authority.certificate.subject
        let spec = IssueSpec(role: role, subject: try name(commonName, organization: options.organization), hosts: hosts, publicKey: publicKey,
                             issuer: issuer, issuerKey: authority.key, authorityKeyIdentifier: authority.subjectKeyIdentifier, options: options,
                             extendedKeyUsage: extendedKeyUsage)
        return IssuedCredential(role: role, certificateDER: try spec.sign(), privateKeyDER: keyDER)
    }

    static func makeKey(bits: Int) throws(CertsError) -> _RSA.Signing.PrivateKey {
        guard [1024, 2048, 3072, 4096].contains(bits) else {
            throw CertsError(.invalidRequest, "RSA-\(bits) is not offered", hint: "use 2048 (the default), 3072 or 4096; 1024 only with --legacy")
        }
        do {
            return try _RSA.Signing.PrivateKey(unsafeKeySize: _RSA.Signing.KeySize(bitCount: bits))
        } catch {
            throw CertsError(.signingFailed, "could not make an RSA-\(bits) key: \(error)")
        }
    }

    static func name(_ commonName: String, organization: String?) throws(CertsError) -> DistinguishedName {
        guard !commonName.isEmpty, commonName.utf8.count <= 64 else {
            throw CertsError(.invalidRequest, "the common name '\(commonName)' must be 1 to 64 characters")
        }
        var attributes = [RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: commonName)]
        if let organization, !organization.isEmpty {
            attributes.insert(RelativeDistinguishedName.Attribute(type: .RDNAttributeType.organizationName, utf8String: organization), at: 0)
        }
        return DistinguishedName(attributes.map { RelativeDistinguishedName($0) })
    }
}

import _CryptoExtras
import X509

/// A CA that can sign: its certificate and RSA private key. The key is loaded without
/// swift-crypto's 2048-bit floor, so a `--legacy` (RSA-1024) CA can still sign.
public struct CertificateAuthority: Sendable {
    public let certificate: CertificateFacts
    let key: _RSA.Signing.PrivateKey

    /// From certificate and key files' contents, PEM or DER; the key PKCS#1 or PKCS#8.
    public init(certificate: [UInt8], privateKey: [UInt8], certificateName: String = "the CA certificate", keyName: String = "the CA key") throws(CertsError) {
        guard let facts = try Material.certificates(certificate, what: certificateName).first else {
            throw CertsError(.unreadableMaterial, "\(certificateName) holds no certificate")
        }
        guard facts.isCA else {
            throw CertsError(.wrongKind, "\(certificateName) (CN=\(facts.subjectCommonName ?? "?")) is not a CA certificate (no basicConstraints CA:true)",
                             hint: "sign with the CA made by `esprig certs init`")
        }
        let keyDER = try Material.privateKey(privateKey, what: keyName).der
        let keyFacts = try PrivateKeyFacts(der: keyDER, what: keyName)
        guard keyFacts.kind.isRSA, let pkcs1 = try? PKCS1.rsaPrivateKey(fromDER: keyDER, what: keyName),
              let key = try? _RSA.Signing.PrivateKey(unsafeDERRepresentation: pkcs1) else {
            throw CertsError(.unsupportedKey, "\(keyName) is a \(keyFacts.kind) key; esprig signs with RSA keys of 1024 bits or more",
                             hint: "make the CA with `esprig certs init`")
        }
        guard keyFacts.matches(facts.publicKey) == true else {
            throw CertsError(.wrongKind, "\(keyName) is not the private key of \(certificateName)",
                             hint: "give the key file made together with that CA certificate")
        }
        self.certificate = facts
        self.key = key
    }

    init(certificate: CertificateFacts, key: _RSA.Signing.PrivateKey) {
        self.certificate = certificate
        self.key = key
    }

    var subjectKeyIdentifier: ArraySlice<UInt8>? {
        ((try? certificate.extensions.subjectKeyIdentifier) ?? nil)?.keyIdentifier
    }
}

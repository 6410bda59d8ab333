/// What a certificate role is for; it decides the v3 extensions.
public enum CertificateRole: String, Sendable, Hashable, CaseIterable {
    /// A self-signed CA: basicConstraints CA:true (critical), keyCertSign + cRLSign.
    case ca
    /// The broker: serverAuth, digitalSignature + keyEncipherment, subjectAltName per host.
    case server
    /// A board: clientAuth, digitalSignature + keyEncipherment, CN = its MQTT client id.
    case device
}

/// A certificate and its private key, both DER: the certificate X.509, the key PKCS#1
/// RSAPrivateKey (what the ESP8266 TLS stacks read). Never print `privateKeyDER`.
public struct IssuedCredential: Sendable {
    public let role: CertificateRole
    public let certificateDER: [UInt8]
    public let privateKeyDER: [UInt8]

    public init(role: CertificateRole, certificateDER: [UInt8], privateKeyDER: [UInt8]) {
        self.role = role
        self.certificateDER = certificateDER
        self.privateKeyDER = privateKeyDER
    }

    public var certificatePEM: String { PEM.encode(certificateDER, label: "CERTIFICATE") }
    public var privateKeyPEM: String { PEM.encode(privateKeyDER, label: "RSA PRIVATE KEY") }

    /// The CA this credential is, for signing others (only meaningful for `.ca`).
    public func authority() throws(CertsError) -> CertificateAuthority {
        try CertificateAuthority(certificate: certificateDER, privateKey: privateKeyDER)
    }
}

/// Reads certificate and key files as people have them: PEM or DER, keys PKCS#1, PKCS#8 or
/// SEC1, and says clearly when a file holds the wrong thing.
public enum Material {
    public enum Encoding: String, Sendable { case pem = "PEM", der = "DER" }

    static let keyLabels: Set<String> = ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"]

    /// PEM if it has a BEGIN line, DER if it starts like a DER SEQUENCE, else nil (garbage).
    public static func encoding(of bytes: [UInt8]) -> Encoding? {
        if PEM.isPEM(bytes) { return .pem }
        return bytes.first == 0x30 && bytes.count > 2 ? .der : nil
    }

    /// Every certificate in the file (a PEM bundle may hold several; DER holds one).
    public static func certificates(_ bytes: [UInt8], what: String) throws(CertsError) -> [CertificateFacts] {
        switch encoding(of: bytes) {
        case .pem:
            let blocks = try PEM.decode(bytes, what: what)
            if let key = blocks.first(where: { keyLabels.contains($0.label) || $0.label.hasSuffix("PRIVATE KEY") }), !blocks.contains(where: { $0.label == "CERTIFICATE" }) {
                throw CertsError(.wrongKind, "\(what) holds a private key (\(key.label)), not a certificate",
                                 hint: "swap the certificate and key paths")
            }
            let certificates = blocks.filter { $0.label == "CERTIFICATE" || $0.label == "X509 CERTIFICATE" }
            guard !certificates.isEmpty else {
                throw CertsError(.wrongKind, "\(what) has no CERTIFICATE block (found \(blocks.map(\.label).joined(separator: ", ")))",
                                 hint: "give the certificate file")
            }
            return try certificates.map { block throws(CertsError) in try CertificateFacts(der: block.der, what: what) }
        case .der:
            do {
                return [try CertificateFacts(der: bytes, what: what)]
            } catch {
                if (try? PrivateKeyFacts(der: bytes, what: what)) != nil {
                    throw CertsError(.wrongKind, "\(what) holds a private key (DER), not a certificate", hint: "swap the certificate and key paths")
                }
                throw error
            }
        case nil:
            throw CertsError(.unreadableMaterial, "\(what) is neither PEM nor DER", hint: "give the certificate file itself (PEM or DER)")
        }
    }

    /// The key's DER (as stored: PKCS#1, PKCS#8 or SEC1) and what it is.
    public static func privateKey(_ bytes: [UInt8], what: String) throws(CertsError) -> (der: [UInt8], facts: PrivateKeyFacts) {
        switch encoding(of: bytes) {
        case .pem:
            let blocks = try PEM.decode(bytes, what: what)
            if blocks.contains(where: { $0.label == "ENCRYPTED PRIVATE KEY" }) || String(decoding: bytes, as: UTF8.self).contains("Proc-Type: 4,ENCRYPTED") {
                throw CertsError(.unsupportedKey, "\(what) is encrypted; the ESP8266 SDK cannot use a key with a password",
                                 hint: "decrypt it: openssl pkey -in KEY -out plain.key")
            }
            guard let block = blocks.first(where: { keyLabels.contains($0.label) }) else {
                let isCertificate = blocks.contains { $0.label == "CERTIFICATE" }
                throw CertsError(.wrongKind, isCertificate ? "\(what) holds a certificate, not a private key" : "\(what) has no private key block",
                                 hint: isCertificate ? "swap the certificate and key paths" : "give the private key file")
            }
            return (block.der, try PrivateKeyFacts(der: block.der, what: what))
        case .der:
            do {
                return (bytes, try PrivateKeyFacts(der: bytes, what: what))
            } catch {
                if (try? CertificateFacts(der: bytes, what: what)) != nil {
                    throw CertsError(.wrongKind, "\(what) holds a certificate (DER), not a private key", hint: "swap the certificate and key paths")
                }
                throw error
            }
        case nil:
            throw CertsError(.unreadableMaterial, "\(what) is neither PEM nor DER", hint: "give the private key file itself (PEM or DER)")
        }
    }
}

/// A certificate's signature algorithm, by OID, with what esprig needs to know about it.
public struct SignatureAlgorithmInfo: Sendable, Hashable, CustomStringConvertible {
    public let oid: String

    public enum Digest: String, Sendable, Hashable { case md5 = "MD5", sha1 = "SHA-1", sha256 = "SHA-256", sha384 = "SHA-384", sha512 = "SHA-512" }
    public enum Scheme: String, Sendable, Hashable { case rsa = "RSA", ecdsa = "ECDSA", ed25519 = "Ed25519" }

    static let known: [String: (Scheme, Digest?)] = [
        "1.2.840.113549.1.1.4": (.rsa, .md5),
        "1.2.840.113549.1.1.5": (.rsa, .sha1),
        "1.2.840.113549.1.1.11": (.rsa, .sha256),
        "1.2.840.113549.1.1.12": (.rsa, .sha384),
        "1.2.840.113549.1.1.13": (.rsa, .sha512),
        "1.2.840.10045.4.1": (.ecdsa, .sha1),
        "1.2.840.10045.4.3.2": (.ecdsa, .sha256),
        "1.2.840.10045.4.3.3": (.ecdsa, .sha384),
        "1.2.840.10045.4.3.4": (.ecdsa, .sha512),
        "1.3.101.112": (.ed25519, nil),
    ]

    public var scheme: Scheme? { Self.known[oid]?.0 }
    public var digest: Digest? { Self.known[oid]?.1 }
    /// MD5 and SHA-1: OpenSSL at security level 1+ (Debian's default is 2) refuses them.
    public var isWeak: Bool { digest == .md5 || digest == .sha1 }

    public var description: String {
        guard let (scheme, digest) = Self.known[oid] else { return oid }
        return digest.map { "\($0.rawValue) with \(scheme.rawValue)" } ?? scheme.rawValue
    }
}

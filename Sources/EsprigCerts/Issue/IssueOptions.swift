import Foundation

/// The digest a certificate is signed with (always RSA PKCS#1 v1.5 by esprig's issuer).
public enum SignatureDigest: String, Sendable, Hashable, CaseIterable {
    case sha1, sha256

    public var displayName: String { self == .sha1 ? "SHA-1" : "SHA-256" }
}

/// When a certificate is valid.
public struct Validity: Sendable, Hashable {
    public var notBefore: Date
    public var notAfter: Date

    public init(notBefore: Date, notAfter: Date) {
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// `days` long from `start` (now by default). Whole seconds: X.509 times have no fractions.
    public init(days: Int, startingAt start: Date = Date()) {
        let begin = Date(timeIntervalSince1970: start.timeIntervalSince1970.rounded(.down))
        self.init(notBefore: begin, notAfter: begin.addingTimeInterval(Double(days) * 86_400))
    }
}

/// How a certificate is made: key size, digest, validity, subject organisation.
public struct IssueOptions: Sendable, Hashable {
    /// RSA modulus size in bits.
    public var keyBits: Int
    public var digest: SignatureDigest
    public var validity: Validity
    /// The subject's O attribute; nil leaves it out.
    public var organization: String?

    public init(keyBits: Int = 2048, digest: SignatureDigest = .sha256, validity: Validity = Validity(days: 825), organization: String? = "esprig") {
        self.keyBits = keyBits
        self.digest = digest
        self.validity = validity
        self.organization = organization
    }

    /// RSA-2048 + SHA-256: what OpenSSL 1.1+/3 (Debian's security level 2) and mosquitto accept.
    public static func modern(days: Int = 825) -> IssueOptions { IssueOptions(validity: Validity(days: days)) }

    /// RSA-1024 + SHA-1, like the SDK's own makefile.sh case a. Peers running OpenSSL 1.1+/3 at
    /// security level 2 reject it ("ee key too small", "ca md too weak").
    public static func legacy(days: Int = 825) -> IssueOptions { IssueOptions(keyBits: 1024, digest: .sha1, validity: Validity(days: days)) }

    /// The warning `--legacy` prints.
    public static let legacyWarning = "--legacy makes RSA-1024 keys and SHA-1 signatures: OpenSSL 1.1+/3 peers (mosquitto on current Linux, Python, curl) reject them at security level 2 with 'ee key too small' or 'ca md too weak'. Use it only for old firmware that cannot handle RSA-2048."
}

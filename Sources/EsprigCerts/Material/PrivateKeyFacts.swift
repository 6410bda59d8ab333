import Crypto
import SwiftASN1

/// What a private key file holds: its kind and size and enough public data to tell whether it
/// belongs to a certificate. Never holds on to the secret parts; never describes them.
public struct PrivateKeyFacts: Sendable {
    public enum Format: String, Sendable { case pkcs1 = "PKCS#1", pkcs8 = "PKCS#8", sec1 = "SEC1" }

    public let kind: KeyKind
    public let format: Format
    /// RSA: the modulus; EC: the uncompressed public point when it can be derived.
    let publicIdentity: [UInt8]?

    /// Reads PKCS#1 RSAPrivateKey, unencrypted PKCS#8 PrivateKeyInfo or SEC1 ECPrivateKey DER.
    public init(der: [UInt8], what: String = "the private key") throws(CertsError) {
        var fields = try DERNodes(der: der, what: what)
        guard try fields.next().identifier == .integer else {  // version; a certificate starts with a SEQUENCE
            throw CertsError(.unreadableMaterial, "\(what) is not a private key")
        }
        guard let second = fields.peek else { throw CertsError(.unreadableMaterial, "\(what) ends early") }
        if second.identifier == .integer {
            let modulus = try DERNodes.unsignedInteger(try fields.next(), what: "\(what)'s modulus")
            self.init(kind: .rsa(bits: bitLength(modulus)), format: .pkcs1, publicIdentity: modulus)
        } else if second.identifier == .octetString {
            let scalar = try DERNodes.decode(what) { Array(try ASN1OctetString(derEncoded: second).bytes) }
            _ = try fields.next()
            var curve: ASN1Node?
            if let tagged = fields.next(ifTagged: DERNodes.context(0)) {
                var wrapper = try DERNodes(tagged, what: what)
                curve = try wrapper.next()
            }
            let kind = KeyKind.from(algorithm: KeyKind.ecOID, parameter: curve, modulus: nil)
            self.init(kind: kind, format: .sec1, publicIdentity: PrivateKeyFacts.ecPoint(kind, scalar: scalar))
        } else {
            var algorithm = try DERNodes(try fields.next(), what: "\(what)'s algorithm")
            let oid = try DERNodes.oid(try algorithm.next(), what: "\(what)'s algorithm")
            let parameter = algorithm.peek
            let octets = try fields.next()
            let inner = try DERNodes.decode(what) { Array(try ASN1OctetString(derEncoded: octets).bytes) }
            switch oid {
            case KeyKind.rsaOID:
                let rsa = try PrivateKeyFacts(der: inner, what: what)
                self.init(kind: rsa.kind, format: .pkcs8, publicIdentity: rsa.publicIdentity)
            case KeyKind.ecOID:
                let kind = KeyKind.from(algorithm: oid, parameter: parameter, modulus: nil)
                var ec = try DERNodes(der: inner, what: what)
                _ = try ec.next()
                let scalarNode = try ec.next()
                let scalar = try DERNodes.decode(what) { Array(try ASN1OctetString(derEncoded: scalarNode).bytes) }
                self.init(kind: kind, format: .pkcs8, publicIdentity: PrivateKeyFacts.ecPoint(kind, scalar: scalar))
            default:
                self.init(kind: KeyKind.from(algorithm: oid, parameter: parameter, modulus: nil), format: .pkcs8, publicIdentity: nil)
            }
        }
    }

    private init(kind: KeyKind, format: Format, publicIdentity: [UInt8]?) {
        self.kind = kind
        self.format = format
        self.publicIdentity = publicIdentity
    }

    private static func ecPoint(_ kind: KeyKind, scalar: [UInt8]) -> [UInt8]? {
        switch kind {
        case .ec("P-256"): (try? P256.Signing.PrivateKey(rawRepresentation: scalar)).map { Array($0.publicKey.x963Representation) }
        case .ec("P-384"): (try? P384.Signing.PrivateKey(rawRepresentation: scalar)).map { Array($0.publicKey.x963Representation) }
        default: nil
        }
    }

    /// Whether this key is the private half of `publicKey`; nil when that cannot be told.
    public func matches(_ publicKey: PublicKeyInfo) -> Bool? {
        guard let publicIdentity else { return nil }
        switch (kind, publicKey.kind) {
        case (.rsa, .rsa): return publicKey.rsaModulus == publicIdentity
        case (.ec(let a), .ec(let b)): return a == b && publicKey.keyBits == publicIdentity
        default: return false
        }
    }
}

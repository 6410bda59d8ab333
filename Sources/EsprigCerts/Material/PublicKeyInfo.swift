import SwiftASN1

/// A key's algorithm and size, as a person reads it ("RSA 2048", "EC P-256").
public enum KeyKind: Sendable, Hashable, CustomStringConvertible {
    case rsa(bits: Int)
    case ec(curve: String)
    case ed25519
    case other(oid: String)

    public var description: String {
        switch self {
        case .rsa(let bits): "RSA \(bits)"
        case .ec(let curve): "EC \(curve)"
        case .ed25519: "Ed25519"
        case .other(let oid): "key algorithm \(oid)"
        }
    }

    public var isRSA: Bool { if case .rsa = self { true } else { false } }

    static let rsaOID = "1.2.840.113549.1.1.1"
    static let ecOID = "1.2.840.10045.2.1"
    static let ed25519OID = "1.3.101.112"
    static let curves = ["1.2.840.10045.3.1.7": "P-256", "1.3.132.0.34": "P-384", "1.3.132.0.35": "P-521", "1.3.132.0.10": "secp256k1"]

    static func from(algorithm: String, parameter: ASN1Node?, modulus: [UInt8]?) -> KeyKind {
        switch algorithm {
        case rsaOID: return .rsa(bits: bitLength(modulus ?? []))
        case ecOID:
            let curveOID = parameter.flatMap { try? ASN1ObjectIdentifier(derEncoded: $0).description }
            return .ec(curve: curveOID.map { curves[$0] ?? $0 } ?? "unknown curve")
        case ed25519OID: return .ed25519
        default: return .other(oid: algorithm)
        }
    }
}

/// A certificate's SubjectPublicKeyInfo: what it is and the bytes that identify it.
public struct PublicKeyInfo: Sendable, Hashable {
    public let kind: KeyKind
    /// The whole SubjectPublicKeyInfo DER.
    public let spkiDER: [UInt8]
    /// The subjectPublicKey BIT STRING contents (PKCS#1 RSAPublicKey for RSA, the point for EC).
    public let keyBits: [UInt8]
    /// RSA only: the modulus, without leading zeros.
    public let rsaModulus: [UInt8]?

    init(_ node: ASN1Node) throws(CertsError) {
        var fields = try DERNodes(node, what: "the certificate's public key")
        var algorithm = try DERNodes(try fields.next(), what: "the public key algorithm")
        let oid = try DERNodes.oid(try algorithm.next(), what: "the public key algorithm")
        let parameter = algorithm.peek
        let bitString = try fields.next()
        let bits = try DERNodes.decode("the public key bits") { Array(try ASN1BitString(derEncoded: bitString).bytes) }
        var modulus: [UInt8]?
        if oid == KeyKind.rsaOID {
            var rsa = try DERNodes(der: bits, what: "the RSA public key")
            modulus = try DERNodes.unsignedInteger(try rsa.next(), what: "the RSA modulus")
        }
        self.kind = KeyKind.from(algorithm: oid, parameter: parameter, modulus: modulus)
        self.spkiDER = Array(node.encodedBytes)
        self.keyBits = bits
        self.rsaModulus = modulus
    }
}

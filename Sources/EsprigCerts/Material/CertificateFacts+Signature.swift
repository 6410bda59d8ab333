import Crypto
import _CryptoExtras

extension CertificateFacts {
    /// Whether `issuer`'s key made this certificate's signature: nil when that cannot be checked
    /// here (an RSA key under 1024 bits, which swift-crypto will not load, or an unknown scheme).
    public func isSigned(by issuer: PublicKeyInfo) -> Bool? {
        switch (issuer.kind, signatureAlgorithm.scheme) {
        case (.rsa(let bits), .rsa) where bits >= 1024:
            guard let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: issuer.spkiDER) else { return nil }
            let signature = _RSA.Signing.RSASignature(rawRepresentation: self.signature)
            let padding = _RSA.Signing.Padding.insecurePKCS1v1_5
            switch signatureAlgorithm.digest {
            case .md5: return key.isValidSignature(signature, for: Insecure.MD5.hash(data: tbsDER), padding: padding)
            case .sha1: return key.isValidSignature(signature, for: Insecure.SHA1.hash(data: tbsDER), padding: padding)
            case .sha256: return key.isValidSignature(signature, for: SHA256.hash(data: tbsDER), padding: padding)
            case .sha384: return key.isValidSignature(signature, for: SHA384.hash(data: tbsDER), padding: padding)
            case .sha512: return key.isValidSignature(signature, for: SHA512.hash(data: tbsDER), padding: padding)
            case nil: return nil
            }
        case (.rsa, _):
            return signatureAlgorithm.scheme == nil ? nil : (signatureAlgorithm.scheme == .rsa ? nil : false)
        case (.ec(let curve), .ecdsa):
            return ecdsaValid(curve: curve, issuer: issuer)
        case (.ec, _):
            return signatureAlgorithm.scheme == nil ? nil : false
        default:
            return nil
        }
    }

    private func ecdsaValid(curve: String, issuer: PublicKeyInfo) -> Bool? {
        func check<Digest: Crypto.Digest>(_ digest: Digest) -> Bool? {
            switch curve {
            case "P-256":
                guard let key = try? P256.Signing.PublicKey(x963Representation: issuer.keyBits),
                      let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return nil }
                return key.isValidSignature(sig, for: digest)
            case "P-384":
                guard let key = try? P384.Signing.PublicKey(x963Representation: issuer.keyBits),
                      let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return nil }
                return key.isValidSignature(sig, for: digest)
            default: return nil
            }
        }
        switch signatureAlgorithm.digest {
        case .sha256: return check(SHA256.hash(data: tbsDER))
        case .sha384: return check(SHA384.hash(data: tbsDER))
        case .sha512: return check(SHA512.hash(data: tbsDER))
        default: return nil
        }
    }
}

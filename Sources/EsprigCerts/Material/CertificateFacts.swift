import Crypto
import Foundation
import SwiftASN1
import X509

/// What one X.509 certificate says, read field by field with swift-asn1 so that certificates
/// swift-certificates will not load (RSA keys under 2048 bits) can still be described and
/// checked. Extensions are decoded by swift-certificates' types.
public struct CertificateFacts: Sendable {
    public let der: [UInt8]
    /// The signed part, for checking the signature.
    public let tbsDER: [UInt8]
    public let version: Int
    public let serialNumber: [UInt8]
    public let signatureAlgorithm: SignatureAlgorithmInfo
    public let issuer: DistinguishedName
    public let subject: DistinguishedName
    let issuerDER: [UInt8]
    let subjectDER: [UInt8]
    public let notBefore: Date
    public let notAfter: Date
    public let publicKey: PublicKeyInfo
    public let extensions: Certificate.Extensions
    public let signature: [UInt8]

    public init(der: [UInt8], what: String = "the certificate") throws(CertsError) {
        var outer = try DERNodes(der: der, what: what)
        let tbsNode = try outer.next()
        var algorithm = try DERNodes(try outer.next(), what: "\(what)'s signature algorithm")
        let signatureNode = try outer.next()
        var tbs = try DERNodes(tbsNode, what: what)
        if let tagged = tbs.next(ifTagged: DERNodes.context(0)) {
            var wrapper = try DERNodes(tagged, what: "\(what)'s version")
            let node = try wrapper.next()
            version = try DERNodes.decode("\(what)'s version") { try Int(derEncoded: node) } + 1
        } else {
            version = 1
        }
        serialNumber = try DERNodes.unsignedInteger(try tbs.next(), what: "\(what)'s serial number")
        _ = try tbs.next()  // the inner signature algorithm repeats the outer one
        let issuerNode = try tbs.next()
        var validity = try DERNodes(try tbs.next(), what: "\(what)'s validity")
        notBefore = try CertificateFacts.date(try validity.next(), what: what)
        notAfter = try CertificateFacts.date(try validity.next(), what: what)
        let subjectNode = try tbs.next()
        publicKey = try PublicKeyInfo(try tbs.next())
        _ = tbs.next(ifTagged: DERNodes.context(1))
        _ = tbs.next(ifTagged: DERNodes.context(2))
        var extensionList: [Certificate.Extension] = []
        if let tagged = tbs.next(ifTagged: DERNodes.context(3)) {
            var wrapper = try DERNodes(tagged, what: "\(what)'s extensions")
            var list = try DERNodes(try wrapper.next(), what: "\(what)'s extensions")
            while !list.isAtEnd {
                let node = try list.next()
                extensionList.append(try DERNodes.decode("\(what)'s extensions") { try Certificate.Extension(derEncoded: node) })
            }
        }
        let parsedExtensions = extensionList
        extensions = try DERNodes.decode("\(what)'s extensions") { try Certificate.Extensions(parsedExtensions) }
        issuer = try DERNodes.decode("\(what)'s issuer") { try DistinguishedName(derEncoded: issuerNode) }
        subject = try DERNodes.decode("\(what)'s subject") { try DistinguishedName(derEncoded: subjectNode) }
        signatureAlgorithm = SignatureAlgorithmInfo(oid: try DERNodes.oid(try algorithm.next(), what: "\(what)'s signature algorithm"))
        signature = try DERNodes.decode("\(what)'s signature") { Array(try ASN1BitString(derEncoded: signatureNode).bytes) }
        self.der = der
        tbsDER = Array(tbsNode.encodedBytes)
        issuerDER = Array(issuerNode.encodedBytes)
        subjectDER = Array(subjectNode.encodedBytes)
    }

    private static func date(_ node: ASN1Node, what: String) throws(CertsError) -> Date {
        let parts: (Int, Int, Int, Int, Int, Int)
        if node.identifier == .utcTime {
            let t = try DERNodes.decode("\(what)'s validity") { try UTCTime(derEncoded: node) }
            parts = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        } else {
            let t = try DERNodes.decode("\(what)'s validity") { try GeneralizedTime(derEncoded: node) }
            parts = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: parts.0, month: parts.1, day: parts.2, hour: parts.3, minute: parts.4, second: parts.5)
        guard let date = calendar.date(from: components) else {
            throw CertsError(.unreadableMaterial, "\(what) has an impossible validity date")
        }
        return date
    }

    public var subjectCommonName: String? { CertificateFacts.commonName(subject) }
    public var issuerCommonName: String? { CertificateFacts.commonName(issuer) }
    /// Subject and issuer are the same name: a root (or a certificate OpenSSL will take for one).
    public var isSelfIssued: Bool { subjectDER == issuerDER }
    public var isCA: Bool {
        if case .isCertificateAuthority = (try? extensions.basicConstraints) ?? .notCertificateAuthority { return true }
        return false
    }

    /// SHA-256 of the DER, as `AB:CD:...` (what `openssl x509 -fingerprint -sha256` prints).
    public var sha256Fingerprint: String {
        SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    public var extendedKeyUsage: [ExtendedKeyUsage.Usage]? {
        (try? extensions.extendedKeyUsage).flatMap { $0 }.map { Array($0) }
    }

    public var subjectAlternativeNames: [GeneralName] {
        ((try? extensions.subjectAlternativeNames) ?? nil).map { Array($0) } ?? []
    }

    static func commonName(_ name: DistinguishedName) -> String? {
        for rdn in name.reversed() {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value) ?? attribute.value.description
            }
        }
        return nil
    }
}

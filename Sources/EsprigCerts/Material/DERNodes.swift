import SwiftASN1

/// A cursor over the children of a constructed DER node, for reading X.509 and key structures
/// field by field without the size limits swift-crypto puts on RSA keys (a 1024-bit or 512-bit
/// key must still be described, so doctor can say it is too small).
struct DERNodes {
    private var nodes: [ASN1Node]
    private var index = 0
    let what: String

    init(_ node: ASN1Node, what: String) throws(CertsError) {
        guard case .constructed(let children) = node.content else {
            throw CertsError(.unreadableMaterial, "\(what) is not a DER structure where one was expected")
        }
        self.nodes = Array(children)
        self.what = what
    }

    init(der: [UInt8], what: String) throws(CertsError) {
        let node: ASN1Node
        do { node = try DER.parse(der) } catch {
            throw CertsError(.unreadableMaterial, "\(what) is not valid DER", hint: "give the PEM or DER file itself")
        }
        try self.init(node, what: what)
    }

    var isAtEnd: Bool { index >= nodes.count }
    var peek: ASN1Node? { isAtEnd ? nil : nodes[index] }

    mutating func next() throws(CertsError) -> ASN1Node {
        guard index < nodes.count else { throw CertsError(.unreadableMaterial, "\(what) ends early") }
        defer { index += 1 }
        return nodes[index]
    }

    /// The next node if it has `identifier` (optional fields such as `[0] version`).
    mutating func next(ifTagged identifier: ASN1Identifier) -> ASN1Node? {
        guard let node = peek, node.identifier == identifier else { return nil }
        index += 1
        return node
    }

    static func context(_ number: UInt) -> ASN1Identifier { ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific) }

    /// Runs a swift-asn1 decoder, turning its error into a CertsError naming `what`.
    static func decode<T>(_ what: String, _ body: () throws -> T) throws(CertsError) -> T {
        do { return try body() } catch {
            throw CertsError(.unreadableMaterial, "\(what) could not be parsed (\(error))")
        }
    }

    /// The bytes of an INTEGER without sign-padding zeros.
    static func unsignedInteger(_ node: ASN1Node, what: String) throws(CertsError) -> [UInt8] {
        guard node.identifier == .integer, case .primitive(let bytes) = node.content else {
            throw CertsError(.unreadableMaterial, "\(what) holds something other than an INTEGER")
        }
        return Array(bytes.drop { $0 == 0 })
    }

    static func oid(_ node: ASN1Node, what: String) throws(CertsError) -> String {
        try decode(what) { try ASN1ObjectIdentifier(derEncoded: node).description }
    }
}

/// The bit length of a big-endian unsigned integer.
func bitLength(_ bytes: [UInt8]) -> Int {
    guard let first = bytes.first(where: { $0 != 0 }), let index = bytes.firstIndex(of: first) else { return 0 }
    return (bytes.count - index - 1) * 8 + (8 - first.leadingZeroBitCount)
}

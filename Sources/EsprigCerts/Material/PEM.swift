import Foundation

/// PEM armour: `-----BEGIN LABEL-----`, base64 in 64-column lines, `-----END LABEL-----`.
public enum PEM {
    public struct Block: Sendable, Hashable {
        public var label: String
        public var der: [UInt8]
        public init(label: String, der: [UInt8]) {
            self.label = label
            self.der = der
        }
    }

    public static func encode(_ der: [UInt8], label: String) -> String {
        let base64 = Data(der).base64EncodedString()
        var lines: [Substring] = []
        var rest = base64[...]
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    /// Whether the bytes look like PEM text (a BEGIN line somewhere), as opposed to DER.
    public static func isPEM(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes.prefix(64 * 1024), as: UTF8.self).contains("-----BEGIN ")
    }

    /// Every block, in file order. Text outside blocks (OpenSSL's "Bag Attributes") is skipped;
    /// a block whose body is not base64 or that never ends is an error naming `what`.
    public static func decode(_ bytes: [UInt8], what: String) throws(CertsError) -> [Block] {
        let text = String(decoding: bytes, as: UTF8.self)
        var blocks: [Block] = []
        var rest = text[...]
        while let begin = rest.range(of: "-----BEGIN ") {
            guard let labelEnd = rest[begin.upperBound...].range(of: "-----") else {
                throw CertsError(.unreadableMaterial, "\(what) has a PEM BEGIN line without its closing dashes")
            }
            let label = String(rest[begin.upperBound..<labelEnd.lowerBound])
            guard let end = rest[labelEnd.upperBound...].range(of: "-----END \(label)-----") else {
                throw CertsError(.unreadableMaterial, "\(what) has a PEM block '\(label)' that never ends",
                                 hint: "the file may be truncated; copy it again")
            }
            let body = rest[labelEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: String(body)), !data.isEmpty else {
                throw CertsError(.unreadableMaterial, "\(what) has a PEM block '\(label)' that is not valid base64")
            }
            blocks.append(Block(label: label, der: [UInt8](data)))
            rest = rest[end.upperBound...]
        }
        return blocks
    }
}

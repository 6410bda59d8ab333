import Foundation

/// A name a device dials: an IP address (v4 or v6) or a DNS name (a leading `*.` allowed).
public enum HostName: Sendable, Hashable, CustomStringConvertible {
    case ip([UInt8])
    case dns(String)

    public init(parsing text: String) throws(CertsError) {
        if let bytes = HostName.ipBytes(text) {
            self = .ip(bytes)
            return
        }
        let name = text.lowercased().hasSuffix(".") ? String(text.lowercased().dropLast()) : text.lowercased()
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !name.isEmpty && name.count <= 253 && labels.enumerated().allSatisfy { index, label in
            if index == 0 && label == "*" && labels.count > 2 { return true }
            return !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }
        }
        guard valid else {
            throw CertsError(.invalidRequest, "'\(text)' is neither an IP address nor a DNS name",
                             hint: "give the exact name or address the devices dial (MQTT_HOST), e.g. broker.local or 192.168.1.10")
        }
        self = .dns(name)
    }

    /// 4 bytes for IPv4, 16 for IPv6, nil for anything else.
    static func ipBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    public var description: String {
        switch self {
        case .dns(let name): return name
        case .ip(let bytes) where bytes.count == 4: return bytes.map(String.init).joined(separator: ".")
        case .ip(let bytes):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes.prefix(16)) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    public var isIP: Bool { if case .ip = self { true } else { false } }
}

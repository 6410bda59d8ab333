import Foundation
import EsprigCerts
import EsprigProtocol
import EsprigWorkflows

/// Text and JSON for certificates and keys. Keys show kind, size and format only.
enum CertsRendering {
    static func stamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func summary(_ facts: CertificateFacts) -> String {
        "certificate CN=\(facts.subjectCommonName ?? "none"), issuer CN=\(facts.issuerCommonName ?? "none"), \(facts.publicKey.kind), \(facts.signatureAlgorithm), "
            + "valid \(stamp(facts.notBefore)) to \(stamp(facts.notAfter)), SHA-256 \(facts.sha256Fingerprint)"
    }

    static func line(_ entry: SectorEntryDescription) -> String {
        let name = entry.name.padding(toLength: max(12, entry.name.count), withPad: " ", startingAt: 0)
        let head = String(format: "  0x%04x ", entry.offset) + name + String(format: " %5d bytes  ", entry.length)
        switch entry.content {
        case .certificate(let facts, let encoding): return head + summary(facts) + " (\(encoding.rawValue))"
        case .privateKey(let key, let encoding): return head + "private key \(key.kind) (\(key.format.rawValue), \(encoding.rawValue))"
        case .unknown(let reason): return head + "unreadable: \(reason)"
        }
    }

    static func json(_ entry: SectorEntryDescription) -> [String: Any] {
        var object: [String: Any] = ["name": entry.name, "offset": entry.offset, "length": entry.length]
        switch entry.content {
        case .certificate(let facts, let encoding):
            object["type"] = "certificate"
            object["encoding"] = encoding.rawValue
            object["subject"] = facts.subject.description
            object["issuer"] = facts.issuer.description
            object["commonName"] = facts.subjectCommonName ?? NSNull()
            object["notBefore"] = stamp(facts.notBefore)
            object["notAfter"] = stamp(facts.notAfter)
            object["sha256"] = facts.sha256Fingerprint
            object["serial"] = facts.serialNumber.map { String(format: "%02X", $0) }.joined()
            object["key"] = "\(facts.publicKey.kind)"
            object["signature"] = facts.signatureAlgorithm.description
        case .privateKey(let key, let encoding):
            object["type"] = "private-key"
            object["encoding"] = encoding.rawValue
            object["key"] = "\(key.kind)"
            object["format"] = key.format.rawValue
        case .unknown(let reason):
            object["type"] = "unknown"
            object["error"] = reason
        }
        return object
    }

    /// A doctor finding as three lines (what, symptom, fix); `flash` can print them the same way.
    static func lines(_ finding: Finding) -> [String] {
        ["\(finding.severity.rawValue) [\(finding.code)] \(finding.message)", "  symptom: \(finding.symptom)", "  fix: \(finding.fix)"]
    }
}

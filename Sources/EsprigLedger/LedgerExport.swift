import Foundation

/// Ledger contents as files for spreadsheets and scripts: one CSV row per attempt, or the
/// whole board records as JSON. Certificates appear as serial and fingerprint only.
public enum LedgerExport {
    public static let csvColumns = [
        "profile", "mac", "chip", "client_id", "allocated", "attempt", "station", "result", "started_at", "ended_at",
        "port", "port_usb_serial", "port_usb_path", "profile_hash", "firmware_hashes",
        "certificate_serial", "certificate_sha256", "failed_step", "error",
    ]

    public static func csv(_ boards: [BoardRecord]) -> String {
        var lines = [csvColumns.joined(separator: ",")]
        for board in boards {
            let allocated = board.allocated.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
            for attempt in board.attempts {
                let hashes = attempt.firmwareHashes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
                let failedStep = attempt.steps.last { $0.status != .passed }?.name
                let fields: [String?] = [
                    board.profile, board.mac, board.chip, board.clientID, allocated, String(attempt.id.rawValue),
                    attempt.station, attempt.result.rawValue, timestamp(attempt.startedAt), attempt.endedAt.map(timestamp),
                    attempt.port.path, attempt.port.usbSerial, attempt.port.usbPath, attempt.profileHash, hashes,
                    attempt.certificateSerial, attempt.certificateSHA256, failedStep, attempt.error,
                ]
                lines.append(fields.map { csvField($0 ?? "") }.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ boards: [BoardRecord]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return try encoder.encode(boards)
    }

    /// RFC 4180: quote fields holding a comma, quote or line break; double inner quotes.
    /// A leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

import Foundation
import EsprigLedger
import EsprigProtocol
import EsprigWorkflows

/// Renders ledger records for `esprig ledger list` and `show`.
enum LedgerListing {
    static func table(_ boards: [BoardRecord]) -> String {
        guard !boards.isEmpty else { return "no boards recorded\n" }
        let header = ["PROFILE", "MAC", "CHIP", "CLIENT ID", "RESULT", "ATTEMPTS", "LAST ERROR"]
        let rows = boards.map { board -> [String] in
            let last = board.attempts.last
            return [board.profile, board.mac, board.chip, board.clientID ?? "-", last.map(result) ?? "-",
                    String(board.attempts.count), last?.error ?? ""]
        }
        return pad([header] + rows)
    }

    static func detail(_ board: BoardRecord) -> String {
        var lines = ["board \(board.mac) (\(board.chip)) in profile \(board.profile)",
                     "  client id: \(board.clientID ?? "-")"]
        for (name, value) in board.allocated.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(name): \(value)")
        }
        for attempt in board.attempts {
            var port = attempt.port.path
            if let serial = attempt.port.usbSerial { port += " usb-serial:\(serial)" }
            if let path = attempt.port.usbPath { port += " usb-path:\(path)" }
            let station = attempt.station.isEmpty ? "" : " at station \(attempt.station)"
            lines.append("  attempt \(attempt.id.rawValue): \(result(attempt)) started \(LedgerExport.timestamp(attempt.startedAt))\(station) on \(port)")
            lines.append("    profile hash \(attempt.profileHash)")
            for (name, hash) in attempt.firmwareHashes.sorted(by: { $0.key < $1.key }) {
                lines.append("    image \(name) sha256 \(hash)")
            }
            if let serial = attempt.certificateSerial {
                lines.append("    certificate serial \(serial) sha256 \(attempt.certificateSHA256 ?? "-")")
            }
            for step in attempt.steps {
                let took = step.endedAt.map { String(format: " %.1fs", $0.timeIntervalSince(step.startedAt)) } ?? ""
                lines.append("    \(step.name): \(step.status.rawValue)\(took)" + (step.error.map { " - \($0)" } ?? ""))
            }
            if let error = attempt.error { lines.append("    error: \(error)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"ok": true, "command": ..., "boards": [...]}` on one line, like every --json result.
    static func writeJSON(_ boards: [BoardRecord], command: String) throws {
        let records = try JSONSerialization.jsonObject(with: try LedgerExport.json(boards))
        let object: [String: Any] = ["ok": true, "command": command, "boards": records]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// `running` in a finished run means the process died during it.
    private static func result(_ attempt: AttemptRecord) -> String {
        attempt.result == .running ? "running (interrupted?)" : attempt.result.rawValue
    }

    private static func pad(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { cells in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces
        }.joined(separator: "\n") + "\n"
    }
}

private extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

import Foundation

/// Plain lines for logs and CI: each prefixed with its port.
final class BenchLines: BenchSink, @unchecked Sendable {
    private let lock = NSLock()

    func line(_ port: String, _ text: String) {
        lock.withLock {
            print("[\(port)] \(text)")
            fflush(nil)
        }
    }

    func changed() {}
}

/// Nothing while running (--json prints the report at the end).
final class BenchQuiet: BenchSink, @unchecked Sendable {
    func line(_ port: String, _ text: String) {}
    func changed() {}
}

/// A table redrawn in place on a terminal: one row per port.
final class BenchTable: BenchSink, @unchecked Sendable {
    private let lock = NSLock()
    private var drawnLines = 0
    private var dirty = true

    func line(_ port: String, _ text: String) {}
    func changed() { lock.withLock { dirty = true } }

    /// Redraws when something changed since the last draw.
    func draw(_ rows: [BenchRowState], force: Bool = false) {
        lock.withLock {
            guard dirty || force else { return }
            dirty = false
            let width = Int(terminalWidth())
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
            let lines = Self.render(rows, width: width).map { String($0.prefix(max(20, width - 1))) }
            for line in lines { text += "\r\u{1B}[2K" + line + "\n" }
            drawnLines = lines.count
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// The port column gives way first on a narrow terminal, keeping 24 columns for the result.
    static func render(_ rows: [BenchRowState], width: Int) -> [String] {
        let room = max(12, width - (17 + 9 + 22 + 8) - 24)
        let portWidth = min(room, 48, max(4, rows.map { $0.port.count }.max() ?? 4))
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
        }
        var lines = [pad("PORT", portWidth) + "  " + pad("MAC", 17) + "  " + pad("STEP", 9) + "  " + pad("PROGRESS", 22) + "  RESULT"]
        for row in rows {
            let bar: String
            if let progress = row.progress {
                let filled = Int(progress * 12)
                bar = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: 12 - filled) + "] "
                    + String(format: "%3d%%", Int(progress * 100)) + " " + (row.detail ?? "")
            } else {
                bar = ""
            }
            let result: String
            switch row.phase {
            case .running, .waiting: result = row.phase == .waiting ? "waiting" : (row.message ?? "")
            case .passed, .skipped, .failed: result = row.message ?? row.phase.rawValue
            }
            let port = row.port.count > portWidth ? "…" + row.port.suffix(portWidth - 1) : row.port
            lines.append(pad(port, portWidth) + "  " + pad(row.mac ?? "-", 17) + "  " + pad(row.step ?? "-", 9) + "  " + pad(bar, 22) + "  " + result)
        }
        return lines
    }

    private func terminalWidth() -> UInt16 {
        var size = winsize()
        return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? size.ws_col : 120
    }
}

/// The summary and the --json report.
enum BenchReport {
    static func summary(_ results: [BenchBoardResult], seconds: Double) -> [String] {
        let passed = results.filter { $0.result == .passed }.count
        let skipped = results.filter { $0.result == .skipped }.count
        let failed = results.filter { $0.result == .failed }
        let unrecorded = results.filter { $0.result == .unrecorded }
        var lines = [String(format: "bench: %d board%@: %d passed, %d already provisioned, %d failed in %.1f s",
                            results.count, results.count == 1 ? "" : "s", passed, skipped, failed.count, seconds)]
        if !unrecorded.isEmpty {
            lines.append("  \(unrecorded.count) board\(unrecorded.count == 1 ? " was" : "s were") written but NOT recorded (not counted as passed): "
                         + unrecorded.map { $0.mac ?? $0.port }.joined(separator: ", "))
        }
        for board in failed + unrecorded {
            lines.append("  \(board.port)\(board.mac.map { " (\($0))" } ?? ""): failed at \(board.failedStep ?? "?"): \(board.error ?? "unknown error")")
            if let hint = board.hint { lines.append("    hint: \(hint)") }
        }
        if !failed.isEmpty || !unrecorded.isEmpty { lines.append("  rerun the same command to provision only the boards that did not pass") }
        return lines
    }

    static func json(_ results: [BenchBoardResult], profile: String, ledger: String, seconds: Double) -> [String: Any] {
        let boards: [[String: Any]] = results.map { board in
            var object: [String: Any] = ["port": board.port, "result": board.result.rawValue, "seconds": (board.seconds * 1000).rounded() / 1000]
            let optional: [String: String?] = [
                "mac": board.mac, "chip": board.chip, "clientID": board.clientID, "serial": board.serial,
                "certificateSerial": board.certificateSerial, "certificateSHA256": board.certificateSHA256,
                "failedStep": board.failedStep, "error": board.error, "hint": board.hint, "monitorLine": board.monitorLine,
            ]
            for (key, value) in optional { if let value { object[key] = value } }
            if let attempt = board.attempt { object["attempt"] = attempt }
            return object
        }
        let failed = results.filter { $0.result == .failed }.count
        let unrecorded = results.filter { $0.result == .unrecorded }.count
        return [
            "ok": failed == 0 && unrecorded == 0, "command": "bench", "profile": profile, "ledger": ledger, "boards": boards,
            "seconds": (seconds * 1000).rounded() / 1000,
            "summary": ["total": results.count, "passed": results.filter { $0.result == .passed }.count,
                        "skipped": results.filter { $0.result == .skipped }.count, "failed": failed, "unrecorded": unrecorded],
        ]
    }
}

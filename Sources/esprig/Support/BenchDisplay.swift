import Foundation
import EsprigProtocol
import EsprigWorkflows

/// What `bench` shows while it runs: a table redrawn in place on a terminal (one row per port),
/// plain `[port] text` lines for logs and CI, or nothing until the final JSON. The setup's steps
/// print as `flash --profile` prints them.
final class BenchDisplay: @unchecked Sendable {
    enum Style { case table, lines, quiet }
    let style: Style
    private let setup: WorkflowPrinter
    private let json: Bool
    private let lock = NSLock()
    /// Each port's last line: what the table's RESULT column shows while the board runs.
    private var messages: [String: String] = [:]
    private var lastRows: [BenchRowState] = []
    private var drawnLines = 0
    private var dirty = true

    init(style: Style, output: OutputOptions) {
        self.style = style
        setup = WorkflowPrinter(output: output)
        json = output.json
    }

    var observer: BenchObserver { { [self] event in handle(event) } }

    private func handle(_ event: BenchEvent) {
        switch event {
        case .setup(let step):
            setup.observer(step)
        case .watching:
            if !json { FileHandle.standardError.write(Data("bench: watching for boards (Ctrl-C ends)\n".utf8)) }
        case .boardStarted(let port):
            lock.withLock { messages[port] = nil; dirty = true }
        case .boardStep, .boardIdentified:
            lock.withLock { dirty = true }
        case .board(let port, let step):
            if let text = WorkflowText.benchLine(step) { line(port, text) } else { lock.withLock { dirty = true } }
        case .boardUnplugged(let port):
            line(port, "unplugged")
        case .boardFinished(let result):
            line(result.port, Self.finishText(result))
        }
    }

    private func line(_ port: String, _ text: String) {
        lock.withLock {
            messages[port] = text
            dirty = true
            if style == .lines {
                print("[\(port)] \(text)")
                fflush(nil)
            }
        }
    }

    static func finishText(_ result: BenchBoardResult) -> String {
        switch result.result {
        case .passed: return "passed in \(String(format: "%.1f", result.seconds)) s" + (result.clientID.map { " as \($0)" } ?? "")
        case .skipped: return result.error.map { "left alone: \($0)" } ?? "already provisioned (ledger)" + (result.clientID.map { " as \($0)" } ?? "")
        case .failed: return "FAILED at \(result.failedStep ?? "?"): \(result.error ?? "unknown error")"
        case .unrecorded: return "UNRECORDED \(result.mac ?? ""): \(result.error ?? "the ledger could not record it")"
        }
    }

    /// Redraws the table (terminal only) when something changed since the last draw; nil rows
    /// redraw the last ones.
    func draw(_ rows: [BenchRowState]?, force: Bool = false) {
        guard style == .table else { return }
        lock.withLock {
            if let rows { lastRows = rows }
            guard dirty || force else { return }
            dirty = false
            let width = Int(terminalWidth())
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
            let lines = Self.render(lastRows, messages: messages, width: width).map { String($0.prefix(max(20, width - 1))) }
            for line in lines { text += "\r\u{1B}[2K" + line + "\n" }
            drawnLines = lines.count
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// The port column gives way first on a narrow terminal, keeping 24 columns for the result.
    static func render(_ rows: [BenchRowState], messages: [String: String], width: Int) -> [String] {
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
            case .running, .waiting: result = row.phase == .waiting ? "waiting" : (messages[row.port] ?? "")
            case .passed, .skipped, .failed: result = messages[row.port] ?? row.phase.rawValue
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

/// The summary after a run.
enum BenchSummaryText {
    static func lines(_ summary: BenchWorkflow.Summary) -> [String] {
        let results = summary.boards
        let passed = results.filter { $0.result == .passed }.count
        let skipped = results.filter { $0.result == .skipped }.count
        let failed = results.filter { $0.result == .failed }
        let unrecorded = results.filter { $0.result == .unrecorded }
        var lines = [String(format: "bench: %d board%@: %d passed, %d already provisioned, %d failed in %.1f s",
                            results.count, results.count == 1 ? "" : "s", passed, skipped, failed.count, summary.seconds)]
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
}

/// `bench --json`: the summary with counts, times to the millisecond.
struct BenchJSON: Encodable {
    struct Counts: Encodable {
        var total, passed, skipped, failed, unrecorded: Int
    }
    var ok: Bool
    var command = "bench"
    var profile: String
    var ledger: String
    var boards: [BenchBoardResult]
    var seconds: Double
    var summary: Counts

    init(_ run: BenchWorkflow.Summary) {
        ok = run.ok
        profile = run.profile
        ledger = run.ledger
        boards = run.boards.map { board in
            var rounded = board
            rounded.seconds = (board.seconds * 1000).rounded() / 1000
            return rounded
        }
        seconds = (run.seconds * 1000).rounded() / 1000
        let count = { (result: BenchBoardResult.Result) in run.boards.filter { $0.result == result }.count }
        summary = Counts(total: run.boards.count, passed: count(.passed), skipped: count(.skipped), failed: count(.failed), unrecorded: count(.unrecorded))
    }
}

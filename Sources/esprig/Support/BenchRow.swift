import Foundation

/// What the display shows of one port: updated by the board's thread, read by the display.
struct BenchRowState: Sendable {
    enum Phase: String, Sendable { case waiting, running, passed, failed, skipped }
    var port: String
    var phase: Phase = .waiting
    var mac: String?
    var clientID: String?
    var step: String?
    /// 0...1 within the current region, while writing.
    var progress: Double?
    /// What the progress is of (the region's address).
    var detail: String?
    /// The last line the board's flow said, or the failure.
    var message: String?
}

/// Where rows report to: the live table, plain lines, or nothing until the final JSON.
protocol BenchSink: AnyObject, Sendable {
    func line(_ port: String, _ text: String)
    func changed()
}

/// One port's row. Written by one board thread at a time, read by the display thread.
final class BenchRow: @unchecked Sendable {
    private let lock = NSLock()
    private var state: BenchRowState
    private let sink: any BenchSink

    init(port: String, sink: any BenchSink) {
        state = BenchRowState(port: port)
        self.sink = sink
    }

    func snapshot() -> BenchRowState { lock.withLock { state } }

    func update(_ change: (inout BenchRowState) -> Void) {
        lock.withLock { change(&state) }
        sink.changed()
    }

    /// A clean start: a board plugged in again after a failure starts over.
    func begin() {
        update { $0 = BenchRowState(port: $0.port, phase: .running) }
    }

    func line(_ text: String) {
        update { $0.message = text }
        sink.line(snapshot().port, text)
    }

    func finish(_ result: BenchBoardResult) {
        let text: String
        switch result.result {
        case .passed: text = "passed in \(String(format: "%.1f", result.seconds)) s" + (result.clientID.map { " as \($0)" } ?? "")
        case .skipped: text = result.error.map { "left alone: \($0)" } ?? "already provisioned (ledger)" + (result.clientID.map { " as \($0)" } ?? "")
        case .failed: text = "FAILED at \(result.failedStep ?? "?"): \(result.error ?? "unknown error")"
        case .unrecorded: text = "UNRECORDED \(result.mac ?? ""): \(result.error ?? "the ledger could not record it")"
        }
        update {
            $0.phase = BenchRowState.Phase(rawValue: result.result.rawValue) ?? .failed
            $0.progress = nil
            $0.message = text
        }
        sink.line(result.port, text)
    }
}

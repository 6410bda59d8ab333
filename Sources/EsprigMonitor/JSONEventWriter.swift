import Foundation

/// `--json`: one JSON object per line for every line, crash, reset, note and disconnect
/// (partial-line fragments are not events), plus the final outcome.
public final class JSONEventWriter: MonitorSink {
    private let output: any TextOutput
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public init(output: any TextOutput) { self.output = output }

    struct Frame: Encodable {
        var role: String
        var address: String
        var function: String?
        var location: String?
        var inlinedBy: [String]?
    }

    struct Event: Encodable {
        var event: String
        var time: String?
        var elapsed: Double?
        var text: String?
        var rom: Bool?
        var kind: String?
        var cause: Int?
        var causeName: String?
        var meaning: String?
        var frames: [Frame]?
        var registers: [String: String]?
        var decodeNote: String?
        var resetCause: Int?
        var bootMode: [Int]?
        var downloadMode: Bool?
        var outcome: String?
        var exitCode: Int32?
    }

    public func handle(_ event: MonitorEvent) {
        switch event {
        case .fragment: return
        case .line(let line):
            emit(Event(event: "line", time: iso(line.wallTime), elapsed: seconds(line.elapsed), text: line.text, rom: line.fromBootROM ? true : nil))
        case .crash(let report, let elapsed, let wall):
            var e = Event(event: "crash", time: iso(wall), elapsed: seconds(elapsed))
            e.kind = report.kind.rawValue
            e.cause = report.cause
            e.causeName = report.causeName
            e.meaning = report.causeMeaning
            e.registers = report.registers.mapValues { "0x" + Hex.word($0) }
            e.frames = report.frames.map {
                Frame(role: $0.role, address: "0x" + Hex.word($0.address), function: $0.symbol?.function,
                      location: $0.symbol?.location, inlinedBy: $0.symbol.flatMap { $0.inlinedBy.isEmpty ? nil : $0.inlinedBy })
            }
            e.decodeNote = report.decodeNote
            emit(e)
        case .reset(let report, let elapsed, let wall):
            var e = Event(event: "reset", time: iso(wall), elapsed: seconds(elapsed), text: report.summary)
            e.resetCause = report.cause
            e.bootMode = [report.bootMode.strap, report.bootMode.detail]
            e.downloadMode = report.isDownloadMode
            emit(e)
        case .note(let text, let elapsed, let wall):
            emit(Event(event: "note", time: iso(wall), elapsed: seconds(elapsed), text: text))
        case .disconnected(let text, let elapsed, let wall):
            emit(Event(event: "disconnect", time: iso(wall), elapsed: seconds(elapsed), text: text))
        case .reconnected(let text, let elapsed, let wall):
            emit(Event(event: "reconnect", time: iso(wall), elapsed: seconds(elapsed), text: text))
        }
    }

    /// The last event: how the run ended.
    public func finish(_ outcome: MonitorOutcome) {
        var e = Event(event: "end", text: outcome.matchedLine)
        e.outcome = outcome.reason.rawValue
        e.exitCode = outcome.exitCode
        emit(e)
    }

    private func emit(_ event: Event) {
        guard let data = try? encoder.encode(event) else { return }
        output.write(String(decoding: data, as: UTF8.self) + "\n")
    }

    private func iso(_ date: Date) -> String { TimestampStyle.isoFormatter.string(from: date) }

    private func seconds(_ d: Duration) -> Double {
        ((Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000).rounded() / 1000
    }
}

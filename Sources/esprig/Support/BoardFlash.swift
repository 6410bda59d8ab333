import Foundation
import EsprigLoader
import EsprigProtocol

/// Steps 6–9 of `flash` on one board: connect, add the regions that depend on the board itself
/// (its own certificate, made once its MAC is known), write what changed (each region checked
/// by MD5), reset. `flash` runs it once, `bench` once per port.
struct BoardFlash {
    let portName: String
    let options: SessionOptions
    let after: AfterAction
    /// False when the caller resets the board itself afterwards (the monitor does).
    var announceReset = true
    let reporter: any BoardReporting
    /// How each step runs: plainly for `flash`; `bench` also records it in the ledger.
    var steps: any BoardStepRunning = PlainSteps()

    struct Outcome {
        var info: ChipInfo
        var isStub: Bool
        var writes: [FlashWrite]
        var results: [FlashRegion: RegionResult]
        /// Still open, so the monitor can read the board's first words after the reset; the
        /// caller closes it (which saves a simulated board's state).
        var opened: OpenedPort

        /// "N regions NOT verified (addresses: reason; ...)", one reason once; nil when all were checked.
        var unverifiedSummary: String? { Self.unverifiedSummary(writes, results) }

        static func unverifiedSummary(_ writes: [FlashWrite], _ results: [FlashRegion: RegionResult]) -> String? {
            var reasons: [(why: String, addresses: [String])] = []
            for write in writes {
                guard case .unverified(let why) = results[write.region] else { continue }
                if let index = reasons.firstIndex(where: { $0.why == why }) {
                    reasons[index].addresses.append(hexAddress(write.region.address))
                } else {
                    reasons.append((why, [hexAddress(write.region.address)]))
                }
            }
            let count = reasons.reduce(0) { $0 + $1.addresses.count }
            guard count > 0 else { return nil }
            return "\(count) region\(count == 1 ? "" : "s") NOT verified ("
                + reasons.map { "\($0.addresses.joined(separator: ", ")): \($0.why)" }.joined(separator: "; ") + ")"
        }

        var json: [String: Any] {
            [
                "chip": info.chip.rawValue, "mac": info.macString, "stub": isStub,
                "regions": writes.map { write -> [String: Any] in
                    let state: String
                    switch results[write.region] {
                    case .verified: state = "verified"
                    case .skipped: state = "skipped"
                    case .unverified: state = "unverified"
                    case nil: state = "unknown"
                    }
                    return ["address": write.region.address, "size": write.region.size, "source": write.region.source, "result": state]
                },
            ]
        }
    }

    /// `boardWrites` gets the connected chip and returns extra regions for this board; together
    /// with `planned` they are checked again (alignment, overlaps, flash size) before writing.
    func run(planned: [FlashWrite], flashSize: Int?,
             boardWrites: (ChipInfo) throws -> [FlashWrite] = { _ in [] }) throws -> Outcome {
        let opened = try steps.run("connect", status: ExitStatus.usage) { try PortFactory.open(portName, baud: min(options.baud, options.romBaud)) }
        var handedOver = false
        defer { if !handedOver { try? opened.close() } }
        let session = try steps.run("connect", status: ExitStatus.device) {
            try FlashSession(port: opened.port, options: options, stubSource: options.useStub ? EsptoolStubSource.locate() : nil, events: { [reporter] in reporter.handle($0) })
        }
        reporter.say("connect: \(session.info.chip.rawValue) on \(portName), MAC \(session.info.macString)\(session.connection.isStub ? ", stub" : "")")

        let extra = try steps.run("identity", status: ExitStatus.usage) { try boardWrites(session.info) }
        let writes = extra.isEmpty ? planned : try steps.run("plan", status: ExitStatus.usage) { try WritePlanning.plan(planned + extra, flashSize: flashSize) }

        // Each region is checked by MD5 as it is written (step 8, verify).
        let results = try steps.run("write", status: ExitStatus.device) { try session.writeFlash(writes, options: FlashOptions()) }
        let skipped = writes.filter { results[$0.region] == .skipped }.count
        let verified = writes.filter { results[$0.region] == .verified }.count
        reporter.say("write: \(writes.count - skipped) written, \(skipped) skipped (already on the board)")
        if let unverified = Outcome.unverifiedSummary(writes, results) {
            reporter.say("verify: \(unverified)")
        } else {
            reporter.say("verify: \(verified) written region\(verified == 1 ? "" : "s") verified by MD5, \(skipped) unchanged")
        }

        try steps.run("reset", status: ExitStatus.device) { try session.finish(after) }
        if announceReset { reporter.say("reset: \(after.rawValue)") }
        handedOver = true
        return Outcome(info: session.info, isStub: session.connection.isStub, writes: writes, results: results, opened: opened)
    }
}

/// Where BoardFlash reports: the command's Reporter for `flash`, one board's row for `bench`.
protocol BoardReporting {
    func say(_ text: String)
    func handle(_ event: FlashEvent)
}

extension Reporter: BoardReporting {}

/// Runs one named step of BoardFlash; errors become a FlashStepFailure naming the step.
protocol BoardStepRunning {
    func run<T>(_ name: String, status: Int32, _ body: () throws -> T) throws -> T
}

struct PlainSteps: BoardStepRunning {
    func run<T>(_ name: String, status: Int32, _ body: () throws -> T) throws -> T {
        try runStep(name, status: status, body)
    }
}

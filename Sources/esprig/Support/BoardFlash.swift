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
    let reporter: Reporter

    struct Outcome {
        var info: ChipInfo
        var isStub: Bool
        var writes: [FlashWrite]
        var results: [FlashRegion: RegionResult]
        /// Still open, so the monitor can read the board's first words after the reset; the
        /// caller closes it (which saves a simulated board's state).
        var opened: OpenedPort

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
        let opened = try runStep("connect", status: ExitStatus.usage) { try PortFactory.open(portName, baud: min(options.baud, options.romBaud)) }
        var handedOver = false
        defer { if !handedOver { try? opened.close() } }
        let session = try runStep("connect") {
            try FlashSession(port: opened.port, options: options, stubSource: options.useStub ? EsptoolStubSource.locate() : nil, events: reporter.handle)
        }
        reporter.say("connect: \(session.info.chip.rawValue) on \(portName), MAC \(session.info.macString)\(session.connection.isStub ? ", stub" : "")")

        let extra = try runStep("identity", status: ExitStatus.usage) { try boardWrites(session.info) }
        let writes = extra.isEmpty ? planned : try runStep("plan", status: ExitStatus.usage) { try WritePlanning.plan(planned + extra, flashSize: flashSize) }

        // Each region is checked by MD5 as it is written (step 8, verify).
        let results = try runStep("write") { try session.writeFlash(writes, options: FlashOptions()) }
        let skipped = writes.filter { results[$0.region] == .skipped }.count
        let verified = writes.filter { results[$0.region] == .verified }.count
        let unverified = writes.compactMap { write -> String? in
            if case .unverified(let why) = results[write.region] { return "\(hexAddress(write.region.address)): \(why)" }
            return nil
        }
        reporter.say("write: \(writes.count - skipped) written, \(skipped) skipped (already on the board)")
        if unverified.isEmpty {
            reporter.say("verify: \(verified) written region\(verified == 1 ? "" : "s") verified by MD5, \(skipped) unchanged")
        } else {
            reporter.say("verify: \(unverified.count) region\(unverified.count == 1 ? "" : "s") NOT verified (\(unverified.joined(separator: "; ")))")
        }

        try runStep("reset") { try session.finish(after) }
        if announceReset { reporter.say("reset: \(after.rawValue)") }
        handedOver = true
        return Outcome(info: session.info, isStub: session.connection.isStub, writes: writes, results: results, opened: opened)
    }
}

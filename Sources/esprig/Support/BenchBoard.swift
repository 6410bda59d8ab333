import Foundation
import EsprigLedger
import EsprigLoader
import EsprigProfiles

/// What every board of one bench run shares: the firmware planned once, the identity maker,
/// the ledger, and how to connect.
struct BenchContext: Sendable {
    var profile: ResolvedProfile
    var profileName: String
    var profileHash: String
    /// The profile's regions, without the client-cert sector each board gets its own of.
    var planned: [FlashWrite]
    var flashSize: Int?
    /// Image name → SHA-256 of the bytes planned.
    var firmwareHashes: [String: String]
    var identity: BenchIdentity
    var ledger: any Ledger
    /// This bench's name, recorded on every attempt.
    var station: String
    var options: SessionOptions
    var after: AfterAction
    /// Provision a board again even when its latest attempt passed.
    var reprovision: Bool
    /// Watch each board after the write until the profile's [monitor] success (the monitor resets it).
    var monitoring: Bool
}

/// One board's result, for the summary and --json.
struct BenchBoardResult: Sendable {
    /// `unrecorded`: the board was written, but the ledger could not record it; never passed.
    enum Result: String, Sendable { case passed, failed, skipped, unrecorded }
    var port: String
    var result: Result
    var mac: String?
    var chip: String?
    var clientID: String?
    var serial: String?
    var certificateSerial: String?
    var certificateSHA256: String?
    /// The step that failed, and why.
    var failedStep: String?
    var error: String?
    var hint: String?
    var seconds: Double
    var attempt: Int64?
    /// The line that matched [monitor] success.
    var monitorLine: String?
}

/// Provisions the board on one port: connect, identity (client id, certificate), write,
/// verify, reset; every step recorded in the ledger once the board's MAC is known.
struct BenchBoardJob {
    let port: BenchPort
    let context: BenchContext
    let row: BenchRow

    func run() -> BenchBoardResult {
        let started = ContinuousClock.now
        var result = BenchBoardResult(port: port.name, result: .failed, seconds: 0)
        let steps = RecordingSteps(row: row)
        var alreadyPassed = false
        // Open after BoardFlash until the close step; closed here when a step between fails.
        var handedOver: OpenedPort?
        row.begin()
        do {
            // The monitor resets the board itself (at the ROM's baud, so its banner is readable).
            let board = BoardFlash(portName: port.name, options: context.options, after: context.monitoring ? .noReset : context.after,
                                   announceReset: !context.monitoring, reporter: RowReporter(row: row), steps: steps)
            let outcome = try board.run(planned: context.planned, flashSize: context.flashSize) { info in
                result.mac = info.macString
                result.chip = info.chip.rawValue
                row.update { $0.mac = info.macString }
                return try identityWrites(info, steps: steps, result: &result, alreadyPassed: &alreadyPassed)
            }
            handedOver = outcome.opened
            // On the bench a region that could not be checked is a failure, not a warning.
            try steps.run("verify", status: ExitStatus.device) {
                if let unverified = outcome.unverifiedSummary {
                    throw CLIFailure(code: "unverified", message: unverified,
                                     hint: "the bench needs the flasher stub to check each region by MD5: install esptool (pip) or set ESPRIG_STUB_DIR, and do not pass --no-stub",
                                     status: ExitStatus.device)
                }
            }
            if context.monitoring {
                let step = FlashMonitorStep(profile: context.profile, echo: false)
                row.line(step.startLine)
                let watched = try steps.run("monitor", status: ExitStatus.device) { try step.run(outcome.opened) }
                result.monitorLine = watched.outcome.matchedLine
                row.line(watched.summary)
            }
            handedOver = nil
            try steps.run("close", status: ExitStatus.device) { try outcome.opened.close() }
            guard let recorder = steps.recorder else { throw CLIFailure(code: "ledger", message: "the attempt was never opened", status: ExitStatus.device) }
            try recorder.finish()
            result.result = .passed
        } catch {
            try? handedOver?.close()
            if alreadyPassed {
                result.result = .skipped
                restartSkipped()
            } else if steps.wrote, let unrecorded = (error as? LedgerError) ?? steps.ledgerFailure {
                // The board holds its new identity, but the ledger does not say so: it must not count as passed.
                result.result = .unrecorded
                result.failedStep = "ledger"
                result.error = "board \(result.mac ?? port.name) was written but the ledger could not record it: \(unrecorded.message)"
                result.hint = "it is not counted as passed; rerun once the ledger is reachable and the board is provisioned again with the same client id"
                try? steps.recorder?.abandon("unrecorded: \(unrecorded.message)")
            } else {
                let failure = (error as? FlashStepFailure) ?? FlashStepFailure(step: row.snapshot().step ?? "bench", failure: CLIFailure(error))
                result.failedStep = failure.step
                result.error = failure.failure.message
                result.hint = failure.failure.hint
                // A failure between steps (or one the ledger could not record) still ends the attempt.
                try? steps.recorder?.abandon("\(failure.step): \(failure.failure.message)")
            }
        }
        result.attempt = steps.recorder?.attempt.rawValue
        result.seconds = seconds(since: started)
        row.finish(result)
        return result
    }

    /// A board left alone still sat in its loader after the connect: pulse EN so it runs its app.
    private func restartSkipped() {
        guard context.after == .hardReset, let opened = try? PortFactory.open(port.name, baud: context.options.romBaud) else { return }
        defer { try? opened.close() }
        try? opened.port.setLines(dtr: false, rts: true)
        Thread.sleep(forTimeInterval: 0.1)
        try? opened.port.setLines(dtr: nil, rts: false)
    }

    /// Claims the board in the ledger (its MAC is now known): left alone when it passed or
    /// another station is on it, else its attempt is opened and it gets its own certificate.
    private func identityWrites(_ info: ChipInfo, steps: RecordingSteps, result: inout BenchBoardResult, alreadyPassed: inout Bool) throws -> [FlashWrite] {
        let clientID = try context.identity.clientID(for: info)
        result.clientID = clientID
        row.update { $0.clientID = clientID }
        let start = AttemptStart(profile: context.profileName, profileHash: context.profileHash, mac: info.macString,
                                 chip: info.chip.rawValue, clientID: clientID, port: port.identity,
                                 firmwareHashes: context.firmwareHashes, station: context.station)
        let recorder: AttemptRecorder
        switch try context.ledger.claim(start, reprovision: context.reprovision) {
        case .began(let attempt):
            recorder = AttemptRecorder(ledger: context.ledger, attempt: attempt)
        case .passed(let recorded):
            alreadyPassed = true
            result.clientID = recorded
            throw BenchSkip()
        case .busy(let station, let attempt):
            alreadyPassed = true
            result.error = "being provisioned by station \(station) (attempt \(attempt.rawValue))"
            throw BenchSkip()
        }
        steps.recorder = recorder
        // The connection came first: the MAC, which keys the record, is only known once connected.
        try steps.recorded("connect", status: ExitStatus.device) {}
        return try steps.recorded("identity", status: ExitStatus.usage) {
            if let serial = context.identity.serial {
                let allocation = try context.ledger.allocate(counter: BenchIdentity.SerialTemplate.counter, profile: context.profileName,
                                                             mac: info.macString, start: serial.start, render: { serial.render($0) })
                result.serial = allocation.value
            }
            let issued = try context.identity.issue(commonName: clientID ?? info.macString)
            try recorder.recordCertificate(serial: issued.serialHex, sha256: issued.sha256)
            result.certificateSerial = issued.serialHex
            result.certificateSHA256 = issued.sha256
            return [issued.write]
        }
    }
}

/// Thrown inside BoardFlash to stop at a board the ledger already holds as passed.
private struct BenchSkip: Error {}

/// Runs BoardFlash's steps, showing each on the board's row and, once the attempt is open,
/// recording it: `started` before, `passed`/`failed` (with the message) after.
final class RecordingSteps: BoardStepRunning {
    let row: BenchRow
    var recorder: AttemptRecorder?
    /// The write step's work finished: the board holds what this attempt wrote.
    private(set) var wrote = false
    /// The ledger refused or failed to record a step (not a step's own failure).
    private(set) var ledgerFailure: LedgerError?

    init(row: BenchRow) { self.row = row }

    func run<T>(_ name: String, status: Int32, _ body: () throws -> T) throws -> T {
        row.update { $0.step = name; $0.progress = nil }
        guard recorder != nil else { return try runStep(name, status: status, body) }
        return try recorded(name, status: status, body)
    }

    func recorded<T>(_ name: String, status: Int32, _ body: () throws -> T) throws -> T {
        guard let recorder else { return try runStep(name, status: status, body) }
        row.update { $0.step = name; $0.progress = nil }
        return try runStep(name, status: status) {
            do {
                return try recorder.step(name) {
                    let value = try runStep(name, status: status, body)
                    if name == "write" { wrote = true }
                    return value
                }
            } catch let error as LedgerError {
                // The body's own failures arrive as FlashStepFailure: a LedgerError is the record's.
                ledgerFailure = error
                throw error
            }
        }
    }
}

/// The ledger records a failed step as "step: message".
extension FlashStepFailure: CustomStringConvertible {
    var description: String { failure.message }
}

/// BoardFlash's lines and progress, onto one board's row.
struct RowReporter: BoardReporting {
    let row: BenchRow

    func say(_ text: String) { row.line(text) }

    func handle(_ event: FlashEvent) {
        switch event {
        case .bytesWritten(let region, let done, let total) where total > 0:
            row.update { $0.progress = Double(done) / Double(total); $0.detail = hexAddress(region.address) }
        case .regionRetry(let region, let attempt, let reason):
            row.line("retrying \(hexAddress(region.address)) (attempt \(attempt)): \(reason)")
        case .regionUnverified(let region, let reason):
            row.line("\(hexAddress(region.address)) was written but NOT verified: \(reason)")
        case .warning(let text):
            row.line("warning: \(text)")
        default:
            break
        }
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = (ContinuousClock.now - start).components
    return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
}

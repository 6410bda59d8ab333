import Foundation
import EsprigCore
import EsprigLedger
import EsprigLoader
import EsprigProfiles
import EsprigProtocol

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
    var opener: BoardOpener
}

/// One board's result, for the summary and `--json`.
public struct BenchBoardResult: Sendable, Codable {
    /// `unrecorded`: the board was written, but the ledger could not record it; never passed.
    public enum Result: String, Sendable, Codable { case passed, failed, skipped, unrecorded }
    public var port: String
    public var result: Result
    public var mac: String?
    public var chip: String?
    public var clientID: String?
    public var serial: String?
    public var certificateSerial: String?
    public var certificateSHA256: String?
    /// The step that failed, and why.
    public var failedStep: String?
    public var error: String?
    public var hint: String?
    public var seconds: Double
    public var attempt: Int64?
    /// The line that matched [monitor] success.
    public var monitorLine: String?
}

/// Provisions the board on one port: connect, identity (client id, certificate), write,
/// verify, reset; every step recorded in the ledger once the board's MAC is known.
struct BenchBoardJob {
    let port: BenchPort
    let context: BenchContext
    let observer: BenchObserver

    func run() -> BenchBoardResult {
        let started = ContinuousClock.now
        var result = BenchBoardResult(port: port.name, result: .failed, seconds: 0)
        let steps = RecordingSteps(port: port.name, observer: observer)
        var alreadyPassed = false
        // Open after BoardFlash until the close step; closed here when a step between fails.
        var handedOver: OpenedPort?
        observer(.boardStarted(port: port.name))
        let portName = port.name, observer = self.observer
        let boardObserver: WorkflowObserver = { observer(.board(port: portName, $0)) }
        do {
            // The monitor resets the board itself (at the ROM's baud, so its banner is readable).
            var board = BoardFlash(portName: port.name, options: context.options, after: context.monitoring ? .noReset : context.after,
                                   announceReset: !context.monitoring, observer: boardObserver, opener: context.opener)
            board.steps = steps
            let outcome = try board.run(planned: context.planned, flashSize: context.flashSize) { info in
                result.mac = info.macString
                result.chip = info.chip.rawValue
                return try identityWrites(info, steps: steps, result: &result, alreadyPassed: &alreadyPassed)
            }
            handedOver = outcome.opened
            // On the bench a region that could not be checked is a failure, not a warning.
            try steps.run("verify", kind: .device) {
                if let unverified = outcome.unverifiedSummary {
                    throw WorkflowError(.unverified, unverified,
                                        hint: "the bench needs the flasher stub to check each region by MD5: install esptool (pip) or set ESPRIG_STUB_DIR, and do not pass --no-stub")
                }
            }
            if context.monitoring {
                let step = MonitorStep(profile: context.profile, observer: boardObserver)
                boardObserver(step.startEvent)
                let watched = try steps.run("monitor", kind: .device) { try step.run(outcome.opened) }
                result.monitorLine = watched.outcome.matchedLine
                boardObserver(.monitorMatched(line: watched.outcome.matchedLine ?? "", seconds: watched.seconds))
            }
            handedOver = nil
            try steps.run("close", kind: .device) { try outcome.opened.close() }
            guard let recorder = steps.recorder else { throw WorkflowError(.ledger, "the attempt was never opened") }
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
                let failure = (error as? StepFailure) ?? StepFailure(step: steps.current ?? "bench", error: (error as? any EsprigFailure) ?? ForeignFailure(underlying: error), stepKind: .device)
                result.failedStep = failure.step
                result.error = failure.error.displayMessage
                result.hint = failure.hint
                // A failure between steps (or one the ledger could not record) still ends the attempt.
                try? steps.recorder?.abandon("\(failure.step): \(failure.error.displayMessage)")
            }
        }
        result.attempt = steps.recorder?.attempt.rawValue
        result.seconds = seconds(since: started)
        return result
    }

    /// A board left alone still sat in its loader after the connect: pulse EN so it runs its app.
    private func restartSkipped() {
        guard context.after == .hardReset, let opened = try? context.opener.open(port.name, baud: context.options.romBaud) else { return }
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
        observer(.boardIdentified(port: port.name, mac: info.macString, clientID: clientID))
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
        try steps.recorded("connect", kind: .device) {}
        return try steps.recorded("identity", kind: .input) {
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

/// Runs BoardFlash's steps, reporting each and, once the attempt is open, recording it:
/// `started` before, `passed`/`failed` (with the message) after.
final class RecordingSteps: BoardStepRunning {
    let port: String
    let observer: BenchObserver
    var recorder: AttemptRecorder?
    /// The step running now (or that failed last).
    private(set) var current: String?
    /// The write step's work finished: the board holds what this attempt wrote.
    private(set) var wrote = false
    /// The ledger refused or failed to record a step (not a step's own failure).
    private(set) var ledgerFailure: LedgerError?

    init(port: String, observer: @escaping BenchObserver) {
        self.port = port
        self.observer = observer
    }

    func run<T>(_ name: String, kind: FailureKind, _ body: () throws -> T) throws -> T {
        guard recorder != nil else {
            begin(name)
            return try runStep(name, kind: kind, body)
        }
        return try recorded(name, kind: kind, body)
    }

    func recorded<T>(_ name: String, kind: FailureKind, _ body: () throws -> T) throws -> T {
        begin(name)
        guard let recorder else { return try runStep(name, kind: kind, body) }
        return try runStep(name, kind: kind) {
            do {
                return try recorder.step(name) {
                    let value = try runStep(name, kind: kind, body)
                    if name == "write" { wrote = true }
                    return value
                }
            } catch let error as LedgerError {
                // The body's own failures arrive as StepFailure: a LedgerError is the record's.
                ledgerFailure = error
                throw error
            }
        }
    }

    private func begin(_ name: String) {
        current = name
        observer(.boardStep(port: port, step: name))
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = (ContinuousClock.now - start).components
    return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
}

import Foundation
import EsprigLoader
import EsprigMonitor
import EsprigProfiles
import EsprigSystem

/// The last step of `flash` (and of each board in `bench`): reset the board into its app and
/// read its serial output until the profile's success pattern, its fail pattern or its timeout.
/// Every monitor event reaches the observer as `.monitor(event)`.
public struct MonitorStep {
    public let profile: ResolvedProfile
    public let observer: WorkflowObserver

    /// Watches with the profile's `[monitor]` settings (baud, success, fail, timeout).
    public init(profile: ResolvedProfile, observer: @escaping WorkflowObserver) {
        self.profile = profile
        self.observer = observer
    }

    /// Whether to watch the board: only with a success pattern to wait for, and only when the
    /// board is to be reset into its app (the monitor does that reset).
    public static func applies(to profile: ResolvedProfile, after: AfterAction, noMonitor: Bool) -> Bool {
        !noMonitor && after == .hardReset && profile.monitor.success != nil
    }

    /// The event before the watch starts.
    public var startEvent: WorkflowEvent {
        .monitorStarted(timeout: profile.monitor.timeout, pattern: profile.monitor.success ?? "", baud: profile.monitor.baud)
    }

    /// What the watch saw, and how long it took (tenths of a second).
    public struct Result: Sendable {
        public var outcome: MonitorOutcome
        public var seconds: Double

        var report: FlashReport.Monitor {
            .init(result: outcome.reason.rawValue, seconds: seconds, lines: outcome.lines, line: outcome.matchedLine)
        }
    }

    /// Resets the board through `opened` (still open after writing) and watches it. A failure or
    /// timeout is an error naming what was (not) seen; the lines read are in its message.
    public func run(_ opened: OpenedPort) throws -> Result {
        let monitor = profile.monitor
        var settings = MonitorSettings(chip: profile.chip, appBaud: monitor.baud)
        settings.reconnect = false
        if let elf = profile.firmware?.artifact(named: "elf"), FileManager.default.fileExists(atPath: elf) {
            settings.resolver = Addr2LineResolver(chip: profile.chip, elf: elf, runner: SubprocessRunner(baseEnvironment: ProcessInfo.processInfo.environment))
        }
        let success = try runStep("monitor", kind: .input) { try monitor.success.map(LinePattern.init) }
        let fail = try runStep("monitor", kind: .input) { try monitor.fail.map(LinePattern.init) }
        let session = MonitorSession(port: opened.port, settings: settings)
        session.resetBoard()
        let started = ContinuousClock.now
        let outcome = session.run(until: success, failOn: fail, timeout: .milliseconds(Int64(monitor.timeout * 1000)), sink: ObserverSink(observer: observer))
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let result = Result(outcome: outcome, seconds: (seconds * 10).rounded() / 10)
        let at = { (key: String) in profile.location(of: key).map { " (\($0))" } ?? "" }
        func failure(_ code: WorkflowError.Code, _ message: String, _ hint: String) -> StepFailure {
            StepFailure(step: "monitor", error: WorkflowError(code, message, hint: hint), stepKind: .device)
        }
        switch outcome.reason {
        case .matched, .stopped:
            return result
        case .failed:
            throw failure(.monitorFailed, "the board printed \"\(outcome.matchedLine ?? "")\", which matches [monitor] fail /\(monitor.fail ?? "")/\(at("monitor.fail"))",
                          "the board was flashed; watch it with esprig monitor --profile \(profile.name) to see what goes wrong")
        case .timedOut:
            let last = outcome.lines.suffix(3).map { "\"\($0)\"" }.joined(separator: ", ")
            throw failure(.monitorTimeout, "no line matched [monitor] success /\(monitor.success ?? "")/ within \(monitor.timeout) s\(at("monitor.timeout"))"
                            + (outcome.lines.isEmpty ? "; the board printed nothing at \(monitor.baud) baud" : "; last lines: \(last)"),
                          "the board was flashed; check [monitor] baud and success, or watch it with esprig monitor --profile \(profile.name)")
        case .disconnected:
            throw failure(.monitorDisconnected, "the port went away while waiting for /\(monitor.success ?? "")/",
                          "the board was flashed; check the cable, then esprig monitor --profile \(profile.name)")
        }
    }

    /// Hands the session's events to the workflow's observer.
    private final class ObserverSink: MonitorSink {
        let observer: WorkflowObserver
        init(observer: @escaping WorkflowObserver) { self.observer = observer }
        func handle(_ event: MonitorEvent) { observer(.monitor(event)) }
        func flush() {}
    }
}

import Foundation
import EsprigSystem
import EsprigFirmware
import EsprigLoader
import EsprigMonitor
import EsprigProfiles

/// Step 10 of `flash` (and of each board in `bench`): reset the board into its app and read its
/// serial output until the profile's success pattern, its fail pattern or its timeout.
struct FlashMonitorStep {
    let profile: ResolvedProfile
    /// Lines go to stdout as they arrive, unless the run is in JSON mode.
    let echo: Bool

    /// Whether to watch the board: only with a success pattern to wait for, and only when the
    /// board is to be reset into its app (the monitor does that reset).
    static func applies(to profile: ResolvedProfile, after: AfterAction, noMonitor: Bool) -> Bool {
        !noMonitor && after == .hardReset && profile.monitor.success != nil
    }

    /// The progress line before the watch starts.
    var startLine: String {
        "reset: by the monitor; waiting up to \(profile.monitor.timeout) s for /\(profile.monitor.success ?? "")/ at \(profile.monitor.baud) baud"
    }

    struct Result {
        var outcome: MonitorOutcome
        var seconds: Double

        var summary: String { "monitor: matched \"\(outcome.matchedLine ?? "")\" after \(seconds) s" }

        var json: [String: Any] {
            var object: [String: Any] = ["result": outcome.reason.rawValue, "seconds": seconds, "lines": outcome.lines]
            if let line = outcome.matchedLine { object["line"] = line }
            return object
        }
    }

    /// Resets the board through `opened` (still open after writing) and watches it. A failure or
    /// timeout is an error naming what was (not) seen; the lines read are in its message.
    func run(_ opened: OpenedPort) throws -> Result {
        let monitor = profile.monitor
        var settings = MonitorSettings(chip: profile.chip, appBaud: monitor.baud)
        settings.reconnect = false
        if let elf = profile.firmware?.artifact(named: "elf"), FileManager.default.fileExists(atPath: elf) {
            settings.resolver = Addr2LineResolver(chip: profile.chip, elf: elf, runner: SubprocessRunner(baseEnvironment: ProcessInfo.processInfo.environment))
        }
        let success = try runStep("monitor", status: ExitStatus.usage) { try monitor.success.map(LinePattern.init) }
        let fail = try runStep("monitor", status: ExitStatus.usage) { try monitor.fail.map(LinePattern.init) }
        let session = MonitorSession(port: opened.port, settings: settings)
        let sink: any MonitorSink = echo ? TextRenderer(output: FileDescriptorOutput(), color: TextRenderer.wantsColor(fd: STDOUT_FILENO)) : Silent()
        session.resetBoard()
        let started = ContinuousClock.now
        let outcome = session.run(until: success, failOn: fail, timeout: .milliseconds(Int64(monitor.timeout * 1000)), sink: sink)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let result = Result(outcome: outcome, seconds: (seconds * 10).rounded() / 10)
        let at = { (key: String) in profile.location(of: key).map { " (\($0))" } ?? "" }
        switch outcome.reason {
        case .matched, .stopped:
            return result
        case .failed:
            throw FlashStepFailure(step: "monitor", failure: CLIFailure(
                code: "monitor-failed", message: "the board printed \"\(outcome.matchedLine ?? "")\", which matches [monitor] fail /\(monitor.fail ?? "")/\(at("monitor.fail"))",
                hint: "the board was flashed; watch it with esprig monitor --profile \(profile.name) to see what goes wrong", status: ExitStatus.device))
        case .timedOut:
            let last = outcome.lines.suffix(3).map { "\"\($0)\"" }.joined(separator: ", ")
            throw FlashStepFailure(step: "monitor", failure: CLIFailure(
                code: "monitor-timeout", message: "no line matched [monitor] success /\(monitor.success ?? "")/ within \(monitor.timeout) s\(at("monitor.timeout"))"
                    + (outcome.lines.isEmpty ? "; the board printed nothing at \(monitor.baud) baud" : "; last lines: \(last)"),
                hint: "the board was flashed; check [monitor] baud and success, or watch it with esprig monitor --profile \(profile.name)", status: ExitStatus.device))
        case .disconnected:
            throw FlashStepFailure(step: "monitor", failure: CLIFailure(
                code: "monitor-disconnected", message: "the port went away while waiting for /\(monitor.success ?? "")/",
                hint: "the board was flashed; check the cable, then esprig monitor --profile \(profile.name)", status: ExitStatus.device))
        }
    }

    /// Keeps nothing: in JSON mode the lines are returned in the result instead.
    private final class Silent: MonitorSink {
        func handle(_ event: MonitorEvent) {}
    }
}

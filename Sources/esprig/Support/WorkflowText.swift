import Foundation
import EsprigCerts
import EsprigLoader
import EsprigMonitor
import EsprigProtocol
import EsprigWorkflows

/// One line of a workflow's text: a step's result (stdout) or a warning (stderr).
enum WorkflowLine: Equatable {
    case say(String)
    case warn(String)
}

/// The text of each workflow event, the same for `flash`, `build`, `plan` and every bench row.
enum WorkflowText {
    static func lines(_ event: WorkflowEvent) -> [WorkflowLine] {
        switch event {
        case .profileResolved(let name, let source, let chip):
            return [.say("profile: \(name) (\(displayPath(source))), chip \(chip.rawValue)")]
        case .warning(let text):
            return [.warn(text)]
        case .configNone:
            return [.say("config: the profile sets no config header")]
        case .configUnchanged(let header, let count):
            return [.say("config: \(displayPath(header)) already holds the profile's \(count) values")]
        case .configChanged(let header, let names, let dryRun):
            return [.say("config: \(dryRun ? "would change" : "changed") \(names.count) value\(names.count == 1 ? "" : "s") in \(displayPath(header)) (\(names.joined(separator: ", ")))")]
        case .buildNone:
            return [.say("build: the profile names no build command")]
        case .buildSkipped:
            return [.say("build: skipped (dry run; the plan uses the last build's artifacts)")]
        case .built(let directory, let toolchain):
            return [.say("build: built \(displayPath(directory)) (\(toolchain))")]
        case .buildUpToDate(let directory):
            return [.say("build: \(displayPath(directory)) is up to date")]
        case .imageReady(let regions):
            return [.say("image: " + regions.map { "\(hexAddress($0.address)) \($0.size) bytes" }.joined(separator: ", "))]
        case .planned(let plan):
            let writes = plan.writes
            return [.say("plan: \(writes.count) region\(writes.count == 1 ? "" : "s") in \(plan.flashSizeName ?? plan.flashSize.map(sizeText) ?? "flash of unknown size"): "
                         + writes.map { "\(hexAddress($0.region.address))..\(hexAddress($0.region.end)) \($0.region.source)" }.joined(separator: ", "))]
        case .doctor(let findings):
            var lines = findings.filter { $0.severity != .info }.flatMap { CertsRendering.lines($0).map(WorkflowLine.warn) }
            if !findings.contains(where: { $0.severity == .error }) {
                lines.append(.say("doctor: \(findings.filter { $0.severity == .warning }.count) warning(s), no errors"))
            }
            return lines
        case .dryRunFinished:
            return [.say("dry run: the board was not touched")]
        case .boardConnected(let chip, let port, let mac, let stub):
            return [.say("connect: \(chip.rawValue) on \(port), MAC \(mac)\(stub ? ", stub" : "")")]
        case .certificatesMade(let paths):
            return [.say("certs: made \(paths.map(displayPath).joined(separator: ", ")) ([certs] create; keys are 0600)")]
        case .deviceIdentity(let commonName, let certificate, let reused):
            return [.say(reused ? "identity: \(commonName), the board's certificate from before (\(displayPath(certificate)); --new-identity makes a new one)"
                                : "identity: \(commonName), a new certificate and key (\(displayPath(certificate)))")]
        case .certificatesRead(let addresses):
            return [.say("certificates: board reads what was written at \(addresses.map { String(format: "0x%05x", $0) }.joined(separator: " / "))")]
        case .erasedChip(let bytes):
            let size = bytes.map { " (\(FlashGeometry.name(forSize: $0) ?? "\($0) bytes"))" } ?? ""
            return [.say("erase: the whole flash\(size) erased before writing (--erase-all)")]
        case .written(let written, let skipped):
            return [.say("write: \(written) written, \(skipped) skipped (already on the board)")]
        case .verified(let verified, let unchanged):
            return [.say("verify: \(verified) written region\(verified == 1 ? "" : "s") verified by MD5, \(unchanged) unchanged")]
        case .unverified(let summary):
            return [.say("verify: \(summary)")]
        case .reset(let after):
            return [.say("reset: \(after.rawValue)")]
        case .monitorStarted(let timeout, let pattern, let baud):
            return [.say("reset: by the monitor; waiting up to \(timeout) s for /\(pattern)/ at \(baud) baud")]
        case .monitorMatched(let line, let seconds):
            return [.say("monitor: matched \"\(line)\" after \(seconds) s")]
        case .monitorSkipped(let why):
            return [.say("monitor: skipped (\(why))")]
        case .buildOutput, .loader, .monitor:
            // Streams with their own renderers (build log, progress bars, the board's lines).
            return []
        }
    }

    /// A bench row's last words: the step lines, plus what the loader says that a row can show.
    static func benchLine(_ event: WorkflowEvent) -> String? {
        switch event {
        case .loader(.regionRetry(let region, let attempt, let reason)):
            return "retrying \(hexAddress(region.address)) (attempt \(attempt)): \(reason)"
        case .loader(.regionUnverified(let region, let reason)):
            return "\(hexAddress(region.address)) was written but NOT verified: \(reason)"
        case .loader(.warning(let text)):
            return "warning: \(text)"
        default:
            return lines(event).last.map { line in
                switch line {
                case .say(let text): return text
                case .warn(let text): return "warning: \(text)"
                }
            }
        }
    }
}

/// Prints a flash-type workflow's events: step lines on stdout (not with --json), warnings
/// on stderr, the loader's progress through `Reporter`, the board's lines as the monitor
/// renders them, the build's output with -v or when it fails.
final class WorkflowPrinter: @unchecked Sendable {
    private let output: OutputOptions
    private let reporter: Reporter
    private let monitorText: TextRenderer?
    private let lock = NSLock()

    init(output: OutputOptions) {
        self.output = output
        reporter = Reporter(output: output)
        monitorText = output.json ? nil : TextRenderer(output: FileDescriptorOutput(), color: TextRenderer.wantsColor(fd: STDOUT_FILENO))
    }

    var observer: WorkflowObserver { { [self] event in lock.withLock { handle(event) } } }

    private func handle(_ event: WorkflowEvent) {
        switch event {
        case .loader(let flash):
            reporter.handle(flash)
        case .monitor(let monitor):
            monitorText?.handle(monitor)
            monitorText?.flush()
        case .buildOutput(let line, let failed):
            let verbose = output.verbose && !output.json
            if verbose ? !failed : failed { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        default:
            for line in WorkflowText.lines(event) {
                switch line {
                case .say(let text): reporter.say(text)
                case .warn(let text): reporter.warn(text)
                }
            }
        }
    }

    /// The final report with --json.
    func emit<Report: Encodable>(_ report: Report) {
        guard output.json else { return }
        emitJSON(report)
    }
}

/// One JSON object on stdout, keys sorted, slashes as they are.
func emitJSON<Report: Encodable>(_ report: Report) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

import Foundation
import EsprigLoader
import EsprigProtocol
import EsprigWorkflows

/// Turns loader events into what a person or a script reads: a bar on a terminal, plain
/// lines otherwise, nothing but the final JSON with --json.
final class Reporter {
    let json: Bool
    let showProgress: Bool
    let verbose: Bool
    private let isTTY: Bool
    private var barShown = false
    private var lastLinePercent = -1
    private var regionStart = ContinuousClock.now
    private var wireBytes = 0

    init(output: OutputOptions) {
        json = output.json
        verbose = output.verbose
        isTTY = isatty(STDERR_FILENO) == 1
        showProgress = !output.noProgress && !output.json
    }

    /// Human text: stdout, unless the run is in JSON mode.
    func say(_ text: String) {
        guard !json else { return }
        endBar()
        print(text)
        fflush(nil)
    }

    func warn(_ text: String) {
        endBar()
        FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
    }

    func handle(_ event: FlashEvent) {
        switch event {
        case .warning(let text): warn(text)
        case .note(let text): say(text)
        case .connecting(let attempt, let total, let strategy):
            if attempt == 1 { say("Connecting...") }
            else if verbose { say("  attempt \(attempt)/\(total) (\(strategy))") }
        case .connected(let info):
            say("Connected to \(info.description) (\(info.features.joined(separator: ", "))), crystal \(info.crystalMHz) MHz, MAC \(info.macString)")
        case .stubStarted(let already):
            say(already ? "Flasher stub already running." : "Flasher stub running.")
        case .baudChanged(let baud): say("Baud rate changed to \(baud).")
        case .flashDetected(let id, let size):
            if verbose { say(String(format: "Flash JEDEC id 0x%06x, size %@", id, size.map(sizeText) ?? "unknown")) }
        case .regionStarted(let region, let compressed, let wire):
            regionStart = .now
            wireBytes = wire
            lastLinePercent = -1
            say("Writing \(region.size) bytes at \(hexAddress(region.address)) from \(region.source)" + (compressed ? " (\(wire) compressed)" : "") + "...")
        case .bytesWritten(let region, let done, let total):
            progress(label: "Writing " + hexAddress(region.address), done: done, total: total)
        case .bytesRead(let done, let total):
            progress(label: "Reading", done: done, total: total)
        case .regionSkipped(let region):
            say("Skipped \(hexAddress(region.address)) (\(region.source)): flash already holds these \(region.size) bytes.")
        case .regionVerified(let region, let md5):
            let seconds = Double((ContinuousClock.now - regionStart).components.attoseconds) / 1e18 + Double((ContinuousClock.now - regionStart).components.seconds)
            say(String(format: "Wrote and verified %d bytes at %@ in %.1f s (MD5 %@).", region.size, hexAddress(region.address), seconds, md5))
        case .regionUnverified(let region, let reason):
            warn("\(hexAddress(region.address)) (\(region.source)) was written but NOT verified: \(reason)")
        case .regionRetry(let region, let attempt, let reason):
            warn("retrying \(hexAddress(region.address)) (attempt \(attempt)): \(reason)")
        case .reconnecting(let reason):
            if verbose { say(reason) }
        }
    }

    private func progress(label: String, done: Int, total: Int) {
        guard showProgress, total > 0 else { return }
        let percent = min(100, done * 100 / total)
        if isTTY {
            let width = 30
            let filled = width * percent / 100
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(String(percent).leftPadded(3, " "))% \(done)/\(total) bytes".utf8))
            barShown = true
            if done >= total { endBar() }
        } else if percent / 10 != lastLinePercent / 10 || done >= total {
            // Plain lines for logs and CI: one every 10%.
            lastLinePercent = percent
            print("\(label): \(percent)% (\(done)/\(total) bytes)")
            fflush(nil)
        }
    }

    private func endBar() {
        if barShown {
            FileHandle.standardError.write(Data("\n".utf8))
            barShown = false
        }
    }

    /// The final machine-readable result.
    func emitJSON(_ object: [String: Any]) {
        guard json else { return }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

func sizeText(_ bytes: Int) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20)MB" }
    if bytes >= 1024 && bytes % 1024 == 0 { return "\(bytes >> 10)KB" }
    return "\(bytes) bytes"
}

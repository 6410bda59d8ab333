import ArgumentParser
import Foundation
import EsprigCerts
import EsprigLedger
import EsprigLoader
import EsprigPorts
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    /// `esprig bench --profile NAME --ports auto|LIST`: builds once, then provisions every board
    /// at once, each with its own identity, recording everything in the ledger.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Provision many boards at once from one profile, each with its own client id and certificate, recorded in the ledger.",
            discussion: """
            The firmware is built once (the steps of `flash --profile`) and the profile's certificates checked \
            (doctor); then every port is provisioned concurrently, at most --parallel at a time: connect, identity \
            (the client id the board's chip id implies, a device certificate with that CN signed by the profile's \
            CA, packed into the client-cert sector), write, verify (MD5), reset, then the board's serial output is \
            watched until the profile's [monitor] success pattern (a fail pattern or the timeout fails the board). Every step is recorded in the \
            ledger before and after it runs; a board the ledger holds as passed is skipped, so a rerun provisions \
            only the boards that did not pass. --watch keeps running and provisions boards as they are plugged in. \
            Exit codes: 0 every board passed (or was already provisioned), 1 bad usage or input, 2 a board failed \
            or doctor found errors.
            """
        )

        @Option(help: "The profile name (its file name without .toml).")
        var profile: String

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Option(help: "auto (every ESP-like port) or a comma-separated list of ports and selectors (/dev/ttyUSB0,usb-serial:0001,sim://esp8266?mac=...).")
        var ports = "auto"

        @Option(help: "How many boards to provision at the same time.")
        var parallel = 8

        @Flag(help: "Keep running: provision boards as they are plugged in; Ctrl-C ends.")
        var watch = false

        @Option(help: "With --watch: stop after this many seconds.")
        var watchTimeout: Double?

        @Option(help: "A per-board serial from the ledger's counter, e.g. GH-%05d (recorded with the board).")
        var serial: String?

        @Option(help: "The first number --serial hands out.")
        var serialStart: Int64 = 1

        @Flag(help: "End each board after its reset, without watching its serial output for [monitor] success.")
        var noMonitor = false

        @Flag(help: "Provision boards again even when the ledger holds them as passed (same client id, new certificate).")
        var reprovision = false

        @OptionGroup var ledgerOptions: LedgerOptions

        @Option(help: "This bench's name in the ledger, recorded on every attempt (default: the host name); benches sharing a postgres:// ledger each need their own.")
        var station: String?

        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func validate() throws {
            if parallel < 1 || parallel > 64 { throw ValidationError("--parallel must be between 1 and 64") }
            if let watchTimeout, watchTimeout <= 0 { throw ValidationError("--watch-timeout must be more than 0 seconds") }
            if watchTimeout != nil && !watch { throw ValidationError("--watch-timeout needs --watch") }
            if connection.port != nil { throw ValidationError("bench takes its ports from --ports (auto or a comma-separated list), not --port") }
        }

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            var request = BenchRequest(profile: profile, profilesDirectory: profilesDirectory(profilesDir), environment: environment,
                                       openLedger: { [ledgerOptions] in try ledgerOptions.openForWriting(environment: environment) })
            request.ports = ports
            request.parallel = parallel
            request.watch = watch
            request.serial = serial
            request.serialStart = serialStart
            request.noMonitor = noMonitor
            request.reprovision = reprovision
            request.station = station
            request.connection = connection.board
            let devices = environment["ESPRIG_BENCH_DEVICES"].flatMap { $0.isEmpty ? nil : BenchDeviceDirectory(directory: $0) }
            request.deviceSource = devices

            let display: BenchDisplay
            if output.json || output.noProgress {
                display = BenchDisplay(style: .quiet, output: output)
            } else if isatty(STDOUT_FILENO) == 1 {
                display = BenchDisplay(style: .table, output: output)
            } else {
                display = BenchDisplay(style: .lines, output: output)
            }
            let bench = BenchWorkflow(request, observer: display.observer)
            let prepared = try runReportingStep(json: output.json) { try bench.prepare() }
            // Ctrl-C ends the run the way a library caller's cancellation does: no new board starts,
            // boards on the wire finish and are recorded.
            let stop = BenchStop(timeout: watch ? watchTimeout : nil)
            let summary = try runReportingStep(json: output.json) {
                // udevd's events when it runs; rescanning otherwise (containers, CI).
                var hotplug: (any HotplugSource)?
                if watch {
                    if let devices {
                        hotplug = try PollingHotplugSource(source: devices, interval: .milliseconds(100))
                    } else if let monitor = try? HotplugMonitor(source: .udev) {
                        hotplug = monitor
                    } else {
                        hotplug = try PollingHotplugSource()
                    }
                }
                return try bench.run(prepared, hotplug: hotplug, shouldStop: stop.shouldStop, tick: { display.draw($0) })
            }
            display.draw(nil, force: true)
            if output.json {
                emitJSON(BenchJSON(summary))
            } else {
                BenchSummaryText.lines(summary).forEach { print($0) }
            }
            if !summary.ok { throw ExitCode(ExitStatus.device) }
        }
    }
}

/// Ends watch mode on SIGINT or after the timeout.
final class BenchStop: @unchecked Sendable {
    private let deadline: ContinuousClock.Instant?
    private let lock = NSLock()
    private var interrupted = false
    private let signalSource: DispatchSourceSignal

    init(timeout: Double?) {
        deadline = timeout.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        signal(SIGINT, SIG_IGN)
        signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signalSource.setEventHandler { [weak self] in self?.lock.withLock { self?.interrupted = true } }
        signalSource.resume()
    }

    func shouldStop() -> Bool {
        if lock.withLock({ interrupted }) { return true }
        if let deadline, ContinuousClock.now >= deadline { return true }
        return false
    }
}

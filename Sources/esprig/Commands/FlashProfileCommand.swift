import ArgumentParser
import Foundation
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    /// `esprig flash --profile NAME`: resolve the profile, patch the config header, build, convert,
    /// plan, connect, write what changed, verify, reset. One progress line per step; a failure names
    /// its step (exit 1 for a bad profile or input, 2 for a build or device failure).
    struct Flash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build and flash a board profile (Profiles/NAME.toml): config header, build, image, plan, doctor, write, verify, reset, monitor.",
            discussion: """
            Steps: profile, config, build, image, plan, doctor, connect, write, verify, reset, monitor. Regions the flash already \
            holds are skipped. --dry-run stops after the plan: it shows what the header change would be without \
            writing it, does not build (the plan uses the last build's artifacts) and never opens the port. \
            The port is --port, else ESPRIG_PORT, else the profile's `port`; the baud is --baud, else the profile's. \
            After the reset it shows the board's serial output until a line matches [monitor] success (exit 2 on \
            [monitor] fail or after [monitor] timeout); --no-monitor ends at the reset.
            """
        )

        @Option(help: "The profile name (its file name without .toml).")
        var profile: String

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Flag(help: "Plan only: no header write, no build, no port.")
        var dryRun = false

        @Option(name: [.customLong("flash-size"), .customLong("fs", withSingleDash: true), .customLong("flash_size")],
                help: "Flash size for the image header and the plan (default: the profile's); must match the compiled size map.")
        var flashSize: String?

        @Flag(help: "Do not watch the board's serial output after the reset.")
        var noMonitor = false

        @Flag(name: [.customLong("erase-all"), .customShort("e")], help: "Erase the whole flash first (also what the profile does not write).")
        var eraseAll = false

        @Flag(help: "With [certs] create: make this board a new certificate and key even when it has one.")
        var newIdentity = false

        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            var request = FlashProfileWorkflow.Request(profile: profile, profilesDirectory: profilesDirectory(profilesDir))
            request.dryRun = dryRun
            request.flashSizeOverride = flashSize
            request.noMonitor = noMonitor
            request.eraseAll = eraseAll
            request.newIdentity = newIdentity
            request.connection = connection.board
            let printer = WorkflowPrinter(output: output)
            let report = try runReportingStep(json: output.json) { try FlashProfileWorkflow(request, observer: printer.observer).run() }
            printer.emit(report)
        }
    }
}

import ArgumentParser
import Foundation

extension Esprig {
    /// `esprig plan --profile NAME`: the flash layout a profile would write, checked, as a table
    /// or JSON. Never builds, never writes the config header, never opens a port.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where every file of a profile goes on the flash, and why, after every layout check.",
            discussion: """
            Uses the last build's artifacts (run `esprig build --profile NAME` first). Checks: sector alignment, \
            no overlaps, everything inside the flash, the app fits its slot, the SDK's system sectors, the \
            firmware's saved-config sectors, certificate sectors equal to the ones compiled into the firmware, \
            and the flash size equal to the compiled SPI size map. Exit 1 names the file and line that disagree.
            """
        )

        @Option(help: "The profile name (its file name without .toml).")
        var profile: String

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Option(name: [.customLong("flash-size"), .customLong("fs", withSingleDash: true), .customLong("flash_size")],
                help: "Flash size to plan for (default: the profile's); must match the compiled size map.")
        var flashSize: String?

        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            var quiet = output
            quiet.json = true  // the workflow's step lines are not wanted here, only its result
            let workflow = FlashWorkflow(profileName: profile, profilesDirectory: profilesDirectory(profilesDir),
                                         dryRun: true, flashSizeOverride: flashSize, connection: ConnectionOptions(),
                                         output: quiet, environment: ProcessInfo.processInfo.environment)
            let prepared = try runReportingStep(json: output.json) { try workflow.prepare() }
            if output.json {
                var object = prepared.plan.json
                object["ok"] = true
                object["command"] = "plan"
                object["profile"] = prepared.profile.name
                Reporter(output: output).emitJSON(object)
            } else {
                print(prepared.plan.table)
            }
        }
    }
}

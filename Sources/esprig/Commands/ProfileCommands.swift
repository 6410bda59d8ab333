import ArgumentParser
import Foundation
import EsprigProfiles
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    struct Profile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "profile",
            abstract: "Inspect board profiles (Profiles/NAME.toml).",
            subcommands: [Show.self]
        )
    }
}

extension Esprig.Profile {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a profile with extends merged, ${...} expanded and every value checked (secrets masked)."
        )

        @Argument(help: "The profile name (its file name without .toml).")
        var name: String

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            let profile = try loadProfile(name, profilesDir: profilesDir, json: output.json)
            let entries = profile.displayEntries()
            if output.json {
                var values: [String: String] = [:]
                for entry in entries { values[entry.key] = entry.value }
                emitJSON(ProfileShowReport(profile: values, secrets: entries.filter(\.isSecret).map(\.key),
                                           warnings: profile.warnings.map { .init(code: $0.code.rawValue, message: $0.message, location: $0.location.description) }))
                return
            }
            for warning in profile.warnings {
                FileHandle.standardError.write(Data("\(warning)\n".utf8))
            }
            let width = entries.map(\.key.count).max() ?? 0
            var text = ""
            for entry in entries {
                let origin = output.verbose ? entry.location.map { "    # \($0)" } ?? "" : ""
                text += entry.key.padding(toLength: width, withPad: " ", startingAt: 0) + " = " + entry.value + origin + "\n"
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

/// `profile show --json`: every resolved key with its value (secrets masked).
struct ProfileShowReport: Encodable {
    struct Warning: Encodable {
        var code: String
        var message: String
        var location: String
    }
    var ok = true
    var command = "profile show"
    var profile: [String: String]
    var secrets: [String]
    var warnings: [Warning]
}

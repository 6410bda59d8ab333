import ArgumentParser
import Foundation
import EsprigCerts
import EsprigFirmware
import EsprigProfiles
import EsprigProtocol
import EsprigWorkflows

/// Options of the commands that may take their paths and facts from a profile.
struct ProfileOptions: ParsableArguments {
    @Option(help: "Take paths and facts from this profile (Profiles/NAME.toml).")
    var profile: String?

    @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
    var profilesDir: String?

    /// The resolved profile, or nil without --profile; a bad profile is a usage error.
    func resolve() throws -> ResolvedProfile? {
        guard let profile else { return nil }
        return try resolveProfile(profile, profilesDir: profilesDir)
    }
}

/// Runs a certs command body, printing any failure the way every command does.
func runCertsCommand(json: Bool, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let code as ExitCode {
        throw code
    } catch {
        throw CLIFailure(error, status: ExitStatus.usage).exit(json: json)
    }
}

/// `path` with its extension replaced (`certs/ca.crt` → `certs/ca.key`).
func sibling(_ path: String, extension ext: String) -> String {
    ((path as NSString).deletingPathExtension as NSString).appendingPathExtension(ext) ?? path + "." + ext
}

func jsonLine(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

import ArgumentParser
import Foundation
import EsprigCerts
import EsprigFirmware
import EsprigProfiles

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

extension CLIFailure {
    /// Certificate errors: bad input is exit 1, a failure to sign is exit 2.
    init(certs error: CertsError) {
        let status = error.code == .signingFailed ? ExitStatus.device : ExitStatus.usage
        self.init(code: error.code.rawValue, message: error.message, hint: error.hint, status: status)
    }

    /// What the certs and doctor commands may throw, as a user-facing failure.
    static func fromCerts(_ error: any Error) -> CLIFailure {
        switch error {
        case let e as CertsError: CLIFailure(certs: e)
        case let e as FirmwareConfigError: CLIFailure(code: e.code.rawValue, message: e.message, hint: e.hint, status: ExitStatus.usage)
        default: CLIFailure(error)
        }
    }
}

/// Runs a certs command body, printing any failure the way every command does.
func runCertsCommand(json: Bool, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let code as ExitCode {
        throw code
    } catch {
        throw CLIFailure.fromCerts(error).exit(json: json)
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

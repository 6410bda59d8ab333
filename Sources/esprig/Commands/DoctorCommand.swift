import ArgumentParser
import Foundation
import EsprigCerts
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    /// `esprig doctor --profile NAME`: the TLS material checked before any board is flashed.
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a profile's certificates, keys and firmware TLS settings before flashing.",
            discussion: """
            Each finding has a severity, a stable code, what is wrong, the TLS alert or OpenSSL message it would \
            cause, and the fix. The config header is read as the profile would patch it (nothing is written). \
            Exit codes: 0 no errors (warnings allowed), 1 the profile cannot be read, 2 at least one error finding.
            """
        )

        @Option(help: "The profile name (its file name without .toml).")
        var profile: String

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Option(help: "One device's expanded client id (e.g. esprig_0076815E): its certificate's CN must equal it.")
        var device: String?

        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            var findings: [Finding] = []
            var profileName = profile
            try runCertsCommand(json: output.json) {
                let resolved = try resolveProfile(profile, profilesDir: profilesDir)
                profileName = resolved.name
                findings = diagnose(try DoctorInput(profile: resolved, deviceID: device))
            }
            let errors = findings.filter { $0.severity == .error }.count
            let warnings = findings.filter { $0.severity == .warning }.count
            if output.json {
                emitJSON(DoctorReport(ok: errors == 0, profile: profileName, errors: errors, warnings: warnings,
                                      findings: findings.map(FindingReport.init)))
            } else {
                for finding in findings { CertsRendering.lines(finding).forEach { print($0) } }
                print("doctor: \(profileName): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
            }
            if errors > 0 { throw ExitCode(ExitStatus.device) }
        }
    }
}

/// `doctor --json`.
struct DoctorReport: Encodable {
    var ok: Bool
    var command = "doctor"
    var profile: String
    var errors: Int
    var warnings: Int
    var findings: [FindingReport]
}

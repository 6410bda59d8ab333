import ArgumentParser
import Foundation
import EsprigSystem
import EsprigFirmware
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    /// `esprig build`: runs a firmware's build command with the xtensa-lx106 toolchain, unless
    /// nothing it depends on changed since the last successful build. Profiles will drive it.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build firmware with the xtensa-lx106 toolchain; skipped when sources, command and compiler are unchanged.",
            discussion: """
            The command runs with /bin/sh -c in --dir. Its output is shown only with -v or when it fails \
            (then the compiler's error lines). A stamp (.esprig-build-stamp in --dir) records the inputs of \
            the last successful build.
            """
        )

        @Option(help: "Build what this profile names: patch its config header, then run its build command.")
        var profile: String?

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Option(help: "The firmware directory (the command runs there).")
        var dir: String?

        @Option(help: "The build command, run with /bin/sh -c.")
        var command: String = "make"

        @Option(name: .customLong("artifact"), help: "A file the build must produce, relative to --dir (repeatable).")
        var artifacts: [String] = []

        @Option(name: .customLong("env"), help: "NAME=VALUE added to the build's environment (repeatable).")
        var environment: [String] = []

        @Option(help: "Seconds before the build is killed.")
        var timeout: Int = 600

        @OptionGroup(title: "Output") var output: OutputOptions

        func validate() throws {
            if (profile == nil) == (dir == nil) { throw ValidationError("give exactly one of --profile NAME and --dir DIR") }
            if timeout < 1 { throw ValidationError("--timeout must be at least 1 second") }
            for pair in environment where !pair.contains("=") { throw ValidationError("--env \(pair) is not NAME=VALUE") }
        }

        func run() throws {
            if let profile {
                let printer = WorkflowPrinter(output: output)
                let request = FlashProfileWorkflow.Request(profile: profile, profilesDirectory: profilesDirectory(profilesDir))
                var report = try runReportingStep(json: output.json) { try FlashProfileWorkflow(request, observer: printer.observer).build() }.report
                report.command = "build"
                report.ok = true
                printer.emit(report)
                return
            }
            guard let dir else { return }
            var variables: [String: String] = [:]
            for pair in environment {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                variables[String(parts[0])] = String(parts[1])
            }
            let request = ToolchainBuild.Request(directory: dir, command: command, environment: variables, artifacts: artifacts,
                                                 timeout: .seconds(timeout))
            let build = ToolchainBuild(runner: SubprocessRunner(baseEnvironment: ProcessInfo.processInfo.environment))
            let verbose = output.verbose && !output.json
            do {
                let report = try build.run(request) { event in
                    if verbose, case .output(let line) = event { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                }
                if output.json {
                    emitJSON(BuildDirReport(outcome: report.outcome == .built ? "built" : "up-to-date", artifacts: report.artifacts,
                                            digest: report.digest, toolchain: report.toolchainVersion))
                } else {
                    print(report.outcome == .built ? "built \(dir) (\(report.toolchainVersion))" : "\(dir) is up to date")
                    for artifact in report.artifacts { print("  \(artifact)") }
                }
            } catch let error as FirmwareConfigError {
                throw CLIFailure(error, status: ExitStatus.usage).exit(json: output.json)
            }
        }
    }
}

/// `build --dir … --json`.
struct BuildDirReport: Encodable {
    var ok = true
    var outcome: String
    var artifacts: [String]
    var digest: String
    var toolchain: String
}

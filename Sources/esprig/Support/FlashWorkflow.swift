import Foundation
import EsprigSystem
import EsprigCerts
import EsprigFirmware
import EsprigImage
import EsprigLoader
import EsprigProfiles
import EsprigProtocol

/// The steps of `esprig flash --profile NAME`, each printing one line when it is done.
struct FlashWorkflow {
    let profileName: String
    let profilesDirectory: String
    let dryRun: Bool
    /// `--flash-size`, checked against the size map the firmware is compiled for.
    let flashSizeOverride: String?
    /// `--no-monitor`: end after the reset.
    let noMonitor: Bool
    let connection: ConnectionOptions
    let output: OutputOptions
    let environment: [String: String]
    let reporter: Reporter

    init(profileName: String, profilesDirectory: String, dryRun: Bool, flashSizeOverride: String? = nil, noMonitor: Bool = false,
         connection: ConnectionOptions, output: OutputOptions, environment: [String: String]) {
        self.noMonitor = noMonitor
        self.profileName = profileName
        self.profilesDirectory = profilesDirectory
        self.dryRun = dryRun
        self.flashSizeOverride = flashSizeOverride
        self.connection = connection
        self.output = output
        self.environment = environment
        self.reporter = Reporter(output: output)
    }

    private func step<T>(_ name: String, status: Int32 = ExitStatus.device, _ body: () throws -> T) throws -> T {
        try runStep(name, status: status, body)
    }

    private func fail(_ code: String, _ message: String, hint: String? = nil, status: Int32) -> CLIFailure {
        CLIFailure(code: code, message: message, hint: hint, status: status)
    }

    /// Steps 1–5, which never touch a board.
    struct Prepared {
        var profile: ResolvedProfile
        var plan: ProfilePlan
        var result: [String: Any]
    }

    /// Steps 1–3: the firmware as the profile wants it.
    struct Built {
        var profile: ResolvedProfile
        /// The config header the firmware is (or, in a dry run, would be) built with.
        var header: ConfigHeader?
        var result: [String: Any]
    }

    /// Resolves the profile, patches the header (only plans the change in a dry run) and builds
    /// (not in a dry run).
    func build() throws -> Built {
        var result: [String: Any] = ["command": "flash", "profile": profileName, "dryRun": dryRun]

        // 1. profile
        let profile: ResolvedProfile = try step("profile") {
            try ProfileLibrary(directory: profilesDirectory).resolve(profileName, environment: environment)
        }
        for warning in profile.warnings { reporter.warn("\(warning)") }
        reporter.say("profile: \(profile.name) (\(displayPath(profile.sourceFile))), chip \(profile.chip.rawValue)")

        // 2. config header
        var headerValues: [String: ConfigValue] = [:]
        var patchedHeader: ConfigHeader?
        if let config = profile.config {
            let rules: ConfigRules = config.rules == .demo ? .mqttDemo : .plain
            let patch: ConfigPatch = try step("config", status: ExitStatus.usage) {
                let file = ConfigHeaderFile(path: config.header)
                let header = try file.load()
                let assignments = try config.settings.map { setting in
                    try ConfigAssignment(parsing: "\(setting.name)=\(setting.value.text)", in: header, rules: rules, addIfMissing: setting.addIfMissing)
                }
                for assignment in assignments { headerValues[assignment.name] = assignment.value }
                return dryRun ? try file.plan(assignments, rules: rules) : try file.apply(assignments, rules: rules)
            }
            // What the firmware will be built with, also in a dry run that leaves the file alone.
            patchedHeader = ConfigHeader(bytes: patch.patched)
            let names = patch.changes.map(\.name)
            if patch.hasChanges {
                reporter.say("config: \(dryRun ? "would change" : "changed") \(names.count) value\(names.count == 1 ? "" : "s") in \(displayPath(config.header)) (\(names.joined(separator: ", ")))")
            } else {
                reporter.say("config: \(displayPath(config.header)) already holds the profile's \(config.settings.count) values")
            }
            result["config"] = ["header": config.header, "changed": names, "written": patch.hasChanges && !dryRun]
        } else {
            reporter.say("config: the profile sets no config header")
        }

        // 3. build
        if let firmware = profile.firmware, let command = firmware.command {
            if dryRun {
                reporter.say("build: skipped (dry run; the plan uses the last build's artifacts)")
                result["build"] = "skipped"
            } else {
                var variables: [String: String] = [:]
                for variable in firmware.environment { variables[variable.name] = variable.value }
                let request = ToolchainBuild.Request(directory: firmware.directory, command: command, environment: variables,
                                                     artifacts: firmware.artifacts.map(\.path), headerValues: headerValues)
                let verbose = output.verbose && !output.json
                let report = try step("build") {
                    try ToolchainBuild(runner: SubprocessRunner(baseEnvironment: environment)).run(request) { event in
                        switch event {
                        case .output(let line) where verbose:
                            FileHandle.standardError.write(Data((line + "\n").utf8))
                        case .failed(_, let lines) where !verbose:
                            for line in lines { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                        default: break
                        }
                    }
                }
                reporter.say(report.outcome == .built ? "build: built \(displayPath(firmware.directory)) (\(report.toolchainVersion))"
                                                      : "build: \(displayPath(firmware.directory)) is up to date")
                result["build"] = report.outcome == .built ? "built" : "up-to-date"
            }
        } else {
            reporter.say("build: the profile names no build command")
        }

        return Built(profile: profile, header: patchedHeader, result: result)
    }

    /// Steps 1–5: also converts the image and plans the flash.
    func prepare() throws -> Prepared {
        let built = try build()
        let profile = built.profile, patchedHeader = built.header
        var result = built.result

        // 4. image
        let planner = ProfilePlanner(profile: profile, header: patchedHeader, flashSizeOverride: flashSizeOverride, dryRun: dryRun)
        let size = try step("plan", status: ExitStatus.usage) { try planner.flashSize() }
        let images = try step("image") { try planner.appImages(size) }
        reporter.say("image: " + images.map(\.write.region).sorted { $0.address < $1.address }.map { "\(hexAddress($0.address)) \($0.size) bytes" }.joined(separator: ", "))

        // 5. plan
        let plan = try step("plan", status: ExitStatus.usage) { try planner.plan(images: images, size: size) }
        let writes = plan.writes
        reporter.say("plan: \(writes.count) region\(writes.count == 1 ? "" : "s") in \(plan.flashSizeName ?? plan.flashSize.map(sizeText) ?? "flash of unknown size"): "
                     + writes.map { "\(hexAddress($0.region.address))..\(hexAddress($0.region.end)) \($0.region.source)" }.joined(separator: ", "))
        result["plan"] = plan.json
        return Prepared(profile: profile, plan: plan, result: result)
    }

    func run() throws -> [String: Any] {
        let prepared = try prepare()
        let profile = prepared.profile, writes = prepared.plan.writes
        var result = prepared.result
        // Certificates, keys, MQTT_HOST and cert sectors checked before any board is touched.
        if !profile.certs.isEmpty {
            let findings = try step("doctor", status: ExitStatus.usage) { diagnose(try DoctorInput(profile: profile)) }
            for finding in findings where finding.severity != .info {
                for line in CertsRendering.lines(finding) { reporter.warn(line) }
            }
            result["doctor"] = findings.map(CertsRendering.json)
            let errors = findings.filter { $0.severity == .error }
            if !errors.isEmpty {
                throw FlashStepFailure(step: "doctor", failure: CLIFailure(
                    code: "doctor", message: "\(errors.count) certificate problem\(errors.count == 1 ? "" : "s") (\(errors.map(\.code).joined(separator: ", "))) would break TLS on the board",
                    hint: "fix them (esprig doctor --profile \(profile.name) explains each) before flashing", status: ExitStatus.device))
            }
            reporter.say("doctor: \(findings.filter { $0.severity == .warning }.count) warning(s), no errors")
        }
        if dryRun {
            reporter.say("dry run: the board was not touched")
            result["ok"] = true
            return result
        }

        // 6.–9. connect, write, verify, reset
        let options = try SessionOptions(profile: profile, connection: connection)
        // `auto` and the usb-serial:/usb-path:/by-id: forms are resolved when the port opens.
        let portName = connection.port.flatMap { $0.isEmpty ? nil : $0 } ?? environment["ESPRIG_PORT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? profile.port.description
        // The monitor resets the board itself (at the ROM's baud, so its banner is readable).
        let monitoring = FlashMonitorStep.applies(to: profile, after: connection.after, noMonitor: noMonitor)
        let board = BoardFlash(portName: portName, options: options, after: monitoring ? .noReset : connection.after,
                               announceReset: !monitoring, reporter: reporter)
        let outcome = try board.run(planned: writes, flashSize: prepared.plan.flashSize)
        result.merge(outcome.json) { $1 }
        result["port"] = portName

        // 10. monitor
        var closed = false
        defer { if !closed { try? outcome.opened.close() } }
        if monitoring {
            let step = FlashMonitorStep(profile: profile, echo: !output.json)
            reporter.say(step.startLine)
            let watched = try step.run(outcome.opened)
            result["monitor"] = watched.json
            reporter.say(watched.summary)
        } else {
            let why = noMonitor ? "--no-monitor" : connection.after != .hardReset ? "--after \(connection.after.rawValue)" : "the profile has no [monitor] success pattern"
            reporter.say("monitor: skipped (\(why))")
            result["monitor"] = ["result": "skipped", "why": why]
        }
        closed = true
        try step("reset") { try outcome.opened.close() }
        result["ok"] = true
        return result
    }
}

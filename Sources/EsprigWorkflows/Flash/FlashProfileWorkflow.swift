import Foundation
import EsprigCerts
import EsprigFirmware
import EsprigImage
import EsprigLoader
import EsprigProfiles
import EsprigProtocol
import EsprigSystem

/// `flash --profile NAME` as a library call: resolve the profile, patch its config header,
/// build, convert, plan, check the certificates (doctor), then connect, write what changed,
/// verify, reset and watch the board until its ready line. Each step reports events; a failure
/// is a `StepFailure` naming the step.
public struct FlashProfileWorkflow: Sendable {
    /// What to flash and how: the profile, a dry run or not, and how to reach the board.
    public struct Request: Sendable {
        public var profile: String
        public var profilesDirectory: String
        /// Plan only: no header write, no build, no port.
        public var dryRun = false
        /// `--flash-size`, checked against the size map the firmware is compiled for.
        public var flashSizeOverride: String?
        /// End after the reset instead of watching the board.
        public var noMonitor = false
        /// Erase the whole chip before writing (esptool's `write_flash --erase-all`, the seed's `erase_flash` step).
        public var eraseAll = false
        public var connection = BoardConnection()
        public var environment: [String: String]
        /// Already resolved by the caller (the bench resolves once and checks it first).
        var resolved: ResolvedProfile?

        /// `profile` is a file name without `.toml` in `profilesDirectory`; `environment` feeds
        /// `${env:…}` in profiles, `ESPRIG_PORT` and `ESPRIG_BAUD`.
        public init(profile: String, profilesDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.profile = profile
            self.profilesDirectory = profilesDirectory
            self.environment = environment
        }
    }

    public let request: Request
    public let observer: WorkflowObserver
    var opener = BoardOpener()

    /// `observer` gets every event, in order, on the calling thread.
    public init(_ request: Request, observer: @escaping WorkflowObserver) {
        self.request = request
        self.observer = observer
    }

    /// Steps profile, config and build: the firmware as the profile wants it.
    public struct Built: Sendable {
        public var profile: ResolvedProfile
        /// The config header the firmware is (or, in a dry run, would be) built with.
        public var header: ConfigHeader?
        public var report: FlashReport
    }

    /// Steps profile to plan, which never touch a board.
    public struct Prepared: Sendable {
        public var profile: ResolvedProfile
        public var plan: ProfilePlan
        public var report: FlashReport
    }

    /// Steps profile, config and build (a dry run plans the header change and skips the build).
    public func build() throws -> Built {
        let dryRun = request.dryRun
        var report = FlashReport(profile: request.profile, dryRun: dryRun)

        let profile: ResolvedProfile = try request.resolved ?? runStep("profile", kind: .input) {
            try ProfileLibrary(directory: request.profilesDirectory).resolve(request.profile, environment: request.environment)
        }
        for warning in profile.warnings { observer(.warning("\(warning)")) }
        observer(.profileResolved(name: profile.name, source: profile.sourceFile, chip: profile.chip))

        var headerValues: [String: ConfigValue] = [:]
        var patchedHeader: ConfigHeader?
        if let config = profile.config {
            let rules: ConfigRules = config.rules == .demo ? .mqttDemo : .plain
            let patch: ConfigPatch = try runStep("config", kind: .input) {
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
                observer(.configChanged(header: config.header, names: names, dryRun: dryRun))
            } else {
                observer(.configUnchanged(header: config.header, count: config.settings.count))
            }
            report.config = .init(header: config.header, changed: names, written: patch.hasChanges && !dryRun)
        } else {
            observer(.configNone)
        }

        if let firmware = profile.firmware, let command = firmware.command {
            if dryRun {
                observer(.buildSkipped)
                report.build = "skipped"
            } else {
                var variables: [String: String] = [:]
                for variable in firmware.environment { variables[variable.name] = variable.value }
                let buildRequest = ToolchainBuild.Request(directory: firmware.directory, command: command, environment: variables,
                                                          artifacts: firmware.artifacts.map(\.path), headerValues: headerValues)
                let observer = self.observer
                let built = try runStep("build") {
                    try ToolchainBuild(runner: SubprocessRunner(baseEnvironment: request.environment)).run(buildRequest) { event in
                        switch event {
                        case .output(let line): observer(.buildOutput(line, failed: false))
                        case .failed(_, let lines): for line in lines { observer(.buildOutput(line, failed: true)) }
                        default: break
                        }
                    }
                }
                if built.outcome == .built {
                    observer(.built(directory: firmware.directory, toolchain: built.toolchainVersion))
                } else {
                    observer(.buildUpToDate(directory: firmware.directory))
                }
                report.build = built.outcome == .built ? "built" : "up-to-date"
            }
        } else {
            observer(.buildNone)
        }
        return Built(profile: profile, header: patchedHeader, report: report)
    }

    /// Also converts the image and plans the flash.
    public func prepare() throws -> Prepared {
        let built = try build()
        let profile = built.profile
        var report = built.report
        let planner = ProfilePlanner(profile: profile, header: built.header, flashSizeOverride: request.flashSizeOverride, dryRun: request.dryRun)
        let size = try runStep("plan", kind: .input) { try planner.flashSize() }
        // A missing artifact is the build's fault, unless the dry run skipped the build.
        let images = try runStep("image", kind: request.dryRun ? .input : .device) { try planner.appImages(size) }
        observer(.imageReady(images.map(\.write.region).sorted { $0.address < $1.address }))
        let plan = try runStep("plan", kind: .input) { try planner.plan(images: images, size: size) }
        observer(.planned(plan))
        report.plan = plan.report
        return Prepared(profile: profile, plan: plan, report: report)
    }

    /// Every step, board included; returns the report `flash --json` prints.
    public func run() throws -> FlashReport {
        let prepared = try prepare()
        let profile = prepared.profile
        var report = prepared.report
        // Certificates, keys, MQTT_HOST and cert sectors are checked before any board is touched.
        if !profile.certs.isEmpty {
            let findings = try DoctorGate.check(profile, observer: observer)
            report.doctor = findings.map(FindingReport.init)
        }
        if request.dryRun {
            observer(.dryRunFinished)
            report.ok = true
            return report
        }

        let connection = request.connection
        let options = try runStep("connect", kind: .input) { try connection.sessionOptions(environment: request.environment, profile: profile) }
        let portName = try runStep("connect", kind: .input) { try connection.portName(environment: request.environment, profile: profile) }
        // The monitor resets the board itself (at the ROM's baud, so its banner is readable).
        let monitoring = MonitorStep.applies(to: profile, after: connection.after, noMonitor: request.noMonitor)
        var board = BoardFlash(portName: portName, options: options, after: monitoring ? .noReset : connection.after,
                               announceReset: !monitoring, observer: observer, opener: opener)
        board.eraseAll = request.eraseAll
        let outcome = try board.run(planned: prepared.plan.writes, flashSize: prepared.plan.flashSize)
        report.board = outcome.report
        report.port = portName

        var closed = false
        defer { if !closed { try? outcome.opened.close() } }
        if monitoring {
            let step = MonitorStep(profile: profile, observer: observer)
            observer(step.startEvent)
            let watched = try step.run(outcome.opened)
            report.monitor = watched.report
            observer(.monitorMatched(line: watched.outcome.matchedLine ?? "", seconds: watched.seconds))
        } else {
            let why = request.noMonitor ? "--no-monitor" : connection.after != .hardReset ? "--after \(connection.after.rawValue)" : "the profile has no [monitor] success pattern"
            observer(.monitorSkipped(why: why))
            report.monitor = .init(result: "skipped", why: why)
        }
        closed = true
        try runStep("reset") { try outcome.opened.close() }
        report.ok = true
        return report
    }
}

/// Doctor before any board is touched: the profile's certificates, keys, broker host and cert
/// sectors; error findings stop the workflow. One gate for `flash` and `bench`.
enum DoctorGate {
    /// `perBoardIdentity`: the bench writes each board its own certificate, so a fixed client
    /// certificate in the profile is not checked and its absence is no finding.
    static func check(_ profile: ResolvedProfile, perBoardIdentity: Bool = false, observer: WorkflowObserver) throws -> [Finding] {
        var checked = profile
        if perBoardIdentity {
            checked.certs.clientCertificate = nil
            checked.certs.clientKey = nil
        }
        var findings = try runStep("doctor", kind: .input) { diagnose(try DoctorInput(profile: checked)) }
        if perBoardIdentity { findings.removeAll { $0.code == "security-needs-client-cert" } }
        observer(.doctor(findings))
        let errors = findings.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw StepFailure(step: "doctor", error: WorkflowError(
                .doctor, "\(errors.count) error finding\(errors.count == 1 ? "" : "s") in profile \(profile.name) (\(errors.map(\.code).joined(separator: ", "))) would break TLS on the board",
                hint: "no board was touched; fix them (esprig doctor --profile \(profile.name) explains each) and run again"), stepKind: .device)
        }
        return findings
    }
}

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
        /// `[certs] create`: make this board a new certificate even when it has one.
        public var newIdentity = false
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
        var profile = built.profile
        var report = built.report
        // [certs] create: the CA sector is planned from the CA, so it is made first.
        if profile.certs.create {
            let input = try runStep("certs", kind: .input) { try DoctorInput(profile: profile) }
            if request.dryRun {
                let missing = [profile.certs.ca.first, profile.certs.caKey, profile.certs.serverCertificate, profile.certs.serverKey]
                    .compactMap { $0 }.filter { !FileManager.default.fileExists(atPath: $0) }
                if !missing.isEmpty {
                    // A dry run makes nothing: it plans without the material the real run makes first.
                    observer(.warning("dry run: \(missing.map(displayPath).joined(separator: ", ")) do not exist yet; the first real run makes them ([certs] create), so the CA sector and doctor's checks are left out of this plan"))
                    profile.certs = CertificateSpec()
                }
            } else {
                let made = try runStep("certs", kind: .input) { try MadeMaterial.ensureShared(profile, mqttHost: input.mqttHost) }
                if !made.isEmpty { observer(.certificatesMade(made)) }
            }
        }
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
            let findings = try DoctorGate.check(profile, perBoardIdentity: profile.certs.issuesPerBoard, observer: observer)
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
        let store = try identityStore(profile)
        let outcome = try board.run(planned: prepared.plan.writes, flashSize: prepared.plan.flashSize) { [observer] info in
            guard let store else { return [] }
            let chosen = try store.identity(for: info)
            observer(.deviceIdentity(commonName: chosen.commonName, certificate: chosen.certificatePath, reused: chosen.reused))
            return [chosen.write]
        }
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
            // Firmware that reports the certificate sectors it read proves the addresses agree.
            if let read = try runStep("certificates", kind: .device, { try CertSectorReport(lines: watched.outcome.lines).check(outcome.writes) }) {
                observer(.certificatesRead(addresses: read))
            }
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

extension FlashProfileWorkflow {
    /// Where this board's own certificate comes from when the profile makes one per board.
    func identityStore(_ profile: ResolvedProfile) throws -> DeviceIdentityStore? {
        guard profile.certs.issuesPerBoard, let directory = profile.certs.identityDirectory else { return nil }
        let input = try runStep("identity", kind: .input) { try DoctorInput(profile: profile) }
        let identity = try runStep("identity", kind: .input) {
            try BenchIdentity(profile: profile, clientIDFormat: input.clientID, clientSector: input.firmware.clientSector, serial: nil)
        }
        return DeviceIdentityStore(identity: identity, directory: directory, newIdentity: request.newIdentity)
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

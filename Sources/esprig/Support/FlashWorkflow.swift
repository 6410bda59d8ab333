import Foundation
import EsprigCerts
import EsprigFirmware
import EsprigImage
import EsprigLoader
import EsprigProfiles
import EsprigProtocol

/// A failure of one step of `esprig flash --profile`: which step, and the user-facing failure.
struct FlashStepFailure: Error {
    var step: String
    var failure: CLIFailure
}

/// The steps of `esprig flash --profile NAME`, each printing one line when it is done.
struct FlashWorkflow {
    let profileName: String
    let profilesDirectory: String
    let dryRun: Bool
    let connection: ConnectionOptions
    let output: OutputOptions
    let environment: [String: String]
    let reporter: Reporter

    init(profileName: String, profilesDirectory: String, dryRun: Bool, connection: ConnectionOptions,
         output: OutputOptions, environment: [String: String]) {
        self.profileName = profileName
        self.profilesDirectory = profilesDirectory
        self.dryRun = dryRun
        self.connection = connection
        self.output = output
        self.environment = environment
        self.reporter = Reporter(output: output)
    }

    /// Runs `body` as step `name`: any error becomes a `FlashStepFailure` naming the step.
    /// `status` is the exit code for errors that do not carry their own (build and image failures: 2).
    private func step<T>(_ name: String, status: Int32 = ExitStatus.device, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as FlashStepFailure {
            throw failure
        } catch let error as ProfileError {
            let message = error.location.map { "\($0): \(error.message)" } ?? error.message
            throw FlashStepFailure(step: name, failure: CLIFailure(code: error.code.rawValue, message: message, hint: error.hint, status: ExitStatus.usage))
        } catch let error as FirmwareConfigError {
            throw FlashStepFailure(step: name, failure: CLIFailure(code: error.code.rawValue, message: error.message, hint: error.hint, status: status))
        } catch let error as ImageError {
            throw FlashStepFailure(step: name, failure: CLIFailure(code: error.code.rawValue, message: error.message, hint: error.hint, status: status))
        } catch {
            throw FlashStepFailure(step: name, failure: CLIFailure(error))
        }
    }

    private func fail(_ code: String, _ message: String, hint: String? = nil, status: Int32) -> CLIFailure {
        CLIFailure(code: code, message: message, hint: hint, status: status)
    }

    /// The SDK cert-sector files packed from the profile's certificates (DER, PKCS#1 key),
    /// placed at the sectors the profile (and so the firmware's header) names.
    private func certificateSectors(_ profile: ResolvedProfile) throws -> [FlashWrite] {
        let certs = profile.certs, flash = profile.flash
        var writes: [FlashWrite] = []
        let name = { (path: String) in (path as NSString).lastPathComponent }
        if !certs.ca.isEmpty {
            guard let sector = flash.caSector else {
                throw fail("no-ca-sector", "the profile names CA certificates but no ca_sector", hint: "set ca_sector in [flash] to the sector the firmware reads (e.g. 0x77)", status: ExitStatus.usage)
            }
            let packed = try CertSectorPacker.caSector(try certs.ca.map { (name($0), try readInputFile($0)) })
            writes.append(FlashWrite(address: sector * CertSectorPacker.sectorSize, data: packed, source: "esp_ca_cert.bin"))
        }
        if certs.clientCertificate != nil || certs.clientKey != nil {
            guard let certificate = certs.clientCertificate, let key = certs.clientKey else {
                throw fail("incomplete-client-certificate", "the profile names only one of client_cert and client_key", hint: "give both, or neither", status: ExitStatus.usage)
            }
            guard let sector = flash.clientSector else {
                throw fail("no-client-sector", "the profile names a client certificate but no client_sector", hint: "set client_sector in [flash] (e.g. 0x78)", status: ExitStatus.usage)
            }
            let packed = try CertSectorPacker.clientSector(certificate: try readInputFile(certificate), key: try readInputFile(key),
                                                           certificateName: name(certificate), keyName: name(key))
            writes.append(FlashWrite(address: sector * CertSectorPacker.sectorSize, data: packed, source: "esp_cert_private_key.bin"))
        }
        return writes
    }

    /// The cert sectors the plan writes must be the ones the firmware reads: from its config
    /// header and from `espconn_secure_*` calls in its sources. Also no planned region may cover
    /// the firmware's saved-config sectors. A disagreement names the file and line.
    private func checkSectorsAgainstFirmware(_ profile: ResolvedProfile, header: ConfigHeader, writes: [FlashWrite]) throws {
        guard let config = profile.config else { return }
        var firmware = try FirmwareSectors(header: header, path: config.header)
        if let directory = profile.firmware?.directory {
            let calls = try SourceSectorScanner(header: header).scan(directory: directory)
            firmware = try SourceSectorScanner.sectors(calls, header: firmware)
        }
        let planned: [(Int?, FirmwareSectors.Sector?, String, String)] = [
            (profile.flash.caSector, firmware.caCertificates, "ca_sector", "CA certificates"),
            (profile.flash.clientSector, firmware.clientCertificate, "client_sector", "the client certificate"),
        ]
        for (profileSector, compiled, key, what) in planned {
            guard let profileSector, let compiled, profileSector != compiled.number else { continue }
            let at = profile.location(of: "flash.\(key)").map { " (\($0))" } ?? ""
            throw fail("sector-mismatch",
                       String(format: "the profile puts %@ at sector 0x%x (0x%05x)%@, but the firmware reads sector 0x%x (0x%05x) per %@",
                              what, profileSector, profileSector * 0x1000, at, compiled.number, compiled.address, compiled.source),
                       hint: "make flash.\(key) and the firmware agree (set it in [config.set] too, so the header is patched)", status: ExitStatus.usage)
        }
        for sector in firmware.configSectors {
            if let hit = writes.first(where: { $0.region.address < sector.address + 0x1000 && $0.region.end > sector.address }) {
                throw fail("config-sector-overwritten",
                           String(format: "%@ (0x%08x..0x%08x) would overwrite sector 0x%x, where the firmware keeps its settings (%@)",
                                  hit.region.source, hit.region.address, hit.region.end, sector.number, sector.source),
                           hint: "move that region; the firmware's saved-config sectors must not be flashed over", status: ExitStatus.usage)
            }
        }
    }

    func run() throws -> [String: Any] {
        var result: [String: Any] = ["command": "flash", "profile": profileName, "dryRun": dryRun]

        // 1. profile
        let profile: ResolvedProfile = try step("profile") {
            try ProfileLibrary(directory: profilesDirectory).resolve(profileName, environment: environment)
        }
        for warning in profile.warnings { reporter.warn("\(warning)") }
        reporter.say("profile: \(profile.name) (\(profile.sourceFile)), chip \(profile.chip.rawValue)")

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
                reporter.say("config: \(dryRun ? "would change" : "changed") \(names.count) value\(names.count == 1 ? "" : "s") in \(config.header) (\(names.joined(separator: ", ")))")
            } else {
                reporter.say("config: \(config.header) already holds the profile's \(config.settings.count) values")
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
                reporter.say(report.outcome == .built ? "build: built \(firmware.directory) (\(report.toolchainVersion))"
                                                      : "build: \(firmware.directory) is up to date")
                result["build"] = report.outcome == .built ? "built" : "up-to-date"
            }
        } else {
            reporter.say("build: the profile names no build command")
        }

        // 4. image
        let flash = profile.flash
        var writes: [FlashWrite] = []
        try step("image") {
            guard let app = flash.app else {
                throw fail("no-app", "the profile names no app ([flash] app)", hint: "set app = \"build/app.elf\" (or a .bin with app_address)", status: ExitStatus.usage)
            }
            guard FileManager.default.fileExists(atPath: app) else {
                throw fail("missing-artifact", "no such file: \(app)",
                           hint: dryRun ? "run without --dry-run once to build it" : "check [flash] app and the build's artifacts", status: dryRun ? ExitStatus.usage : ExitStatus.device)
            }
            let bytes = try readInputFile(app)
            if bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]) {
                let version = ESP8266Image.Version(rawValue: flash.imageVersion ?? 1) ?? .v1
                let settings = try ImageFlashSettings(mode: flash.mode?.rawValue, frequency: flash.frequency, size: flash.sizeName)
                let files = try Elf2Image.convert(elf: bytes, elfPath: app, options: .init(version: version, flash: settings)).files
                for file in files {
                    let address = version == .v2 ? (flash.appAddress ?? file.flashOffset) : file.flashOffset
                    writes.append(FlashWrite(address: address, data: file.bytes, source: "\((app as NSString).lastPathComponent) @\(hexAddress(file.flashOffset))"))
                }
            } else {
                guard let address = flash.appAddress else {
                    throw fail("no-app-address", "\(app) is a binary image, so the profile must say where it goes",
                               hint: "set app_address in [flash]", status: ExitStatus.usage)
                }
                writes.append(FlashWrite(address: address, data: bytes, source: (app as NSString).lastPathComponent))
            }
        }
        reporter.say("image: " + writes.sorted { $0.region.address < $1.region.address }.map { "\(hexAddress($0.region.address)) \($0.region.size) bytes" }.joined(separator: ", "))

        // 5. plan
        let flashSize: Int? = try step("plan", status: ExitStatus.usage) {
            var size = flash.sizeBytes
            var named: [(Int?, String?, String)] = [(nil, flash.boot, "boot"), (nil, flash.initData, "init data"), (nil, flash.blank, "blank")]
            if let sizeMap = flash.sizeMap {
                let layout = try FlashLayout(sizeMapNumber: sizeMap)
                size = size ?? layout.flashSize
                named = [(layout.bootAddress, flash.boot, "boot"), (layout.initDataAddress, flash.initData, "init data"), (layout.blankAddress, flash.blank, "blank")]
            } else if let size {
                named = [(0, flash.boot, "boot"), (size - 0x4000, flash.initData, "init data"), (size - 0x2000, flash.blank, "blank")]
            }
            for (address, file, what) in named {
                guard let file else { continue }
                guard let address else {
                    throw fail("no-flash-size", "the profile names \(what) (\(file)) but no flash size, so its address is unknown",
                               hint: "set size or size_map in [flash]", status: ExitStatus.usage)
                }
                writes.append(FlashWrite(address: address, data: try readInputFile(file), source: (file as NSString).lastPathComponent))
            }
            writes += try certificateSectors(profile)
            for extra in flash.extra {
                writes.append(FlashWrite(address: extra.address, data: try readInputFile(extra.file), source: (extra.file as NSString).lastPathComponent))
            }
            if let patchedHeader { try checkSectorsAgainstFirmware(profile, header: patchedHeader, writes: writes) }
            writes = try WritePlanning.plan(writes, flashSize: size)
            return size
        }
        reporter.say("plan: \(writes.count) region\(writes.count == 1 ? "" : "s") in \(flashSize.map(sizeText) ?? "flash of unknown size"): "
                     + writes.map { "\(hexAddress($0.region.address))..\(hexAddress($0.region.end)) \($0.region.source)" }.joined(separator: ", "))
        result["plan"] = writes.map { ["address": $0.region.address, "size": $0.region.size, "source": $0.region.source] as [String: Any] }
        if dryRun {
            reporter.say("dry run: the board was not touched")
            result["ok"] = true
            return result
        }

        // 6. connect
        let portName: String = try step("connect", status: ExitStatus.usage) {
            if let port = connection.port, !port.isEmpty { return port }
            if let port = environment["ESPRIG_PORT"], !port.isEmpty { return port }
            if case .auto = profile.port {
                throw fail("no-port", "the profile says port = \"auto\" and no port was given",
                           hint: "pass --port /dev/ttyUSB0 (or set ESPRIG_PORT); port detection is not implemented yet", status: ExitStatus.usage)
            }
            return profile.port.description
        }
        var options = SessionOptions()
        options.baud = connection.baud ?? profile.baud
        options.useStub = !connection.noStub
        options.connect.before = connection.before
        options.connect.chip = connection.chip.chip ?? profile.chip
        options.connect.attempts = connection.connectAttempts
        if let sequence = connection.resetSequence {
            options.connect.resetSequence = try step("connect", status: ExitStatus.usage) { try ResetSequence(parsing: sequence) }
        }
        let opened = try step("connect") { try PortFactory.open(portName, baud: min(options.baud, options.romBaud)) }
        var closed = false
        defer { if !closed { try? opened.close() } }
        let session = try step("connect") {
            try FlashSession(port: opened.port, options: options, stubSource: connection.noStub ? nil : EsptoolStubSource.locate(), events: reporter.handle)
        }
        reporter.say("connect: \(session.info.chip.rawValue) on \(portName), MAC \(session.info.macString)\(session.connection.isStub ? ", stub" : "")")

        // 7. write (+ 8. verify: each region is checked by MD5 as it is written)
        let results = try step("write") { try session.writeFlash(writes, options: FlashOptions()) }
        let skipped = writes.filter { results[$0.region] == .skipped }.count
        let verified = writes.filter { results[$0.region] == .verified }.count
        let unverified = writes.compactMap { write -> String? in
            if case .unverified(let why) = results[write.region] { return "\(hexAddress(write.region.address)): \(why)" }
            return nil
        }
        reporter.say("write: \(writes.count - skipped) written, \(skipped) skipped (already on the board)")
        if unverified.isEmpty {
            reporter.say("verify: \(verified) written region\(verified == 1 ? "" : "s") verified by MD5, \(skipped) unchanged")
        } else {
            reporter.say("verify: \(unverified.count) region\(unverified.count == 1 ? "" : "s") NOT verified (\(unverified.joined(separator: "; ")))")
        }
        result["regions"] = writes.map { write -> [String: Any] in
            let state: String
            switch results[write.region] {
            case .verified: state = "verified"
            case .skipped: state = "skipped"
            case .unverified: state = "unverified"
            case nil: state = "unknown"
            }
            return ["address": write.region.address, "size": write.region.size, "source": write.region.source, "result": state]
        }

        // 9. reset
        try step("reset") { try session.finish(connection.after) }
        result["chip"] = session.info.chip.rawValue
        result["mac"] = session.info.macString
        result["port"] = portName
        result["stub"] = session.connection.isStub
        closed = true
        try step("reset") { try opened.close() }
        reporter.say("reset: \(connection.after.rawValue)")

        // 10. monitor
        reporter.say("monitor: not implemented yet (issue 5)")
        result["monitor"] = "not implemented"
        result["ok"] = true
        return result
    }
}

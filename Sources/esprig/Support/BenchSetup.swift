import Foundation
import EsprigCerts
import EsprigLedger
import EsprigLoader
import EsprigPorts
import EsprigProfiles

/// Everything done once before any board: the profile checked by doctor, the identity maker,
/// the ports, the ledger, the firmware built and planned.
struct BenchSetup {
    let command: Esprig.Bench

    struct Made {
        var context: BenchContext
        var ports: [BenchPort]
        /// Where the ledger is, as it may be shown (a URL without its password).
        var ledgerPath: String
        /// ESPRIG_BENCH_DEVICES: ports from files instead of udev (tests).
        var deviceDirectory: BenchDeviceDirectory?
    }

    func make() throws -> Made {
        let environment = ProcessInfo.processInfo.environment
        let profile = try runStep("profile", status: ExitStatus.usage) {
            try resolveProfile(command.profile, profilesDir: command.profilesDir)
        }
        // The bench writes each board's own certificate: a fixed client certificate in the profile is not used.
        var checked = profile
        checked.certs.clientCertificate = nil
        checked.certs.clientKey = nil
        let input = try runStep("doctor", status: ExitStatus.usage) {
            do { return try DoctorInput(profile: checked) } catch { throw CLIFailure(error, status: ExitStatus.usage) }
        }
        let findings = diagnose(input).filter { $0.code != "security-needs-client-cert" }
        let errors = findings.filter { $0.severity == .error }
        if !command.output.json {
            for finding in findings where finding.severity != .info { CertsRendering.lines(finding).forEach { print($0) } }
        }
        guard errors.isEmpty else {
            throw FlashStepFailure(step: "doctor", failure: CLIFailure(
                code: "doctor-errors", message: "\(errors.count) error finding\(errors.count == 1 ? "" : "s") in profile \(profile.name): " + errors.map(\.code).joined(separator: ", "),
                hint: "no board was touched; fix them (esprig doctor --profile \(profile.name) explains each) and run bench again", status: ExitStatus.device))
        }
        let serial = try command.serial.map { try BenchIdentity.SerialTemplate($0, start: command.serialStart) }
        let identity = try runStep("identity", status: ExitStatus.usage) {
            try BenchIdentity(profile: profile, clientIDFormat: input.clientID, serial: serial)
        }
        let devices = environment["ESPRIG_BENCH_DEVICES"].flatMap { $0.isEmpty ? nil : BenchDeviceDirectory(directory: $0) }
        let ports = try runStep("ports", status: ExitStatus.usage) {
            try BenchPorts.resolve(command.ports, scanner: PortScanner(source: devices ?? UdevDeviceSource()), allowNone: command.watch)
        }
        let station = try runStep("station", status: ExitStatus.usage) { try stationName(command.station) }
        let ledger = try runStep("ledger", status: ExitStatus.device) { try command.ledgerOptions.openForWriting(environment: environment) }

        let workflow = FlashWorkflow(profileName: command.profile, profilesDirectory: profilesDirectory(command.profilesDir), dryRun: false,
                                     connection: command.connection, output: command.output, environment: environment)
        let prepared = try workflow.prepare()
        let planned = prepared.plan.writes.filter { $0.region.address != identity.address }

        let options = try SessionOptions(profile: profile, connection: command.connection)

        // Without the stub no region can be checked by MD5, which the bench requires: say so
        // before any board is written, not after.
        if options.useStub {
            let stub = try runStep("stub", status: ExitStatus.usage) { try EsptoolStubSource.locate().stub(for: options.connect.chip ?? profile.chip) }
            guard stub != nil else {
                throw FlashStepFailure(step: "stub", failure: CLIFailure(
                    code: "no-stub", message: "no esptool flasher stub found for \(profile.chip.rawValue), so no region could be verified by MD5",
                    hint: "no board was touched; install esptool (pip install esptool, or scripts/setup.sh for ./.venv) or set ESPRIG_STUB_DIR", status: ExitStatus.usage))
            }
        }

        var hashes: [String: String] = [:]
        for write in planned { hashes[write.region.source] = sha256Hex(write.data) }
        let profileBytes = try profile.files.flatMap { try readInputFile($0) }
        let monitoring = FlashMonitorStep.applies(to: profile, after: command.connection.after, noMonitor: command.noMonitor)
        let context = BenchContext(profile: profile, profileName: profile.name, profileHash: sha256Hex(profileBytes), planned: planned,
                                   flashSize: prepared.plan.flashSize, firmwareHashes: hashes, identity: identity, ledger: ledger, station: station,
                                   options: options, after: command.connection.after, reprovision: command.reprovision, monitoring: monitoring)
        return Made(context: context, ports: ports, ledgerPath: ledger.location, deviceDirectory: devices)
    }
}

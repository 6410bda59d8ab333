import Foundation
import EsprigCerts
import EsprigLedger
import EsprigLoader
import EsprigPorts
import EsprigProfiles

/// What a bench run is asked to do: one profile onto many boards, each with its own identity.
public struct BenchRequest: Sendable {
    public var profile: String
    public var profilesDirectory: String
    /// `auto` (every ESP-like port) or a comma-separated list of ports and selectors.
    public var ports = "auto"
    /// At most this many boards at the same time.
    public var parallel = 8
    /// Keep provisioning boards as they are plugged in, until the run is stopped.
    public var watch = false
    /// A per-board serial from the ledger's counter, e.g. `GH-%05d`.
    public var serial: String?
    public var serialStart: Int64 = 1
    /// End each board after its reset instead of watching it for [monitor] success.
    public var noMonitor = false
    /// Provision boards again that the ledger holds as passed.
    public var reprovision = false
    /// This bench's name in the ledger; nil: the host name.
    public var station: String?
    public var connection = BoardConnection()
    public var environment: [String: String]
    /// Opens the ledger to record into; called once the profile, identity and ports are checked.
    public var openLedger: @Sendable () throws -> any Ledger
    /// Ports from somewhere other than udev (tests describe boards in files).
    public var deviceSource: (any DeviceSource & Sendable)?

    /// The rest has the defaults of `esprig bench` (auto ports, 8 at a time, the host's station name).
    public init(profile: String, profilesDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                openLedger: @escaping @Sendable () throws -> any Ledger) {
        self.profile = profile
        self.profilesDirectory = profilesDirectory
        self.environment = environment
        self.openLedger = openLedger
    }

    /// `--station NAME`, checked: letters, digits and `-_.:@`, at most 64; nil is the host name.
    public static func stationName(_ option: String?) throws -> String {
        guard let option else { return Station.hostName }
        let name = option.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:@".contains($0) }) else {
            throw WorkflowError(.invalidStation, "--station '\(option)' is not a station name",
                                hint: "use up to 64 letters, digits and - _ . : @ (e.g. line1-bench2); each bench running at the same time needs its own")
        }
        return name
    }
}

/// `bench` as a library call: everything done once (profile, doctor, identity, ports, ledger,
/// firmware built and planned), then every board provisioned at once: connect, identity
/// (client id and certificate), write, verify, reset, monitor, each step in the ledger.
///
/// ```swift
/// let bench = BenchWorkflow(request) { event in print(event) }
/// let prepared = try bench.prepare()
/// let summary = try bench.run(prepared, shouldStop: { stopRequested })
/// ```
public struct BenchWorkflow: Sendable {
    public let request: BenchRequest
    public let observer: BenchObserver
    var opener = BoardOpener()

    /// `observer` is called from the board threads at the same time: it must be thread-safe.
    public init(_ request: BenchRequest, observer: @escaping BenchObserver) {
        self.request = request
        self.observer = observer
    }

    /// The setup's result, ready to provision boards.
    public struct Prepared: Sendable {
        let context: BenchContext
        let ports: [BenchPort]
        /// Where the ledger is, as it may be shown (a URL without its password).
        public let ledgerLocation: String
        public var profileName: String { context.profileName }
    }

    /// What a run did, board by board, in the order the boards started.
    public struct Summary: Sendable, Codable {
        public var profile: String
        public var ledger: String
        public var seconds: Double
        public var boards: [BenchBoardResult]
        /// No board failed or went unrecorded (skipped ones count as fine).
        public var ok: Bool { !boards.contains { $0.result == .failed || $0.result == .unrecorded } }
    }

    /// Checks and builds everything once; nothing here touches a board. Fails with a
    /// `StepFailure` naming the step (`profile`, `doctor`, `identity`, `ports`, `ledger`, `stub`…).
    public func prepare() throws -> Prepared {
        let environment = request.environment
        let setupObserver: WorkflowObserver = { [observer] in observer(.setup($0)) }
        let profile = try runStep("profile", kind: .input) {
            try ProfileLibrary(directory: request.profilesDirectory).resolve(request.profile, environment: environment)
        }
        if profile.certs.create {
            let input = try runStep("certs", kind: .input) { try DoctorInput(profile: profile) }
            let made = try runStep("certs", kind: .input) { try MadeMaterial.ensureShared(profile, mqttHost: input.mqttHost) }
            if !made.isEmpty { setupObserver(.certificatesMade(made)) }
        }
        // The bench writes each board's own certificate: a fixed client certificate in the profile is not used.
        _ = try DoctorGate.check(profile, perBoardIdentity: true, observer: setupObserver)
        let input = try runStep("doctor", kind: .input) { try DoctorInput(profile: profile) }
        let serial = try request.serial.map { try BenchIdentity.SerialTemplate($0, start: request.serialStart) }
        let identity = try runStep("identity", kind: .input) {
            try BenchIdentity(profile: profile, clientIDFormat: input.clientID, clientSector: input.firmware.clientSector, serial: serial)
        }
        let scanner = request.deviceSource.map { PortScanner(source: $0) } ?? PortScanner()
        let ports = try runStep("ports", kind: .input) { try BenchPorts.resolve(request.ports, scanner: scanner, allowNone: request.watch) }
        let station = try runStep("station", kind: .input) { try BenchRequest.stationName(request.station) }
        let ledger = try runStep("ledger", kind: .device) { try request.openLedger() }

        var flash = FlashProfileWorkflow.Request(profile: request.profile, profilesDirectory: request.profilesDirectory, environment: environment)
        flash.connection = request.connection
        flash.resolved = profile
        let prepared = try FlashProfileWorkflow(flash, observer: setupObserver).prepare()
        let planned = prepared.plan.writes.filter { $0.region.address != identity.address }
        let options = try runStep("connect", kind: .input) { try request.connection.sessionOptions(environment: environment, profile: profile) }

        // Without the stub no region can be checked by MD5, which the bench requires: say so
        // before any board is written, not after.
        if options.useStub {
            let stub = try runStep("stub", kind: .input) { try EsptoolStubSource.locate().stub(for: options.connect.chip ?? profile.chip) }
            guard stub != nil else {
                throw StepFailure(step: "stub", error: WorkflowError(
                    .noStub, "no esptool flasher stub found for \(profile.chip.rawValue), so no region could be verified by MD5",
                    hint: "no board was touched; install esptool (pip install esptool, or scripts/setup.sh for ./.venv) or set ESPRIG_STUB_DIR"), stepKind: .input)
            }
        }

        var hashes: [String: String] = [:]
        for write in planned { hashes[write.region.source] = sha256Hex(write.data) }
        let profileBytes = try runStep("profile", kind: .input) { try profile.files.flatMap { try readInputFile($0) } }
        let monitoring = MonitorStep.applies(to: profile, after: request.connection.after, noMonitor: request.noMonitor)
        let context = BenchContext(profile: profile, profileName: profile.name, profileHash: sha256Hex(profileBytes), planned: planned,
                                   flashSize: prepared.plan.flashSize, firmwareHashes: hashes, identity: identity, ledger: ledger, station: station,
                                   options: options, after: request.connection.after, reprovision: request.reprovision, monitoring: monitoring,
                                   opener: opener)
        return Prepared(context: context, ports: ports, ledgerLocation: ledger.location)
    }

    /// Provisions the prepared ports (and, with `watch`, ports as they appear through `hotplug`)
    /// until every board is done. `shouldStop` is asked about five times a second: once it says
    /// yes, watch mode ends and boards still waiting for a slot end as cancelled, while boards
    /// being written finish, so none is left half-written. `tick` gets the rows as often.
    public func run(_ prepared: Prepared, hotplug: (any HotplugSource)? = nil,
                    shouldStop: () -> Bool = { false }, tick: ([BenchRowState]) -> Void = { _ in }) throws -> Summary {
        let started = ContinuousClock.now
        let runner = BenchRunner(context: prepared.context, parallel: request.parallel, observer: observer)
        func show() { tick(runner.rowStates()) }
        for port in prepared.ports { runner.start(port) }
        if request.watch, let hotplug {
            let listed = Set(prepared.ports.map(\.identity.path))
            let auto = request.ports.trimmingCharacters(in: .whitespaces) == "auto"
            let watcher = BenchWatch(runner: runner, source: hotplug, accepts: { auto ? $0.isESPLike : listed.contains($0.path) })
            observer(.watching)
            do {
                try runStep("watch", kind: .device) { try watcher.run(shouldStop: shouldStop, tick: show) }
            } catch {
                // The boards already started still finish (and are recorded) before the failure is reported.
                runner.cancel()
                runner.waitForAll(shouldStop: { true }, tick: show)
                throw error
            }
        }
        runner.waitForAll(shouldStop: shouldStop, tick: show)
        return Summary(profile: prepared.context.profileName, ledger: prepared.ledgerLocation,
                       seconds: seconds(since: started), boards: runner.finalResults())
    }
}

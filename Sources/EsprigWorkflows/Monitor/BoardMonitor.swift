import Foundation
import EsprigMonitor
import EsprigProfiles
import EsprigProtocol
import EsprigSystem
import EsprigTransport

/// `monitor` as a library call: which port, at which baud, with which ELF for crash addresses,
/// decided the way `flash` decides them (the caller's port, else `ESPRIG_PORT`, else the
/// profile's); then a `MonitorSession` that reopens the same device when it comes back.
public struct BoardMonitor {
    /// What to watch and how; nil fields come from the profile, then the defaults.
    public struct Request: Sendable {
        public var port: String?
        public var chip: Chip?
        /// The app's baud; default the profile's `[monitor] baud`, else 115200.
        public var baud: Int?
        public var profile: ResolvedProfile?
        /// The firmware's ELF, for crash addresses; default the profile's `elf` artifact.
        public var elf: String?
        /// Reopen the port when the device comes back (unplug, USB reset).
        public var reconnect = true
        public var environment: [String: String]

        /// Nothing chosen yet: everything from the environment and defaults.
        public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.environment = environment
        }
    }

    public let portName: String
    /// Open at the app's baud; the caller closes it (after the session ends).
    public let opened: OpenedPort
    public let settings: MonitorSettings

    /// Decides and opens the port. A missing ELF is the user's to fix, naming where it came from.
    public init(_ request: Request, opener: BoardOpener = BoardOpener()) throws {
        let profile = request.profile
        let chip = request.chip ?? profile?.chip ?? .esp8266
        var settings = MonitorSettings(chip: chip, appBaud: request.baud ?? profile?.monitor.baud ?? 115_200)
        settings.reconnect = request.reconnect
        if let elf = request.elf ?? profile?.firmware?.artifact(named: "elf") {
            guard FileManager.default.fileExists(atPath: elf) else {
                throw WorkflowError(.input, "no such ELF file: \(elf)",
                                    hint: request.elf == nil ? "build the profile first (esprig build --profile \(profile?.name ?? ""))" : "check the --elf path")
            }
            settings.resolver = Addr2LineResolver(chip: chip, elf: elf, runner: SubprocessRunner(baseEnvironment: request.environment))
        } else {
            settings.resolverMissingNote = "addresses not resolved: pass --elf FILE or --profile NAME"
        }
        self.settings = settings
        portName = try BoardConnection(port: request.port).portName(environment: request.environment, profile: profile)
        opened = try opener.open(portName, baud: settings.appBaud)
    }

    /// A session on the opened port; a device port is reopened through its `/dev/serial/by-id`
    /// link when it has one (the kernel name may change on replug). Simulated boards are not reopened.
    public func session() -> MonitorSession {
        var reopen: (@Sendable () throws -> any SerialPort)?
        if case .device(let path) = opened.address {
            let stable = DeviceIdentity.stablePath(for: path)
            let baud = settings.appBaud
            reopen = { try TermiosPort(path: stable, baud: baud) }
        }
        return MonitorSession(port: opened.port, settings: settings, reopen: reopen)
    }
}

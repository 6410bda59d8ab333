import Foundation
import EsprigLoader
import EsprigProfiles
import EsprigProtocol
import EsprigTransport

/// How to reach a board and talk to its loader, as the caller asked (command-line flags, a GUI's
/// settings). Fields left nil fall back to the environment (`ESPRIG_PORT`, `ESPRIG_BAUD`) and
/// then to the profile, in the same order for every workflow.
public struct BoardConnection: Sendable {
    /// A port address: `/dev/ttyUSB0`, `auto`, `usb-serial:…`, `socket://…`, `sim://esp8266?…`.
    public var port: String?
    public var baud: Int?
    public var chip: Chip?
    public var before: BeforeAction = .defaultReset
    public var after: AfterAction = .hardReset
    public var useStub = true
    public var connectAttempts = 7
    /// A custom reset sequence in esptool's language (`D0|R1|W0.1|D1|R0|W0.05|D0`).
    public var resetSequence: String?
    /// Called with every frame sent and received.
    public var trace: (@Sendable (TraceRecord) -> Void)?

    /// Nil fields fall back to the environment, then the profile.
    public init(port: String? = nil, baud: Int? = nil) {
        self.port = port
        self.baud = baud
    }

    /// The port to open: the caller's, else `ESPRIG_PORT`, else the profile's (`auto` included,
    /// resolved when the port opens). No silent guess when none names one.
    public func portName(environment: [String: String], profile: ResolvedProfile? = nil) throws -> String {
        if let port, !port.isEmpty { return port }
        if let env = environment["ESPRIG_PORT"], !env.isEmpty { return env }
        if let profile { return profile.port.description }
        throw WorkflowError(.noPort, "no port given",
                            hint: "pass --port /dev/ttyUSB0 or --port auto (or set ESPRIG_PORT); `esprig ports` lists the ports; --port sim://esp8266 runs against the built-in simulated board")
    }

    /// The transfer baud: the caller's, else `ESPRIG_BAUD`, else the profile's, else 115200.
    public func transferBaud(environment: [String: String], profile: ResolvedProfile? = nil) throws -> Int {
        if let baud { return baud }
        if let value = environment["ESPRIG_BAUD"], !value.isEmpty {
            guard let b = Int(value), b >= 300, b <= 5_000_000 else {
                throw WorkflowError(.input, "ESPRIG_BAUD=\(value) is not a baud rate", hint: "use a number from 300 to 5000000")
            }
            return b
        }
        return profile?.baud ?? 115_200
    }

    /// The loader session: one builder for every command, so `--trace`, `ESPRIG_BAUD` and a
    /// profile's chip mean the same in `write-flash` and in `flash --profile`.
    public func sessionOptions(environment: [String: String], profile: ResolvedProfile? = nil) throws -> SessionOptions {
        var options = SessionOptions()
        options.baud = try transferBaud(environment: environment, profile: profile)
        options.useStub = useStub
        options.connect.before = before
        options.connect.chip = chip ?? profile?.chip
        options.connect.attempts = connectAttempts
        if let resetSequence {
            options.connect.resetSequence = try ResetSequence(parsing: resetSequence)
        }
        options.connect.trace = trace
        return options
    }
}

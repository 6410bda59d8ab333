import Foundation
import EsprigPorts
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTransport

/// An open port plus what must happen when the command is done with it.
struct OpenedPort {
    var port: any SerialPort
    var address: PortAddress
    /// Saves a simulated board's state (`sim://...?state=FILE`); closes the port.
    var close: () throws -> Void
    /// The port is a chip's USB-Serial/JTAG (by VID:PID from udev): it needs the USB reset.
    var isUSBSerialJTAG = false
}

enum PortFactory {
    /// `--port`, else ESPRIG_PORT; there is no silent guess.
    static func resolve(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let option, !option.isEmpty { return option }
        if let env = environment["ESPRIG_PORT"], !env.isEmpty { return env }
        throw CLIFailure(code: "no-port", message: "no port given",
                         hint: "pass --port /dev/ttyUSB0 or --port auto (or set ESPRIG_PORT); `esprig ports` lists the ports; --port sim://esp8266 runs against the built-in simulated board",
                         status: ExitStatus.usage)
    }

    static func open(_ text: String, baud: Int, scanner: PortScanner = PortScanner()) throws -> OpenedPort {
        var address = try PortAddress(parsing: text)
        if case .selected(let selector) = address {
            address = .device(path: try PortSelection.resolve(selector, among: scanner.ports()).path)
        }
        switch address {
        case .simulator(let chipName, var query):
            guard let chip = Chip(rawValue: chipName) else {
                throw CLIFailure(code: "invalid-address", message: "sim://\(chipName): no such simulated chip",
                                 hint: "use sim://esp8266 or sim://esp32", status: ExitStatus.usage)
            }
            // `state=FILE` makes the simulated board persistent: load it if present, save it after.
            let statePath = query.removeValue(forKey: "state")
            if let statePath, FileManager.default.fileExists(atPath: statePath) { query["image"] = statePath }
            let board = try SimulatedBoard(options: SimulatorOptions(chip: chip, query: query))
            let port = SimulatorPort(board: board, name: text)
            return OpenedPort(port: port, address: address, close: {
                port.close()
                if let statePath { try board.saveFlash(to: statePath) }
            })
        default:
            let port = try openPort(address, baud: baud)
            var opened = OpenedPort(port: port, address: address, close: { port.close() })
            if case .device(let path) = address {
                let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
                    URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: path).deletingLastPathComponent()).standardized.path
                }
                let info = PortSelection.port(atPath: path, resolvedPath: resolved, among: (try? scanner.ports()) ?? [])
                opened.isUSBSerialJTAG = info?.bridge?.isUSBSerialJTAG ?? false
            }
            return opened
        }
    }
}

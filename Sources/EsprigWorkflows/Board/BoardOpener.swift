import Foundation
import EsprigPorts
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTransport

/// An open port plus what must happen when the caller is done with it.
public struct OpenedPort {
    public var port: any SerialPort
    public var address: PortAddress
    /// Saves a simulated board's state (`sim://...?state=FILE`); closes the port.
    public var close: () throws -> Void
    /// The port is a chip's USB-Serial/JTAG (by VID:PID from udev): it needs the USB reset.
    public var isUSBSerialJTAG = false
}

/// Opens any port address esprig accepts, one grammar for every command: device paths and the
/// selectors (`auto`, `usb-serial:`, `usb-path:`, `by-id:`) through the machine's port list,
/// `socket://` and `rfc2217://`, and `sim://CHIP?…`, a simulated board in this process.
public struct BoardOpener: Sendable {
    public var scanner: PortScanner

    /// `scanner` resolves `auto` and the USB selectors (udev by default).
    public init(scanner: PortScanner = PortScanner()) {
        self.scanner = scanner
    }

    /// Opens `text` at `baud`; a simulated board is made in this process.
    public func open(_ text: String, baud: Int) throws -> OpenedPort {
        var address = try PortAddress(parsing: text)
        if case .selected(let selector) = address {
            address = .device(path: try PortSelection.resolve(selector, among: scanner.ports()).path)
        }
        switch address {
        case .simulator(let chipName, var query):
            guard let chip = Chip(rawValue: chipName) else {
                throw WorkflowError(.invalidAddress, "sim://\(chipName): no such simulated chip",
                                    hint: "use one of " + Chip.allCases.map { "sim://\($0.rawValue)" }.joined(separator: ", "))
            }
            // `state=FILE` makes the simulated board persistent: load it if present, save it after.
            let statePath = query.removeValue(forKey: "state")
            if let statePath, FileManager.default.fileExists(atPath: statePath) { query["image"] = statePath }
            var options = try SimulatorOptions(chip: chip, query: query)
            options.recogniseStubs()
            let board = try SimulatedBoard(options: options)
            let port = SimulatorPort(board: board, name: text)
            let loaded = board.flash
            return OpenedPort(port: port, address: address, close: {
                port.close()
                // Saved only when this session changed it: a board opened twice at once (two
                // benches sharing it) must not have a writer's flash overwritten by a reader's copy.
                if let statePath, board.flash != loaded { try board.saveFlash(to: statePath) }
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

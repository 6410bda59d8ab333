import Foundation
import EsprigLoader
import EsprigPorts
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTransport

/// An open port plus what must happen when the caller is done with it.
public struct OpenedPort {
    public var port: any SerialPort
    public var address: PortAddress
    /// Saves a simulated board's state (`sim://...?state=FILE`); closes the port (the one
    /// `reopen` opened last, if it was used).
    public var close: () throws -> Void
    /// The chip's own USB behind the port (by VID:PID from udev, or `usb=` of a simulated
    /// board): USB-Serial/JTAG needs the USB reset, USB-OTG the watchdog to reset the chip.
    public var usb: USBConsole?
    /// Opens the same board again once its USB device re-enumerated; nil for a port that
    /// cannot vanish and return (a UART bridge, TCP, RFC 2217).
    public var reopen: PortReopener?
}

/// The port a re-enumerated board was opened at last, which is the one to close.
private final class LatestPort {
    var port: any SerialPort
    init(_ port: any SerialPort) { self.port = port }
}

/// Opens any port address esprig accepts, one grammar for every command: device paths and the
/// selectors (`auto`, `usb-serial:`, `usb-path:`, `by-id:`) through the machine's port list,
/// `socket://` and `rfc2217://`, and `sim://CHIP?…`, a simulated board in this process.
public struct BoardOpener: Sendable {
    public var scanner: PortScanner
    /// How long a re-enumerating USB device may be away (a chip reset takes well under a second).
    static let reenumerationTimeout = Duration.seconds(5)

    /// The chip's own USB a port is, by its VID:PID (the chip table's USB-Serial/JTAG and
    /// USB-OTG download PIDs); nil for a UART bridge.
    static func usbConsole(_ port: SerialPortInfo) -> USBConsole? {
        guard let bridge = port.bridge, bridge.isNative else { return nil }
        return bridge.isUSBSerialJTAG ? .serialJTAG : .otg
    }

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
            let latest = LatestPort(SimulatorPort(board: board, name: text))
            let loaded = board.flash
            var opened = OpenedPort(port: latest.port, address: address, close: {
                latest.port.close()
                // Saved only when this session changed it: a board opened twice at once (two
                // benches sharing it) must not have a writer's flash overwritten by a reader's copy.
                if let statePath, board.flash != loaded { try board.saveFlash(to: statePath) }
            })
            if let usb = board.options.usb {
                opened.usb = usb == .jtag ? .serialJTAG : .otg
                opened.reopen = {
                    let deadline = ContinuousClock.now + Self.reenumerationTimeout
                    while ContinuousClock.now < deadline {
                        if let again = (latest.port as? SimulatorPort)?.reopened() {
                            latest.port = again
                            return again
                        }
                        Thread.sleep(forTimeInterval: 0.02)
                    }
                    throw WorkflowError(.portGone, "\(text): the simulated board's USB did not come back")
                }
            }
            return opened
        default:
            let latest = LatestPort(try openPort(address, baud: baud))
            var opened = OpenedPort(port: latest.port, address: address, close: { latest.port.close() })
            if case .device(let path) = address {
                let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
                    URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: path).deletingLastPathComponent()).standardized.path
                }
                let info = PortSelection.port(atPath: path, resolvedPath: resolved, among: (try? scanner.ports()) ?? [])
                opened.usb = info.flatMap(Self.usbConsole)
                if opened.usb != nil, let identity = info.flatMap(PortFollower.Identity.init) {
                    let follower = PortFollower(scanner: scanner, timeout: Self.reenumerationTimeout)
                    opened.reopen = {
                        let again = try follower.follow(identity) { found in try openPort(.device(path: found.path), baud: baud) }
                        latest.port = again
                        return again
                    }
                } else if info == nil {
                    // Not in the port list (a by-id link udev does not report here, a pty): the
                    // same name is waited for, as /dev/serial/by-id names a device across re-enumerations.
                    opened.reopen = {
                        let deadline = ContinuousClock.now + Self.reenumerationTimeout
                        var lastError: (any Error)?
                        while ContinuousClock.now < deadline {
                            do {
                                let again = try openPort(address, baud: baud)
                                latest.port = again
                                return again
                            } catch { lastError = error }
                            Thread.sleep(forTimeInterval: 0.05)
                        }
                        throw WorkflowError(.portGone, "\(path) did not come back within \(Self.reenumerationTimeout.components.seconds) s after the reset"
                                                + (lastError.map { ": \($0)" } ?? ""),
                                            hint: "replug the board; `esprig ports` shows whether it is on the bus")
                    }
                }
            }
            return opened
        }
    }
}

extension SessionOptions {
    /// The options for this port: a chip's own USB is recorded (USB-OTG is reset by the
    /// watchdog), and USB-Serial/JTAG gets its USB reset when the default one was asked for, as
    /// esptool picks it by VID:PID.
    public func adapted(to opened: OpenedPort) -> SessionOptions {
        var options = self
        options.connect.usb = opened.usb
        if opened.usb == .serialJTAG && options.connect.before == .defaultReset && options.connect.resetSequence == nil {
            options.connect.before = .usbReset
        }
        return options
    }
}

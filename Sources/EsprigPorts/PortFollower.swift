import Foundation

/// Finds a board's USB port again after its device re-enumerated (a chip's own USB across a
/// reset, the USB-OTG handover between app and ROM): the tty name may change (ttyACM0 →
/// ttyACM1) and, for USB-OTG, the PID too, so the device is matched by what stays: its USB
/// serial number (Espressif's ports report the chip's MAC there) with the vendor, or, for a
/// device without one, the hub socket it is plugged into.
public struct PortFollower: Sendable {
    /// What identifies one USB device across re-enumerations.
    public enum Identity: Sendable, Hashable, CustomStringConvertible {
        case serial(vendorID: UInt16, serial: String)
        case socket(topology: String)

        /// nil for a port that is not on USB: nothing to follow it by.
        public init?(_ port: SerialPortInfo) {
            guard let usb = port.usb else { return nil }
            if let serial = usb.serial, !serial.isEmpty {
                self = .serial(vendorID: usb.vendorID, serial: serial)
            } else if let topology = usb.topology, !topology.isEmpty {
                self = .socket(topology: topology)
            } else {
                return nil
            }
        }

        public func matches(_ port: SerialPortInfo) -> Bool {
            guard let usb = port.usb else { return false }
            switch self {
            case .serial(let vendorID, let serial): return usb.vendorID == vendorID && usb.serial == serial
            case .socket(let topology): return usb.topology == topology
            }
        }

        public var description: String {
            switch self {
            case .serial(let vendorID, let serial): "USB serial \(serial) (vendor \(hex4(vendorID)))"
            case .socket(let topology): "USB socket \(topology)"
            }
        }
    }

    public var scanner: PortScanner
    /// How long the device may stay away.
    public var timeout: Duration
    public var pollInterval: Duration

    public init(scanner: PortScanner, timeout: Duration = .seconds(5), pollInterval: Duration = .milliseconds(100)) {
        self.scanner = scanner
        self.timeout = timeout
        self.pollInterval = pollInterval
    }

    /// Polls the port list until `identity` is back and `open` succeeds on it (a node listed a
    /// moment before udev's permissions settle may refuse once); bounded by `timeout`.
    public func follow<Port>(_ identity: Identity, open: (SerialPortInfo) throws -> Port) throws -> Port {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var lastError: (any Error)?
        while true {
            if let port = try? scanner.ports().first(where: identity.matches) {
                do { return try open(port) } catch { lastError = error }
            }
            guard clock.now < deadline else { break }
            clock.sleep(for: pollInterval)
        }
        let why = lastError.map { ": the last attempt to open it failed: \($0)" } ?? ""
        throw PortsError(.noMatch, "the board's port (\(identity)) did not come back within \(timeout.components.seconds) s\(why)",
                         hint: "replug the board; `esprig ports` shows whether it is on the bus")
    }
}

private extension ContinuousClock {
    func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }
}

import EsprigTransport

/// Picks the one port a selector names, or explains why it cannot: esprig never guesses
/// between boards, because flashing the wrong one on a bench is worse than stopping.
public enum PortSelection {
    public static func resolve(_ selector: PortSelector, among ports: [SerialPortInfo]) throws(PortsError) -> SerialPortInfo {
        let matches: [SerialPortInfo]
        switch selector {
        case .auto:
            matches = ports.filter(\.isESPLike)
        case .usbSerial(let serial):
            matches = ports.filter { $0.usb?.serial == serial }
        case .usbPath(let path):
            matches = ports.filter { $0.usb?.topology == path }
        case .byID(let name):
            matches = ports.filter { $0.byID.contains { $0.split(separator: "/").last.map(String.init) == name } }
        }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw noMatch(selector, ports) }
        throw PortsError(.ambiguous, "\(selector) matches \(matches.count) ports: \(matches.map(\.path).joined(separator: ", "))",
                         hint: ambiguityHint(matches), candidates: matches)
    }

    /// The port a device path names: its node, or one of its /dev/serial links (so the ledger
    /// can record the USB identity of a port given as a path). `resolvedPath` is the path with
    /// symlinks resolved, for links udev made that the listing does not show.
    public static func port(atPath path: String, resolvedPath: String? = nil, among ports: [SerialPortInfo]) -> SerialPortInfo? {
        ports.first { port in
            port.path == path || port.byID.contains(path) || port.byPath.contains(path) || port.path == resolvedPath
        }
    }

    private static func noMatch(_ selector: PortSelector, _ ports: [SerialPortInfo]) -> PortsError {
        let listing = ports.isEmpty ? "no serial ports at all" : "ports here: " + ports.map(\.path).joined(separator: ", ")
        switch selector {
        case .auto:
            return PortsError(.noMatch, "port auto: no ESP-like USB serial port found (\(listing))",
                              hint: ports.isEmpty ? "plug a board in, or pass --port" : "pass --port with one of them; `esprig ports` shows what each one is",
                              candidates: ports)
        default:
            return PortsError(.noMatch, "no port matches \(selector) (\(listing))",
                              hint: "`esprig ports` lists each port's USB serial, hub path and by-id name", candidates: ports)
        }
    }

    /// Suggests the selector that tells these ports apart: serial numbers when they are
    /// distinct, else hub positions.
    private static func ambiguityHint(_ matches: [SerialPortInfo]) -> String {
        let serials = matches.compactMap { $0.usb?.serial }
        if serials.count == matches.count, Set(serials).count == serials.count {
            return "choose one: " + serials.map { "--port usb-serial:\($0)" }.joined(separator: ", ")
        }
        let paths = matches.compactMap { $0.usb?.topology }
        if paths.count == matches.count, Set(paths).count == paths.count {
            return "choose one by hub socket: " + paths.map { "--port usb-path:\($0)" }.joined(separator: ", ")
        }
        return "choose one: " + matches.map { "--port \($0.path)" }.joined(separator: ", ")
    }
}

import Foundation
import EsprigLedger
import EsprigPorts
import EsprigTransport

/// A port the bench provisions: what to open, and how the ledger names it.
struct BenchPort: Sendable, Hashable {
    var name: String
    var identity: PortIdentity

    /// A device port with its USB serial and hub position, when the machine knows them.
    init(name: String, info: SerialPortInfo?) {
        self.name = name
        identity = PortIdentity(path: info?.path ?? name, usbSerial: info?.usb?.serial, usbPath: info?.usb?.topology)
    }
}

/// `--ports auto` (every ESP-like port) or a comma-separated list of ports and selectors.
enum BenchPorts {
    static func resolve(_ text: String, scanner: PortScanner = PortScanner(), allowNone: Bool) throws -> [BenchPort] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "auto" {
            let found = try scanner.ports().filter(\.isESPLike)
            if found.isEmpty && !allowNone {
                throw WorkflowError(.noPorts, "no ESP-like serial port found (CP210x, CH340, FTDI, Espressif USB)",
                                 hint: "plug the boards in, list them with `esprig ports`, pass them with --ports /dev/ttyUSB0,/dev/ttyUSB1, or add --watch to wait for them")
            }
            return found.map { BenchPort(name: $0.path, info: $0) }
        }
        let items = splitList(trimmed)
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else {
            throw WorkflowError(.invalidPorts, "--ports '\(text)' has an empty entry",
                                hint: "give auto, or ports separated by commas: /dev/ttyUSB0,/dev/ttyUSB1,usb-serial:0001")
        }
        var machinePorts: [SerialPortInfo]?
        func known() -> [SerialPortInfo] {
            if machinePorts == nil { machinePorts = (try? scanner.ports()) ?? [] }
            return machinePorts ?? []
        }
        var ports: [BenchPort] = []
        for item in items {
            let address: PortAddress
            address = try PortAddress(parsing: item)
            switch address {
            case .selected(let selector):
                if case .auto = selector {
                    throw WorkflowError(.invalidPorts, "auto cannot be one entry of a --ports list", hint: "use --ports auto alone")
                }
                let info = try PortSelection.resolve(selector, among: try scanner.ports())
                ports.append(BenchPort(name: info.path, info: info))
            case .device(let path):
                ports.append(BenchPort(name: path, info: PortSelection.port(atPath: path, among: known())))
            default:
                ports.append(BenchPort(name: item, info: nil))
            }
        }
        var seen: Set<String> = []
        for port in ports where !seen.insert(port.identity.path).inserted {
            throw WorkflowError(.duplicatePort, "\(port.identity.path) is listed twice in --ports", hint: "name each port once")
        }
        return ports
    }

    /// Splits at commas, except inside a URL's query (`sim://esp8266?timing=uart,flash`): a piece
    /// that does not start a port continues the one before it.
    static func splitList(_ text: String) -> [String] {
        var items: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let startsPort = piece.isEmpty || piece.hasPrefix("/") || piece.hasPrefix(".") || piece.contains("://") || piece == "auto"
                || ["usb-serial:", "usb-path:", "by-id:"].contains { piece.hasPrefix($0) }
            if !startsPort, let last = items.last, last.contains("://"), last.contains("?") {
                items[items.count - 1] = last + "," + piece
            } else {
                items.append(piece)
            }
        }
        return items
    }
}

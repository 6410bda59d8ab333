import Foundation

/// Where a board is, parsed once from `--port` / `ESPRIG_PORT`.
public enum PortAddress: Sendable, Hashable, CustomStringConvertible {
    /// A tty device path (`/dev/ttyUSB0`, `/dev/serial/by-id/...`, a pty).
    case device(path: String)
    /// `socket://HOST:PORT`: raw TCP, bytes only.
    case tcp(host: String, port: UInt16)
    /// `rfc2217://HOST:PORT`: telnet with COM-PORT-OPTION for baud and DTR/RTS.
    case rfc2217(host: String, port: UInt16)
    /// `sim://esp8266?flash=4MB&mac=...`: the in-process simulated board.
    case simulator(chip: String, options: [String: String])
    /// `auto`, `usb-serial:…`, `usb-path:…`, `by-id:…`: a port to find among the machine's ports.
    case selected(PortSelector)

    public init(parsing text: String) throws(TransportError) {
        if text.hasPrefix("/") || text.hasPrefix(".") {
            self = .device(path: text)
            return
        }
        if let selector = try PortSelector(parsing: text) {
            self = .selected(selector)
            return
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw TransportError(.invalidAddress, "'\(text)' is not a port",
                                 hint: "give a device path such as /dev/ttyUSB0, auto, usb-serial:SERIAL, usb-path:1-1.4, by-id:NAME, or socket://HOST:PORT, rfc2217://HOST:PORT, sim://esp8266")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = String(text[schemeEnd.upperBound...])
        switch scheme {
        case "socket", "rfc2217":
            let hostPort = rest.split(separator: "?", maxSplits: 1).first.map(String.init) ?? rest
            guard let colon = hostPort.lastIndex(of: ":"),
                  let port = UInt16(hostPort[hostPort.index(after: colon)...]), port > 0 else {
                throw TransportError(.invalidAddress, "'\(text)' has no valid port number", hint: "write it as \(scheme)://HOST:PORT")
            }
            var host = String(hostPort[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty { host = "127.0.0.1" }
            self = scheme == "socket" ? .tcp(host: host, port: port) : .rfc2217(host: host, port: port)
        case "sim":
            let parts = rest.split(separator: "?", maxSplits: 1).map(String.init)
            let chip = parts.first ?? ""
            guard !chip.isEmpty else {
                throw TransportError(.invalidAddress, "'\(text)' names no simulated chip", hint: "use sim://esp8266 or sim://esp32")
            }
            var options: [String: String] = [:]
            if parts.count > 1 {
                for item in parts[1].split(separator: "&") where !item.isEmpty {
                    let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                    options[kv[0]] = kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
                }
            }
            self = .simulator(chip: chip.lowercased(), options: options)
        default:
            throw TransportError(.invalidAddress, "unknown port scheme '\(scheme)://'",
                                 hint: "esprig understands device paths, socket://, rfc2217:// and sim://")
        }
    }

    public var description: String {
        switch self {
        case .device(let path): return path
        case .tcp(let host, let port): return "socket://\(host):\(port)"
        case .rfc2217(let host, let port): return "rfc2217://\(host):\(port)"
        case .simulator(let chip, let options):
            if options.isEmpty { return "sim://\(chip)" }
            // Values are encoded again where they hold a query's own characters, so the text parses back.
            let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+%"))
            return "sim://\(chip)?" + options.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)"
            }.joined(separator: "&")
        case .selected(let selector): return selector.description
        }
    }
}

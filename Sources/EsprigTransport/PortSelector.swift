/// A port named by what identifies the board rather than by its device node, which changes
/// between plugs. Resolved against the machine's ports (EsprigPorts) before opening.
public enum PortSelector: Sendable, Hashable, CustomStringConvertible {
    /// The only ESP-like port; more or fewer is an error, never a guess.
    case auto
    /// `usb-serial:SERIAL`: the USB adapter's serial number.
    case usbSerial(String)
    /// `usb-path:1-1.4`: the hub socket (bus-port.port...).
    case usbPath(String)
    /// `by-id:NAME`: the name under /dev/serial/by-id/.
    case byID(String)

    public static let prefixes = ["usb-serial:", "usb-path:", "by-id:"]

    /// Parses `auto` and the prefixed forms; nil for anything else.
    public init?(parsing text: String) throws(TransportError) {
        if text == "auto" { self = .auto; return }
        guard let prefix = Self.prefixes.first(where: { text.hasPrefix($0) }) else { return nil }
        let value = String(text.dropFirst(prefix.count))
        guard !value.isEmpty else {
            throw TransportError(.invalidAddress, "'\(text)' names no \(prefix.dropLast())",
                                 hint: "write it as \(prefix)VALUE; `esprig ports` lists the serials, hub paths and by-id names")
        }
        switch prefix {
        case "usb-serial:": self = .usbSerial(value)
        case "usb-path:": self = .usbPath(value)
        default: self = .byID(value)
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .usbSerial(let serial): "usb-serial:\(serial)"
        case .usbPath(let path): "usb-path:\(path)"
        case .byID(let name): "by-id:\(name)"
        }
    }
}

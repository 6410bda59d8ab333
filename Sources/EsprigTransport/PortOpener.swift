/// Opens the port an address names, at `baud`.
///
/// `sim://` is not opened here: only the CLI knows that a simulated board can act as a port
/// (it attaches one to an in-memory pair), so this throws `.unsupported` for it.
public func openPort(_ address: PortAddress, baud: Int) throws(TransportError) -> any SerialPort {
    switch address {
    case .device(let path):
        return try TermiosPort(path: path, baud: baud)
    case .tcp(let host, let port):
        return try TCPPort(host: host, port: port)
    case .rfc2217(let host, let port):
        return try RFC2217Port(host: host, port: port, baud: baud)
    case .simulator:
        throw TransportError(.unsupported, "\(address) is a simulated board, not a port this layer can open",
                             hint: "sim:// ports are opened by the esprig command itself")
    case .selected:
        throw TransportError(.unsupported, "\(address) must be resolved to a device before opening",
                             hint: "the esprig command resolves it against the machine's serial ports")
    }
}

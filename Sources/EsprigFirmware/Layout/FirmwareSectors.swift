/// The flash sectors a built firmware reads, and where each number was found, so a plan that
/// disagrees can name the file and line.
public struct FirmwareSectors: Sendable, Hashable {
    public struct Sector: Sendable, Hashable {
        public var number: Int
        /// `file:line` (or another description) of where the number is compiled in.
        public var source: String

        public init(number: Int, source: String) {
            self.number = number
            self.source = source
        }

        public var address: Int { number * 0x1000 }
    }

    public var caCertificates: Sector?
    public var clientCertificate: Sector?
    /// `CFG_LOCATION`: the demo saves its settings at +0 and +1, its flag at +3.
    public var configLocation: Sector?

    public init(caCertificates: Sector? = nil, clientCertificate: Sector? = nil, configLocation: Sector? = nil) {
        self.caCertificates = caCertificates
        self.clientCertificate = clientCertificate
        self.configLocation = configLocation
    }

    /// The sectors named by the demo's macros in `header` (read from the file at `path`).
    public init(header: ConfigHeader, path: String) throws {
        func sector(_ name: String) throws -> Sector? {
            guard let entry = try header.entry(named: name) else { return nil }
            guard case .integer(let number) = entry.value else { throw ConfigHeader.unsupported(entry) }
            return Sector(number: number, source: "\(path):\(entry.line + 1) (\(name))")
        }
        self.init(caCertificates: try sector("CA_CERT_FLASH_ADDRESS"), clientCertificate: try sector("CLIENT_CERT_FLASH_ADDRESS"),
                  configLocation: try sector("CFG_LOCATION"))
    }

    /// The demo's saved-config sectors: CFG_LOCATION +0, +1 (two copies) and +3 (the flag).
    public var configSectors: [Sector] {
        guard let base = configLocation else { return [] }
        return [0, 1, 3].map { Sector(number: base.number + $0, source: base.source) }
    }
}

import EsprigFirmware
import Foundation

/// Everything doctor looks at: the profile's certificate files (as bytes, read by the caller)
/// and the firmware facts that decide whether they work. Values only, so every rule is testable
/// without files or a firmware tree.
public struct DoctorInput: Sendable {
    /// A file the profile names; `bytes` nil when it could not be read.
    public struct File: Sendable, Hashable {
        public var path: String
        public var bytes: [UInt8]?
        public init(path: String, bytes: [UInt8]?) {
            self.path = path
            self.bytes = bytes
        }
        public var name: String { (path as NSString).lastPathComponent }
    }

    /// `DEFAULT_SECURITY` of the SDK MQTT demo.
    public enum SecurityLevel: Int, Sendable, Hashable, CaseIterable {
        case noTLS = 0, tlsWithoutAuthentication, oneWay, twoWay

        public var symbol: String {
            switch self {
            case .noTLS: "NO_TLS"
            case .tlsWithoutAuthentication: "TLS_WITHOUT_AUTHENTICATION"
            case .oneWay: "ONE_WAY_ANTHENTICATION"
            case .twoWay: "TWO_WAY_ANTHENTICATION"
            }
        }

        /// From the header's value: the enum constant or its number.
        public init?(_ value: ConfigValue) {
            switch value {
            case .integer(let number): self.init(rawValue: number)
            case .symbol(let name):
                guard let level = SecurityLevel.allCases.first(where: { $0.symbol == name }) else { return nil }
                self = level
            default: return nil
            }
        }
    }

    /// Where the firmware reads its certificates and how large its TLS buffer is.
    public struct Firmware: Sendable, Hashable {
        /// The profile's `flash.ca_sector` / `flash.client_sector`.
        public var caSector: Int?
        public var clientSector: Int?
        /// What the header and `espconn_secure_*` calls compile in, when known.
        public var compiled: FirmwareSectors?
        /// A disagreement inside the firmware itself (header vs sources), already worded.
        public var compiledConflict: String?
        /// `espconn_secure_set_size`'s buffer and the call site, when the sources set one.
        public var tlsBufferSize: Int?
        public var tlsBufferSource: String?
        /// The SDK's RF calibration, PHY init and system parameter sectors (byte addresses), when the flash size is known.
        public var systemArea: Range<Int>?

        public init(caSector: Int? = nil, clientSector: Int? = nil, compiled: FirmwareSectors? = nil, compiledConflict: String? = nil,
                    tlsBufferSize: Int? = nil, tlsBufferSource: String? = nil, systemArea: Range<Int>? = nil) {
            self.caSector = caSector
            self.clientSector = clientSector
            self.compiled = compiled
            self.compiledConflict = compiledConflict
            self.tlsBufferSize = tlsBufferSize
            self.tlsBufferSource = tlsBufferSource
            self.systemArea = systemArea
        }
    }

    /// CA certificates: the device's CA sector, and the CA the broker trusts for clients.
    public var ca: [File]
    public var clientCertificate: File?
    public var clientKey: File?
    public var serverCertificate: File?
    public var serverKey: File?
    /// `MQTT_HOST` as the firmware will be built.
    public var mqttHost: String?
    /// `MQTT_CLIENT_ID` as the firmware will be built (may hold a printf format like `%08X`).
    public var clientID: String?
    /// One device's expanded client id, to compare exactly (doctor `--device`).
    public var deviceID: String?
    public var security: SecurityLevel?
    public var firmware: Firmware
    /// The time validity is judged at.
    public var now: Date

    public init(ca: [File] = [], clientCertificate: File? = nil, clientKey: File? = nil, serverCertificate: File? = nil, serverKey: File? = nil,
                mqttHost: String? = nil, clientID: String? = nil, deviceID: String? = nil, security: SecurityLevel? = nil,
                firmware: Firmware = Firmware(), now: Date = Date()) {
        self.ca = ca
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.serverCertificate = serverCertificate
        self.serverKey = serverKey
        self.mqttHost = mqttHost
        self.clientID = clientID
        self.deviceID = deviceID
        self.security = security
        self.firmware = firmware
        self.now = now
    }
}

/// The MQTT 3.1.1 control packets esprig sends and receives (OASIS mqtt-v3.1.1 §3). Values only:
/// `encode()` gives the exact wire bytes, `MQTTPacket.decode` reads them back.
public enum MQTTPacket: Sendable, Hashable {
    case connect(Connect)
    case connack(ConnAck)
    case publish(Publish)
    case puback(packetID: UInt16)
    case subscribe(Subscribe)
    case suback(SubAck)
    case pingreq
    case pingresp
    case disconnect

    public struct Connect: Sendable, Hashable {
        public var clientID: String
        public var username: String?
        public var password: [UInt8]?
        /// Seconds; 0 turns the broker's keep-alive check off.
        public var keepAlive: UInt16
        public var cleanSession: Bool

        public init(clientID: String, username: String? = nil, password: [UInt8]? = nil, keepAlive: UInt16 = 60, cleanSession: Bool = true) {
            self.clientID = clientID
            self.username = username
            self.password = password
            self.keepAlive = keepAlive
            self.cleanSession = cleanSession
        }
    }

    public struct ConnAck: Sendable, Hashable {
        public var sessionPresent: Bool
        public var returnCode: ConnectReturnCode

        public init(sessionPresent: Bool = false, returnCode: ConnectReturnCode) {
            self.sessionPresent = sessionPresent
            self.returnCode = returnCode
        }
    }

    public struct Publish: Sendable, Hashable {
        public var topic: String
        public var payload: [UInt8]
        /// 0 or 1 (QoS 2 is not used by esprig and is refused by the decoder).
        public var qos: UInt8
        /// Present exactly when qos > 0.
        public var packetID: UInt16?
        public var retain: Bool
        public var duplicate: Bool

        public init(topic: String, payload: [UInt8], qos: UInt8 = 0, packetID: UInt16? = nil, retain: Bool = false, duplicate: Bool = false) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.packetID = packetID
            self.retain = retain
            self.duplicate = duplicate
        }
    }

    public struct Subscribe: Sendable, Hashable {
        public var packetID: UInt16
        public var filters: [Filter]

        public struct Filter: Sendable, Hashable {
            public var topic: String
            public var qos: UInt8
            public init(topic: String, qos: UInt8) {
                self.topic = topic
                self.qos = qos
            }
        }

        public init(packetID: UInt16, filters: [Filter]) {
            self.packetID = packetID
            self.filters = filters
        }
    }

    public struct SubAck: Sendable, Hashable {
        public var packetID: UInt16
        /// One per filter: the granted QoS (0...2) or 0x80 for a refused subscription.
        public var returnCodes: [UInt8]

        public static let failure: UInt8 = 0x80

        public init(packetID: UInt16, returnCodes: [UInt8]) {
            self.packetID = packetID
            self.returnCodes = returnCodes
        }
    }
}

/// CONNACK return codes (§3.2.2.3). Values above 5 are reserved; the decoder keeps them as `.reserved`.
public enum ConnectReturnCode: Sendable, Hashable {
    case accepted
    case unacceptableProtocolVersion
    case identifierRejected
    case serverUnavailable
    case badUserNameOrPassword
    case notAuthorized
    case reserved(UInt8)

    public init(rawValue: UInt8) {
        switch rawValue {
        case 0: self = .accepted
        case 1: self = .unacceptableProtocolVersion
        case 2: self = .identifierRejected
        case 3: self = .serverUnavailable
        case 4: self = .badUserNameOrPassword
        case 5: self = .notAuthorized
        default: self = .reserved(rawValue)
        }
    }

    public var rawValue: UInt8 {
        switch self {
        case .accepted: 0
        case .unacceptableProtocolVersion: 1
        case .identifierRejected: 2
        case .serverUnavailable: 3
        case .badUserNameOrPassword: 4
        case .notAuthorized: 5
        case .reserved(let value): value
        }
    }

    /// The specification's wording.
    public var name: String {
        switch self {
        case .accepted: "connection accepted"
        case .unacceptableProtocolVersion: "unacceptable protocol version"
        case .identifierRejected: "identifier rejected"
        case .serverUnavailable: "server unavailable"
        case .badUserNameOrPassword: "bad user name or password"
        case .notAuthorized: "not authorized"
        case .reserved(let value): "reserved return code \(value)"
        }
    }
}

/// The MQTT broker the devices dial (`[broker]`): what `esprig broker config` writes for mosquitto
/// and what `esprig preflight` proves against it.
public struct BrokerSpec: Sendable, Hashable {
    /// How the broker knows who a device is.
    public enum Identity: String, Sendable, Hashable, CaseIterable {
        /// `use_identity_as_username true`: the client certificate's CN is the user name.
        case certificate
        /// `password_file`: MQTT_USER / MQTT_PASS, checked after the certificate.
        case password
    }

    public static let tlsVersions = ["tlsv1.2", "tlsv1.3"]
    public static let defaultACL = ["esprig/%u/#"]
    public static let defaultTopic = "esprig/%u/preflight"

    /// Host and port the devices dial, for firmware whose config header holds no MQTT_HOST /
    /// MQTT_PORT (those win: they are what the board is built with).
    public var host: String?
    public var port: Int?
    /// The address mosquitto's listener binds to (nil: every interface).
    public var bind: String?
    public var tlsVersion: String
    public var identity: Identity
    public var passwordFile: String?
    /// mosquitto ACL patterns every device gets (`%u` user name, `%c` client id).
    public var acl: [String]
    /// The topic preflight subscribes and publishes to (`%u`, `%c` expanded).
    public var topic: String
    /// Per-device certificate and key paths with `%d` for the device id (`preflight --device`).
    public var deviceCertificate: String?
    public var deviceKey: String?

    public init(host: String? = nil, port: Int? = nil, bind: String? = nil, tlsVersion: String = "tlsv1.2", identity: Identity = .certificate, passwordFile: String? = nil,
                acl: [String] = BrokerSpec.defaultACL, topic: String = BrokerSpec.defaultTopic, deviceCertificate: String? = nil, deviceKey: String? = nil) {
        self.host = host
        self.port = port
        self.bind = bind
        self.tlsVersion = tlsVersion
        self.identity = identity
        self.passwordFile = passwordFile
        self.acl = acl
        self.topic = topic
        self.deviceCertificate = deviceCertificate
        self.deviceKey = deviceKey
    }
}

extension ResolvedProfile {
    /// The value of a `[config.set]` / `[config.add]` entry.
    public func configValue(_ name: String) -> ProfileConfigValue? {
        config?.settings.first { $0.name == name }?.value
    }

    /// The host the devices dial: MQTT_HOST (what the firmware is built with), else `broker.host`.
    public var brokerHost: String? {
        if case .string(let host)? = configValue("MQTT_HOST") { return host }
        return broker.host
    }

    /// The port the devices dial: MQTT_PORT, else `broker.port`, else 8883.
    public var brokerPort: Int {
        switch configValue("MQTT_PORT") {
        case .integer(let port)?: return port
        case .string(let text)?: if let port = Int(text) { return port }
        default: break
        }
        return broker.port ?? 8883
    }
}

extension Resolver {
    mutating func buildBroker() throws(ProfileError) -> BrokerSpec {
        var spec = BrokerSpec()
        guard node(at: ["broker"]) != nil else { return spec }
        spec.host = try text(["broker", "host"])?.0
        if let (port, location) = int(["broker", "port"]) {
            guard (1...65535).contains(port) else {
                throw invalid(["broker", "port"], "is \(port)", hint: "allowed: 1 to 65535 (MQTT over TLS is 8883)", at: location)
            }
            spec.port = port
        }
        spec.bind = try text(["broker", "bind"])?.0
        if let (version, location) = try text(["broker", "tls_version"]) {
            guard BrokerSpec.tlsVersions.contains(version) else {
                throw invalid(["broker", "tls_version"], "is \"\(version)\"",
                              hint: "allowed: " + BrokerSpec.tlsVersions.joined(separator: ", ") + " (the ESP8266 stops at tlsv1.2)", at: location)
            }
            spec.tlsVersion = version
        }
        if let (name, location) = try text(["broker", "identity"]) {
            guard let identity = BrokerSpec.Identity(rawValue: name) else {
                throw invalid(["broker", "identity"], "is \"\(name)\"", hint: "allowed: certificate (the certificate's CN is the user name), password (password_file)", at: location)
            }
            spec.identity = identity
        }
        spec.passwordFile = try text(["broker", "password_file"])?.0
        if spec.identity == .password, spec.passwordFile == nil {
            throw invalid(["broker", "identity"], "is \"password\" but [broker] has no password_file",
                          hint: "add password_file = \"path/to/passwd\" (made with mosquitto_passwd)", at: node(at: ["broker", "identity"])!.location)
        }
        if let acl = node(at: ["broker", "acl"]) {
            switch acl.node {
            case .string: spec.acl = [try string(at: ["broker", "acl"])!.0]
            case .array(let items):
                spec.acl = []
                for i in items.indices { spec.acl.append(try string(at: ["broker", "acl", "[\(i)]"])!.0) }
            default: break
            }
            for pattern in spec.acl where pattern.isEmpty || pattern.contains("\n") {
                throw invalid(["broker", "acl"], "holds an empty or multi-line pattern", hint: "one topic pattern per entry, e.g. \"esprig/%u/#\"", at: acl.location)
            }
        }
        if let (topic, location) = try text(["broker", "topic"]) {
            guard !topic.isEmpty, !topic.contains("#"), !topic.contains("+") else {
                throw invalid(["broker", "topic"], "is \"\(topic)\"", hint: "a topic preflight can publish to: no wildcards (# +), e.g. \"esprig/%u/preflight\"", at: location)
            }
            spec.topic = topic
        }
        spec.deviceCertificate = try text(["broker", "device_cert"])?.0
        spec.deviceKey = try text(["broker", "device_key"])?.0
        return spec
    }
}

/// The resolved profile as `key = value` lines for `esprig profile show`, with every secret
/// replaced by `ResolvedProfile.mask`. This is the only text form of a profile, so nothing
/// else can leak a secret.
extension ResolvedProfile {
    public static let mask = "********"

    public struct DisplayEntry: Sendable, Hashable {
        public var key: String
        public var value: String
        public var isSecret: Bool
        /// Where the value was set (nil for defaults).
        public var location: SourceLocation?
    }

    public func displayEntries() -> [DisplayEntry] {
        var out: [DisplayEntry] = []
        func add(_ key: String, _ value: String?, secret: Bool = false) {
            guard let value else { return }
            let isSecret = secret || secretKeys.contains(key)
            out.append(DisplayEntry(key: key, value: isSecret ? ResolvedProfile.mask : value, isSecret: isSecret, location: locations[key]))
        }
        func hex(_ v: Int?) -> String? { v.map { "0x" + String($0, radix: 16) } }
        add("name", name)
        add("file", sourceFile)
        if files.count > 1 { add("extends", files.dropFirst().joined(separator: " → ")) }
        add("description", description)
        add("root", root)
        add("chip", chip.rawValue)
        add("port", port.description)
        add("baud", String(baud))
        if let firmware {
            add("firmware.dir", firmware.directory)
            add("firmware.build", firmware.command)
            for variable in firmware.environment { add("firmware.env.\(variable.name)", variable.value, secret: variable.isSecret) }
            for artifact in firmware.artifacts { add("firmware.artifacts.\(artifact.name)", artifact.path) }
        }
        if let config {
            add("config.header", config.header)
            add("config.rules", config.rules.rawValue)
            for setting in config.settings {
                add("config.\(setting.addIfMissing ? "add" : "set").\(setting.name)", setting.value.text, secret: setting.isSecret)
            }
        }
        for (i, ca) in certs.ca.enumerated() { add(certs.ca.count == 1 ? "certs.ca" : "certs.ca[\(i)]", ca) }
        add("certs.client_cert", certs.clientCertificate)
        add("certs.client_key", certs.clientKey)
        add("certs.ca_key", certs.caKey)
        add("certs.server_cert", certs.serverCertificate)
        add("certs.server_key", certs.serverKey)
        if certs.create {
            add("certs.create", "true")
            add("certs.devices", certs.identityDirectory)
        }
        add("flash.size", flash.sizeName)
        add("flash.size_map", flash.sizeMap.map(String.init))
        add("flash.mode", flash.mode?.rawValue)
        add("flash.freq", flash.frequency)
        add("flash.boot", flash.boot)
        add("flash.app", flash.app)
        add("flash.app_address", hex(flash.appAddress))
        add("flash.image_version", flash.imageVersion.map(String.init))
        add("flash.init_data", flash.initData)
        add("flash.blank", flash.blank)
        add("flash.ca_sector", hex(flash.caSector))
        add("flash.client_sector", hex(flash.clientSector))
        for (i, extra) in flash.extra.enumerated() {
            add("flash.extra[\(i)]", "\(hex(extra.address)!) \(extra.file)")
        }
        add("broker.host", broker.host)
        add("broker.port", broker.port.map(String.init))
        add("broker.bind", broker.bind)
        add("broker.tls_version", broker.tlsVersion)
        add("broker.identity", broker.identity.rawValue)
        add("broker.password_file", broker.passwordFile)
        add("broker.acl", broker.acl.joined(separator: ", "))
        add("broker.topic", broker.topic)
        add("broker.device_cert", broker.deviceCertificate)
        add("broker.device_key", broker.deviceKey)
        add("monitor.baud", String(monitor.baud))
        add("monitor.success", monitor.success)
        add("monitor.fail", monitor.fail)
        add("monitor.timeout", monitor.timeout == monitor.timeout.rounded() ? String(Int(monitor.timeout)) : String(monitor.timeout))
        return out
    }
}

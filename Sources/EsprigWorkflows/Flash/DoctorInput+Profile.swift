import EsprigCerts
import EsprigFirmware
import EsprigProfiles
import Foundation

extension DoctorInput {
    /// The material a profile names (files read now) and the facts of the firmware it builds:
    /// the config header as the profile patches it (nothing is written), and the
    /// `espconn_secure_*` calls in the firmware's sources when its directory exists.
    /// Throws only for a header that cannot be read or patched.
    public init(profile: ResolvedProfile, deviceID: String? = nil, now: Date = Date()) throws {
        let read = { (path: String) in File(path: path, bytes: FileManager.default.contents(atPath: path).map { [UInt8]($0) }) }
        let certs = profile.certs
        var firmware = Firmware(caSector: profile.flash.caSector, clientSector: profile.flash.clientSector)
        if let sizeMap = profile.flash.sizeMap, let layout = try? FlashLayout(sizeMapNumber: sizeMap) {
            firmware.systemArea = layout.systemArea
        } else if let size = profile.flash.sizeBytes {
            firmware.systemArea = size - 0x5000..<size
        }
        var values: [String: ConfigValue] = [:]
        if let config = profile.config {
            let header = try DoctorInput.patchedHeader(config)
            for name in ["MQTT_HOST", "MQTT_CLIENT_ID", "DEFAULT_SECURITY"] {
                if let value = try header.value(of: name) { values[name] = value }
            }
            var compiled = try FirmwareSectors(header: header, path: config.header)
            if let directory = profile.firmware?.directory, FileManager.default.fileExists(atPath: directory) {
                do {
                    let calls = try SourceSectorScanner(header: header).scan(directory: directory)
                    if let size = calls.last(where: { $0.function == .setSize }) {
                        firmware.tlsBufferSize = size.value
                        firmware.tlsBufferSource = size.described
                    }
                    compiled = try SourceSectorScanner.sectors(calls, header: compiled)
                } catch let error as FirmwareConfigError {
                    firmware.compiledConflict = error.message
                }
            }
            firmware.compiled = compiled
            // The header is the one source of the cert sectors; [flash] keys only override (and must agree).
            firmware.caSector = profile.flash.caSector ?? compiled.caCertificates?.number
            firmware.clientSector = profile.flash.clientSector ?? compiled.clientCertificate?.number
        }
        func text(_ name: String) -> String? {
            if case .string(let bytes) = values[name] { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
        self.init(ca: certs.ca.map(read), clientCertificate: certs.clientCertificate.map(read), clientKey: certs.clientKey.map(read),
                  serverCertificate: certs.serverCertificate.map(read), serverKey: certs.serverKey.map(read),
                  mqttHost: text("MQTT_HOST"), clientID: text("MQTT_CLIENT_ID"), deviceID: deviceID,
                  security: values["DEFAULT_SECURITY"].flatMap(SecurityLevel.init), firmware: firmware, now: now)
    }

    /// The header as the profile's `[config.set]` / `[config.add]` would leave it.
    static func patchedHeader(_ config: ConfigSpec) throws -> ConfigHeader {
        let rules: ConfigRules = config.rules == .demo ? .mqttDemo : .plain
        let file = ConfigHeaderFile(path: config.header)
        let header = try file.load()
        let assignments = try config.settings.map { setting in
            try ConfigAssignment(parsing: "\(setting.name)=\(setting.value.text)", in: header, rules: rules, addIfMissing: setting.addIfMissing)
        }
        return ConfigHeader(bytes: try file.plan(assignments, rules: rules).patched)
    }
}

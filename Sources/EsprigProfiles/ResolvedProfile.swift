import Foundation
import EsprigProtocol
import EsprigTransport

/// A profile with `extends` merged, `${...}` expanded, paths made absolute and every rule checked.
/// Code that takes one can rely on its values.
public struct ResolvedProfile: Sendable {
    public var name: String
    /// The file the profile was named by.
    public var sourceFile: String
    /// Every file that contributed, the named one first, then its bases.
    public var files: [String]
    /// The directory relative paths are resolved against (absolute when the profile directory was).
    public var root: String
    public var description: String?
    public var chip: Chip
    /// The board's port, in the one port grammar every command takes.
    public var port: PortAddress
    public var baud: Int
    public var firmware: FirmwareBuildSpec?
    public var config: ConfigSpec?
    public var certs: CertificateSpec
    public var flash: FlashSpec
    public var broker: BrokerSpec
    public var monitor: MonitorSpec
    public var warnings: [ProfileWarning]
    /// Where each value was set (dotted key path → file:line), for errors found later (plan, build).
    public var locations: [String: SourceLocation]
    /// Dotted key paths whose values are secret (never print them).
    public var secretKeys: Set<String>

    /// The file:line that set a dotted key path such as `flash.ca_sector`.
    public func location(of keyPath: String) -> SourceLocation? { locations[keyPath] }
}

/// Where the board is.
/// How to build the firmware.
public struct FirmwareBuildSpec: Sendable, Hashable {
    /// The firmware project directory (absolute).
    public var directory: String
    /// A shell command (`/bin/sh -c`), run with the profile root as working directory; nil when
    /// the profile names no build.
    public var command: String?
    /// Extra environment for the build, in file order.
    public var environment: [EnvironmentVariable]
    /// What the build produces, by name (`elf`, `app`, ...), paths absolute, in file order.
    public var artifacts: [Artifact]

    public struct EnvironmentVariable: Sendable, Hashable {
        public var name: String
        public var value: String
        public var isSecret: Bool
    }

    public struct Artifact: Sendable, Hashable {
        public var name: String
        public var path: String
    }

    public func artifact(named name: String) -> String? { artifacts.first { $0.name == name }?.path }
}

/// A config header value as the profile wrote it. The header decides how it is spelled in C:
/// a string becomes a C string, or a symbol when the header's line holds one (`NO_TLS`); an
/// integer keeps the line's decimal or hex spelling; a boolean defines or comments out a flag.
public enum ProfileConfigValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case flag(Bool)

    /// The `VALUE` text of a `NAME=VALUE` assignment (`on`/`off` for flags).
    public var text: String {
        switch self {
        case .string(let s): s
        case .integer(let i): String(i)
        case .flag(let b): b ? "on" : "off"
        }
    }
}

/// The config header and the values to set in it.
public struct ConfigSpec: Sendable, Hashable {
    public enum Rules: String, Sendable, Hashable, CaseIterable { case demo, plain }

    public struct Setting: Sendable, Hashable {
        public var name: String
        public var value: ProfileConfigValue
        /// From `[config.add]`: append the `#define` when the header lacks it.
        public var addIfMissing: Bool
        public var isSecret: Bool
        public var location: SourceLocation
    }

    /// The header file (absolute).
    public var header: String
    public var rules: Rules
    /// `[config.set]` then `[config.add]`, each in file order.
    public var settings: [Setting]
}

/// The certificate files to pack into the SDK's cert sectors.
public struct CertificateSpec: Sendable, Hashable {
    /// CA certificates (each becomes one entry of the CA sector), absolute paths.
    public var ca: [String]
    public var clientCertificate: String?
    public var clientKey: String?
    /// The CA's private key: signs server and device certificates (`esprig certs`); never flashed.
    public var caKey: String?
    /// The broker's certificate and key: checked by doctor, used by the broker config; never flashed.
    public var serverCertificate: String?
    public var serverKey: String?
    /// `create = true`: `flash` makes the CA, the broker's certificate and each board's own
    /// certificate when they are missing (a demo's material, never a production CA's).
    public var create = false
    /// Where each board's certificate and key are kept (`CLIENT_ID.crt`, `CLIENT_ID.key`), so
    /// flashing the same board again reuses its identity; nil: `devices/` next to the CA.
    public var devicesDirectory: String?

    /// Where this profile keeps per-board identities.
    public var identityDirectory: String? {
        devicesDirectory ?? ca.first.map { ($0 as NSString).deletingLastPathComponent + "/devices" }
    }

    public init(ca: [String] = [], clientCertificate: String? = nil, clientKey: String? = nil, caKey: String? = nil,
                serverCertificate: String? = nil, serverKey: String? = nil) {
        self.ca = ca
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.caKey = caKey
        self.serverCertificate = serverCertificate
        self.serverKey = serverKey
    }

    public var isEmpty: Bool { ca.isEmpty && clientCertificate == nil && !create }

    /// Each board gets its own certificate at flash time (made or reused), not one from the profile.
    public var issuesPerBoard: Bool { create && clientCertificate == nil }
}

/// What goes where in flash. Addresses left nil are the planner's to compute from the chip
/// and size map.
public struct FlashSpec: Sendable, Hashable {
    /// Flash size in bytes (from `size`, or implied by `size_map`).
    public var sizeBytes: Int?
    /// The esptool size name (`4MB`, `2MB-c1`, ...).
    public var sizeName: String?
    /// The ESP8266 SPI size map (2...6) the firmware is compiled for.
    public var sizeMap: Int?
    public var mode: FlashMode?
    public var frequency: String?
    /// Boot loader image (boot_v1.x.bin) at 0x0.
    public var boot: String?
    /// The app: a binary image, or an ELF to convert with elf2image (`imageVersion`).
    public var app: String?
    public var appAddress: Int?
    /// For an ELF app: 1 (v1: 0x0 + 0x10000) or 2 (the "new" OTA image at user1).
    public var imageVersion: Int?
    /// esp_init_data_default.bin (at flash size − 0x4000).
    public var initData: String?
    /// blank.bin (at flash size − 0x2000).
    public var blank: String?
    /// Sector numbers (address / 0x1000) of the CA and client cert sectors.
    public var caSector: Int?
    public var clientSector: Int?
    public var extra: [ExtraFile]

    public struct ExtraFile: Sendable, Hashable {
        public var address: Int
        public var file: String
        public var location: SourceLocation
    }
}

/// Serial monitor after flashing.
public struct MonitorSpec: Sendable, Hashable {
    public var baud: Int
    /// A regular expression (NSRegularExpression syntax) that ends the monitor successfully.
    public var success: String?
    /// A regular expression that ends the monitor with a failure (a crash, an error line).
    public var fail: String?
    /// Seconds to wait for `success`.
    public var timeout: Double
}

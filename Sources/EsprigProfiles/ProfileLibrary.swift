import Foundation
import EsprigProtocol
import EsprigTransport

/// A directory of profiles (`NAME.toml`). Reading the files goes through `read`, so tests (and
/// callers) can hand in text; the default reads the file system. The environment for
/// `${env:NAME}` is always passed in, never read from the process.
public struct ProfileLibrary: Sendable {
    public var directory: String
    private let read: @Sendable (String) -> String?

    public init(directory: String, read: @escaping @Sendable (String) -> String? = ProfileLibrary.readFile) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        self.read = read
    }

    /// Profiles held in memory, keyed by name (for tests).
    public static func inMemory(_ files: [String: String], directory: String = "/profiles") -> ProfileLibrary {
        let dir = directory
        return ProfileLibrary(directory: directory) { path in
            let name = String(path.dropFirst(dir.count + 1).dropLast(5))
            return files[name]
        }
    }

    @Sendable public static func readFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public func path(of name: String) -> String { "\(directory)/\(name).toml" }

    /// Reads and schema-checks one file (no `extends`).
    public func file(named name: String, from: SourceLocation? = nil) throws(ProfileError) -> ProfileFile {
        guard !name.isEmpty, !name.contains("/") else {
            throw ProfileError(.notFound, "`\(name)` is not a profile name", hint: "a profile is named by its file name without .toml", at: from)
        }
        let path = path(of: name)
        guard let text = read(path) else {
            throw ProfileError(.notFound, "no profile `\(name)` (\(path) does not exist)",
                               hint: "profiles are the .toml files in \(directory)", at: from)
        }
        return try ProfileFile(parsing: text, name: name, path: path)
    }

    /// Loads `name`, merges its `extends` chain, expands `${...}` from `environment` and checks
    /// every rule.
    public func resolve(_ name: String, environment: [String: String]) throws(ProfileError) -> ResolvedProfile {
        var chain: [ProfileFile] = [try file(named: name)]
        while let base = chain.last!.extends {
            if let loop = chain.firstIndex(where: { $0.name == base.name }) {
                let names = chain[loop...].map(\.name) + [base.name]
                throw ProfileError(.extendsCycle, "`extends` loops: " + names.joined(separator: " → "),
                                   hint: "remove one `extends` so the chain ends", at: base.location)
            }
            chain.append(try file(named: base.name, from: base.location))
        }
        var merged = chain.last!.root
        for child in chain.dropLast().reversed() {
            merged = ProfileLibrary.merge(merged, child.root)
        }
        var resolver = Resolver(merged: merged, environment: environment, leaf: chain[0], directory: directory)
        return try resolver.build(files: chain.map(\.path))
    }

    /// Tables merge key by key, the child winning; anything else the child replaces.
    static func merge(_ base: Located, _ child: Located) -> Located {
        guard var entries = base.node.entries, let childEntries = child.node.entries else { return child }
        for entry in childEntries {
            if let i = entries.firstIndex(where: { $0.key == entry.key }) {
                entries[i].value = merge(entries[i].value, entry.value)
            } else {
                entries.append(entry)
            }
        }
        return Located(node: .table(entries), location: child.location)
    }
}

/// Names whose values are secrets: masked on output, warned about when written literally.
public enum SecretNames {
    public static let markers = ["PASS", "SECRET", "TOKEN", "PSK", "PRIVATE"]
    public static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return markers.contains { upper.contains($0) }
    }
}

/// Expands `${...}`, makes paths absolute and builds the typed profile.
struct Resolver {
    let merged: Located
    let environment: [String: String]
    let leaf: ProfileFile
    let directory: String
    private var cache: [String: (String, Bool)] = [:]
    private var inProgress: [String] = []
    private var locations: [String: SourceLocation] = [:]
    private var secrets: Set<String> = []
    private var warnings: [ProfileWarning] = []

    init(merged: Located, environment: [String: String], leaf: ProfileFile, directory: String) {
        self.merged = merged
        self.environment = environment
        self.leaf = leaf
        self.directory = directory
    }

    // MARK: lookup

    func node(at path: [String]) -> Located? {
        merged.descendant(at: path)
    }

    static func key(_ path: [String]) -> String { ProfileFile.display(path) }

    /// A string value with `${...}` expanded and, for path keys, made absolute. Second: secret.
    mutating func string(at path: [String]) throws(ProfileError) -> (String, Bool)? {
        let key = Resolver.key(path)
        if let cached = cache[key] { return cached }
        if path == ["root"], node(at: path) == nil {
            let value = Resolver.normalize(Resolver.directoryOf(leaf.path) + "/..")
            cache[key] = (value, false)
            return (value, false)
        }
        guard let located = node(at: path) else { return nil }
        guard case .string(let raw) = located.node else { return nil }
        if inProgress.contains(key) {
            let loop = inProgress[inProgress.firstIndex(of: key)!...] + [key]
            throw ProfileError(.referenceCycle, "`${profile...}` references loop: " + loop.joined(separator: " → "),
                               at: located.location)
        }
        inProgress.append(key)
        defer { inProgress.removeLast() }
        let contextIsSecretive = path.first == "config" || (path.first == "firmware" && path.dropFirst().first == "env")
        var (value, secret) = try interpolate(raw, at: located.location, secretive: contextIsSecretive)
        if contextIsSecretive, let name = path.last, SecretNames.isSecret(name) { secret = true }
        let isPath: Bool
        switch Shape.at(path) {
        case .path?, .pathList?: isPath = true
        default: isPath = false
        }
        if isPath {
            guard !value.isEmpty else {
                throw ProfileError(.invalidValue, "`\(key)` is an empty path", at: located.location)
            }
            if !value.hasPrefix("/") {
                let base: String
                if path == ["root"] {
                    base = Resolver.directoryOf(located.location.file)
                } else if path.count > 2, path[0] == "firmware", path[1] == "artifacts", let dir = try string(at: ["firmware", "dir"]) {
                    base = dir.0
                } else {
                    base = try string(at: ["root"])!.0
                }
                value = Resolver.normalize(base + "/" + value)
            } else {
                value = Resolver.normalize(value)
            }
        }
        locations[key] = located.location
        if secret { secrets.insert(key) }
        cache[key] = (value, secret)
        return (value, secret)
    }

    /// Expands `${env:NAME}` and `${profile.a.b}`; `$${` is a literal `${`.
    mutating func interpolate(_ raw: String, at location: SourceLocation, secretive: Bool) throws(ProfileError) -> (String, Bool) {
        var out = ""
        var secret = false
        var rest = Substring(raw)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                out += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ProfileError(.unknownReference, "unterminated `${` in \"\(secretive ? "…" : raw)\"",
                                   hint: "write ${env:NAME} or ${profile.table.key}; $${ for a literal ${", at: location)
            }
            let reference = String(rest[start.upperBound..<end])
            rest = rest[rest.index(after: end)...]
            if reference.hasPrefix("env:") {
                var name = String(reference.dropFirst(4))
                var fallback: String?
                if let dash = name.range(of: ":-") {
                    fallback = String(name[dash.upperBound...])
                    name = String(name[..<dash.lowerBound])
                }
                guard Shape.KeyRule.environmentName.accepts(name) else {
                    throw ProfileError(.unknownReference, "${env:\(name)} does not name an environment variable",
                                       hint: "write ${env:NAME} or ${env:NAME:-default}", at: location)
                }
                guard let value = environment[name] ?? fallback else {
                    throw ProfileError(.missingEnvironment, "environment variable \(name) is not set (needed by ${env:\(name)})",
                                       hint: "export \(name)=... before running esprig", at: location)
                }
                out += value
                if secretive { secret = true }
            } else if reference.hasPrefix("profile.") {
                let path = reference.dropFirst(8).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                let (value, isSecret) = try referenced(path, reference: reference, at: location)
                out += value
                secret = secret || isSecret
            } else {
                throw ProfileError(.unknownReference, "unknown reference ${\(reference)}",
                                   hint: "write ${env:NAME} or ${profile.table.key}", at: location)
            }
        }
        out += rest
        return (out, secret)
    }

    mutating func referenced(_ path: [String], reference: String, at location: SourceLocation) throws(ProfileError) -> (String, Bool) {
        if path == ["name"] { return (leaf.name, false) }
        if path == ["root"], let root = try string(at: ["root"]) { return root }
        guard let located = node(at: path) else {
            var known: [String] = []
            Resolver.collectKeys(merged.node, prefix: [], into: &known)
            var hint = "a reference names a value set in this profile or its bases"
            if let near = closest(to: path.joined(separator: "."), in: known) { hint = "did you mean ${profile.\(near)}? " + hint }
            throw ProfileError(.unknownReference, "${\(reference)} names no value", hint: hint, at: location)
        }
        switch located.node {
        case .string: return try string(at: path)!
        case .integer(let i): return (String(i), false)
        case .bool(let b): return (b ? "true" : "false", false)
        case .float(let d): return (String(d), false)
        default:
            throw ProfileError(.unknownReference, "${\(reference)} is \(located.node.typeName), not a single value", at: location)
        }
    }

    static func collectKeys(_ node: Node, prefix: [String], into keys: inout [String]) {
        guard let entries = node.entries else { return }
        for entry in entries {
            let path = prefix + [entry.key]
            if entry.value.node.entries != nil { collectKeys(entry.value.node, prefix: path, into: &keys) } else { keys.append(path.joined(separator: ".")) }
        }
    }

    static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Removes `.` and `name/..` components (no file system access).
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    // MARK: typed values

    mutating func int(_ path: [String]) -> (Int, SourceLocation)? {
        guard let located = node(at: path), case .integer(let i) = located.node else { return nil }
        locations[Resolver.key(path)] = located.location
        return (i, located.location)
    }

    mutating func text(_ path: [String]) throws(ProfileError) -> (String, SourceLocation)? {
        guard let (value, _) = try string(at: path) else { return nil }
        return (value, node(at: path)!.location)
    }

    func tableLocation(_ path: [String]) -> SourceLocation {
        node(at: path)?.location ?? SourceLocation(file: leaf.path, line: 0)
    }

    func invalid(_ path: [String], _ message: String, hint: String? = nil, at location: SourceLocation) -> ProfileError {
        ProfileError(.invalidValue, "`\(Resolver.key(path))` \(message)", hint: hint, at: location)
    }

    mutating func build(files: [String]) throws(ProfileError) -> ResolvedProfile {
        // chip
        guard let (chipName, chipLocation) = try text(["chip"]) else {
            throw ProfileError(.missingKey, "the profile names no `chip`", hint: "add chip = \"esp8266\" (or esp32)",
                               at: SourceLocation(file: leaf.path, line: 0))
        }
        guard let chip = Chip(rawValue: chipName.lowercased()) else {
            throw invalid(["chip"], "is \"\(chipName)\"", hint: "allowed: " + Chip.allCases.map(\.rawValue).joined(separator: ", "), at: chipLocation)
        }

        // port, baud
        var port = PortAddress.selected(.auto)
        if let (text, location) = try text(["port"]) {
            do {
                port = try PortAddress(parsing: text)
            } catch {
                throw invalid(["port"], "is invalid: \(error.message)", hint: error.hint, at: location)
            }
            // A profile is read from anywhere: a relative device path would depend on where esprig runs.
            if case .device(let path) = port, !path.hasPrefix("/") {
                throw invalid(["port"], "is \"\(text)\": a device path must be absolute",
                              hint: "allowed: auto, usb-serial:SERIAL, usb-path:1-1.4, by-id:NAME, /dev/ttyUSB0, /dev/serial/by-id/..., sim://esp8266, socket://HOST:PORT, rfc2217://HOST:PORT", at: location)
            }
        }
        let baud = try checkedBaud(["baud"]) ?? 115_200

        // firmware
        var firmware: FirmwareBuildSpec?
        if node(at: ["firmware"]) != nil {
            guard let (dir, _) = try text(["firmware", "dir"]) else {
                throw ProfileError(.missingKey, "[firmware] has no `dir`", hint: "add dir = \"path/to/the/firmware/project\"", at: tableLocation(["firmware"]))
            }
            var command: String?
            if let (build, location) = try text(["firmware", "build"]) {
                guard !build.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw invalid(["firmware", "build"], "is empty", hint: "write the build command, e.g. build = \"make -C ${profile.firmware.dir}\"", at: location)
                }
                command = build
            }
            var env: [FirmwareBuildSpec.EnvironmentVariable] = []
            for entry in node(at: ["firmware", "env"])?.node.entries ?? [] {
                let path = ["firmware", "env", entry.key]
                let (value, secret) = try string(at: path)!
                env.append(.init(name: entry.key, value: value, isSecret: secret))
            }
            var artifacts: [FirmwareBuildSpec.Artifact] = []
            for entry in node(at: ["firmware", "artifacts"])?.node.entries ?? [] {
                artifacts.append(.init(name: entry.key, path: try string(at: ["firmware", "artifacts", entry.key])!.0))
            }
            firmware = FirmwareBuildSpec(directory: dir, command: command, environment: env, artifacts: artifacts)
        }

        // config
        var config: ConfigSpec?
        if node(at: ["config"]) != nil {
            guard let (header, _) = try text(["config", "header"]) else {
                throw ProfileError(.missingKey, "[config] has no `header`", hint: "add header = \"include/mqtt_config.h\" (relative to the profile root)", at: tableLocation(["config"]))
            }
            var rules = ConfigSpec.Rules.demo
            if let (name, location) = try text(["config", "rules"]) {
                guard let r = ConfigSpec.Rules(rawValue: name) else {
                    throw invalid(["config", "rules"], "is \"\(name)\"", hint: "allowed: demo, plain", at: location)
                }
                rules = r
            }
            var settings: [ConfigSpec.Setting] = []
            for table in ["set", "add"] {
                for entry in node(at: ["config", table])?.node.entries ?? [] {
                    let path = ["config", table, entry.key]
                    if settings.contains(where: { $0.name == entry.key }) {
                        throw invalid(path, "is also in [config.set]", hint: "name each header value once: [config.add] is for names the header lacks", at: entry.value.location)
                    }
                    let nameIsSecret = SecretNames.isSecret(entry.key)
                    let value: ProfileConfigValue
                    var secret = nameIsSecret
                    switch entry.value.node {
                    case .string(let raw):
                        let (text, tainted) = try string(at: path)!
                        value = .string(text)
                        secret = secret || tainted
                        if nameIsSecret, !raw.isEmpty, !raw.contains("${") {
                            warnings.append(ProfileWarning(.literalSecret, "\(entry.key) holds a literal value; profiles go into git",
                                                           at: entry.value.location))
                        }
                    case .integer(let i): value = .integer(i)
                    case .bool(let b): value = .flag(b)
                    default: continue  // the schema check refused anything else
                    }
                    locations[Resolver.key(path)] = entry.value.location
                    if secret { secrets.insert(Resolver.key(path)) }
                    settings.append(.init(name: entry.key, value: value, addIfMissing: table == "add", isSecret: secret, location: entry.value.location))
                }
            }
            config = ConfigSpec(header: header, rules: rules, settings: settings)
        }

        // certs
        var certs = CertificateSpec(ca: [], clientCertificate: nil, clientKey: nil)
        if let ca = node(at: ["certs", "ca"]) {
            switch ca.node {
            case .string: certs.ca = [try string(at: ["certs", "ca"])!.0]
            case .array(let items):
                for i in items.indices { certs.ca.append(try string(at: ["certs", "ca", "[\(i)]"])!.0) }
            default: break
            }
        }
        certs.clientCertificate = try text(["certs", "client_cert"])?.0
        certs.clientKey = try text(["certs", "client_key"])?.0
        certs.caKey = try text(["certs", "ca_key"])?.0
        certs.serverCertificate = try text(["certs", "server_cert"])?.0
        certs.serverKey = try text(["certs", "server_key"])?.0
        certs.devicesDirectory = try text(["certs", "devices"])?.0
        if case .bool(let create)? = node(at: ["certs", "create"])?.node { certs.create = create }
        if certs.create && (certs.ca.isEmpty || certs.caKey == nil) {
            throw invalid(["certs", "create"], "needs [certs] ca and ca_key: the paths where the CA is made when missing",
                          hint: "e.g. ca = \"certs/demo/ca.crt\" and ca_key = \"certs/demo/ca.key\"", at: node(at: ["certs", "create"])!.location)
        }
        if (certs.clientCertificate == nil) != (certs.clientKey == nil) {
            let present = certs.clientCertificate == nil ? "client_key" : "client_cert"
            throw invalid(["certs", present], "is set without its pair", hint: "the client sector holds both: set client_cert and client_key, or neither",
                          at: node(at: ["certs", present])!.location)
        }

        let flash = try buildFlash(chip: chip)
        let broker = try buildBroker()

        // monitor
        let monitorBaud = try checkedBaud(["monitor", "baud"]) ?? baud
        func pattern(_ key: String, example: String) throws(ProfileError) -> String? {
            guard let (pattern, location) = try text(["monitor", key]) else { return nil }
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw invalid(["monitor", key], "is not a valid regular expression: \(pattern)", hint: "NSRegularExpression (ICU) syntax, e.g. \"\(example)\"", at: location)
            }
            return pattern
        }
        let success = try pattern("success", example: "esprig-demo: ready")
        let fail = try pattern("fail", example: "Exception \\(|Fatal exception")
        var timeout = 30.0
        if let located = node(at: ["monitor", "timeout"]) {
            switch located.node {
            case .integer(let i): timeout = Double(i)
            case .float(let d): timeout = d
            default: break
            }
            guard timeout > 0, timeout <= 3600 else {
                throw invalid(["monitor", "timeout"], "is \(timeout) seconds", hint: "allowed: more than 0, at most 3600", at: located.location)
            }
            locations["monitor.timeout"] = located.location
        }

        var description: String?
        if let (text, _) = try text(["description"]) { description = text }
        let root = try string(at: ["root"])!.0

        // Every other string (e.g. ones only referenced) was expanded above; record any
        // remaining string so an unused `${env:...}` still fails loudly.
        var all: [String] = []
        Resolver.collectKeys(merged.node, prefix: [], into: &all)
        for key in all where key != "extends" {
            let path = key.split(separator: ".").map(String.init)
            if let located = node(at: path) {
                if case .string = located.node { _ = try string(at: path) }
                locations[key] = locations[key] ?? located.location
            }
        }

        return ResolvedProfile(
            name: leaf.name, sourceFile: leaf.path, files: files, root: root, description: description,
            chip: chip, port: port, baud: baud, firmware: firmware, config: config, certs: certs, flash: flash, broker: broker,
            monitor: MonitorSpec(baud: monitorBaud, success: success, fail: fail, timeout: timeout),
            warnings: warnings, locations: locations, secretKeys: secrets)
    }

    mutating func checkedBaud(_ path: [String]) throws(ProfileError) -> Int? {
        guard let (value, location) = int(path) else { return nil }
        guard (300...5_000_000).contains(value) else {
            throw invalid(path, "is \(value)", hint: "allowed: an integer from 300 to 5000000 (e.g. 115200, 460800, 74880)", at: location)
        }
        return value
    }

    /// Size maps the SDK MQTT demo builds for, and their flash sizes.
    static let sizeMaps: [Int: (bytes: Int, name: String)] = [
        2: (0x100000, "1MB"), 3: (0x200000, "2MB"), 4: (0x400000, "4MB"), 5: (0x200000, "2MB-c1"), 6: (0x400000, "4MB-c1"),
    ]

    mutating func buildFlash(chip: Chip) throws(ProfileError) -> FlashSpec {
        var spec = FlashSpec(extra: [])
        if let (name, location) = try text(["flash", "size"]) {
            let sizes = chip.spec.flashSizes.keys.filter { FlashGeometry.sizesByName[$0] != nil }.sorted { FlashGeometry.sizesByName[$0]! < FlashGeometry.sizesByName[$1]! }
            guard let bytes = FlashGeometry.sizesByName[name], chip.spec.flashSizes[name] != nil else {
                throw invalid(["flash", "size"], "is \"\(name)\"", hint: "allowed for \(chip.rawValue): " + sizes.joined(separator: ", "), at: location)
            }
            spec.sizeBytes = bytes
            spec.sizeName = name
        }
        if let (map, location) = int(["flash", "size_map"]) {
            guard chip == .esp8266 else {
                throw invalid(["flash", "size_map"], "is an ESP8266 SDK setting", hint: "for \(chip.rawValue) set flash.size instead", at: location)
            }
            guard let size = Resolver.sizeMaps[map] else {
                throw invalid(["flash", "size_map"], "is \(map)", hint: "allowed: 2 (1MB), 3 (2MB), 4 (4MB), 5 (2MB, 1024+1024), 6 (4MB, 1024+1024); maps 0, 1, 8 and 9 are not supported by the SDK MQTT demo", at: location)
            }
            // The name, not just the byte count: 2MB and 2MB-c1 put different values in the image header.
            if let name = spec.sizeName, name != size.name {
                throw invalid(["flash", "size"], "is \(name) but size_map \(map) is \(size.name)", hint: "write size = \"\(size.name)\" or drop it (size_map implies it)", at: node(at: ["flash", "size"])!.location)
            }
            spec.sizeMap = map
            spec.sizeBytes = size.bytes
            spec.sizeName = size.name
        }
        if let (mode, location) = try text(["flash", "mode"]) {
            guard let m = FlashMode(rawValue: mode.lowercased()) else {
                throw invalid(["flash", "mode"], "is \"\(mode)\"", hint: "allowed: qio, qout, dio, dout", at: location)
            }
            spec.mode = m
        }
        if let (freq, location) = try text(["flash", "freq"]) {
            guard chip.spec.flashFrequencies[freq.lowercased()] != nil else {
                throw invalid(["flash", "freq"], "is \"\(freq)\"", hint: "allowed: " + chip.spec.flashFrequencies.keys.sorted().joined(separator: ", "), at: location)
            }
            spec.frequency = freq.lowercased()
        }
        spec.boot = try text(["flash", "boot"])?.0
        spec.app = try text(["flash", "app"])?.0
        spec.initData = try text(["flash", "init_data"])?.0
        spec.blank = try text(["flash", "blank"])?.0
        if let (version, location) = int(["flash", "image_version"]) {
            guard version == 1 || version == 2 else {
                throw invalid(["flash", "image_version"], "is \(version)", hint: "allowed: 1 (v1 image: 0x0 + 0x10000) or 2 (\"new\" OTA image behind boot at user1)", at: location)
            }
            spec.imageVersion = version
        }
        if let (address, location) = int(["flash", "app_address"]) {
            try checkAddress(["flash", "app_address"], address, spec.sizeBytes, at: location)
            spec.appAddress = address
        }
        let sectorCount = spec.sizeBytes.map { $0 / FlashGeometry.sectorSize }
        for key in ["ca_sector", "client_sector"] {
            guard let (sector, location) = int(["flash", key]) else { continue }
            let limit = sectorCount.map { "1 to 0x\(String($0 - 1, radix: 16)) for \(spec.sizeName!)" } ?? "at least 1"
            guard sector >= 1, sectorCount.map({ sector < $0 }) ?? true else {
                throw invalid(["flash", key], "is \(sector) (0x\(String(sector, radix: 16)))", hint: "a sector number (address / 0x1000), e.g. 0x77 for 0x77000; allowed: \(limit)", at: location)
            }
            if key == "ca_sector" { spec.caSector = sector } else { spec.clientSector = sector }
        }
        if let ca = spec.caSector, ca == spec.clientSector {
            throw invalid(["flash", "client_sector"], "is the same sector as ca_sector (0x\(String(ca, radix: 16)))", hint: "the CA and client certificates need a sector each, e.g. 0x77 and 0x78", at: node(at: ["flash", "client_sector"])!.location)
        }
        if case .array(let items) = node(at: ["flash", "extra"])?.node {
            for i in items.indices {
                let base = ["flash", "extra", "[\(i)]"]
                guard let (address, location) = int(base + ["address"]) else {
                    throw ProfileError(.missingKey, "`flash.extra[\(i)]` has no `address`", hint: "each [[flash.extra]] needs address = 0x... and file = \"...\"", at: items[i].location)
                }
                guard let (file, _) = try text(base + ["file"]) else {
                    throw ProfileError(.missingKey, "`flash.extra[\(i)]` has no `file`", hint: "each [[flash.extra]] needs address = 0x... and file = \"...\"", at: items[i].location)
                }
                try checkAddress(base + ["address"], address, spec.sizeBytes, at: location)
                spec.extra.append(.init(address: address, file: file, location: location))
            }
        }
        return spec
    }

    func checkAddress(_ path: [String], _ address: Int, _ size: Int?, at location: SourceLocation) throws(ProfileError) {
        guard address >= 0, address % FlashGeometry.sectorSize == 0 else {
            throw invalid(path, "is 0x\(String(address, radix: 16)), not on a sector boundary", hint: "allowed: a multiple of 0x1000", at: location)
        }
        if let size, address >= size {
            throw invalid(path, "is 0x\(String(address, radix: 16)), beyond the end of the flash (0x\(String(size, radix: 16)))", at: location)
        }
    }
}

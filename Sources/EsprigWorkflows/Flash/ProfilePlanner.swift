import Foundation
import EsprigCerts
import EsprigFirmware
import EsprigImage
import EsprigLoader
import EsprigProfiles
import EsprigProtocol

/// Turns a resolved profile (and the config header it patches) into a checked `ProfilePlan`:
/// the flash size the firmware is compiled for, the app image(s) from the build's artifacts, the
/// SDK's fixed files, the packed certificate sectors and extra files.
public struct ProfilePlanner: Sendable {
    public let profile: ResolvedProfile
    /// The header as the firmware is (or will be) built with it.
    public let header: ConfigHeader?
    /// `--flash-size`, overriding the profile's.
    public let flashSizeOverride: String?
    public let dryRun: Bool

    /// `header`: the config header as the firmware is built with it (its cert sectors are checked
    /// against the profile's); `flashSizeOverride`: `--flash-size`.
    public init(profile: ResolvedProfile, header: ConfigHeader?, flashSizeOverride: String? = nil, dryRun: Bool) {
        self.profile = profile
        self.header = header
        self.flashSizeOverride = flashSizeOverride
        self.dryRun = dryRun
    }

    private func fail(_ code: WorkflowError.Code, _ message: String, hint: String? = nil) -> WorkflowError {
        WorkflowError(code, message, hint: hint)
    }

    private func at(_ key: String) -> String {
        profile.location(of: key).map { " (\($0))" } ?? ""
    }

    private static func name(_ path: String) -> String { (path as NSString).lastPathComponent }

    // MARK: flash size

    /// The flash size the plan is checked against, and the size map it was read from.
    public struct FlashSize: Sendable {
        public var bytes: Int?
        public var name: String?
        public var sizeMap: CompiledSizeMap?
    }

    /// The flash size, checked three ways: the profile's size_map, the SPI_SIZE_MAP the build
    /// compiles in, and `--flash-size` (or the profile's size) must all name the same layout.
    public func flashSize() throws -> FlashSize {
        let flash = profile.flash
        var compiled: CompiledSizeMap?
        if let firmware = profile.firmware {
            compiled = try CompiledSizeMap.find(
                command: firmware.command, commandSource: "the build command\(at("firmware.build"))",
                environment: firmware.environment.map { ($0.name, $0.value, "firmware.env.\($0.name)\(at("firmware.env.\($0.name)"))") })
        }
        var sizeMap = compiled
        if let number = flash.sizeMap {
            let declared = CompiledSizeMap(layout: try FlashLayout(sizeMapNumber: number), source: "flash.size_map\(at("flash.size_map"))")
            if let compiled, compiled.layout != declared.layout {
                throw FirmwareConfigError(.sizeMapMismatch,
                                          "\(declared.source) is \(number), but the firmware is compiled with SPI_SIZE_MAP=\(compiled.layout.sizeMap.rawValue) by \(compiled.source)",
                                          hint: "make them agree: write SPI_SIZE_MAP=${profile.flash.size_map} in the build command")
            }
            sizeMap = declared
        }
        var name = flash.sizeName
        var source = "flash.size\(at("flash.size"))"
        if let flashSizeOverride {
            guard FlashGeometry.sizesByName[flashSizeOverride] != nil, profile.chip.spec.flashSizes[flashSizeOverride] != nil else {
                let allowed = profile.chip.spec.flashSizes.keys.filter { FlashGeometry.sizesByName[$0] != nil }
                    .sorted { FlashGeometry.sizesByName[$0]! < FlashGeometry.sizesByName[$1]! }
                throw fail(.usage, "--flash-size \(flashSizeOverride) is not a \(profile.chip.rawValue) flash size", hint: "use one of " + allowed.joined(separator: ", "))
            }
            name = flashSizeOverride
            source = "--flash-size"
        }
        if let sizeMap {
            let expected = sizeMap.layout.esptoolFlashSize
            if let name, name != expected {
                throw FirmwareConfigError(.sizeMapMismatch,
                                          "\(source) is \(name), but SPI size map \(sizeMap.layout.sizeMap.rawValue) (\(sizeMap.source)) is \(expected)",
                                          hint: "flash with --flash-size \(expected): the boot loader finds the app slots from that header value")
            }
            name = expected
        }
        return FlashSize(bytes: name.flatMap { FlashGeometry.sizesByName[$0] }, name: name, sizeMap: sizeMap)
    }

    // MARK: image

    /// The app image(s): converted with elf2image when the artifact is an ELF, else written as is.
    public func appImages(_ size: FlashSize) throws -> [ProfilePlan.Region] {
        let flash = profile.flash
        guard let app = flash.app else {
            throw fail(.noApp, "the profile names no app ([flash] app)", hint: "set app = \"build/app.elf\" (or a .bin with app_address)")
        }
        guard FileManager.default.fileExists(atPath: app) else {
            throw WorkflowError(.missingArtifact, "no such file: \(app)",
                                hint: dryRun ? "build it first (esprig build --profile \(profile.name), or flash without --dry-run)" : "check [flash] app and the build's artifacts")
        }
        let bytes = try readInputFile(app)
        let layout = size.sizeMap?.layout
        func appRole(_ address: Int) -> (FlashLayoutPlan.Item.Role, String) {
            guard let layout else { return (.extra, "app image") }
            for slot in [FlashLayout.AppSlot.user1, .user2] where layout.appAddress(slot) == address {
                return (.app(slot), String(format: "app in OTA slot user%d (at most %d bytes for size map %d)", slot.rawValue, layout.maxAppSize, layout.sizeMap.rawValue))
            }
            return (.app(.user1), "app image")
        }
        guard bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]) else {
            guard let address = flash.appAddress else {
                throw fail(.noAppAddress, "\(app) is a binary image, so the profile must say where it goes", hint: "set app_address in [flash]")
            }
            let (role, why) = appRole(address)
            return [ProfilePlan.Region(write: FlashWrite(address: address, data: bytes, source: Self.name(app)), role: role, label: "app", why: why)]
        }
        let version = ESP8266Image.Version(rawValue: flash.imageVersion ?? 1) ?? .v1
        let settings = try ImageFlashSettings(mode: flash.mode?.rawValue, frequency: flash.frequency, size: size.name)
        let files = try Elf2Image.convert(elf: bytes, elfPath: app, options: .init(version: version, flash: settings)).files
        return files.map { file in
            let source = "\(Self.name(app)) @\(hexAddress(file.flashOffset))"
            if version == .v2 {
                let address = flash.appAddress ?? file.flashOffset
                let (role, why) = appRole(address)
                return ProfilePlan.Region(write: FlashWrite(address: address, data: file.bytes, source: source), role: role, label: "app", why: "\(why), elf2image v2")
            }
            // v1: header + RAM segments at 0, the irom0 code where the cache maps it.
            let why = file.flashOffset == 0 ? "app image v1: header and RAM segments (elf2image)" : "app image v1: irom0 code, mapped by the flash cache"
            return ProfilePlan.Region(write: FlashWrite(address: file.flashOffset, data: file.bytes, source: source), role: .extra, label: "app", why: why)
        }
    }

    // MARK: plan

    /// The app images plus certificate sectors and extra files, checked for alignment, overlaps,
    /// the flash size and the firmware's reserved sectors.
    public func plan(images: [ProfilePlan.Region], size: FlashSize) throws -> ProfilePlan {
        let flash = profile.flash
        var regions = images
        let layout = size.sizeMap?.layout
        let fixed: [(String?, FlashLayoutPlan.Item.Role, String, Int?, String)] = [
            (flash.boot, .boot, "boot", layout?.bootAddress ?? (size.bytes == nil ? nil : 0), "boot loader, at the start of the flash"),
            (flash.initData, .initData, "init data", layout?.initDataAddress ?? size.bytes.map { $0 - 0x4000 }, "PHY init data: flash size - 0x4000"),
            (flash.blank, .blank, "blank", layout?.blankAddress ?? size.bytes.map { $0 - 0x2000 }, "blank.bin clears the SDK's system parameters: flash size - 0x2000"),
        ]
        for (file, role, label, address, why) in fixed {
            guard let file else { continue }
            guard let address else {
                throw fail(.noFlashSize, "the profile names \(label) (\(file)) but no flash size, so its address is unknown", hint: "set size or size_map in [flash]")
            }
            regions.append(ProfilePlan.Region(write: FlashWrite(address: address, data: try readInputFile(file), source: Self.name(file)), role: role, label: label, why: why))
        }
        let firmware = try firmwareSectors()
        regions += try certificateSectors(firmware)
        for extra in flash.extra {
            regions.append(ProfilePlan.Region(write: FlashWrite(address: extra.address, data: try readInputFile(extra.file), source: Self.name(extra.file)),
                                              role: .extra, label: "file", why: "flash.extra (\(extra.location))"))
        }
        try checkAgainstFirmware(firmware, regions: regions)

        let planned = try WritePlanning.plan(regions.map(\.write), flashSize: size.bytes)
        // WritePlanning sorts and pads; keep each region's role and reason with its bytes.
        regions.sort { $0.write.region.address < $1.write.region.address }
        for index in regions.indices { regions[index].write = planned[index] }
        if let layout {
            _ = try FlashLayoutPlan(layout: layout, items: regions.map {
                FlashLayoutPlan.Item($0.role, file: $0.write.region.source, address: $0.write.region.address, size: $0.write.region.size)
            }, firmware: firmware)
        }
        var reserved = zip(firmware.configSectors, ["CFG_LOCATION", "CFG_LOCATION+1", "CFG_LOCATION+3"]).map { sector, offset in
            ProfilePlan.Reserved(address: sector.address, size: FlashGeometry.sectorSize, why: "the firmware's saved settings, \(offset) (\(sector.source))")
        }
        // Sectors the firmware reads certificates from although the profile writes none there.
        for (sector, what) in [(firmware.caCertificates, "CA certificates"), (firmware.clientCertificate, "its client certificate")] {
            guard let sector, !regions.contains(where: { $0.write.region.address == sector.address }) else { continue }
            reserved.append(ProfilePlan.Reserved(address: sector.address, size: FlashGeometry.sectorSize,
                                                 why: "the firmware reads \(what) here (\(sector.source)); the profile names none"))
        }
        return ProfilePlan(flashSize: size.bytes, flashSizeName: size.name, sizeMap: size.sizeMap, regions: regions, reserved: reserved)
    }

    /// The sectors the firmware reads: from its config header and its `espconn_secure_*` calls.
    private func firmwareSectors() throws -> FirmwareSectors {
        guard let header, let config = profile.config else { return FirmwareSectors() }
        var firmware = try FirmwareSectors(header: header, path: displayPath(config.header))
        if let directory = profile.firmware?.directory {
            let calls = try SourceSectorScanner(header: header).scan(directory: directory)
            firmware = try SourceSectorScanner.sectors(calls, header: firmware)
        }
        return firmware
    }

    /// The SDK cert-sector files packed from the profile's certificates (DER, PKCS#1 key).
    private func certificateSectors(_ firmware: FirmwareSectors) throws -> [ProfilePlan.Region] {
        let certs = profile.certs, flash = profile.flash
        var regions: [ProfilePlan.Region] = []
        func why(_ what: String, _ sector: Int, _ compiled: FirmwareSectors.Sector?, _ key: String) -> String {
            "\(what) at sector 0x\(String(sector, radix: 16)), " + (compiled.map { "as \($0.source)" } ?? "flash.\(key)\(at("flash.\(key)"))")
        }
        if !certs.ca.isEmpty {
            // The config header names the sector; [flash] ca_sector overrides it (and must agree).
            guard let sector = flash.caSector ?? firmware.caCertificates?.number else {
                throw fail(.noCASector, "the profile names CA certificates but neither its config header (CA_CERT_FLASH_ADDRESS) nor [flash] ca_sector says where they go",
                           hint: "set CA_CERT_FLASH_ADDRESS in [config.set] (e.g. 0x77), or ca_sector in [flash] for firmware without that macro")
            }
            let packed = try CertSectorPacker.caSector(try certs.ca.map { (Self.name($0), try readInputFile($0)) })
            regions.append(ProfilePlan.Region(write: FlashWrite(address: sector * CertSectorPacker.sectorSize, data: packed, source: "esp_ca_cert.bin"),
                                              role: .caCertificates, label: "CA certs", why: why("CA certificates", sector, firmware.caCertificates, "ca_sector")))
        }
        if certs.clientCertificate != nil || certs.clientKey != nil {
            guard let certificate = certs.clientCertificate, let key = certs.clientKey else {
                throw fail(.incompleteClientCertificate, "the profile names only one of client_cert and client_key", hint: "give both, or neither")
            }
            guard let sector = flash.clientSector ?? firmware.clientCertificate?.number else {
                throw fail(.noClientSector, "the profile names a client certificate but neither its config header (CLIENT_CERT_FLASH_ADDRESS) nor [flash] client_sector says where it goes",
                           hint: "set CLIENT_CERT_FLASH_ADDRESS in [config.set] (e.g. 0x78), or client_sector in [flash] for firmware without that macro")
            }
            let packed = try CertSectorPacker.clientSector(certificate: try readInputFile(certificate), key: try readInputFile(key),
                                                           certificateName: Self.name(certificate), keyName: Self.name(key))
            regions.append(ProfilePlan.Region(write: FlashWrite(address: sector * CertSectorPacker.sectorSize, data: packed, source: "esp_cert_private_key.bin"),
                                              role: .clientCertificate, label: "client cert", why: why("client certificate and key", sector, firmware.clientCertificate, "client_sector")))
        }
        return regions
    }

    /// The cert sectors the profile names must be the ones the firmware reads, and nothing may
    /// cover the firmware's saved-config sectors. A disagreement names the file and line.
    private func checkAgainstFirmware(_ firmware: FirmwareSectors, regions: [ProfilePlan.Region]) throws {
        let planned: [(Int?, FirmwareSectors.Sector?, String, String)] = [
            (profile.flash.caSector, firmware.caCertificates, "ca_sector", "CA certificates"),
            (profile.flash.clientSector, firmware.clientCertificate, "client_sector", "the client certificate"),
        ]
        for (profileSector, compiled, key, what) in planned {
            guard let profileSector, let compiled, profileSector != compiled.number else { continue }
            throw fail(.sectorMismatch,
                       String(format: "the profile puts %@ at sector 0x%x (0x%05x)%@, but the firmware reads sector 0x%x (0x%05x) per %@",
                              what, profileSector, profileSector * 0x1000, at("flash.\(key)"), compiled.number, compiled.address, compiled.source),
                       hint: "make flash.\(key) and the firmware agree (set it in [config.set] too, so the header is patched)")
        }
        for sector in firmware.configSectors {
            if let hit = regions.map(\.write.region).first(where: { $0.address < sector.address + 0x1000 && $0.end > sector.address }) {
                throw fail(.configSectorOverwritten,
                           String(format: "%@ (0x%08x..0x%08x) would overwrite sector 0x%x, where the firmware keeps its settings (%@)",
                                  hit.source, hit.address, hit.end, sector.number, sector.source),
                           hint: "move that region; the firmware's saved-config sectors must not be flashed over")
            }
        }
    }
}

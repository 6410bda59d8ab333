import EsprigProtocol

/// Files placed on an ESP8266's flash, checked against the size map's fixed areas and the
/// sectors the firmware was compiled to read. A value of this type has passed every check.
public struct FlashLayoutPlan: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        public enum Role: Sendable, Hashable {
            case boot
            case app(FlashLayout.AppSlot)
            /// esp_init_data_default.bin (PHY init data).
            case initData
            /// blank.bin, erasing a system sector.
            case blank
            /// esp_ca_cert.bin.
            case caCertificates
            /// esp_cert_private_key.bin.
            case clientCertificate
            case extra
        }

        public var role: Role
        public var file: String
        public var address: Int
        public var size: Int

        public init(_ role: Role, file: String, address: Int, size: Int) {
            self.role = role
            self.file = file
            self.address = address
            self.size = size
        }

        /// The first byte past the sectors the write erases.
        public var sectorEnd: Int { FlashGeometry.alignUp(address + size) }

        var describedAt: String { "\(file) (\(size) bytes at \(formatAddress(address)))" }
    }

    public let layout: FlashLayout
    /// In address order.
    public let items: [Item]
    public let firmware: FirmwareSectors

    public init(layout: FlashLayout, items: [Item], firmware: FirmwareSectors = FirmwareSectors()) throws {
        for item in items {
            try FlashLayoutPlan.checkPlacement(item, layout)
            try FlashLayoutPlan.checkReserved(item, layout, firmware)
        }
        let sorted = items.sorted { $0.address < $1.address }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.sectorEnd > next.address {
            throw FirmwareConfigError(.regionOverlap, "\(next.describedAt) overlaps \(previous.describedAt), whose sectors run to \(formatAddress(previous.sectorEnd))",
                                      hint: "move one of them to a free sector")
        }
        self.layout = layout
        self.items = sorted
        self.firmware = firmware
    }

    private static func checkPlacement(_ item: Item, _ layout: FlashLayout) throws {
        guard item.size > 0 else {
            throw FirmwareConfigError(.invalidValue, "\(item.file) is empty", hint: "check that the build produced it")
        }
        guard item.address % FlashGeometry.sectorSize == 0 else {
            throw FirmwareConfigError(.misaligned, "\(item.describedAt) does not start on a 4 KB sector",
                                      hint: "use \(formatAddress(FlashGeometry.alignDown(item.address))) or \(formatAddress(FlashGeometry.alignUp(item.address)))")
        }
        guard item.address >= 0, item.address + item.size <= layout.flashSize else {
            throw FirmwareConfigError(.outsideFlash, "\(item.describedAt) does not fit in the \(layout.esptoolFlashSize) flash of size map \(layout.sizeMap.rawValue) (ends at \(formatAddress(layout.flashSize)))")
        }
        let expected: [Int]
        switch item.role {
        case .boot: expected = [layout.bootAddress]
        case .app(let slot): expected = [layout.appAddress(slot)]
        case .initData: expected = [layout.initDataAddress]
        case .blank: expected = Array(stride(from: layout.systemArea.lowerBound, to: layout.systemArea.upperBound, by: FlashGeometry.sectorSize))
        case .caCertificates, .clientCertificate, .extra: expected = []
        }
        guard expected.isEmpty || expected.contains(item.address) else {
            throw FirmwareConfigError(.wrongAddress, "\(item.describedAt) must be at \(expected.map(formatAddress).joined(separator: " or ")) for size map \(layout.sizeMap.rawValue)",
                                      hint: "the boot loader and SDK look for it there")
        }
        if case .app = item.role, item.size > layout.maxAppSize {
            throw FirmwareConfigError(.appTooLarge, "\(item.describedAt) is larger than its slot's \(layout.maxAppSize) bytes (size map \(layout.sizeMap.rawValue))",
                                      hint: "make the app smaller or use a size map with 1024+1024 slots")
        }
    }

    /// Only init data and blank.bin may write the SDK's system area, and nothing may write
    /// the firmware's saved-config sectors or the other certificate's compiled sector; a
    /// certificate must sit exactly where the firmware reads it.
    private static func checkReserved(_ item: Item, _ layout: FlashLayout, _ firmware: FirmwareSectors) throws {
        let span = item.address..<item.sectorEnd
        if item.role != .initData, item.role != .blank, span.overlaps(layout.systemArea) {
            throw FirmwareConfigError(.reservedSector, "\(item.describedAt) reaches the SDK's RF calibration, PHY init and system parameter sectors \(formatAddress(layout.systemArea.lowerBound))–\(formatAddress(layout.systemArea.upperBound - 1))",
                                      hint: "keep it below \(formatAddress(layout.systemArea.lowerBound))")
        }
        var reserved = firmware.configSectors.map { ($0, "saved-config sector") }
        switch item.role {
        case .caCertificates:
            try matches(item, firmware.caCertificates, "CA")
            reserved += firmware.clientCertificate.map { [($0, "client certificate sector")] } ?? []
        case .clientCertificate:
            try matches(item, firmware.clientCertificate, "client certificate")
            reserved += firmware.caCertificates.map { [($0, "CA certificate sector")] } ?? []
        case .initData, .blank:
            reserved = []
        case .boot, .app, .extra:
            break
        }
        for (sector, what) in reserved where span.overlaps(sector.address..<sector.address + FlashGeometry.sectorSize) {
            throw FirmwareConfigError(.reservedSector, "\(item.describedAt) overwrites \(formatAddress(sector.address)), the firmware's \(what) (\(sector.source))",
                                      hint: "keep it out of sector 0x\(String(sector.number, radix: 16, uppercase: true))")
        }
    }

    private static func matches(_ item: Item, _ compiled: FirmwareSectors.Sector?, _ what: String) throws {
        guard let compiled, compiled.address != item.address else { return }
        throw FirmwareConfigError(.sectorMismatch, "\(item.file) is planned at \(formatAddress(item.address)), but \(compiled.source) compiles the \(what) sector 0x\(String(compiled.number, radix: 16, uppercase: true)) (\(formatAddress(compiled.address)))",
                                  hint: "write \(item.file) at \(formatAddress(compiled.address)) or change the header and rebuild")
    }
}

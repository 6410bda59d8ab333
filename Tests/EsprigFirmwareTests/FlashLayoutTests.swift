import Testing
@testable import EsprigFirmware

@Suite struct FlashLayoutTests {
    typealias Item = FlashLayoutPlan.Item
    static let maps = FlashLayout.SizeMap.allCases

    let firmware: FirmwareSectors = {
        // The fixture compiles CA 0x77 (line 27), client 0x78 (line 28), CFG_LOCATION 0x79 (line 34).
        try! FirmwareSectors(header: ConfigHeader(bytes: Fixture.demoHeader), path: "include/mqtt_config.h")
    }()

    /// The demo README's flashing plan (§3.5) for `layout`, two-way TLS.
    func demoItems(_ layout: FlashLayout) -> [Item] {
        let n = layout.flashSize
        return [
            Item(.boot, file: "boot_v1.7.bin", address: 0, size: 4080),
            Item(.app(.user1), file: "user1.bin", address: 0x1000, size: 338_596),
            Item(.blank, file: "blank.bin", address: n - 0x5000, size: 4096),
            Item(.initData, file: "esp_init_data_default_v08.bin", address: n - 0x4000, size: 128),
            Item(.blank, file: "blank.bin", address: n - 0x2000, size: 4096),
            Item(.caCertificates, file: "esp_ca_cert.bin", address: 0x77000, size: 1_240),
            Item(.clientCertificate, file: "esp_cert_private_key.bin", address: 0x78000, size: 2_180),
        ]
    }

    func refusal(_ layout: FlashLayout, _ change: (inout [Item]) -> Void) -> FirmwareConfigError? {
        var items = demoItems(layout)
        change(&items)
        do {
            _ = try FlashLayoutPlan(layout: layout, items: items, firmware: firmware)
            return nil
        } catch {
            return error as? FirmwareConfigError
        }
    }

    @Test("each size map's fixed areas match the SDK table", arguments: [
        (FlashLayout.SizeMap.map2, 0x100000, "1MB", 0x81000, 0x7B000, 0xFC000),
        (.map3, 0x200000, "2MB", 0x81000, 0x7B000, 0x1FC000),
        (.map4, 0x400000, "4MB", 0x81000, 0x7B000, 0x3FC000),
        (.map5, 0x200000, "2MB-c1", 0x101000, 0xFB000, 0x1FC000),
        (.map6, 0x400000, "4MB-c1", 0x101000, 0xFB000, 0x3FC000),
    ])
    func table(_ map: FlashLayout.SizeMap, _ size: Int, _ name: String, _ user2: Int, _ maxApp: Int, _ initData: Int) {
        let layout = FlashLayout(map)
        #expect(layout.flashSize == size && layout.esptoolFlashSize == name)
        #expect(layout.appAddress(.user1) == 0x1000 && layout.appAddress(.user2) == user2)
        #expect(layout.maxAppSize == maxApp && layout.initDataAddress == initData)
        #expect(layout.rfCalibrationAddress == initData - 0x1000 && layout.blankAddress == initData + 0x2000)
        #expect(layout.systemParameters == initData + 0x1000..<size)
        // The demo's private sectors 0x77–0x7C are free under the SDK 3.x table on every map.
        #expect(layout.freeAreas.first.map { $0.contains(0x77000) && $0.contains(0x7CFFF) } == true)
        #expect(layout.freeAreas.allSatisfy { $0.upperBound <= layout.rfCalibrationAddress })
    }

    @Test("the demo's plan passes on every map, sorted by address", arguments: maps)
    func demoPlan(_ map: FlashLayout.SizeMap) throws {
        let plan = try FlashLayoutPlan(layout: FlashLayout(map), items: demoItems(FlashLayout(map)).reversed(), firmware: firmware)
        #expect(plan.items.map(\.address) == plan.items.map(\.address).sorted())
        #expect(plan.items.count == 7)
    }

    @Test("user2 goes at the map's second slot; on the last half a full-size app reaches RF calibration", arguments: maps)
    func user2(_ map: FlashLayout.SizeMap) throws {
        let layout = FlashLayout(map)
        let user2 = { (size: Int) in [Item(.app(.user2), file: "user2.bin", address: layout.appAddress(.user2), size: size)] }
        _ = try FlashLayoutPlan(layout: layout, items: user2(layout.maxAppSize - 0x1000))
        // §3.3: with 2.x's rule, user2 on map 2 (and 5) ends at 0xFC000 (0x1FC000), past RF cal.
        let lastHalf = layout.appAddress(.user2) + layout.halfSize == layout.flashSize + 0x1000
        #expect(lastHalf == (map == .map2 || map == .map5))
        if lastHalf {
            #expect(throws: FirmwareConfigError(.reservedSector, "")) { try FlashLayoutPlan(layout: layout, items: user2(layout.maxAppSize)) }
        } else {
            _ = try FlashLayoutPlan(layout: layout, items: user2(layout.maxAppSize))
        }
        #expect(refusal(layout) { $0[1] = Item(.app(.user2), file: "user2.bin", address: 0x1000, size: 1000) }?.code == .wrongAddress)
    }

    @Test("refusals on every map name the file and address", arguments: maps)
    func refusals(_ map: FlashLayout.SizeMap) {
        let layout = FlashLayout(map)
        let n = layout.flashSize
        let misaligned = refusal(layout) { $0[5].address = 0x77100 }
        #expect(misaligned?.code == .misaligned && misaligned?.message.contains("esp_ca_cert.bin") == true)
        let outside = refusal(layout) { $0.append(Item(.extra, file: "fs.bin", address: n - 0x1000, size: 0x2000)) }
        #expect(outside?.code == .outsideFlash && outside?.message.contains("fs.bin") == true)
        #expect(refusal(layout) { $0[3].address = n - 0x3000 }?.code == .wrongAddress)
        #expect(refusal(layout) { $0[0].address = 0x1000 }?.code == .wrongAddress)
        #expect(refusal(layout) { $0[2].address = 0x70000 }?.code == .wrongAddress)
        let big = refusal(layout) { $0[1].size = layout.maxAppSize + 1 }
        #expect(big?.code == .appTooLarge && big?.message.contains("user1.bin") == true)
        let system = refusal(layout) { $0.append(Item(.extra, file: "data.bin", address: n - 0x6000, size: 0x1001)) }
        #expect(system?.code == .reservedSector && system?.message.contains(formatAddress(n - 0x5000)) == true)
        let config = refusal(layout) { $0.append(Item(.extra, file: "data.bin", address: 0x7A000, size: 16)) }
        #expect(config?.code == .reservedSector && config?.message.contains("include/mqtt_config.h:34") == true)
        // An app past 0x76000 bytes runs into the demo's certificate and config sectors.
        #expect(refusal(layout) { $0[1].size = 0x76001 }?.code == .regionOverlap)
        #expect(refusal(layout) { $0[1].size = 0x78001; $0.removeLast(2) }?.code == .reservedSector)
        let overlap = refusal(layout) { $0.append(Item(.extra, file: "extra.bin", address: 0x70000, size: 0x7001)) }
        #expect(overlap?.code == .regionOverlap && overlap?.message.contains("extra.bin") == true)
        let mismatch = refusal(layout) { $0[5].address = 0x76000 }
        #expect(mismatch?.code == .sectorMismatch && mismatch?.message.contains("include/mqtt_config.h:27") == true
                && mismatch?.message.contains("0x00076000") == true)
        #expect(refusal(layout) { $0[6].address = 0x7B000 }?.code == .sectorMismatch)
        // A CA bundle larger than its sector runs into the client certificate's compiled sector.
        #expect(refusal(layout) { $0[5].size = 0x1001; $0.removeLast() }?.code == .reservedSector)
        #expect(refusal(layout) { $0[4].size = 0 }?.code == .invalidValue)
    }

    @Test("size maps the demo does not support are refused", arguments: [0, 1, 7, 8, 9])
    func unsupported(_ number: Int) throws {
        #expect(throws: FirmwareConfigError(.unsupportedSizeMap, "")) { try FlashLayout(sizeMapNumber: number) }
        #expect(try FlashLayout(sizeMapNumber: 5).sizeMap == .map5)
    }

    @Test("firmware sectors come from the header with file:line; the config sectors skip +2")
    func sectorsFromHeader() throws {
        #expect(firmware.caCertificates == .init(number: 0x77, source: "include/mqtt_config.h:27 (CA_CERT_FLASH_ADDRESS)"))
        #expect(firmware.clientCertificate?.address == 0x78000)
        #expect(firmware.configSectors.map(\.number) == [0x79, 0x7A, 0x7C])
        #expect(try FirmwareSectors(header: ConfigHeader(bytes: []), path: "h") == FirmwareSectors())
        #expect(throws: FirmwareConfigError(.unsupportedLine, "")) {
            try FirmwareSectors(header: ConfigHeader(bytes: Array("#define CFG_LOCATION NO\n".utf8)), path: "h")
        }
    }
}

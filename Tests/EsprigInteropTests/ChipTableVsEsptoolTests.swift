import EsprigLoader
import EsprigProtocol
import EsprigTestSupport
import Foundation
import Testing

/// Every row of the chip table against the installed esptool's own target classes: the facts
/// are read from esptool at test time (python introspection), not copied into the test.
@Suite("the chip table agrees with esptool's targets")
struct ChipTableVsEsptoolTests {
    /// esptool's attributes per chip, as JSON.
    static func esptoolFacts() throws -> [String: [String: Any]] {
        let script = #"""
        import inspect, json
        from esptool.targets import CHIP_DEFS
        out = {}
        for name, c in CHIP_DEFS.items():
            # A chip has a watchdog reset where its watchdog_reset writes the RTC WDT registers.
            wdt = "RTC_CNTL_WDTWPROTECT_REG" in inspect.getsource(c.watchdog_reset)
            out[name] = {
                "watchdog": [c.RTC_CNTL_WDTWPROTECT_REG, c.RTC_CNTL_WDTCONFIG0_REG, c.RTC_CNTL_WDTCONFIG1_REG] if wdt else [],
                "name": c.CHIP_NAME, "boot": c.BOOTLOADER_FLASH_OFFSET,
                "magic": [c.MAGIC_VALUE] if getattr(c, "USES_MAGIC_VALUE", False) else [],
                "chip_id": None if getattr(c, "USES_MAGIC_VALUE", False) else c.IMAGE_CHIP_ID,
                "spi": [c.SPI_REG_BASE, c.SPI_USR_OFFS, c.SPI_USR1_OFFS, c.SPI_USR2_OFFS, c.SPI_W0_OFFS],
                "msb": getattr(c, "SPI_ADDR_REG_MSB", True),
                "clkdiv": c.UART_CLKDIV_REG, "xtal_div": c.XTAL_CLK_DIVIDER,
                "mac": getattr(c, "MAC_EFUSE_REG", None),
                "freqs": c.FLASH_FREQUENCY, "sizes": c.FLASH_SIZES,
                "ram_block": c.ESP_RAM_BLOCK, "rom_block": c.FLASH_WRITE_SIZE,
                # loader.py flash_begin: the ROM gets the 5th word unless it is the ESP32's or ESP8266's.
                "encrypted_begin": c.CHIP_NAME not in ("ESP32", "ESP8266"),
                "image_chip_id": getattr(c, "IMAGE_CHIP_ID", None),
                "ram": sorted([a, b] for a, b, n in c.MEMORY_MAP
                              if n in ("DRAM", "IRAM") or n.startswith("DIRAM_") or n.startswith("RTC_")),
            }
        print(json.dumps(out))
        """#
        let python = PackagePaths.venv + "/bin/python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python with esptool failed (\(python))")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
    }

    @Test("detection, offsets, SPI, UART, eFuse MAC and flash codes of every row")
    func rows() throws {
        let facts = try Self.esptoolFacts()
        for chip in Chip.allCases {
            let spec = chip.spec
            let f = try #require(facts[chip.rawValue], "esptool has no target \(chip.rawValue)")
            #expect(f["name"] as? String == spec.displayName, "\(chip)")
            #expect((f["boot"] as? NSNumber)?.uint32Value == spec.bootloaderOffset, "\(chip) bootloader offset")
            #expect((f["magic"] as? [NSNumber])?.map(\.uint32Value) == spec.magicValues, "\(chip) magic")
            #expect((f["chip_id"] as? NSNumber)?.uint32Value == spec.securityInfoChipID, "\(chip) chip id")
            let s = spec.spi
            #expect((f["spi"] as? [NSNumber])?.map(\.uint32Value) == [s.base, s.usr, s.usr1, s.usr2, s.w0], "\(chip) SPI")
            #expect(f["msb"] as? Bool == s.addressMSBAligned, "\(chip) SPI address alignment")
            #expect((f["clkdiv"] as? NSNumber)?.uint32Value == spec.uartClockDivider, "\(chip) UART_CLKDIV")
            #expect((f["xtal_div"] as? NSNumber)?.uint32Value == spec.crystalDivider, "\(chip) crystal divider")
            if case .eFuse(let layout) = spec.identity {
                #expect((f["mac"] as? NSNumber)?.uint32Value == layout.macWord, "\(chip) MAC eFuse")
            }
            #expect((f["freqs"] as? [String: NSNumber])?.mapValues(\.uint8Value) == spec.flashFrequencies, "\(chip) flash frequencies")
            #expect((f["sizes"] as? [String: NSNumber])?.mapValues(\.uint8Value) == spec.flashSizes, "\(chip) flash sizes")
            #expect((f["ram_block"] as? NSNumber)?.intValue == spec.ramBlockSize, "\(chip) RAM block")
            #expect((f["rom_block"] as? NSNumber)?.intValue == spec.romFlashBlockSize, "\(chip) ROM flash block")
            #expect(f["encrypted_begin"] as? Bool == spec.romBeginTakesEncryptedFlag, "\(chip) encrypted BEGIN word")
            let watchdog = spec.watchdog.map { [$0.writeProtect, $0.config0, $0.config1] } ?? []
            #expect((f["watchdog"] as? [NSNumber])?.map(\.uint32Value) == watchdog, "\(chip) RTC watchdog registers")
            #expect((f["image_chip_id"] as? NSNumber)?.uint16Value == spec.imageChipID, "\(chip) image chip id")
            // Overlapping aliases (the C3's RTC_IRAM and RTC_DRAM) count once.
            let ram = Set(((f["ram"] as? [[NSNumber]]) ?? []).map { $0[0].uint32Value..<$0[1].uint32Value })
            #expect(ram == Set(spec.ramRanges), "\(chip) RAM ranges")
        }
    }

    @Test("the installed esptool has a stub for every row (and the ESP32-P4's older one)")
    func stubs() throws {
        let source = try PackagePaths.esptoolStubs()
        for chip in Chip.allCases {
            let stub = try #require(try source.stub(for: chip), "no stub for \(chip)")
            #expect(stub.origin.hasSuffix("/\(chip.rawValue).json"))
        }
        let old = try #require(try source.stub(for: .esp32p4, revision: ChipRevision(major: 1, minor: 0)))
        #expect(old.origin.hasSuffix("/esp32p4-rev1.json"))
    }
}

/// The ESP32-S2 and later rows. Every value is from esptool 5.6 `esptool/targets/<chip>.py`.
extension ChipSpec {
    /// ROM loader commands of the ESP32-S2 and later ROMs (esptool models them on the ESP32's).
    static let laterROMFeatures: Set<LoaderFeature> = [.changeBaudrate, .compressedWrite, .md5, .spiAttach,
                                                       .spiSetParams, .readFlashSlow, .securityInfo]
    static let laterFlashSizes: [String: UInt8] = ["1MB": 0x00, "2MB": 0x10, "4MB": 0x20, "8MB": 0x30, "16MB": 0x40,
                                                   "32MB": 0x50, "64MB": 0x60, "128MB": 0x70]
    static let commonFlashFrequencies: [String: UInt8] = ["80m": 0xF, "40m": 0x0, "26m": 0x1, "20m": 0x2]

    /// esptool `KEY_PURPOSES`: the values every S2-and-later chip shares, plus per-chip extras.
    static let commonKeyPurposes: [UInt8: String] = [
        0: "USER/EMPTY", 1: "RESERVED", 4: "XTS_AES_128_KEY", 5: "HMAC_DOWN_ALL", 6: "HMAC_DOWN_JTAG",
        7: "HMAC_DOWN_DIGITAL_SIGNATURE", 8: "HMAC_UP", 9: "SECURE_BOOT_DIGEST0", 10: "SECURE_BOOT_DIGEST1", 11: "SECURE_BOOT_DIGEST2",
    ]
    static let aes256KeyPurposes = commonKeyPurposes.merging([2: "XTS_AES_256_KEY_1", 3: "XTS_AES_256_KEY_2"]) { $1 }
    static let ecdsaKeyPurposes = aes256KeyPurposes.merging([1: "ECDSA_KEY"]) { $1 }

    /// The SPI1 "user command" registers of the S2-and-later controllers; the address is not
    /// MSB-aligned there (esptool `SPI_ADDR_REG_MSB = False`).
    static func laterSPI(base: UInt32) -> SPIRegisters {
        SPIRegisters(base: base, usr: 0x18, usr1: 0x1C, usr2: 0x20, w0: 0x58,
                     mosiDataLength: 0x24, misoDataLength: 0x28, addressMSBAligned: false)
    }

    /// A row with what the S2-and-later chips share; the caller fills in the rest.
    static func later(_ chip: Chip, _ name: String, bootloaderOffset: UInt32, spiBase: UInt32,
                      uartClockDivider: UInt32 = 0x6000_0014, identity: EFuseIdentity, crystal: CrystalRule,
                      chipID: UInt32?, flashFrequencies: [String: UInt8] = commonFlashFrequencies,
                      addr2line: String = "riscv32-esp-elf-addr2line", codeRanges: [Range<UInt32>],
                      ramRanges: [Range<UInt32>]) -> ChipSpec {
        ChipSpec(chip: chip, displayName: name, magicValues: [], romStatusLength: 4, bootloaderOffset: bootloaderOffset,
                 romFeatures: laterROMFeatures, romFlashBlockSize: 0x400, stubFlashBlockSize: 0x4000, ramBlockSize: 0x1800,
                 spi: laterSPI(base: spiBase), uartClockDivider: uartClockDivider, crystalDivider: 1,
                 hasROMEraseSizeBug: false, stubName: chip.rawValue, flashFrequencies: flashFrequencies,
                 flashSizes: laterFlashSizes, romBeginTakesEncryptedFlag: true,
                 identity: .eFuse(identity), crystal: crystal, securityInfoChipID: chipID,
                 securityInfoLength: 20, usbJTAGSerialPID: 0x1001, addr2line: addr2line, codeRanges: codeRanges,
                 keyPurposes: commonKeyPurposes, imageChipID: chipID.map { UInt16($0) }, ramRanges: ramRanges)
    }

    /// `targets/esp32s2.py`: no chip id in GET_SECURITY_INFO (12 bytes), so the magic decides.
    public static let esp32s2: ChipSpec = {
        let b1: UInt32 = 0x3F41_A044, b2: UInt32 = 0x3F41_A05C
        let flashCap = EFuseField(b1 + 12, shift: 21, bits: 4), psramCap = EFuseField(b1 + 12, shift: 28, bits: 4)
        var row = later(.esp32s2, "ESP32-S2", bootloaderOffset: 0x1000, spiBase: 0x3F40_2000, uartClockDivider: 0x3F40_0014,
                        identity: EFuseIdentity(
                            macWord: b1,
                            // esptool keys the name by flash_cap + 100 × psram_cap; here psram is the high nibble.
                            nameKey: [psramCap, flashCap],
                            names: [0x00: "ESP32-S2", 0x01: "ESP32-S2FH2", 0x02: "ESP32-S2FH4", 0x12: "ESP32-S2FNR2", 0x10: "ESP32-S2R2"],
                            unknownName: "Unknown ESP32-S2",
                            major: [EFuseField(b1 + 12, shift: 18, bits: 2)],
                            minor: [EFuseField(b1 + 12, shift: 20, bits: 1), EFuseField(b1 + 16, shift: 4, bits: 3)],
                            features: ["Wi-Fi", "Single Core", "240MHz"],
                            featureFields: [
                                EFuseFeature([flashCap], [0: "No Embedded Flash", 1: "Embedded Flash 2MB", 2: "Embedded Flash 4MB"], unknown: "Unknown Embedded Flash"),
                                EFuseFeature([psramCap], [0: "No Embedded PSRAM", 1: "Embedded PSRAM 2MB", 2: "Embedded PSRAM 4MB"], unknown: "Unknown Embedded PSRAM"),
                                EFuseFeature([EFuseField(b2 + 16, shift: 4, bits: 3)],
                                             [0: "No calibration in BLK2 of efuse",
                                              1: "ADC and temperature sensor calibration in BLK2 of eFuse V1",
                                              2: "ADC and temperature sensor calibration in BLK2 of eFuse V2"], unknown: "Unknown calibration in BLK2"),
                            ]),
                        crystal: .fixed(40), chipID: nil, addr2line: "xtensa-esp32s2-elf-addr2line",
                        codeRanges: [0x4000_0000..<0x4007_2000, 0x4008_0000..<0x4180_0000],
                        ramRanges: [0x3FF9_E000..<0x3FFA_0000, 0x3FFB_0000..<0x4000_0000, 0x4002_0000..<0x4007_0000, 0x4007_0000..<0x4007_2000, 0x5000_0000..<0x5000_2000])
        row.magicValues = [0x0000_07C6]
        row.imageChipID = 2
        row.securityInfoLength = 12
        row.usbJTAGSerialPID = nil
        row.usbOTGPID = 0x0002
        row.watchdog = .rtcControl(base: 0x3F40_8000, config0: 0x94, writeProtect: 0xAC)
        row.keyPurposes = aes256KeyPurposes
        return row
    }()

    /// `targets/esp32s3.py` (esptool's ECO0 block-version workaround is not modelled).
    public static let esp32s3: ChipSpec = {
        let b1: UInt32 = 0x6000_7044
        var row = later(.esp32s3, "ESP32-S3", bootloaderOffset: 0x0, spiBase: 0x6000_2000,
                        identity: EFuseIdentity(
                            macWord: b1, nameKey: [EFuseField(b1 + 12, shift: 21, bits: 3)],
                            names: [0: "ESP32-S3 (QFN56)", 1: "ESP32-S3-PICO-1 (LGA56)"], unknownName: "Unknown ESP32-S3",
                            major: [EFuseField(b1 + 20, shift: 24, bits: 2)],
                            minor: [EFuseField(b1 + 20, shift: 23, bits: 1), EFuseField(b1 + 12, shift: 18, bits: 3)],
                            features: ["Wi-Fi", "BT 5 (LE)", "Dual Core + LP Core", "240MHz"],
                            featureFields: [
                                EFuseFeature([EFuseField(b1 + 12, shift: 27, bits: 3)], [0: "", 1: "Embedded Flash 8MB", 2: "Embedded Flash 4MB"], unknown: "Unknown Embedded Flash",
                                             vendor: [EFuseField(b1 + 16, shift: 0, bits: 3)], vendors: [1: "XMC", 2: "GD", 3: "FM", 4: "TT", 5: "BY"]),
                                EFuseFeature([EFuseField(b1 + 20, shift: 19, bits: 1), EFuseField(b1 + 16, shift: 3, bits: 2)],
                                             [0: "", 1: "Embedded PSRAM 8MB", 2: "Embedded PSRAM 2MB", 3: "Embedded PSRAM 16MB", 4: "Embedded PSRAM 4MB"],
                                             unknown: "Unknown Embedded PSRAM",
                                             vendor: [EFuseField(b1 + 16, shift: 7, bits: 2)], vendors: [1: "AP_3v3", 2: "AP_1v8"]),
                            ]),
                        crystal: .fixed(40), chipID: 9, addr2line: "xtensa-esp32s3-elf-addr2line",
                        codeRanges: [0x4000_0000..<0x4006_0000, 0x4037_0000..<0x403E_0000, 0x4200_0000..<0x4400_0000],
                        ramRanges: [0x600F_E000..<0x6010_0000, 0x3FC8_8000..<0x3FD0_0000, 0x4037_0000..<0x403E_0000, 0x5000_0000..<0x5000_2000])
        row.usbOTGPID = 0x0009
        row.watchdog = .rtcControl(base: 0x6000_8000, config0: 0x98, writeProtect: 0xB0)
        row.keyPurposes = aes256KeyPurposes
        return row
    }()

    /// `targets/esp32c3.py`.
    public static let esp32c3: ChipSpec = {
        let b1: UInt32 = 0x6000_8844
        var row = later(.esp32c3, "ESP32-C3", bootloaderOffset: 0x0, spiBase: 0x6000_2000,
                     identity: EFuseIdentity(
                        macWord: b1, nameKey: [EFuseField(b1 + 12, shift: 21, bits: 3)],
                        names: [0: "ESP32-C3 (QFN32)", 1: "ESP8685 (QFN28)", 2: "ESP32-C3 AZ (QFN32)", 3: "ESP8686 (QFN24)"],
                        unknownName: "Unknown ESP32-C3",
                        major: [EFuseField(b1 + 20, shift: 24, bits: 2)],
                        minor: [EFuseField(b1 + 20, shift: 23, bits: 1), EFuseField(b1 + 12, shift: 18, bits: 3)],
                        features: ["Wi-Fi", "BT 5 (LE)", "Single Core", "160MHz"],
                        featureFields: [EFuseFeature([EFuseField(b1 + 12, shift: 27, bits: 3)],
                                                     [0: "", 1: "Embedded Flash 4MB", 2: "Embedded Flash 2MB", 3: "Embedded Flash 1MB", 4: "Embedded Flash 8MB"],
                                                     unknown: "Unknown Embedded Flash",
                                                     vendor: [EFuseField(b1 + 16, shift: 0, bits: 3)],
                                                     vendors: [1: "XMC", 2: "GD", 3: "FM", 4: "TT", 5: "ZBIT"])]),
                     crystal: .fixed(40), chipID: 5,
                     codeRanges: [0x4000_0000..<0x4006_0000, 0x4037_C000..<0x403E_0000, 0x4200_0000..<0x4280_0000],
                        ramRanges: [0x3FC8_0000..<0x3FCE_0000, 0x4037_C000..<0x403E_0000, 0x5000_0000..<0x5000_2000])
        row.watchdog = .rtcControl(base: 0x6000_8000, config0: 0x90, writeProtect: 0xA8)
        return row
    }()

    /// `targets/esp32c2.py`: 26 or 40 MHz crystal, read from UART_CLKDIV.
    public static let esp32c2: ChipSpec = {
        let b2: UInt32 = 0x6000_8840
        var row = later(.esp32c2, "ESP32-C2", bootloaderOffset: 0x0, spiBase: 0x6000_2000,
                     identity: EFuseIdentity(
                        macWord: b2, nameKey: [EFuseField(b2 + 4, shift: 22, bits: 3)],
                        names: [0: "ESP32-C2", 1: "ESP8684H"], unknownName: "Unknown ESP32-C2",
                        major: [EFuseField(b2 + 4, shift: 20, bits: 2)],
                        minor: [EFuseField(b2 + 4, shift: 16, bits: 4)],
                        features: ["Wi-Fi", "BT 5 (LE)", "Single Core", "120MHz"],
                        featureFields: [EFuseFeature([EFuseField(b2 + 28, shift: 29, bits: 3)],
                                                     [0: "", 1: "Embedded Flash 4MB", 2: "Embedded Flash 2MB", 3: "Embedded Flash 1MB"],
                                                     unknown: "Unknown Embedded Flash",
                                                     vendor: [EFuseField(b2 + 28, shift: 24, bits: 3)],
                                                     vendors: [1: "XMC", 2: "GD", 3: "FM", 4: "TT", 5: "ZBIT"])]),
                     crystal: .measured([40, 26]), chipID: 12,
                     flashFrequencies: ["60m": 0xF, "30m": 0x0, "20m": 0x1, "15m": 0x2],
                     codeRanges: [0x4000_0000..<0x4009_0000, 0x4037_C000..<0x403E_0000, 0x4200_0000..<0x4240_0000],
                        ramRanges: [0x3FCA_0000..<0x3FCE_0000, 0x4037_C000..<0x403C_0000])
        row.keyPurposes = [:]   // esptool prints none for the C2
        row.watchdog = .rtcControl(base: 0x6000_8000, config0: 0x84, writeProtect: 0x9C)
        return row
    }()

    /// `targets/esp32c5.py`: a 48 MHz crystal, read from UART_CLKDIV; the bootloader sits at 0x2000.
    public static let esp32c5: ChipSpec = {
        let w2: UInt32 = 0x600B_4844 + 8
        let temp = EFuseField(w2, shift: 24, bits: 2), flash = EFuseField(w2, shift: 13, bits: 3), psram = EFuseField(w2, shift: 19, bits: 3)
        // esptool builds "ESP32-C5" + N/H (temperature) + F4 (flash) + R4/R8 (PSRAM).
        var names: [UInt32: String] = [:]
        for (t, tName) in [(UInt32(0), "N"), (1, "H")] {
            for (f, fName) in [(UInt32(0), ""), (1, "F4")] {
                for (p, pName) in [(UInt32(0), ""), (1, "R4"), (2, "R8")] {
                    names[t << 6 | f << 3 | p] = "ESP32-C5" + tName + fName + pName
                }
            }
        }
        var row = later(.esp32c5, "ESP32-C5", bootloaderOffset: 0x2000, spiBase: 0x6000_3000,
                     identity: EFuseIdentity(
                        macWord: 0x600B_4844, nameKey: [temp, flash, psram], names: names, unknownName: "Unknown ESP32-C5",
                        major: [EFuseField(w2, shift: 4, bits: 2)], minor: [EFuseField(w2, shift: 0, bits: 4)],
                        features: ["Wi-Fi 6 (dual-band)", "BT 5 (LE)", "IEEE802.15.4", "Single Core + LP Core", "240MHz"],
                        featureFields: [
                            EFuseFeature([flash], [0: "No Embedded Flash", 1: "Embedded Flash 4MB"], unknown: "Unknown Embedded Flash",
                                         vendor: [EFuseField(w2, shift: 16, bits: 3)], vendors: [1: "XMC"], vendorFor: [1]),
                            EFuseFeature([psram], [0: "No Embedded PSRAM", 1: "Embedded PSRAM 4MB", 2: "Embedded PSRAM 8MB"], unknown: "Unknown Embedded PSRAM",
                                         vendor: [EFuseField(w2, shift: 22, bits: 2)], vendors: [1: "AP_3v3"], vendorFor: [1, 2]),
                        ]),
                     crystal: .measured([48, 40, 26]), chipID: 23,
                     flashFrequencies: ["80m": 0xF, "40m": 0x0, "20m": 0x2],
                     codeRanges: [0x4000_0000..<0x4005_0000, 0x4080_0000..<0x4086_0000, 0x4200_0000..<0x4400_0000],
                        ramRanges: [0x4080_0000..<0x4086_0000, 0x5000_0000..<0x5000_4000])
        if case .eFuse(var layout) = row.identity {
            layout.hasEUI64Extension = true
            layout.nameParts = [NamePart([temp], [0: "N", 1: "H"]), NamePart([flash], [0: "", 1: "F4"], unknown: "F?"),
                                NamePart([psram], [0: "", 1: "R4", 2: "R8"], unknown: "R?")]
            row.identity = .eFuse(layout)
        }
        row.keyPurposes = commonKeyPurposes.merging([1: "ECDSA_KEY", 12: "KM_INIT_KEY", 15: "XTS_AES_128_PSRAM_KEY", 16: "ECDSA_KEY_P192", 17: "ECDSA_KEY_P384_L", 18: "ECDSA_KEY_P384_H"]) { $1 }
        return row
    }()

    /// `targets/esp32c6.py`.
    public static let esp32c6: ChipSpec = {
        let b1: UInt32 = 0x600B_0844
        let pkg = EFuseField(b1 + 12, shift: 24, bits: 3), flash = EFuseField(b1 + 16, shift: 0, bits: 3)
        var names: [UInt32: String] = [:]
        for f in UInt32(0)..<8 { names[f] = "ESP32-C6 (QFN40)" }   // package 0 whatever the flash
        names[1 << 3 | 1] = "ESP32-C6FH4 (QFN32)"
        names[1 << 3 | 2] = "ESP32-C6FH8 (QFN32)"
        var row = later(.esp32c6, "ESP32-C6", bootloaderOffset: 0x0, spiBase: 0x6000_3000,
                     identity: EFuseIdentity(
                        macWord: b1, nameKey: [pkg, flash], names: names, unknownName: "Unknown ESP32-C6",
                        major: [EFuseField(b1 + 12, shift: 22, bits: 2)], minor: [EFuseField(b1 + 12, shift: 18, bits: 4)],
                        features: ["Wi-Fi 6", "BT 5 (LE)", "IEEE802.15.4", "Single Core + LP Core", "160MHz"],
                        featureFields: [EFuseFeature([flash], [1: "Embedded Flash 4MB", 2: "Embedded Flash 8MB"], unknown: "Unknown Embedded Flash")]),
                     crystal: .fixed(40), chipID: 13,
                     flashFrequencies: ["80m": 0x0, "40m": 0x0, "20m": 0x2],
                     codeRanges: [0x4000_0000..<0x4005_0000, 0x4080_0000..<0x4088_0000, 0x4200_0000..<0x4280_0000],
                        ramRanges: [0x4080_0000..<0x4088_0000, 0x5000_0000..<0x5000_4000])
        if case .eFuse(var layout) = row.identity {
            layout.hasEUI64Extension = true
            row.identity = .eFuse(layout)
        }
        return row
    }()

    /// `targets/esp32h2.py`: a 32 MHz crystal; no Wi-Fi. (The "S" suffix of v1.2+ embedded-flash parts is not modelled.)
    public static let esp32h2: ChipSpec = {
        let b1: UInt32 = 0x600B_0844
        let pkg = EFuseField(b1 + 16, shift: 0, bits: 3), temp = EFuseField(b1 + 12, shift: 27, bits: 2), flash = EFuseField(b1 + 12, shift: 24, bits: 3)
        var names: [UInt32: String] = [:]
        for t in UInt32(0)..<4 {
            names[t << 3] = "ESP32-H2"
            for (f, size) in [(UInt32(1), "4"), (2, "2"), (3, "1")] {
                if let tName = [1: "H", 2: "N"][t] { names[t << 3 | f] = "ESP32-H2F" + tName + size }
            }
        }
        var row = later(.esp32h2, "ESP32-H2", bootloaderOffset: 0x0, spiBase: 0x6000_3000,
                     identity: EFuseIdentity(
                        macWord: b1, nameKey: [pkg, temp, flash], names: names, unknownName: "Unknown ESP32-H2",
                        major: [EFuseField(b1 + 12, shift: 21, bits: 2)], minor: [EFuseField(b1 + 12, shift: 18, bits: 3)],
                        features: ["BT 5 (LE)", "IEEE802.15.4", "Single Core", "96MHz"],
                        featureFields: [EFuseFeature([flash], [0: "No Embedded Flash", 1: "Embedded Flash 4MB", 2: "Embedded Flash 2MB", 3: "Embedded Flash 1MB"],
                                                     unknown: "Unknown Embedded Flash",
                                                     vendor: [EFuseField(b1 + 12, shift: 29, bits: 3)],
                                                     vendors: [1: "XMC", 2: "GD", 3: "FM", 4: "TT"], vendorFor: [1, 2, 3])]),
                     crystal: .fixed(32), chipID: 16,
                     flashFrequencies: ["48m": 0xF, "24m": 0x0, "16m": 0x1, "12m": 0x2],
                     codeRanges: [0x4000_0000..<0x4002_0000, 0x4080_0000..<0x4085_0000, 0x4200_0000..<0x4280_0000],
                        ramRanges: [0x4080_0000..<0x4088_0000, 0x5000_0000..<0x5000_4000])
        if case .eFuse(var layout) = row.identity {
            layout.hasEUI64Extension = true
            // "F" + H/N + 4/2/1 when the flash is in the package, then the package; "S" from v1.2 on.
            layout.nameParts = [NamePart([flash], Dictionary(uniqueKeysWithValues: (1..<8).map { ($0, "F") }), requires: [flash]),
                                NamePart([temp], [1: "H", 2: "N"], requires: [flash]),
                                NamePart([flash], [1: "4", 2: "2", 3: "1"], requires: [flash]),
                                NamePart([pkg], [0: ""])]
            layout.revisionSuffix = RevisionSuffix(minRevision: 102, suffix: "S", requires: [flash])
            row.identity = .eFuse(layout)
        }
        row.keyPurposes = ecdsaKeyPurposes
        return row
    }()

    /// `targets/esp32p4.py`: the bootloader at 0x2000; revisions below v3.0 use `esp32p4-rev1.json`.
    public static let esp32p4: ChipSpec = {
        let w2: UInt32 = 0x5012_D044 + 8
        var row = later(.esp32p4, "ESP32-P4", bootloaderOffset: 0x2000, spiBase: 0x5008_D000, uartClockDivider: 0x3FF4_0014,
                        identity: EFuseIdentity(
                            macWord: 0x5012_D044, nameKey: [EFuseField(w2, shift: 20, bits: 3)],
                            names: [0: "ESP32-P4"], unknownName: "Unknown ESP32-P4",
                            major: [EFuseField(w2, shift: 23, bits: 1), EFuseField(w2, shift: 4, bits: 2)],
                            minor: [EFuseField(w2, shift: 0, bits: 4)],
                            features: ["Dual Core + LP Core", "400MHz"], featureFields: []),
                        crystal: .fixed(40), chipID: 18,
                        codeRanges: [0x4FC0_0000..<0x4FC2_0000, 0x4FF0_0000..<0x4FFC_0000, 0x4000_0000..<0x4400_0000],
                        ramRanges: [0x4FF0_0000..<0x4FFA_0000, 0x5010_8000..<0x5011_0000])
        row.usbOTGPID = 0x0012
        row.watchdog = WatchdogRegisters(writeProtect: 0x5011_6018, config0: 0x5011_6000, config1: 0x5011_6004)
        row.olderRevisionStub = RevisionStub(revision: 300, name: "esp32p4-rev1")
        row.keyPurposes = ecdsaKeyPurposes.merging([12: "KM_INIT_KEY"]) { $1 }
        return row
    }()
}

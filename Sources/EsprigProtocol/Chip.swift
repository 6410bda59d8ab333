/// The chips esprig knows. Every fact about a chip is one `ChipSpec` row (`Chip.spec`).
public enum Chip: String, Sendable, CaseIterable, CustomStringConvertible {
    case esp8266
    case esp32
    case esp32s2, esp32s3, esp32c2, esp32c3, esp32c5, esp32c6, esp32h2, esp32p4

    public var spec: ChipSpec {
        switch self {
        case .esp8266: return .esp8266
        case .esp32: return .esp32
        case .esp32s2: return .esp32s2
        case .esp32s3: return .esp32s3
        case .esp32c2: return .esp32c2
        case .esp32c3: return .esp32c3
        case .esp32c5: return .esp32c5
        case .esp32c6: return .esp32c6
        case .esp32h2: return .esp32h2
        case .esp32p4: return .esp32p4
        }
    }
    public var description: String { spec.displayName }
}

/// What a ROM loader can do beyond the commands every loader has.
public enum LoaderFeature: Sendable, Hashable {
    case changeBaudrate, compressedWrite, md5, spiAttach, spiSetParams, readFlashSlow, securityInfo
    /// ERASE_FLASH, ERASE_REGION, READ_FLASH: stub-only on every chip esprig knows.
    case eraseAndStreamRead
}

/// Register layout of the SPI controller used for "user" commands (RDID, SFDP, ...).
public struct SPIRegisters: Sendable, Hashable {
    public var base: UInt32
    public var usr: UInt32        // offset of SPI_USR
    public var usr1: UInt32
    public var usr2: UInt32
    public var w0: UInt32
    /// Separate MOSI/MISO bit-length registers (ESP32); nil means lengths live in USR1 (ESP8266).
    public var mosiDataLength: UInt32?
    public var misoDataLength: UInt32?
    /// The address register holds the address MSB-aligned (ESP8266/ESP32), else right-aligned.
    public var addressMSBAligned: Bool = true

    public var cmdAddress: UInt32 { base }
    public var addrAddress: UInt32 { base + 0x04 }
    public var usrAddress: UInt32 { base + usr }
    public var usr1Address: UInt32 { base + usr1 }
    public var usr2Address: UInt32 { base + usr2 }
    public var w0Address: UInt32 { base + w0 }
    /// SPI_CMD_USR: starts a user command; the hardware clears it when done.
    public static let userCommandBit: UInt32 = 1 << 18
}

/// One row of chip facts; values from esptool `esptool/targets/<chip>.py` and `loader.py`.
public struct ChipSpec: Sendable, Hashable {
    public var chip: Chip
    public var displayName: String
    /// Values of the register at 0x40001000 (`CHIP_DETECT_MAGIC_VALUE`).
    public var magicValues: [UInt32]
    /// Status bytes the ROM appends (the stub always sends 2).
    public var romStatusLength: Int
    public var bootloaderOffset: UInt32
    public var romFeatures: Set<LoaderFeature>
    public var romFlashBlockSize: Int
    public var stubFlashBlockSize: Int
    public var ramBlockSize: Int
    public var spi: SPIRegisters
    public var uartClockDivider: UInt32
    /// `XTAL_CLK_DIVIDER`: crystal = baud × clkdiv / divider.
    public var crystalDivider: UInt32
    /// The ROM's SPIEraseArea over-erases (ESP8266, esptool `get_erase_size`).
    public var hasROMEraseSizeBug: Bool
    /// The stub JSON file name in esptool's `targets/stub_flasher/<n>/` folders.
    public var stubName: String
    /// Flash frequency codes (low nibble of header byte 3).
    public var flashFrequencies: [String: UInt8]
    /// Flash size codes (high nibble of header byte 3, already shifted).
    public var flashSizes: [String: UInt8]
    /// Sends the 5th "encrypted" word in *_BEGIN to the ROM.
    public var romBeginTakesEncryptedFlag: Bool
    /// The ROM derives its UART divider from an RC-calibrated clock estimate, so a ROM baud
    /// change must be scaled by that estimate (esptool `ESP32ROM.change_baud`).
    public var romBaudNeedsClockCompensation: Bool = false
    /// Where MAC, package and revision live in eFuse/OTP, and how they read.
    public var identity: IdentityLayout
    /// The crystal: fixed by the chip, or estimated from UART_CLKDIV (nearest candidate; the
    /// usual one first).
    public var crystal: CrystalRule
    /// `IMAGE_CHIP_ID`: what GET_SECURITY_INFO reports (ESP32-C3 and later ROMs, and the
    /// ESP32-S3), and the USB-OTG PID. nil: the ROM has no chip id (esptool reads the magic).
    public var securityInfoChipID: UInt32? = nil
    /// Bytes of GET_SECURITY_INFO data the ROM sends: 20, 12 on the ESP32-S2, nil: no command.
    public var securityInfoLength: Int? = nil
    /// USB-Serial/JTAG peripheral PID (Espressif VID 0x303A), nil: the chip has none.
    public var usbJTAGSerialPID: UInt16? = nil
    /// USB-OTG download-mode PID (the chip id), nil: no USB-OTG download.
    public var usbOTGPID: UInt16? = nil
    /// The RTC watchdog esptool's `watchdog-reset` arms; nil: esptool has no watchdog reset
    /// for the chip (it falls back to the RTS reset).
    public var watchdog: WatchdogRegisters? = nil
    /// The stub JSON for revisions below `revision` (esptool `stub_json_name`; ESP32-P4 < v3.0).
    public var olderRevisionStub: RevisionStub? = nil
    /// Baud of the ROM boot banner when it differs from 115200 (ESP8266: 74880).
    public var bootBannerBaud: Int? = nil
    /// The chip reboots by itself after its exception dump (ESP8266 SDK), so the monitor waits for a banner.
    public var rebootsAfterCrashDump: Bool = false
    /// Toolchain addr2line for crash addresses.
    public var addr2line: String
    /// Address ranges holding code (ROM, IRAM, flash-mapped text).
    public var codeRanges: [Range<UInt32>]
    /// App images may carry an appended SHA-256 (ESP32-family image format).
    public var imageHasAppendedDigest: Bool = true
    /// The stub has RUN_USER_CODE (ESP8266 stub); others leave through FLASH_END or a reset.
    public var stubRunsUserCode: Bool = false
    /// The firmware's TLS stack tops out at TLS 1.2 (ESP8266 BearSSL/axTLS).
    public var firmwareTLS12Only: Bool = false
    /// eFuse key-block purposes by value (esptool `KEY_PURPOSES`; empty: not printed). Six key blocks.
    public var keyPurposes: [UInt8: String] = [:]
    /// `IMAGE_CHIP_ID`, the chip id an ESP32-family image header carries; nil: the ESP8266's
    /// image format has none.
    public var imageChipID: UInt16? = nil
    /// Internal RAM the loader can download code and data to (esptool `MEMORY_MAP` entries
    /// DRAM, IRAM, DIRAM_*, RTC_*): where `load-ram` segments must lie.
    public var ramRanges: [Range<UInt32>] = []

    /// The stub file name for one chip revision (major × 100 + minor).
    public func stubName(revision: Int?) -> String {
        if let older = olderRevisionStub, let revision, revision < older.revision { return older.name }
        return stubName
    }

    public static let detectMagicRegister: UInt32 = 0x40001000
}

/// An RTC watchdog's write-protect and config registers (esptool `RTC_CNTL_WDT*_REG`).
public struct WatchdogRegisters: Sendable, Hashable {
    public var writeProtect: UInt32
    public var config0: UInt32
    public var config1: UInt32
    /// Written to `writeProtect` to unlock the config registers (0 locks them again).
    public static let unlockKey: UInt32 = 0x50D8_3AA1
    /// Timeout in slow-clock cycles, then: enabled, stage 0 resets the system (5), flash boot
    /// protection, system reset length (esptool's values).
    public static let timeout: UInt32 = 2000
    public static let enable: UInt32 = (1 << 31) | (5 << 28) | (1 << 8) | 2

    public init(writeProtect: UInt32, config0: UInt32, config1: UInt32) {
        self.writeProtect = writeProtect
        self.config0 = config0
        self.config1 = config1
    }

    /// esptool's base+offset layout of the RTC_CNTL block (S2, S3, C3, C2).
    public static func rtcControl(base: UInt32, config0: UInt32, writeProtect: UInt32) -> WatchdogRegisters {
        WatchdogRegisters(writeProtect: base + writeProtect, config0: base + config0, config1: base + config0 + 4)
    }
}

public enum FlashMode: String, Sendable, CaseIterable {
    case qio, qout, dio, dout
    public var code: UInt8 {
        switch self { case .qio: 0; case .qout: 1; case .dio: 2; case .dout: 3 }
    }
    public init?(code: UInt8) {
        guard let m = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = m
    }
}

extension ChipSpec {
    /// esptool `targets/esp8266.py`.
    public static let esp8266 = ChipSpec(
        chip: .esp8266, displayName: "ESP8266",
        magicValues: [0xFFF0_C101], romStatusLength: 2, bootloaderOffset: 0,
        romFeatures: [],
        romFlashBlockSize: 0x400, stubFlashBlockSize: 0x4000, ramBlockSize: 0x1800,
        spi: SPIRegisters(base: 0x6000_0200, usr: 0x1C, usr1: 0x20, usr2: 0x24, w0: 0x40,
                          mosiDataLength: nil, misoDataLength: nil),
        uartClockDivider: 0x6000_0014, crystalDivider: 2,
        hasROMEraseSizeBug: true, stubName: "esp8266",
        flashFrequencies: ["40m": 0x0, "26m": 0x1, "20m": 0x2, "80m": 0xF],
        flashSizes: ["512KB": 0x00, "256KB": 0x10, "1MB": 0x20, "2MB": 0x30, "4MB": 0x40,
                     "2MB-c1": 0x50, "4MB-c1": 0x60, "8MB": 0x80, "16MB": 0x90],
        romBeginTakesEncryptedFlag: false,
        identity: .esp8266OTP, crystal: .measured([26, 40, 24]),
        bootBannerBaud: 74_880, rebootsAfterCrashDump: true,
        addr2line: "xtensa-lx106-elf-addr2line",
        // IRAM, then irom0 text mapped from flash.
        codeRanges: [0x4010_0000..<0x4011_0000, 0x4020_0000..<0x4030_0000],
        imageHasAppendedDigest: false, stubRunsUserCode: true, firmwareTLS12Only: true,
        ramRanges: [0x3FFE_8000..<0x4000_0000, 0x4010_0000..<0x4010_8000])

    /// esptool `targets/esp32.py`.
    public static let esp32 = ChipSpec(
        chip: .esp32, displayName: "ESP32",
        magicValues: [0x00F0_1D83], romStatusLength: 4, bootloaderOffset: 0x1000,
        romFeatures: [.changeBaudrate, .compressedWrite, .md5, .spiAttach, .spiSetParams, .readFlashSlow],
        romFlashBlockSize: 0x400, stubFlashBlockSize: 0x4000, ramBlockSize: 0x1800,
        spi: SPIRegisters(base: 0x3FF4_2000, usr: 0x1C, usr1: 0x20, usr2: 0x24, w0: 0x80,
                          mosiDataLength: 0x28, misoDataLength: 0x2C),
        uartClockDivider: 0x3FF4_0014, crystalDivider: 1,
        hasROMEraseSizeBug: false, stubName: "esp32",
        flashFrequencies: ["40m": 0x0, "26m": 0x1, "20m": 0x2, "80m": 0xF],
        flashSizes: ["1MB": 0x00, "2MB": 0x10, "4MB": 0x20, "8MB": 0x30, "16MB": 0x40,
                     "32MB": 0x50, "64MB": 0x60, "128MB": 0x70],
        romBeginTakesEncryptedFlag: false, romBaudNeedsClockCompensation: true,
        identity: .esp32EFuse, crystal: .measured([40, 26, 24]),
        addr2line: "xtensa-esp32-elf-addr2line",
        // Internal ROM/IRAM and flash-mapped text.
        codeRanges: [0x4000_0000..<0x400C_2000, 0x400D_0000..<0x4040_0000],
        imageChipID: 0,
        ramRanges: [0x3FF8_0000..<0x3FF8_2000, 0x3FFA_E000..<0x4000_0000, 0x3FFE_0000..<0x3FFF_FFFC, 0x4008_0000..<0x400A_0000,
                    0x400A_0000..<0x400B_FFFC, 0x400C_0000..<0x400C_2000, 0x5000_0000..<0x5000_2000])

    public static func detect(magic: UInt32) -> ChipSpec? {
        Chip.allCases.map(\.spec).first { $0.magicValues.contains(magic) }
    }

    /// The row whose ROM reports `chipID` in GET_SECURITY_INFO.
    public static func detect(securityInfoChipID chipID: UInt32) -> ChipSpec? {
        Chip.allCases.map(\.spec).first { $0.securityInfoChipID == chipID }
    }
}

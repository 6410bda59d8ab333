import EsprigProtocol

/// The memory-mapped words esptool reads and writes with READ_REG/WRITE_REG: the chip-detect
/// magic, eFuse/OTP words (MAC, package, revision), the UART clock divider and the SPI
/// controller whose "user command" esptool drives to talk to the flash chip.
struct ChipRegisters {
    let spec: ChipSpec
    /// Read-only words that identify the chip.
    private let fixed: [UInt32: UInt32]
    /// Anything written; read back as written.
    private var stored: [UInt32: UInt32] = [:]
    var flashChip: SPIFlashChip

    init(options: SimulatorOptions) throws(SimulatorError) {
        spec = options.chip.spec
        // Chips esptool identifies by chip id have a magic word too, but esptool never reads it.
        var words: [UInt32: UInt32] = [:]
        if let magic = spec.magicValues.first { words[ChipSpec.detectMagicRegister] = magic }
        switch spec.identity {
        case .esp8266OTP: words.merge(try Self.esp8266OTP(mac: options.mac)) { $1 }
        case .esp32EFuse: words.merge(Self.esp32EFuses(mac: options.mac)) { $1 }
        case .eFuse(let layout): words.merge(try Self.eFuses(layout, options: options)) { $1 }
        }
        fixed = words
        crystalMHz = options.crystalMHz
        flashChip = SPIFlashChip(size: options.flashSize)
    }

    private let crystalMHz: Int

    /// ESP32-S2-and-later eFuse words as the row's fields read them: the MAC at MAC_EFUSE_REG,
    /// the revision, package and feature fields zero except the revision (package 0, no
    /// embedded flash or PSRAM).
    static func eFuses(_ layout: EFuseIdentity, options: SimulatorOptions) throws(SimulatorError) -> [UInt32: UInt32] {
        let m = options.mac
        var words: [UInt32: UInt32] = [
            layout.macWord: UInt32(m[2]) << 24 | UInt32(m[3]) << 16 | UInt32(m[4]) << 8 | UInt32(m[5]),
            // The EUI-64 extension ff:fe sits above the MAC's first two bytes where the chip has one.
            layout.macWord + 4: (layout.hasEUI64Extension ? 0xFFFE_0000 : 0) | UInt32(m[0]) << 8 | UInt32(m[1]),
        ]
        let r = options.revision
        for (fields, value) in [(layout.major, UInt32(r.major)), (layout.minor, UInt32(r.minor))] {
            guard value < 1 << fields.totalBits else {
                throw SimulatorError(.invalidOption, "revision \(r) does not fit the \(options.chip.spec.displayName)'s eFuse fields",
                                     hint: "its major revision has \(layout.major.totalBits) bits, its minor \(layout.minor.totalBits)")
            }
            words.merge(fields.words(for: value)) { $0 | $1 }
        }
        return words
    }

    /// ESP8266 OTP words 0x3FF00050…5C as esptool `targets/esp8266.py` decodes them:
    /// MAC = OUI + (MAC1>>8)&FF, MAC1&FF, MAC0>>24; the OUI is MAC3's low 24 bits, or
    /// 18:FE:34 / AC:D0:74 when MAC3 is 0 and MAC1 bits 16–23 are 0 / 1.
    static func esp8266OTP(mac m: [UInt8]) throws(SimulatorError) -> [UInt32: UInt32] {
        let oui = Array(m[0..<3])
        var selector: UInt32 = 0
        var mac3: UInt32 = 0
        switch oui {
        case [0x18, 0xFE, 0x34]: selector = 0
        case [0xAC, 0xD0, 0x74]: selector = 1
        case [0, 0, 0]:
            throw SimulatorError(.invalidOption, "an ESP8266 cannot encode the OUI 00:00:00",
                                 hint: "its OTP reads a zero OUI word as 18:FE:34")
        default: mac3 = UInt32(m[0]) << 16 | UInt32(m[1]) << 8 | UInt32(m[2])
        }
        return [
            // Low byte bits 4/5 clear: an ESP8266EX, not an ESP8285.
            0x3FF0_0050: UInt32(m[5]) << 24,
            0x3FF0_0054: 0x0200_0000 | selector << 16 | UInt32(m[3]) << 8 | UInt32(m[4]),
            // A real word (espressif/esptool #620); bit 16 (eFuse bit 80) clear, so not an ESP8285.
            0x3FF0_0058: 0xF200_B000,
            0x3FF0_005C: mac3,
        ]
    }

    /// ESP32 eFuse block 0 (base 0x3FF5A000) as esptool `targets/esp32.py` reads it.
    static func esp32EFuses(mac m: [UInt8]) -> [UInt32: UInt32] {
        let base: UInt32 = 0x3FF5_A000
        return [
            // read_mac: pack(">II", word2, word1)[2:]; word2's top 16 bits hold a CRC esptool ignores.
            base + 4: UInt32(m[2]) << 24 | UInt32(m[3]) << 16 | UInt32(m[4]) << 8 | UInt32(m[5]),
            base + 8: UInt32(m[0]) << 8 | UInt32(m[1]),
            // Word 3: package 1 (bits 9–11, "D0WD") and revision bit 0 (bit 15).
            base + 12: 1 << 9 | 1 << 15,
            // Word 4 low byte: the 8 MHz clock calibration (CK8M) esptool uses for the ROM baud workaround.
            base + 16: 0x80,
            // Word 5: revision bit 1 (bit 20); SPI pad bits zero = default flash pins.
            base + 20: 1 << 20,
            // APB_CTL_DATE bit 31: revision bit 2. Bits 0–2 together make a v3 chip.
            0x3FF6_607C: 1 << 31,
            // RTC calibration: 800 × 15625 × 0x80 / 40 = 40 MHz, so the ROM baud workaround is a no-op.
            0x3FF5_F06C: 800 << 7,
        ]
    }

    /// UART_CLKDIV at the current baud. ESP8266: the ROM's auto-baud measured 0x1C4 at 115200
    /// on a 26 MHz part (espressif/esptool #397). ESP32 family: crystal / baud.
    func uartClockDivider(baud: Int) -> UInt32 {
        if spec.identity == .esp8266OTP { return UInt32((0x1C4 * 115_200 + baud / 2) / baud) }
        return UInt32(crystalMHz * 1_000_000 * Int(spec.crystalDivider) / baud)
    }

    func read(_ address: UInt32, baud: Int) -> UInt32 {
        if address == spec.uartClockDivider { return uartClockDivider(baud: baud) }
        return fixed[address] ?? stored[address] ?? 0
    }

    /// Applies `(old & ~mask) | (value & mask)`; a write of SPI_CMD_USR to the SPI CMD register
    /// runs the user command and clears the bit, as the hardware does when it finishes.
    mutating func write(_ address: UInt32, value: UInt32, mask: UInt32, baud: Int) {
        let old = read(address, baud: baud)
        let new = (old & ~mask) | (value & mask)
        stored[address] = new
        let spi = spec.spi
        guard address == spi.cmdAddress, new & SPIRegisters.userCommandBit != 0 else { return }
        runUserCommand(spi)
        stored[address] = new & ~SPIRegisters.userCommandBit
    }

    private mutating func runUserCommand(_ spi: SPIRegisters) {
        let usr = stored[spi.usrAddress] ?? 0
        let usr1 = stored[spi.usr1Address] ?? 0
        let opcode = UInt8(truncatingIfNeeded: stored[spi.usr2Address] ?? 0)
        let hasAddress = usr & (1 << 30) != 0
        let hasMISO = usr & (1 << 28) != 0
        let hasMOSI = usr & (1 << 27) != 0
        // Address length − 1 sits at USR1 bit 26; ESP8266/ESP32 keep the address MSB-aligned.
        let addressBits = Int((usr1 >> 26) & 0x3F) + 1
        let rawAddress = stored[spi.addrAddress] ?? 0
        let address = !hasAddress ? 0 : spi.addressMSBAligned ? rawAddress >> UInt32(32 - min(32, addressBits)) : rawAddress
        let misoBits: Int
        let mosiBits: Int
        if let miso = spi.misoDataLength, let mosi = spi.mosiDataLength {
            misoBits = Int(stored[spi.base + miso] ?? 0) + 1
            mosiBits = Int(stored[spi.base + mosi] ?? 0) + 1
        } else {
            misoBits = Int((usr1 >> 8) & 0x1FF) + 1
            mosiBits = Int((usr1 >> 17) & 0x1FF) + 1
        }
        let w0 = stored[spi.w0Address] ?? 0
        let result = flashChip.execute(opcode: opcode, address: address,
                                       mosi: hasMOSI ? (w0, mosiBits) : nil,
                                       misoBits: hasMISO ? misoBits : 0)
        if hasMISO { stored[spi.w0Address] = result }
    }
}

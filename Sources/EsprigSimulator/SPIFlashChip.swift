import EsprigProtocol

/// The flash chip's answers to SPI commands esptool sends through the user-command registers:
/// RDID, SFDP, the status registers and the reset/power commands (which change nothing here).
struct SPIFlashChip {
    /// Winbond (0xEF), W25Q type 0x40, capacity code from the size: `0x1640EF` for 4 MiB.
    let jedecID: UInt32
    /// SR1, SR2, SR3 as one 24-bit value (all clear: not busy, no protection, QE off).
    private(set) var status: UInt32 = 0
    private let sfdp: [UInt8]

    init(size: Int) {
        let capacity = UInt32(FlashGeometry.capacityCode(forSize: size) ?? 0x16)
        jedecID = 0xEF | 0x40 << 8 | capacity << 16
        // JESD216 header: "SFDP", revision 1.6, one parameter header (basic table at 0x80).
        // esptool reads the signature at 0 and, for its XMC check, the byte at 0x10 (0xFF here).
        var table = [UInt8](repeating: 0xFF, count: 0x100)
        table.replaceSubrange(0..<16, with: [0x53, 0x46, 0x44, 0x50, 0x06, 0x01, 0x00, 0xFF,
                                             0x00, 0x06, 0x01, 0x10, 0x80, 0x00, 0x00, 0xFF])
        sfdp = table
    }

    /// Runs one command; returns the MISO bits (LSB-first word as the controller stores it in W0).
    mutating func execute(opcode: UInt8, address: UInt32, mosi: (word: UInt32, bits: Int)?, misoBits: Int) -> UInt32 {
        let value: UInt32
        switch opcode {
        case 0x9F: value = jedecID                                   // RDID
        case 0x5A:                                                   // RDSFDP
            value = (0..<4).reduce(0) { acc, i in
                let a = Int(address) + i
                return acc | UInt32(a < sfdp.count ? sfdp[a] : 0xFF) << (8 * UInt32(i))
            }
        case 0x05: value = status & 0xFF                             // RDSR
        case 0x35: value = (status >> 8) & 0xFF                      // RDSR2
        case 0x15: value = (status >> 16) & 0xFF                     // RDSR3
        case 0x01:                                                   // WRSR (8 or 16 bits)
            if let mosi {
                let mask: UInt32 = mosi.bits >= 16 ? 0xFFFF : 0xFF
                status = (status & ~mask) | (mosi.word & mask)
            }
            value = 0
        case 0x31: if let mosi { status = (status & ~0xFF00) | (mosi.word & 0xFF) << 8 }; value = 0   // WRSR2
        case 0x11: if let mosi { status = (status & ~0xFF_0000) | (mosi.word & 0xFF) << 16 }; value = 0 // WRSR3
        default: value = 0   // 0x66/0x99 reset, WREN/WRDI/WEVSR, power-down: nothing to model
        }
        guard misoBits > 0 else { return 0 }
        return misoBits >= 32 ? value : value & ((1 << UInt32(misoBits)) - 1)
    }
}

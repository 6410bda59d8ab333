/// Flash sizes, sector arithmetic and the JEDEC capacity table (esptool `DETECTED_FLASH_SIZES`).
public enum FlashGeometry {
    public static let sectorSize = 0x1000
    public static let blockSize64K = 0x10000

    public static func alignDown(_ v: Int, to a: Int = sectorSize) -> Int { v / a * a }
    public static func alignUp(_ v: Int, to a: Int = sectorSize) -> Int { (v + a - 1) / a * a }

    /// Size names as esptool spells them, in bytes.
    public static let sizesByName: [String: Int] = [
        "256KB": 0x40000, "512KB": 0x80000, "1MB": 0x100000, "2MB": 0x200000, "2MB-c1": 0x200000,
        "4MB": 0x400000, "4MB-c1": 0x400000, "8MB": 0x800000, "16MB": 0x1000000,
        "32MB": 0x2000000, "64MB": 0x4000000, "128MB": 0x8000000,
    ]

    public static func name(forSize bytes: Int) -> String? {
        let plain = sizesByName.filter { !$0.key.hasSuffix("-c1") && $0.value == bytes }
        return plain.keys.first
    }

    /// Flash size from an RDID (0x9F) result: `manufacturer | type << 8 | capacity << 16`.
    public static func detectedSize(jedecID id: UInt32) -> Int? {
        let manufacturer = id & 0xFF
        if manufacturer == 0x1F { // Adesto encodes size in the type byte
            let code = (id >> 8) & 0x1F
            let table: [UInt32: Int] = [4: 0x80000, 5: 0x100000, 6: 0x200000, 7: 0x400000, 8: 0x800000, 9: 0x1000000]
            return table[code]
        }
        let capacity = (id >> 16) & 0xFF
        let table: [UInt32: Int] = [
            0x12: 0x40000, 0x13: 0x80000, 0x14: 0x100000, 0x15: 0x200000, 0x16: 0x400000,
            0x17: 0x800000, 0x18: 0x1000000, 0x19: 0x2000000, 0x1A: 0x4000000, 0x1B: 0x8000000,
            0x1C: 0x10000000,
            0x32: 0x40000, 0x33: 0x80000, 0x34: 0x100000, 0x35: 0x200000, 0x36: 0x400000,
            0x37: 0x800000, 0x38: 0x1000000, 0x39: 0x2000000, 0x3A: 0x4000000,
            0x20: 0x4000000, 0x21: 0x8000000, 0x22: 0x10000000,
        ]
        return table[capacity]
    }

    /// The capacity byte a simulated Winbond-style chip reports for `bytes` of flash.
    public static func capacityCode(forSize bytes: Int) -> UInt8? {
        var code: UInt8 = 0x12
        var size = 0x40000
        while size < bytes, code < 0x1C { size <<= 1; code += 1 }
        return size == bytes ? code : nil
    }

    /// esptool `ESP8266ROM.get_erase_size`: the erase size to send so that the ROM's
    /// over-erasing SPIEraseArea erases exactly the sectors covering `size` bytes at `offset`.
    public static func esp8266ROMEraseSize(offset: Int, size: Int) -> Int {
        let sectorsPerBlock = 16
        let numSectors = (size + sectorSize - 1) / sectorSize
        let startSector = offset / sectorSize
        var headSectors = sectorsPerBlock - (startSector % sectorsPerBlock)
        if numSectors < headSectors { headSectors = numSectors }
        if numSectors < 2 * headSectors {
            return (numSectors + 1) / 2 * sectorSize
        }
        return (numSectors - headSectors) * sectorSize
    }
}

import Testing
import EsprigProtocol

@Suite("Flash geometry")
struct FlashGeometryTests {
    @Test("ESP8266 ROM erase size matches esptool's get_erase_size", arguments: [
        (0, 0x50, 0x1000), (0, 0x10000, 0x8000), (0, 0x10001, 0x9000),
        (0x1000, 0x100000, 0xF1000), (0x10000, 70000, 0x9000), (0xF000, 0x3000, 0x2000),
    ])
    func eraseSize(offset: Int, size: Int, expected: Int) {
        #expect(FlashGeometry.esp8266ROMEraseSize(offset: offset, size: size) == expected)
    }

    @Test("JEDEC capacity bytes map to sizes")
    func jedec() {
        #expect(FlashGeometry.detectedSize(jedecID: 0x1640EF) == 4 << 20)
        #expect(FlashGeometry.detectedSize(jedecID: 0x1840EF) == 16 << 20)
        #expect(FlashGeometry.detectedSize(jedecID: 0x00061F) == 2 << 20) // Adesto
        #expect(FlashGeometry.detectedSize(jedecID: 0xFF40EF) == nil)
        for (name, size) in FlashGeometry.sizesByName where !name.hasSuffix("-c1") && size <= 0x8000000 {
            let code = FlashGeometry.capacityCode(forSize: size)
            #expect(code.map { FlashGeometry.detectedSize(jedecID: UInt32($0) << 16 | 0x40EF) } == size)
        }
    }

    @Test("chip detection by magic value")
    func magic() {
        #expect(ChipSpec.detect(magic: 0xFFF0C101)?.chip == .esp8266)
        #expect(ChipSpec.detect(magic: 0x00F01D83)?.chip == .esp32)
        #expect(ChipSpec.detect(magic: 0x12345678) == nil)
    }
}

import EsprigProtocol
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// Espressif's esptool 5.6 (PyPI) drives the simulated board over TCP and over a pty. After each
/// command the board's flash must equal what the inputs alone predict.
@Suite("esptool drives the simulator")
struct EsptoolVsSimulatorTests {
    @Test("identity commands: chip-id, read-mac (auto-detect), flash-id",
          arguments: [Chip.esp8266, .esp32], EsptoolTransport.allCases)
    func identity(chip: Chip, transport: EsptoolTransport) throws {
        let bench = try EsptoolBench(chip: chip, transport: transport, seed: 1)
        let mac = SimulatorOptions(chip: chip).mac.map { String(format: "%02x", $0) }.joined(separator: ":")

        let chipID = try bench.esptool(["chip-id"])
        if chip == .esp8266 {
            #expect(chipID.contains("Chip ID: 0x0076815e"))
        } else {
            #expect(chipID.contains(mac))   // ESP32 has no chip ID; esptool prints the MAC instead
        }
        let readMAC = try bench.esptool(["read-mac"], chipArgument: nil)
        #expect(readMAC.contains("MAC:"))
        #expect(readMAC.contains(mac))
        #expect(readMAC.contains(chip == .esp8266 ? "ESP8266EX" : "ESP32-D0WD-V3"))
        let flashID = try bench.esptool(["flash-id"])
        #expect(flashID.contains("Manufacturer: ef"))
        #expect(flashID.contains("Device: 4016"))
        #expect(flashID.contains("Detected flash size: 4MB"))
        bench.checkFlash("identity commands")
    }

    @Test("write, verify, read and erase leave the expected flash",
          arguments: [Chip.esp8266, .esp32], EsptoolTransport.allCases)
    func flashRoundTrip(chip: Chip, transport: EsptoolTransport) throws {
        let bench = try EsptoolBench(chip: chip, transport: transport, seed: 2)

        // Stub, compressed (the default), at a raised baud rate (CHANGE_BAUDRATE).
        let a = bench.randomBytes(70_001, compressible: true)
        try bench.esptool(["write-flash", "0x10000", bench.file("a.bin", a)], global: ["--baud", "460800"])
        bench.expectWrite(a, at: 0x10000)
        bench.checkFlash("compressed stub write")

        // Stub, uncompressed; size not a multiple of 4 (esptool pads with 0xFF).
        let b = bench.randomBytes(20_003)
        try bench.esptool(["write-flash", "--no-compress", "0x30000", bench.file("b.bin", b)])
        bench.expectWrite(b, at: 0x30000)
        bench.checkFlash("uncompressed stub write")

        // ROM only: two sectors, which the ESP8266 ROM's corrected erase covers exactly.
        let c = bench.randomBytes(5000)
        try bench.esptool(["write-flash", "0x50000", bench.file("c.bin", c)], global: ["--no-stub"])
        bench.expectWrite(c, at: 0x50000)
        bench.checkFlash("ROM write")

        if chip == .esp32 {
            // ESP32 ROM: compressed write, MD5 verify as hex, baud change with the clock workaround.
            let d = bench.randomBytes(9000, compressible: true)
            try bench.esptool(["write-flash", "--compress", "0x60000", bench.file("d.bin", d)],
                              global: ["--no-stub", "--baud", "460800"])
            bench.expectWrite(d, at: 0x60000)
            bench.checkFlash("ROM compressed write")
            // The ROM stays at 460800 after esptool exits; a real board needs a reset here too.
            bench.resetIntoLoader()
            // ROM READ_FLASH_SLOW.
            let out = bench.directory.file("slow.bin")
            try bench.esptool(["read-flash", "0x60000", "300", out], global: ["--no-stub"])
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))) == Array(bench.expected[0x60000..<0x60000 + 300]))
        }

        try bench.esptool(["verify-flash", "0x10000", bench.file("a-again.bin", a)])
        var tampered = a
        tampered[12_345] ^= 0x01
        try bench.esptool(["verify-flash", "0x10000", bench.file("a-bad.bin", tampered)], expectFailure: true)

        let out = bench.directory.file("read.bin")
        try bench.esptool(["read-flash", "0x0F000", "0x12000", out])
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))) == Array(bench.expected[0x0F000..<0x21000]))

        try bench.esptool(["erase-region", "0x30000", "0x2000"])
        bench.expectErase(from: 0x30000, count: 0x2000)
        bench.checkFlash("erase-region")

        try bench.esptool(["erase-flash"])
        bench.expectChipErase()
        bench.checkFlash("erase-flash")
    }

    @Test("ESP8266: esptool patches flash mode and size into an image at 0x0",
          arguments: EsptoolTransport.allCases)
    func headerPatch(transport: EsptoolTransport) throws {
        let bench = try EsptoolBench(chip: .esp8266, transport: transport, seed: 3)
        let image = Self.minimalESP8266Image()
        try bench.esptool(["write-flash", "-fm", "dout", "-fs", "1MB", "0x0", bench.file("image.bin", image)])
        var patched = image
        patched[2] = 0x03        // dout
        patched[3] = 0x20        // 1MB, 40m
        bench.expectWrite(patched, at: 0)
        bench.checkFlash("header patch")
    }

    /// A v1 image: header (1 segment, qio, 4MB/40m), one 4-byte IRAM segment, zero padding and
    /// the 0xEF-XOR checksum as the last byte of a 16-byte block.
    static func minimalESP8266Image() -> [UInt8] {
        let segment: [UInt8] = [0x01, 0x02, 0x03, 0x04]
        var image: [UInt8] = [0xE9, 0x01, 0x00, 0x40] + .le(0x4010_0004) + .le(0x4010_0000, 4) + segment
        while image.count % 16 != 15 { image.append(0) }
        image.append(espChecksum(segment))
        return image
    }
}

import EsprigCodecs
import EsprigFraming
import EsprigProtocol
@testable import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

@Suite("SimulatedBoard: ROM loader")
struct SimulatedBoardROMTests {
    @Test("SYNC gets 8 replies with the ROM's nonzero value and the chip's status length",
          arguments: [(Chip.esp8266, 2), (Chip.esp32, 4)])
    func sync(chip: Chip, statusLength: Int) throws {
        let h = try BoardHarness(chip)
        let replies = h.sync()
        #expect(replies.count == 8)
        #expect(replies.allSatisfy { $0.opcode == Opcode.sync.rawValue && $0.value == 0x2012_0707 })
        #expect(replies.allSatisfy { $0.data == [UInt8](repeating: 0, count: statusLength) })
    }

    @Test("READ_REG returns the chip magic, the UART divider and 0 elsewhere")
    func readRegisters() throws {
        let esp8266 = try BoardHarness(.esp8266)
        #expect(esp8266.readReg(0x4000_1000) == 0xFFF0_C101)
        #expect(esp8266.readReg(0x6000_0014) == 0x1C4)
        #expect(esp8266.readReg(0x1234_5678) == 0)
        let esp32 = try BoardHarness(.esp32)
        #expect(esp32.readReg(0x4000_1000) == 0x00F0_1D83)
        // esptool: crystal = 115200 × divider / 1e6 must normalise to 40 MHz.
        let divider = try #require(esp32.readReg(0x3FF4_0014))
        #expect(abs(115_200 * Double(divider & 0xFFFFF) / 1e6 - 40) < 1)
    }

    @Test("ESP8266 OTP words decode (esptool read_mac) to the configured MAC",
          arguments: ["84:0d:8e:76:81:5e", "18:fe:34:01:02:03", "ac:d0:74:aa:bb:cc", "5c:cf:7f:00:00:01"])
    func esp8266MAC(text: String) throws {
        let mac = try SimulatorOptions.parseMAC(text)
        let h = try BoardHarness(.esp8266) { $0.mac = mac }
        let mac0 = try #require(h.readReg(0x3FF0_0050)), mac1 = try #require(h.readReg(0x3FF0_0054))
        let mac3 = try #require(h.readReg(0x3FF0_005C))
        let oui: [UInt32]
        if mac3 != 0 {
            oui = [(mac3 >> 16) & 0xFF, (mac3 >> 8) & 0xFF, mac3 & 0xFF]
        } else {
            oui = (mac1 >> 16) & 0xFF == 0 ? [0x18, 0xFE, 0x34] : [0xAC, 0xD0, 0x74]
        }
        let decoded = oui + [(mac1 >> 8) & 0xFF, mac1 & 0xFF, (mac0 >> 24) & 0xFF]
        #expect(decoded.map { String(format: "%02x", $0) }.joined(separator: ":") == text)
        // Not mistaken for an ESP8285 (eFuse bits 4 and 80).
        #expect(mac0 & 0x10 == 0)
        #expect(try #require(h.readReg(0x3FF0_0058)) & 0x1_0000 == 0)
    }

    @Test("an ESP8266 cannot hold the OUI 00:00:00")
    func esp8266ZeroOUI() {
        #expect(throws: SimulatorError(.invalidOption, "")) {
            var options = SimulatorOptions(chip: .esp8266)
            options.mac = [0, 0, 0, 1, 2, 3]
            _ = try SimulatedBoard(options: options)
        }
    }

    @Test("ESP32 eFuse words 1 and 2 decode (esptool read_mac) to the configured MAC")
    func esp32MAC() throws {
        let h = try BoardHarness(.esp32)
        let word1 = try #require(h.readReg(0x3FF5_A004)), word2 = try #require(h.readReg(0x3FF5_A008))
        let packed: [UInt8] = [word2, word1].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (24 - 8 * $0)) } }
        #expect(Array(packed[2...]) == SimulatorOptions(chip: .esp32).mac)
    }

    @Test("ESP8266 ROM: esptool's corrected erase size erases the sectors it needs")
    func esp8266EraseBug() throws {
        let h = try BoardHarness(.esp8266) { $0.flashSize = 0x80000 }
        let zeros = [UInt8](repeating: 0x00, count: 0x80000)
        // Starts at, next to and inside 64 KiB blocks; counts within, up to and across them.
        for startSector in [0, 1, 7, 14, 15, 16, 17, 31] {
            for sectors in 1...36 {
                let offset = startSector * 0x1000
                let size = sectors * 0x1000 - 17
                h.board.nor = NORFlash(size: 0x80000, contents: zeros)
                let erase = FlashGeometry.esp8266ROMEraseSize(offset: offset, size: size)
                #expect(h.status(.flashBegin, .le(UInt32(erase), 0, 0x400, UInt32(offset))) == [0, 0])
                let erased = stride(from: 0, to: 0x80000, by: 0x1000).filter { h.board.flash[$0] == 0xFF }.map { $0 / 0x1000 }
                let needed = Array(startSector..<startSector + sectors)
                // The ROM erases 2·E sectors inside one 64 KiB block, so an odd count costs one more.
                let head = 16 - startSector % 16
                let exact = sectors % 2 == 0 || sectors >= 2 * min(head, sectors)
                #expect(erased == (exact ? needed : needed + [startSector + sectors]),
                        "offset 0x\(String(offset, radix: 16)) sectors \(sectors)")
            }
        }
    }

    @Test("unsupported commands answer with the same opcode and 01 05",
          arguments: [(Chip.esp8266, Opcode.getSecurityInfo), (.esp8266, .flashDeflBegin), (.esp8266, .spiFlashMD5),
                      (.esp8266, .changeBaudrate), (.esp32, .getSecurityInfo), (.esp32, .eraseFlash), (.esp32, .readFlash)])
    func unsupported(chip: Chip, opcode: Opcode) throws {
        let h = try BoardHarness(chip)
        let reply = try #require(h.command(opcode, [UInt8](repeating: 0, count: 16)))
        #expect(Array(reply.data.prefix(2)) == [0x01, 0x05])
        #expect(reply.data.count == chip.spec.romStatusLength)
    }

    @Test("SPI user command pokes: RDID gives the JEDEC ID, SFDP the signature, CMD clears",
          arguments: Chip.allCases)
    func spiUserCommands(chip: Chip) throws {
        let h = try BoardHarness(chip)
        let spi = chip.spec.spi
        func run(_ opcode: UInt32, usr: UInt32, usr1: UInt32, address: UInt32 = 0, misoBits: UInt32) -> UInt32? {
            if let miso = spi.misoDataLength { h.writeReg(spi.base + miso, misoBits - 1) }
            h.writeReg(spi.usr1Address, usr1)
            h.writeReg(spi.usrAddress, usr)
            h.writeReg(spi.usr2Address, 0x7000_0000 | opcode)
            h.writeReg(spi.addrAddress, address)
            h.writeReg(spi.w0Address, 0)
            h.writeReg(spi.cmdAddress, 1 << 18)
            #expect(h.readReg(spi.cmdAddress) == 0)
            return h.readReg(spi.w0Address)
        }
        // protocol.md §15 values (ESP8266 carries the MISO length in USR1 bits 8..16).
        #expect(run(0x9F, usr: 0x9000_0000, usr1: 0x1700, misoBits: 24) == 0x1640EF)
        #expect(run(0x5A, usr: 0xF000_0000, usr1: 0x5C00_1F07, address: 0, misoBits: 32) == 0x5044_4653)
        #expect(run(0x5A, usr: 0xF000_0000, usr1: 0x5C00_0707, address: 0x10 << 8, misoBits: 8) == 0xFF)
    }

    @Test("MEM_END(0, entry) switches to the stub, which greets with OHAI and syncs with value 0")
    func stubStart() throws {
        let h = try BoardHarness(.esp32)
        let frames = h.startStub()
        #expect(frames.count == 2)
        let reply = try #require(ResponsePacket(frame: frames[0]))
        #expect(reply.opcode == Opcode.memEnd.rawValue && reply.data == [0, 0, 0, 0])   // still the ROM's 4 bytes
        #expect(frames[1] == Array("OHAI".utf8))
        #expect(h.board.isStubRunning)
        let replies = h.sync()
        #expect(replies.count == 8 && replies.allSatisfy { $0.value == 0 && $0.data == [0, 0] })
    }

    @Test("ESP32 ROM MD5 is 32 lowercase hex characters, the stub's 16 raw bytes")
    func md5Formats() throws {
        let h = try BoardHarness(.esp32)
        let expected = MD5.digest(h.board.flash[0x1000..<0x1000 + 5000])
        let rom = try #require(h.command(.spiFlashMD5, .le(0x1000, 5000, 0, 0)))
        #expect(rom.data.count == 32 + 4)
        #expect(String(decoding: rom.data.prefix(32), as: UTF8.self) == expected.map { String(format: "%02x", $0) }.joined())
        _ = h.startStub()
        let stub = try #require(h.command(.spiFlashMD5, .le(0x1000, 5000, 0, 0)))
        #expect(stub.data == expected + [0, 0])
    }

    @Test("ESP32 ROM CHANGE_BAUDRATE replies at the old rate, then switches")
    func romBaudChange() throws {
        let h = try BoardHarness(.esp32)
        let out = h.send(.changeBaudrate, .le(460_800, 0))
        #expect(out.count == 2)
        #expect(out.last == .baudChange(460_800))
        #expect(h.board.currentBaud == 460_800)
    }

    @Test("ESP32 READ_FLASH_SLOW returns 64 bytes of flash plus 4 status bytes")
    func readFlashSlow() throws {
        var rng = SeededRandom(seed: 4)
        let image = rng.bytes(0x2000)
        let directory = try TempDirectory()
        try Data(image).write(to: directory.url.appendingPathComponent("image.bin"))
        let h = try BoardHarness(.esp32) { $0.imagePath = directory.file("image.bin") }
        let reply = try #require(h.command(.readFlashSlow, .le(0x100, 10)))
        #expect(reply.data == Array(image[0x100..<0x140]) + [0, 0, 0, 0])
    }
}

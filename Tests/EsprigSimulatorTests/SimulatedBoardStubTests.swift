import EsprigCodecs
import EsprigFraming
import EsprigProtocol
@testable import EsprigSimulator
import EsprigTestSupport
import Testing

@Suite("SimulatedBoard: flasher stub")
struct SimulatedBoardStubTests {
    /// Writes `data` at `offset` through the stub, plain or compressed, in 0x4000-byte blocks.
    static func stubWrite(_ h: BoardHarness, _ data: [UInt8], at offset: UInt32, compressed: Bool) throws {
        let payload = compressed ? try Zlib.compress(data) : data
        let blocks = (payload.count + 0x3FFF) / 0x4000
        let begin: Opcode = compressed ? .flashDeflBegin : .flashBegin
        #expect(h.status(begin, .le(UInt32(data.count), UInt32(blocks), 0x4000, offset, 0)) == [0, 0])
        for seq in 0..<blocks {
            var block = Array(payload[seq * 0x4000..<min(payload.count, (seq + 1) * 0x4000)])
            if !compressed { block += [UInt8](repeating: 0xFF, count: 0x4000 - block.count) }
            #expect(h.dataBlock(compressed ? .flashDeflData : .flashData, seq: UInt32(seq), block) == [0, 0])
        }
        #expect(h.status(compressed ? .flashDeflEnd : .flashEnd, .le(1)) == [0, 0])
    }

    @Test("a compressed write leaves the same flash as a plain one", arguments: [1, 4096, 70_000, 0x4000 * 3 + 5])
    func deflateEqualsPlain(size: Int) throws {
        var rng = SeededRandom(seed: UInt64(size))
        let data = rng.bytes(size, biasedTowards: [0x00, 0xFF, 0x42])
        let plain = try BoardHarness(.esp8266)
        let deflated = try BoardHarness(.esp8266)
        _ = plain.startStub()
        _ = deflated.startStub()
        try Self.stubWrite(plain, data, at: 0x11000, compressed: false)
        try Self.stubWrite(deflated, data, at: 0x11000, compressed: true)
        var expected = [UInt8](repeating: 0xFF, count: SimulatorOptions.defaultFlashSize)
        expected.replaceSubrange(0x11000..<0x11000 + size, with: data)
        #expect(plain.board.flash == expected)
        #expect(deflated.board.flash == expected)
    }

    @Test("an inflate error is reported on the command after the bad block (deferred)")
    func deferredInflateError() throws {
        let h = try BoardHarness(.esp32)
        _ = h.startStub()
        #expect(h.status(.flashDeflBegin, .le(1000, 1, 0x4000, 0, 0)) == [0, 0])
        #expect(h.dataBlock(.flashDeflData, seq: 0, [0x78, 0xDA, 0xFF, 0xFF, 0xFF, 0xFF]) == [0, 0])
        #expect(h.status(.flashDeflEnd, .le(1)) == [StubError.inflateError, 0])
    }

    @Test("a bad checksum is answered C1 at once, and the retried block is accepted")
    func checksumRetry() throws {
        let h = try BoardHarness(.esp8266)
        _ = h.startStub()
        let block = [UInt8](repeating: 0x5A, count: 0x4000)
        #expect(h.status(.flashBegin, .le(0x4000, 1, 0x4000, 0x2000, 0)) == [0, 0])
        #expect(h.status(.flashData, .le(0x4000, 0, 0, 0) + block, checksum: 0) == [0xC1, 0])
        #expect(h.dataBlock(.flashData, seq: 0, block) == [0, 0])
        #expect(h.status(.flashEnd, .le(1)) == [0, 0])
        #expect(Array(h.board.flash[0x2000..<0x6000]) == block)
    }

    @Test("ERASE_REGION needs 4 KiB alignment; ERASE_FLASH blanks everything")
    func erase() throws {
        let h = try BoardHarness(.esp32)
        _ = h.startStub()
        try Self.stubWrite(h, [UInt8](repeating: 0, count: 0x3000), at: 0x1000, compressed: false)
        #expect(h.status(.eraseRegion, .le(0x1800, 0x1000)) == [0xC0, 0])
        #expect(h.status(.eraseRegion, .le(0x2000, 0x1000)) == [0, 0])
        #expect(h.board.flash[0x1000..<0x2000].allSatisfy { $0 == 0 })
        #expect(h.board.flash[0x2000..<0x3000].allSatisfy { $0 == 0xFF })
        #expect(h.status(.eraseFlash) == [0, 0])
        #expect(h.board.flash.allSatisfy { $0 == 0xFF })
    }

    @Test("READ_FLASH streams one acked packet at a time, then the MD5 of the whole read")
    func readFlashStreaming() throws {
        var rng = SeededRandom(seed: 8)
        let data = rng.bytes(10_000)
        let h = try BoardHarness(.esp8266)
        _ = h.startStub()
        try Self.stubWrite(h, data, at: 0x1000, compressed: true)
        var frames = BoardHarness.frames(h.send(.readFlash, .le(0x1000, 10_000, 0x1000, 64)))
        #expect(ResponsePacket(frame: frames.removeFirst())?.data == [0, 0])
        var received: [UInt8] = []
        // A wrong ack changes nothing; the right one releases the next packet.
        #expect(h.board.receive(SLIP.encode([UInt8].le(1)), now: h.now).isEmpty)
        while received.count < 10_000 {
            #expect(frames.count == 1, "exactly one packet in flight")
            received += frames[0]
            frames = BoardHarness.frames(h.board.receive(SLIP.encode([UInt8].le(UInt32(received.count))), now: h.now))
        }
        #expect(received == data)
        #expect(frames == [MD5.digest(data)])
        #expect(h.status(.sync, [0x07, 0x07, 0x12, 0x20] + [UInt8](repeating: 0x55, count: 32)) == [0, 0])
    }

    @Test("CHANGE_BAUDRATE(new, old) replies, then switches the UART")
    func changeBaud() throws {
        let h = try BoardHarness(.esp8266)
        _ = h.startStub()
        let out = h.send(.changeBaudrate, .le(921_600, 115_200))
        #expect(BoardHarness.frames(out).compactMap(ResponsePacket.init(frame:)).first?.data == [0, 0])
        #expect(out.last == .baudChange(921_600))
        #expect(h.board.currentBaud == 921_600)
    }

    @Test("FLASH_END(0) from the stub reboots into the ROM loader at 115200")
    func flashEndReboots() throws {
        let h = try BoardHarness(.esp8266)
        _ = h.startStub()
        _ = h.send(.changeBaudrate, .le(460_800, 115_200))
        #expect(h.status(.flashBegin, .le(0, 0, 0x4000, 0, 0)) == [0, 0])
        let out = h.send(.flashEnd, .le(0))
        #expect(out.last == .baudChange(115_200))
        #expect(!h.board.isStubRunning)
        #expect(h.sync().first?.value == 0x2012_0707)
    }
}

import EsprigCodecs
import EsprigFraming
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// Reads SLIP frames from a port, keeping partial frames between calls.
final class FrameReader {
    let port: SimulatorPort
    private var decoder = SLIPDecoder(maxFrameSize: 1 << 16)
    private var ready: [[UInt8]] = []

    init(_ port: SimulatorPort) { self.port = port }

    /// Up to `count` frames, waiting at most `timeout` (bounded).
    func frames(_ count: Int, timeout: Duration = .seconds(5)) throws -> [[UInt8]] {
        let deadline = ContinuousClock.now + timeout
        while ready.count < count, ContinuousClock.now < deadline {
            ready += try decoder.feed(try port.read(maxCount: 4096, timeout: .milliseconds(200)))
        }
        let taken = Array(ready.prefix(count))
        ready.removeFirst(taken.count)
        return taken
    }

    func next() throws -> [UInt8]? { try frames(1).first }

    func command(_ opcode: Opcode, _ data: [UInt8], checksum: UInt32 = 0) throws -> ResponsePacket? {
        try port.write(SLIP.encode(CommandPacket(opcode, data: data, checksum: checksum).encoded()))
        return try next().flatMap(ResponsePacket.init(frame:))
    }
}

func elapsed(_ body: () throws -> Void) rethrows -> Duration {
    let start = ContinuousClock.now
    try body()
    return ContinuousClock.now - start
}

let syncFrame = SLIP.encode(CommandPacket(.sync, data: [0x07, 0x07, 0x12, 0x20] + [UInt8](repeating: 0x55, count: 32)).encoded())

@Suite("SimulatorPort: the board as an in-process serial port")
struct SimulatorPortTests {
    static func port(_ chip: Chip, _ query: [String: String] = [:]) throws -> SimulatorPort {
        SimulatorPort(board: try SimulatedBoard(options: try SimulatorOptions(chip: chip, query: query)), name: "sim://\(chip.rawValue)")
    }

    static func startStub(_ reader: FrameReader) throws {
        let text = [UInt8](repeating: 1, count: 64)
        _ = try reader.command(.memBegin, .le(64, 1, 0x1800, 0x4010_0000))
        _ = try reader.command(.memData, .le(64, 0, 0, 0) + text, checksum: UInt32(espChecksum(text)))
        _ = try reader.command(.memEnd, .le(0, 0x4010_0004))
        #expect(try reader.next() == Array("OHAI".utf8))
    }

    @Test("SYNC round trip through the port", arguments: Chip.allCases)
    func syncRoundTrip(chip: Chip) throws {
        let port = try Self.port(chip)
        try port.write(syncFrame)
        let replies = try FrameReader(port).frames(8).compactMap(ResponsePacket.init(frame:))
        #expect(replies.count == 8 && replies.allSatisfy { $0.value == 0x2012_0707 })
        #expect(try port.read(maxCount: 100, timeout: .milliseconds(20)).isEmpty)
    }

    @Test("with UART timing, 10 KiB each way at 115200 takes at least 10 bit times per byte")
    func uartTiming() throws {
        let port = try Self.port(.esp8266, ["timing": "uart"])
        // Host → device: 10 KiB of line noise (no frames) occupies the line ~0.89 s.
        let writing = try elapsed { try port.write([UInt8](repeating: 0x55, count: 10 * 1024)) }
        #expect(writing >= .milliseconds(800))
        // Device → host: a 10 KiB stub READ_FLASH (plus framing) arrives no faster than the UART allows.
        let reader = FrameReader(port)
        try Self.startStub(reader)
        var received = 0
        let reading = try elapsed {
            #expect(try reader.command(.readFlash, .le(0, 10 * 1024, 0x1000, 64))?.data == [0, 0])
            while received < 10 * 1024 {
                let frame = try #require(try reader.next())
                received += frame.count
                try port.write(SLIP.encode([UInt8].le(UInt32(received))))
            }
            #expect(try reader.next()?.count == 16)
        }
        #expect(received == 10 * 1024)
        #expect(reading >= .milliseconds(800))
    }

    @Test("with flash timing, a 64 KiB erase is answered only after the block-erase time")
    func flashTiming() throws {
        let reader = FrameReader(try Self.port(.esp32, ["timing": "flash"]))
        try Self.startStub(reader)
        var reply: ResponsePacket?
        let time = try elapsed { reply = try reader.command(.eraseRegion, .le(0x10000, 0x10000)) }
        #expect(reply?.data == [0, 0])
        #expect(time >= .milliseconds(140))   // W25Q32 typ. 150 ms for a 64 KiB block
    }

    @Test("a hard reset shows the ESP8266 banner as text at 74880 and as garbage at 115200")
    func bannerBaud() throws {
        for (baud, readable) in [(74880, true), (115_200, false)] {
            let port = try Self.port(.esp8266)
            try port.setBaud(baud)
            try port.setLines(dtr: false, rts: true)
            try port.setLines(dtr: false, rts: false)
            let bytes = try port.read(maxCount: 1000, timeout: .milliseconds(200))
            #expect(String(decoding: bytes, as: UTF8.self).contains("boot mode:(3,6)") == readable)
            #expect(!bytes.isEmpty)
        }
    }

    @Test("the classic reset sequence puts the board in the loader; closed ports refuse I/O")
    func resetIntoLoader() throws {
        let port = try Self.port(.esp32, ["noise": "1"])
        try port.setLines(dtr: false, rts: true)
        try port.setLines(dtr: true, rts: true)
        try port.setLines(dtr: true, rts: false)
        try port.setLines(dtr: false, rts: false)
        let banner = String(decoding: try port.read(maxCount: 1000, timeout: .milliseconds(100)), as: UTF8.self)
        #expect(banner.contains("waiting for download"))
        try port.flushInput()
        try port.write(syncFrame)
        #expect(try FrameReader(port).frames(8).count == 8)
        port.close()
        #expect(throws: (any Error).self) { try port.write(syncFrame) }
    }
}

import EsprigFraming
import EsprigProtocol
@testable import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

@Suite("SimulatedBoard: faults, resets, options and log")
struct SimulatorBehaviourTests {
    static func syncBytes() -> [UInt8] {
        SLIP.encode(CommandPacket(.sync, data: [0x07, 0x07, 0x12, 0x20] + [UInt8](repeating: 0x55, count: 32)).encoded())
    }

    @Test("faults depend only on the seed and the bytes, not on how they were chunked")
    func faultDeterminism() throws {
        var rng = SeededRandom(seed: 77)
        let stream = (0..<200).flatMap { _ in Self.syncBytes() + SLIP.encode(CommandPacket(.readReg, data: .le(0x4000_1000)).encoded()) }
        func run(seed: UInt64, chunking: Bool, faults: Bool = true, rng: inout SeededRandom) throws -> ([UInt8], [SimulatorLogEntry]) {
            let query = faults ? ["seed": "\(seed)", "corrupt": "0.002", "drop": "0.002"] : ["seed": "\(seed)"]
            let board = try SimulatedBoard(options: try SimulatorOptions(chip: .esp8266, query: query))
            var out: [UInt8] = []
            var i = 0
            while i < stream.count {
                let n = chunking ? rng.int(1...300) : stream.count
                out += board.receive(Array(stream[i..<min(stream.count, i + n)]), now: .zero).transmittedBytes
                i += n
            }
            return (out, board.commandLog)
        }
        let whole = try run(seed: 5, chunking: false, rng: &rng)
        let chunked = try run(seed: 5, chunking: true, rng: &rng)
        let otherSeed = try run(seed: 6, chunking: false, rng: &rng)
        let clean = try run(seed: 5, chunking: false, faults: false, rng: &rng)
        #expect(whole.0 == chunked.0)
        #expect(whole.1 == chunked.1)
        #expect(whole.0 != otherSeed.0)
        // Without faults every command is answered; with them some were damaged.
        let readRegsOK = { (log: [SimulatorLogEntry]) in log.filter { $0.opcode == "READ_REG" && $0.status == "0000" }.count }
        #expect(readRegsOK(clean.1) == 200)
        #expect(clean.1.filter { $0.opcode == "SYNC" }.count == 200)
        #expect(readRegsOK(whole.1) < 200)
        #expect(whole.0 != clean.0)
    }

    @Test("the injector drops and flips roughly the configured share of bytes")
    func faultRates() {
        var injector = FaultInjector(seed: 1, dropProbability: 0.01, corruptProbability: 0.02)
        let input = [UInt8](repeating: 0x55, count: 100_000)
        let output = injector.apply(input)
        let dropped = input.count - output.count
        let flipped = output.filter { $0 != 0x55 }.count
        #expect((700...1300).contains(dropped))
        #expect((1500...2500).contains(flipped))
        #expect(output.allSatisfy { ($0 ^ 0x55).nonzeroBitCount <= 1 })
    }

    @Test("after N data blocks the board resets once: stub gone, banner noise, 115200")
    func injectedReset() throws {
        let h = try BoardHarness(.esp8266) { $0.resetAfterBlocks = 2 }
        _ = h.startStub()
        _ = h.send(.changeBaudrate, .le(460_800, 115_200))
        #expect(h.status(.flashBegin, .le(0x4000 * 4, 4, 0x4000, 0, 0)) == [0, 0])
        let block = [UInt8](repeating: 0, count: 0x4000)
        #expect(h.dataBlock(.flashData, seq: 0, block) == [0, 0])
        #expect(h.dataBlock(.flashData, seq: 1, block) == [0, 0])
        let out = h.send(.flashData, .le(0x4000, 2, 0, 0) + block, checksum: UInt32(espChecksum(block)))
        let banner = Array("\r\n ets Jan  8 2013,rst cause:4, boot mode:(1,7)\r\n".utf8)
        #expect(out == [.baudChange(74880), .bytes(banner, notBefore: nil), .baudChange(115_200)])
        #expect(!h.board.isStubRunning)
        #expect(h.board.commandLog.last?.status == nil)
        // Once only: the next write goes through.
        _ = h.startStub()
        #expect(h.status(.flashBegin, .le(0x4000, 1, 0x4000, 0, 0)) == [0, 0])
        #expect(h.dataBlock(.flashData, seq: 0, block) == [0, 0])
    }

    @Test("auto-reset circuit: classic and one-ioctl sequences enter the loader, a hard reset runs the app")
    func resetLines() throws {
        let h = try BoardHarness(.esp8266)
        func lines(_ dtr: Bool, _ rts: Bool, after ms: Int = 1) -> [BoardOutput] {
            h.now += .milliseconds(ms)
            return h.board.setLines(dtr: dtr, rts: rts, now: h.now)
        }
        // HardReset: RTS pulse with DTR released → app boot with the (3,6) banner at 74880.
        _ = lines(false, true)
        let app = lines(false, false, after: 100)
        #expect(app.contains(.bytes(Array("\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\n".utf8), notBefore: nil)))
        #expect(h.sync().isEmpty, "the app ignores loader traffic")
        // ClassicReset: DTR=F, RTS=T, 100 ms, DTR=T (both asserted for an instant), RTS=F.
        _ = lines(false, true)
        _ = lines(true, true, after: 100)
        _ = lines(true, false)
        _ = lines(false, false, after: 50)
        #expect(h.sync().count == 8)
        // UnixTightReset: (F,F) (T,T) (F,T) … (T,F) (F,F).
        _ = lines(false, false); _ = lines(true, true); _ = lines(false, true)
        _ = lines(true, false, after: 100)
        _ = lines(false, false, after: 50)
        #expect(h.sync().count == 8)
        // Released through (T,T) and left there past the decision window: the app runs.
        _ = lines(false, true)
        _ = lines(true, true, after: 100)
        let late = h.board.receive([], now: h.now + .milliseconds(100))
        #expect(late.transmittedBytes.count > 10)
        #expect(h.sync().isEmpty)
    }

    @Test("bootNoise sends the ESP32 banner before the first sync reply")
    func bootNoise() throws {
        let h = try BoardHarness(.esp32) { $0.bootNoise = true }
        let bytes = h.board.receive(Self.syncBytes(), now: .zero).transmittedBytes
        let text = String(decoding: bytes.prefix(120), as: UTF8.self)
        #expect(text.hasPrefix("ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3"))
        #expect(BoardHarness.frames([.bytes(bytes, notBefore: nil)]).count == 8)
        #expect(h.sync().count == 8)
    }

    @Test("sim:// query items parse; unknown keys and bad values are rejected")
    func options() throws {
        let o = try SimulatorOptions(chip: .esp8266, query: [
            "flash": "1MB", "mac": "aa:bb:cc:dd:ee:ff", "timing": "uart,flash", "seed": "9", "corrupt": "0.001",
            "drop": "0.5", "noise": "1", "reset-after": "3", "image": "/tmp/x.bin", "log": "/tmp/x.jsonl",
        ])
        #expect(o.flashSize == 0x100000 && o.mac == [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        #expect(o.uartTiming && o.flashTiming && o.seed == 9 && o.bootNoise && o.resetAfterBlocks == 3)
        #expect(o.corruptProbability == 0.001 && o.dropProbability == 0.5)
        #expect(o.imagePath == "/tmp/x.bin" && o.logPath == "/tmp/x.jsonl")
        #expect(try SimulatorOptions(chip: .esp32, query: ["timing": "none"]).uartTiming == false)
        #expect(try SimulatorOptions(chip: .esp32, query: ["timing": "all"]).flashTiming)

        do {
            _ = try SimulatorOptions(chip: .esp8266, query: ["speed": "fast"])
            Issue.record("unknown key accepted")
        } catch {
            #expect(error.code == .unknownOption)
            #expect(error.description.contains("flash") && error.description.contains("reset-after"))
        }
        for (key, value) in [("flash", "3MB"), ("mac", "aa:bb"), ("timing", "fast"), ("seed", "-1"),
                             ("corrupt", "2"), ("drop", "x"), ("noise", "maybe"), ("reset-after", "-3"), ("image", "")] {
            #expect(throws: SimulatorError(.invalidOption, "")) { try SimulatorOptions(chip: .esp8266, query: [key: value]) }
        }
    }

    @Test("the JSON-lines log holds one decoded object per command")
    func jsonLog() throws {
        let directory = try TempDirectory()
        let path = directory.file("log.jsonl")
        let h = try BoardHarness(.esp8266) { $0.logPath = path }
        _ = h.sync()
        _ = h.readReg(0x4000_1000)
        _ = h.command(.flashDeflBegin, .le(1, 1, 0x400, 0))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let entries = try lines.map { try JSONDecoder().decode(SimulatorLogEntry.self, from: Data($0.utf8)) }
        #expect(entries == h.board.commandLog)
        #expect(entries.map(\.opcode) == ["SYNC", "READ_REG", "FLASH_DEFL_BEGIN"])
        #expect(entries[1].fields == ["addr": 0x4000_1000] && entries[1].status == "0000" && entries[1].loader == "rom")
        #expect(entries[2].status == "0105")
    }

    @Test("a flash image preloads the flash and saveFlash writes it back")
    func imageRoundTrip() throws {
        let directory = try TempDirectory()
        var rng = SeededRandom(seed: 3)
        let image = rng.bytes(10_000)
        try Data(image).write(to: directory.url.appendingPathComponent("in.bin"))
        var options = SimulatorOptions(chip: .esp32)
        options.imagePath = directory.file("in.bin")
        let board = try SimulatedBoard(options: options)
        #expect(Array(board.flash.prefix(10_000)) == image)
        #expect(board.flash[10_000...].allSatisfy { $0 == 0xFF })
        try board.saveFlash(to: directory.file("out.bin"))
        #expect([UInt8](try Data(contentsOf: directory.url.appendingPathComponent("out.bin"))) == board.flash)
        options.imagePath = directory.file("missing.bin")
        #expect(throws: SimulatorError(.io, "")) { try SimulatedBoard(options: options) }
    }

    @Test("UART resampling: equal or near rates pass bytes through; 74880 heard at 115200 is garbage")
    func resampler() {
        let text = Array("\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n".utf8)
        #expect(UARTResampler.resample(text, sentAt: 115_200, heardAt: 115_200) == text)
        #expect(UARTResampler.resample(text, sentAt: 115_200, heardAt: 116_000) == text)
        let garbage = UARTResampler.resample(text, sentAt: 74880, heardAt: 115_200)
        #expect(garbage != text && !garbage.isEmpty)
        #expect(garbage == UARTResampler.resample(text, sentAt: 74880, heardAt: 115_200))
    }
}

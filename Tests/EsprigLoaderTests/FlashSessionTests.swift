import Testing
import EsprigCodecs
import EsprigLoader
import EsprigProtocol
import EsprigTestSupport

@Suite("Flash session against the simulated board")
struct FlashSessionTests {
    static let flashSize = 4 << 20

    @Test("connects, identifies the chip and reads the MAC", arguments: [Chip.esp8266, .esp32])
    func identify(chip: Chip) throws {
        let bench = try SimulatedBench(chip, query: ["mac": "24:0a:c4:12:34:56"])
        let session = try bench.session()
        #expect(session.info.chip == chip)
        #expect(session.info.macString == "24:0a:c4:12:34:56")
        #expect(session.connection.isStub)
        #expect(session.detectedFlashSize == Self.flashSize)
        if chip == .esp8266 { #expect(session.info.chipID == 0x0012_3456) }
    }

    @Test("compressed, plain and ROM writes leave the same flash", arguments: [Chip.esp8266, .esp32])
    func writeModes(chip: Chip) throws {
        var rng = SeededRandom(seed: 11)
        let firmwareLike = (0..<40_000).map { i in UInt8(truncatingIfNeeded: (i * 7) ^ (i >> 5)) }
        let random = rng.bytes(70_000)
        let writes = [(0x10000, firmwareLike), (0x40000, random)]
        let expected = expectedFlash(size: Self.flashSize, writes: writes)
        for (stub, compression) in [(true, FlashOptions.Compression.auto), (true, .never), (false, .auto)] {
            let bench = try SimulatedBench(chip)
            let session = try bench.session(stub: stub)
            var options = FlashOptions()
            options.compression = compression
            let results = try session.writeFlash(writes.map { FlashWrite(address: $0.0, data: $0.1, source: "f\($0.0)") }, options: options)
            #expect(bench.board.flash == expected, "stub \(stub) compression \(compression)")
            let romWithoutMD5 = !stub && chip == .esp8266
            #expect(results.values.allSatisfy { romWithoutMD5 ? $0 != .verified : $0 == .verified })
        }
    }

    @Test("the ESP8266 ROM write says it could not verify instead of claiming it did")
    func romUnverified() throws {
        let bench = try SimulatedBench(.esp8266)
        let log = EventLog()
        let session = try bench.session(stub: false, events: log.handler)
        let results = try session.writeFlash([FlashWrite(address: 0x1000, data: [1, 2, 3, 4], source: "x.bin")], options: FlashOptions())
        guard case .unverified(let why)? = results.values.first else { Issue.record("expected unverified"); return }
        #expect(why.contains("MD5"))
        #expect(log.events.contains { if case .regionUnverified = $0 { true } else { false } })
    }

    @Test("an unchanged region is skipped, a changed one rewritten")
    func skipUnchanged() throws {
        let bench = try SimulatedBench(.esp8266)
        let data = [UInt8](repeating: 0x5A, count: 10_000)
        _ = try bench.session().writeFlash([FlashWrite(address: 0x2000, data: data, source: "a")], options: FlashOptions())
        let log = EventLog()
        let again = try bench.session(events: log.handler)
        let results = try again.writeFlash([FlashWrite(address: 0x2000, data: data, source: "a")], options: FlashOptions())
        #expect(results.values.first == .skipped)
        var noSkip = FlashOptions()
        noSkip.skipUnchanged = false
        #expect(try again.writeFlash([FlashWrite(address: 0x2000, data: data, source: "a")], options: noSkip).values.first == .verified)
    }

    @Test("writes are checked before any byte is sent")
    func planningRefusals() throws {
        let bench = try SimulatedBench(.esp8266, query: ["flash": "1MB"])
        let session = try bench.session()
        let before = bench.board.flash
        let cases: [[FlashWrite]] = [
            [FlashWrite(address: 0x1001, data: [1], source: "unaligned")],
            [FlashWrite(address: 0x0, data: [UInt8](repeating: 1, count: 0x1001), source: "a"), FlashWrite(address: 0x1000, data: [2], source: "b")],
            [FlashWrite(address: 0xFF000, data: [UInt8](repeating: 1, count: 0x2000), source: "too-big")],
            [FlashWrite(address: 0x3000, data: [], source: "empty")],
        ]
        for writes in cases {
            #expect(throws: LoaderError.self) { try session.writeFlash(writes, options: FlashOptions()) }
        }
        #expect(bench.board.flash == before)
    }

    @Test("an image at the bootloader offset gets the requested flash parameters")
    func headerPatch() throws {
        let bench = try SimulatedBench(.esp8266)
        let session = try bench.session()
        var image: [UInt8] = [0xE9, 0x01, 0x00, 0x00, 0x04, 0x00, 0x10, 0x40] + [UInt8](repeating: 0xAA, count: 24)
        var options = FlashOptions()
        options.parameters = FlashParameters(mode: .dout, frequency: "40m", size: .fixed("1MB"))
        _ = try session.writeFlash([FlashWrite(address: 0, data: image, source: "boot")], options: options)
        image[2] = 0x03
        image[3] = 0x20
        #expect(Array(bench.board.flash.prefix(image.count)) == image)
    }

    @Test("read-flash returns what was written; verify tells match from mismatch", arguments: [Chip.esp8266, .esp32])
    func readAndVerify(chip: Chip) throws {
        var rng = SeededRandom(seed: 5)
        let data = rng.bytes(9000)
        let bench = try SimulatedBench(chip)
        let session = try bench.session()
        _ = try session.writeFlash([FlashWrite(address: 0x8000, data: data, source: "d")], options: FlashOptions())
        #expect(try session.readFlash(address: 0x8000, size: data.count) == data)
        #expect(try session.verify(FlashWrite(address: 0x8000, data: data, source: "d")))
        var other = data
        other[100] ^= 1
        #expect(try !session.verify(FlashWrite(address: 0x8000, data: other, source: "d")))
    }

    @Test("ESP32 ROM reads flash with READ_FLASH_SLOW")
    func esp32ROMRead() throws {
        let bench = try SimulatedBench(.esp32)
        let data = (0..<300).map { UInt8($0 & 0xFF) }
        _ = try bench.session().writeFlash([FlashWrite(address: 0x9000, data: data, source: "d")], options: FlashOptions())
        let rom = try bench.session(stub: false)
        #expect(try rom.readFlash(address: 0x9000, size: data.count) == data)
    }

    @Test("erase-region and erase-flash leave 0xFF")
    func erase() throws {
        let bench = try SimulatedBench(.esp8266)
        let session = try bench.session()
        _ = try session.writeFlash([FlashWrite(address: 0x0, data: [UInt8](repeating: 0, count: 0x3000), source: "z")], options: FlashOptions())
        try session.eraseRegion(address: 0x1000, size: 0x1000)
        #expect(Array(bench.board.flash[0..<0x1000]) == [UInt8](repeating: 0, count: 0x1000))
        #expect(Array(bench.board.flash[0x1000..<0x2000]) == [UInt8](repeating: 0xFF, count: 0x1000))
        #expect(Array(bench.board.flash[0x2000..<0x3000]) == [UInt8](repeating: 0, count: 0x1000))
        try session.eraseFlash()
        #expect(bench.board.flash.allSatisfy { $0 == 0xFF })
        #expect(throws: LoaderError.self) { try session.eraseRegion(address: 0x1000, size: 0x800) }
    }

    @Test("the ESP8266 ROM refuses what only the stub can do, naming the fix")
    func romRefusals() throws {
        let session = try SimulatedBench(.esp8266).session(stub: false)
        do {
            try session.eraseFlash()
            Issue.record("erase-flash in ROM mode should fail")
        } catch {
            #expect(error.code == .notInROM)
            #expect(error.hint?.contains("--no-stub") == true)
        }
        #expect(throws: LoaderError.self) { try session.readFlash(address: 0, size: 16) }
    }

    @Test("the baud rate is raised after the stub starts", arguments: [Chip.esp8266, .esp32])
    func baudChange(chip: Chip) throws {
        let bench = try SimulatedBench(chip)
        let session = try bench.session(baud: 921_600)
        #expect(session.connection.baud == 921_600)
        #expect(bench.board.currentBaud == 921_600)
        let data = [UInt8](repeating: 0x42, count: 5000)
        _ = try session.writeFlash([FlashWrite(address: 0x1000, data: data, source: "d")], options: FlashOptions())
        #expect(Array(bench.board.flash[0x1000..<0x1000 + data.count]) == data)
    }

    @Test("a port where nothing answers fails with the download-mode hint")
    func noAnswer() throws {
        let port = SilentPort()
        var options = SessionOptions()
        options.connect.before = .noReset
        options.connect.attempts = 1
        do {
            _ = try FlashSession(port: port, options: options, stubSource: nil, events: { _ in })
            Issue.record("expected a failure")
        } catch {
            #expect(error.code == .noData)
            #expect(error.hint?.contains("GPIO0") == true)
        }
    }
}

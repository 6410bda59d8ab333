import Testing
import EsprigFraming
import EsprigTestSupport

@Suite("SLIP codec")
struct SLIPTests {
    @Test("every byte value round-trips, alone and in a frame")
    func everyByteValue() throws {
        for value in 0...255 {
            var decoder = SLIPDecoder()
            let frames = try decoder.feed(SLIP.encode([UInt8(value)]))
            #expect(frames == [[UInt8(value)]])
        }
        let all = (0...255).map { UInt8($0) }
        var decoder = SLIPDecoder()
        #expect(try decoder.feed(SLIP.encode(all)) == [all])
    }

    @Test("escapes 0xC0 and 0xDB exactly as the loaders expect")
    func escapeBytes() {
        #expect(SLIP.encode([0xC0]) == [0xC0, 0xDB, 0xDC, 0xC0])
        #expect(SLIP.encode([0xDB]) == [0xC0, 0xDB, 0xDD, 0xC0])
        #expect(SLIP.encode([0xDB, 0xDC]) == [0xC0, 0xDB, 0xDD, 0xDC, 0xC0])
        #expect(SLIP.encode([0x01, 0xC0, 0xDB, 0x02]) == [0xC0, 0x01, 0xDB, 0xDC, 0xDB, 0xDD, 0x02, 0xC0])
    }

    @Test("runs of 0xC0 and 0xDB round-trip", arguments: [1, 2, 3, 100, 4096])
    func runs(length: Int) throws {
        for payload in [[UInt8](repeating: 0xC0, count: length), [UInt8](repeating: 0xDB, count: length),
                        (0..<length).map { $0 % 2 == 0 ? UInt8(0xC0) : 0xDB }] {
            var decoder = SLIPDecoder(maxFrameSize: 8192)
            let encoded = SLIP.encode(payload)
            #expect(encoded.count == payload.count * 2 + 2)
            #expect(try decoder.feed(encoded) == [payload])
        }
    }

    @Test("random payloads decode the same fed whole, byte by byte, or several frames per chunk")
    func chunkingProperty() throws {
        var rng = SeededRandom(seed: 0x5EED_0001)
        for _ in 0..<200 {
            let frames = (0..<rng.int(1...5)).map { _ in rng.bytes(rng.int(1...600)) }
            let stream = frames.flatMap { SLIP.encode($0) }
            var whole = SLIPDecoder()
            #expect(try whole.feed(stream) == frames)
            var single = SLIPDecoder()
            var bytewise: [[UInt8]] = []
            for b in stream { bytewise += try single.feed([b]) }
            #expect(bytewise == frames)
            var chunked = SLIPDecoder()
            var out: [[UInt8]] = []
            var i = 0
            while i < stream.count {
                let n = rng.int(1...97)
                out += try chunked.feed(stream[i..<min(stream.count, i + n)])
                i += n
            }
            #expect(out == frames)
        }
    }

    @Test("bytes before the first frame are counted as noise, not frames")
    func bootLogBeforeFrame() throws {
        var decoder = SLIPDecoder()
        let log = Array("ets Jan  8 2013,rst cause:2, boot mode:(1,7)\r\n".utf8)
        let frames = try decoder.feed(log + SLIP.encode([1, 2, 3]))
        #expect(frames == [[1, 2, 3]])
        #expect(decoder.bytesOutsideFrames == log.count)
        #expect(decoder.recentNoise == log)
    }

    @Test("back-to-back delimiters yield no empty frame")
    func emptyFrames() throws {
        var decoder = SLIPDecoder()
        #expect(try decoder.feed([0xC0, 0xC0, 0xC0, 0x05, 0xC0, 0xC0]) == [[0x05]])
    }

    @Test("an escape followed by anything but DC/DD is an error, and the decoder recovers")
    func invalidEscape() throws {
        var decoder = SLIPDecoder()
        #expect(throws: SLIPError(.invalidEscape(0x00))) { try decoder.feed([0xC0, 0x01, 0xDB, 0x00, 0xC0]) }
        #expect(try decoder.feed(SLIP.encode([9])) == [[9]])
    }

    @Test("a frame longer than the limit is an error, not unbounded growth")
    func oversize() throws {
        var decoder = SLIPDecoder(maxFrameSize: 16)
        #expect(throws: SLIPError(.frameTooLarge(limit: 16))) { try decoder.feed([0xC0] + [UInt8](repeating: 1, count: 17)) }
        #expect(try decoder.feed(SLIP.encode([UInt8](repeating: 2, count: 16))) == [[UInt8](repeating: 2, count: 16)])
    }

    @Test("a truncated frame stays pending until its end arrives")
    func truncated() throws {
        var decoder = SLIPDecoder()
        #expect(try decoder.feed([0xC0, 1, 2, 0xDB]).isEmpty)
        #expect(decoder.isInsideFrame)
        #expect(try decoder.feed([0xDC, 3, 0xC0]) == [[1, 2, 0xC0, 3]])
    }

    @Test("random garbage never traps the decoder")
    func fuzz() {
        var rng = SeededRandom(seed: 0xBAD_C0DE)
        for _ in 0..<300 {
            var decoder = SLIPDecoder(maxFrameSize: 64)
            for _ in 0..<10 {
                let chunk = rng.bytes(rng.int(0...200), biasedTowards: [0xC0, 0xDB, 0xDC, 0xDD])
                _ = try? decoder.feed(chunk)
            }
        }
    }
}

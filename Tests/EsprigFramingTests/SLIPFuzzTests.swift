import Testing
import EsprigFraming
import EsprigTestSupport

/// Seeded generated and mutated inputs for the SLIP decoder (fixed seed; ESPRIG_FUZZ_SCALE runs longer).
@Suite("SLIP decoder, fuzzed")
struct SLIPFuzzTests {
    static let special: [UInt8] = [SLIP.end, SLIP.escape, SLIP.escapedEnd, SLIP.escapedEscape]

    @Test("round trip: any frames, encoded and fed in random chunks, decode to themselves")
    func roundTrip() throws {
        var rng = SeededRandom(seed: 0x511F)
        for index in 0..<FuzzBudget.iterations(3000) {
            let frames = (0..<rng.int(1...4)).map { _ in rng.bytes(rng.int(1...300), biasedTowards: Self.special) }
            let wire = frames.flatMap { SLIP.encode($0) }
            var decoder = SLIPDecoder(maxFrameSize: 512)
            var decoded: [[UInt8]] = []
            var start = 0
            while start < wire.count {
                let end = min(wire.count, start + rng.int(1...64))
                decoded += try decoder.feed(wire[start..<end])
                start = end
            }
            #expect(decoded == frames, "input \(index)")
            #expect(!decoder.isInsideFrame, "input \(index): decoder still inside a frame")
        }
    }

    @Test("mutated wire bytes: frames or SLIPError, never a frame over the limit or a crash")
    func mutated() {
        var rng = SeededRandom(seed: 0x511E)
        var errors = 0
        for index in 0..<FuzzBudget.iterations(3000) {
            let frame = rng.bytes(rng.int(1...200), biasedTowards: Self.special)
            let wire = rng.mutate(SLIP.encode(frame), special: Self.special)
            var decoder = SLIPDecoder(maxFrameSize: 128)
            do {
                let frames = try decoder.feed(wire)
                #expect(frames.allSatisfy { $0.count <= 128 }, "input \(index)")
                // A decoder recovers: the next clean frame after any garbage decodes intact.
                decoder.reset()
                #expect(try decoder.feed(SLIP.encode([1, 2, 3])) == [[1, 2, 3]], "input \(index)")
            } catch {
                errors += 1
                #expect(error.description.contains("SLIP") || error.description.contains("escape"), "input \(index): \(error)")
            }
        }
        // The generator reaches the error paths too, or the test proves little.
        #expect(errors > 0)
    }
}

import Testing
import EsprigProtocol
import EsprigTestSupport

/// Seeded generated and mutated loader packets (fixed seed; ESPRIG_FUZZ_SCALE runs longer).
@Suite("Loader packets, fuzzed")
struct PacketFuzzTests {
    @Test("round trip: command and response packets parse back to themselves")
    func roundTrip() {
        var rng = SeededRandom(seed: 0xBAC7)
        for index in 0..<FuzzBudget.iterations(3000) {
            let data = rng.bytes(rng.int(0...600))
            let opcode = UInt8(truncatingIfNeeded: rng.next())
            let word = UInt32(truncatingIfNeeded: rng.next())
            let command = CommandPacket(opcode: opcode, data: data, checksum: word)
            #expect(CommandPacket(frame: command.encoded()) == command, "input \(index)")
            let response = ResponsePacket(opcode: opcode, value: word, data: data)
            #expect(ResponsePacket(frame: response.encoded()) == response, "input \(index)")
        }
    }

    @Test("mutated frames: either rejected or a packet that encodes back to exactly the frame")
    func mutated() {
        var rng = SeededRandom(seed: 0xBAC8)
        var rejected = 0, accepted = 0
        for index in 0..<FuzzBudget.iterations(3000) {
            let response = ResponsePacket(opcode: UInt8(truncatingIfNeeded: rng.next()), value: UInt32(truncatingIfNeeded: rng.next()), data: rng.bytes(rng.int(0...64)))
            let frame = rng.mutate(response.encoded(), special: [0x00, 0x01, 0xFF])
            if let parsed = ResponsePacket(frame: frame) {
                accepted += 1
                // Canonical: nothing in the frame is ignored, so a lost or extra byte cannot pass.
                #expect(parsed.encoded() == frame, "input \(index)")
                _ = ParsedResponse(parsed, expectedResultLength: rng.int(0...32))
            } else { rejected += 1 }
            let command = CommandPacket(opcode: 1, data: rng.bytes(rng.int(0...64)), checksum: 0xEF)
            let commandFrame = rng.mutate(command.encoded())
            if let parsed = CommandPacket(frame: commandFrame) { #expect(parsed.encoded() == commandFrame, "input \(index)") }
        }
        #expect(rejected > 0 && accepted > 0, "the generator must reach both outcomes")
    }
}

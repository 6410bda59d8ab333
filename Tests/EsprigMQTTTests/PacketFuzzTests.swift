import Testing
import EsprigMQTT
import EsprigTestSupport

/// Seeded generated and mutated MQTT packets (fixed seed; ESPRIG_FUZZ_SCALE runs longer).
@Suite("MQTT packet decoder, fuzzed")
struct MQTTPacketFuzzTests {
    static func text(_ rng: inout SeededRandom) -> String {
        String((0..<rng.int(0...40)).map { _ in Character(Unicode.Scalar(UInt8(rng.int(0x21...0x7E)))) })
    }

    static func packet(_ rng: inout SeededRandom) -> MQTTPacket {
        switch rng.int(0...8) {
        case 0: return .connect(.init(clientID: text(&rng), username: rng.int(0...1) == 0 ? nil : text(&rng),
                                      password: rng.int(0...1) == 0 ? nil : rng.bytes(rng.int(0...20)),
                                      keepAlive: UInt16(rng.int(0...65535)), cleanSession: rng.int(0...1) == 0))
        case 1: return .connack(.init(sessionPresent: rng.int(0...1) == 0, returnCode: .accepted))
        case 2:
            let qos = UInt8(rng.int(0...1))
            return .publish(.init(topic: text(&rng), payload: rng.bytes(rng.int(0...300)), qos: qos,
                                  packetID: qos > 0 ? UInt16(rng.int(1...65535)) : nil, retain: rng.int(0...1) == 0))
        case 3: return .puback(packetID: UInt16(rng.int(1...65535)))
        case 4: return .subscribe(.init(packetID: UInt16(rng.int(1...65535)), filters: (0..<rng.int(1...3)).map { _ in .init(topic: text(&rng), qos: UInt8(rng.int(0...1))) }))
        case 5: return .suback(.init(packetID: UInt16(rng.int(1...65535)), returnCodes: (0..<rng.int(1...3)).map { _ in UInt8(rng.int(0...1)) }))
        case 6: return .pingreq
        case 7: return .pingresp
        default: return .disconnect
        }
    }

    @Test("round trip: every generated packet decodes to itself, also followed by more bytes")
    func roundTrip() throws {
        var rng = SeededRandom(seed: 0x3017)
        for index in 0..<FuzzBudget.iterations(3000) {
            let packet = Self.packet(&rng)
            let bytes = packet.encode()
            let decoded = try MQTTPacket.decode((bytes + rng.bytes(rng.int(0...8)))[...])
            #expect(decoded?.packet == packet && decoded?.length == bytes.count, "input \(index): \(packet)")
            // A prefix is never a packet: it asks for more bytes, or is already wrong.
            let cut = rng.int(0...(bytes.count - 1))
            #expect((try? MQTTPacket.decode(bytes[..<cut])) ?? nil == nil, "input \(index): a \(cut)-byte prefix decoded")
        }
    }

    @Test("mutated packets: a packet of the length claimed, nil (need more), or MQTTCodecError")
    func mutated() {
        var rng = SeededRandom(seed: 0x3018)
        var errors = 0
        for index in 0..<FuzzBudget.iterations(3000) {
            let bytes = rng.mutate(Self.packet(&rng).encode(), special: [0x00, 0x80, 0xFF, 0x30])
            do throws(MQTTCodecError) {
                if let (packet, length) = try MQTTPacket.decode(bytes[...]) {
                    #expect(length <= bytes.count, "input \(index)")
                    // What decodes is canonical up to the fixed header: re-encoding it decodes the same.
                    #expect((try? MQTTPacket.decode(packet.encode()[...]))??.packet == packet, "input \(index)")
                }
            } catch {
                errors += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(errors > 0, "the generator must reach the error paths")
    }
}

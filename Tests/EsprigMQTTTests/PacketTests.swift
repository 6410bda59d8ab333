import Testing
@testable import EsprigMQTT

@Suite("MQTT 3.1.1 packet codec")
struct PacketTests {
    private func roundTrip(_ packet: MQTTPacket, _ bytes: [UInt8]) throws {
        #expect(packet.encode() == bytes)
        let decoded = try MQTTPacket.decode(bytes[...])
        #expect(decoded?.packet == packet)
        #expect(decoded?.length == bytes.count)
    }

    @Test func remainingLengthBoundaries() throws {
        let cases: [(Int, [UInt8])] = [
            (0, [0x00]), (127, [0x7F]), (128, [0x80, 0x01]), (16_383, [0xFF, 0x7F]),
            (16_384, [0x80, 0x80, 0x01]), (2_097_151, [0xFF, 0xFF, 0x7F]),
            (2_097_152, [0x80, 0x80, 0x80, 0x01]), (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
        ]
        for (value, bytes) in cases {
            #expect(RemainingLength.encode(value) == bytes)
            let decoded = try RemainingLength.decode(bytes[...])
            #expect(decoded?.value == value)
            #expect(decoded?.length == bytes.count)
        }
        #expect(try RemainingLength.decode([0x80, 0x80][...]) == nil)
        #expect(throws: MQTTCodecError("remaining length longer than 4 bytes")) {
            try RemainingLength.decode([0x80, 0x80, 0x80, 0x80, 0x01][...])
        }
    }

    @Test func connectWithUserPasswordKeepAliveCleanSession() throws {
        let packet = MQTTPacket.connect(.init(clientID: "dev1", username: "u", password: Array("pw".utf8), keepAlive: 30, cleanSession: true))
        try roundTrip(packet, [
            0x10, 23,                               // CONNECT, remaining length
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,     // "MQTT"
            0x04,                                   // protocol level 4 (3.1.1)
            0xC2,                                   // user name, password, clean session
            0x00, 0x1E,                             // keep alive 30 s
            0x00, 0x04, 0x64, 0x65, 0x76, 0x31,     // client id "dev1"
            0x00, 0x01, 0x75,                       // user name "u"
            0x00, 0x02, 0x70, 0x77,                 // password "pw"
        ])
    }

    @Test func connectWithoutCredentialsKeepsSession() throws {
        let packet = MQTTPacket.connect(.init(clientID: "a", keepAlive: 0, cleanSession: false))
        try roundTrip(packet, [0x10, 13, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x61])
    }

    @Test(arguments: [
        (UInt8(0), ConnectReturnCode.accepted, "connection accepted"),
        (1, .unacceptableProtocolVersion, "unacceptable protocol version"),
        (2, .identifierRejected, "identifier rejected"),
        (3, .serverUnavailable, "server unavailable"),
        (4, .badUserNameOrPassword, "bad user name or password"),
        (5, .notAuthorized, "not authorized"),
        (6, .reserved(6), "reserved return code 6"),
    ])
    func connackReturnCodes(raw: UInt8, code: ConnectReturnCode, name: String) throws {
        try roundTrip(.connack(.init(returnCode: code)), [0x20, 0x02, 0x00, raw])
        #expect(ConnectReturnCode(rawValue: raw) == code)
        #expect(code.name == name)
    }

    @Test func connackSessionPresent() throws {
        try roundTrip(.connack(.init(sessionPresent: true, returnCode: .accepted)), [0x20, 0x02, 0x01, 0x00])
        #expect(throws: MQTTCodecError("CONNACK with reserved flags 2")) { try MQTTPacket.decode([0x20, 0x02, 0x02, 0x00][...]) }
    }

    @Test func publishQoS0() throws {
        try roundTrip(.publish(.init(topic: "a/b", payload: [0x68, 0x69])),
                      [0x30, 0x07, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x68, 0x69])
    }

    @Test func publishQoS1RetainDuplicate() throws {
        try roundTrip(.publish(.init(topic: "t", payload: [0xFF], qos: 1, packetID: 0x1234, retain: true, duplicate: true)),
                      [0x3B, 0x06, 0x00, 0x01, 0x74, 0x12, 0x34, 0xFF])
    }

    @Test func publishQoS2Refused() {
        #expect(throws: MQTTCodecError("PUBLISH with QoS 2; esprig subscribes with QoS 0 or 1 only")) {
            try MQTTPacket.decode([0x34, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01][...])
        }
    }

    @Test func longPublishUsesTwoLengthBytes() throws {
        let payload = [UInt8](repeating: 0xAB, count: 200)
        let bytes = MQTTPacket.publish(.init(topic: "x", payload: payload)).encode()
        #expect(Array(bytes.prefix(6)) == [0x30, 0xCB, 0x01, 0x00, 0x01, 0x78])  // 203 = 0x4B | 0x80, 0x01
        #expect(bytes.count == 206)
        #expect(try MQTTPacket.decode(bytes[...])?.packet == .publish(.init(topic: "x", payload: payload)))
    }

    @Test func pubackSubscribeSuback() throws {
        try roundTrip(.puback(packetID: 7), [0x40, 0x02, 0x00, 0x07])
        try roundTrip(.subscribe(.init(packetID: 0x0102, filters: [.init(topic: "d/#", qos: 1), .init(topic: "e", qos: 0)])),
                      [0x82, 0x0C, 0x01, 0x02, 0x00, 0x03, 0x64, 0x2F, 0x23, 0x01, 0x00, 0x01, 0x65, 0x00])
        try roundTrip(.suback(.init(packetID: 0x0102, returnCodes: [0x01, 0x80])), [0x90, 0x04, 0x01, 0x02, 0x01, 0x80])
        #expect(throws: MQTTCodecError("SUBACK return code 3 (allowed: 0, 1, 2, 0x80)")) {
            try MQTTPacket.decode([0x90, 0x03, 0x00, 0x01, 0x03][...])
        }
        #expect(throws: MQTTCodecError("SUBSCRIBE with fixed-header flags 0, expected 2")) {
            try MQTTPacket.decode([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00][...])
        }
    }

    @Test func twoByteControlPackets() throws {
        try roundTrip(.pingreq, [0xC0, 0x00])
        try roundTrip(.pingresp, [0xD0, 0x00])
        try roundTrip(.disconnect, [0xE0, 0x00])
    }

    @Test func incompleteAndConcatenatedInput() throws {
        let connack: [UInt8] = [0x20, 0x02, 0x00, 0x00]
        for cut in 0..<connack.count {
            #expect(try MQTTPacket.decode(connack.prefix(cut)) == nil)
        }
        let stream = connack + [0xD0, 0x00]
        let first = try #require(try MQTTPacket.decode(stream[...]))
        #expect(first.length == 4)
        #expect(try MQTTPacket.decode(stream[first.length...])?.packet == .pingresp)
    }

    @Test func malformedPackets() {
        #expect(throws: MQTTCodecError("packet type 5 is not one esprig handles")) { try MQTTPacket.decode([0x50, 0x02, 0x00, 0x01][...]) }
        #expect(throws: MQTTCodecError("packet ends inside a field")) { try MQTTPacket.decode([0x30, 0x01, 0x00][...]) }
        #expect(throws: MQTTCodecError("1 unexpected bytes at the end of a packet of type 4")) { try MQTTPacket.decode([0x40, 0x03, 0x00, 0x01, 0x00][...]) }
        #expect(throws: MQTTCodecError("string is not valid UTF-8")) { try MQTTPacket.decode([0x30, 0x03, 0x00, 0x01, 0xFF][...]) }
        #expect(throws: MQTTCodecError("PINGRESP with fixed-header flags 1, expected 0")) { try MQTTPacket.decode([0xD1, 0x00][...]) }
    }
}

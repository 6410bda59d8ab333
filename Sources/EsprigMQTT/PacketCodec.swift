/// Why bytes from the broker are not a valid MQTT 3.1.1 packet.
public struct MQTTCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The remaining-length field (§2.2.3): 7 bits per byte, least significant first, at most 4 bytes.
public enum RemainingLength {
    public static let maximum = 268_435_455

    public static func encode(_ value: Int) -> [UInt8] {
        precondition(value >= 0 && value <= maximum, "remaining length \(value) out of range")
        var bytes: [UInt8] = []
        var rest = value
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while rest > 0
        return bytes
    }

    /// The value and how many bytes it took, or nil when `bytes` stops inside the field.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(MQTTCodecError) -> (value: Int, length: Int)? {
        var value = 0
        var index = bytes.startIndex
        for shift in stride(from: 0, to: 28, by: 7) {
            guard index < bytes.endIndex else { return nil }
            let byte = bytes[index]
            value |= Int(byte & 0x7F) << shift
            index += 1
            if byte & 0x80 == 0 { return (value, index - bytes.startIndex) }
        }
        throw MQTTCodecError("remaining length longer than 4 bytes")
    }
}

extension MQTTPacket {
    public func encode() -> [UInt8] {
        let (header, body) = parts()
        return [header] + RemainingLength.encode(body.count) + body
    }

    /// The first byte (type and flags) and everything after the remaining length.
    private func parts() -> (UInt8, [UInt8]) {
        switch self {
        case .connect(let c):
            var flags: UInt8 = c.cleanSession ? 0x02 : 0
            if c.username != nil { flags |= 0x80 }
            if c.password != nil { flags |= 0x40 }
            var body = Wire.string("MQTT") + [4, flags] + Wire.uint16(c.keepAlive) + Wire.string(c.clientID)
            if let user = c.username { body += Wire.string(user) }
            if let password = c.password { body += Wire.uint16(UInt16(password.count)) + password }
            return (0x10, body)
        case .connack(let a):
            return (0x20, [a.sessionPresent ? 1 : 0, a.returnCode.rawValue])
        case .publish(let p):
            let header = 0x30 | (p.duplicate ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 0x01 : 0)
            var body = Wire.string(p.topic)
            if let id = p.packetID { body += Wire.uint16(id) }
            return (header, body + p.payload)
        case .puback(let id):
            return (0x40, Wire.uint16(id))
        case .subscribe(let s):
            // §3.8.1: SUBSCRIBE's fixed-header flags are 0b0010.
            var body = Wire.uint16(s.packetID)
            for filter in s.filters { body += Wire.string(filter.topic) + [filter.qos] }
            return (0x82, body)
        case .suback(let s):
            return (0x90, Wire.uint16(s.packetID) + s.returnCodes)
        case .pingreq: return (0xC0, [])
        case .pingresp: return (0xD0, [])
        case .disconnect: return (0xE0, [])
        }
    }

    /// The first complete packet in `bytes` and how many bytes it took; nil when more bytes are needed.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(MQTTCodecError) -> (packet: MQTTPacket, length: Int)? {
        guard let first = bytes.first else { return nil }
        guard let (remaining, fieldLength) = try RemainingLength.decode(bytes.dropFirst()) else { return nil }
        let bodyStart = bytes.startIndex + 1 + fieldLength
        guard bytes.endIndex - bodyStart >= remaining else { return nil }
        var reader = Wire.Reader(bytes[bodyStart..<(bodyStart + remaining)])
        let packet = try decodeBody(first: first, &reader)
        guard reader.isAtEnd else {
            throw MQTTCodecError("\(reader.remaining) unexpected bytes at the end of a packet of type \(first >> 4)")
        }
        return (packet, 1 + fieldLength + remaining)
    }

    private static func decodeBody(first: UInt8, _ r: inout Wire.Reader) throws(MQTTCodecError) -> MQTTPacket {
        let type = first >> 4, flags = first & 0x0F
        func requireFlags(_ expected: UInt8, _ name: String) throws(MQTTCodecError) {
            guard flags == expected else { throw MQTTCodecError("\(name) with fixed-header flags \(flags), expected \(expected)") }
        }
        switch type {
        case 1:
            try requireFlags(0, "CONNECT")
            let proto = try r.string()
            let level = try r.byte()
            guard proto == "MQTT", level == 4 else { throw MQTTCodecError("CONNECT for protocol \(proto) level \(level), expected MQTT level 4") }
            let connectFlags = try r.byte()
            guard connectFlags & 0x01 == 0 else { throw MQTTCodecError("CONNECT with the reserved flag set") }
            guard connectFlags & 0x04 == 0 else { throw MQTTCodecError("CONNECT with a will, which esprig does not use") }
            let keepAlive = try r.uint16()
            let clientID = try r.string()
            let username = connectFlags & 0x80 != 0 ? try r.string() : nil
            let password = connectFlags & 0x40 != 0 ? try r.bytes(Int(r.uint16())) : nil
            return .connect(Connect(clientID: clientID, username: username, password: password, keepAlive: keepAlive, cleanSession: connectFlags & 0x02 != 0))
        case 2:
            try requireFlags(0, "CONNACK")
            let ackFlags = try r.byte()
            guard ackFlags & 0xFE == 0 else { throw MQTTCodecError("CONNACK with reserved flags \(ackFlags)") }
            return .connack(ConnAck(sessionPresent: ackFlags == 1, returnCode: ConnectReturnCode(rawValue: try r.byte())))
        case 3:
            let qos = (flags >> 1) & 0x03
            guard qos < 2 else { throw MQTTCodecError("PUBLISH with QoS \(qos); esprig subscribes with QoS 0 or 1 only") }
            let topic = try r.string()
            let id = qos > 0 ? try r.uint16() : nil
            return .publish(Publish(topic: topic, payload: r.rest(), qos: qos, packetID: id, retain: flags & 0x01 != 0, duplicate: flags & 0x08 != 0))
        case 4:
            try requireFlags(0, "PUBACK")
            return .puback(packetID: try r.uint16())
        case 8:
            try requireFlags(2, "SUBSCRIBE")
            let id = try r.uint16()
            var filters: [Subscribe.Filter] = []
            repeat { filters.append(.init(topic: try r.string(), qos: try r.byte())) } while !r.isAtEnd
            return .subscribe(Subscribe(packetID: id, filters: filters))
        case 9:
            try requireFlags(0, "SUBACK")
            let id = try r.uint16()
            let codes = r.rest()
            guard !codes.isEmpty else { throw MQTTCodecError("SUBACK without return codes") }
            if let bad = codes.first(where: { $0 > 2 && $0 != SubAck.failure }) {
                throw MQTTCodecError("SUBACK return code \(bad) (allowed: 0, 1, 2, 0x80)")
            }
            return .suback(SubAck(packetID: id, returnCodes: codes))
        case 12:
            try requireFlags(0, "PINGREQ")
            return .pingreq
        case 13:
            try requireFlags(0, "PINGRESP")
            return .pingresp
        case 14:
            try requireFlags(0, "DISCONNECT")
            return .disconnect
        default:
            throw MQTTCodecError("packet type \(type) is not one esprig handles")
        }
    }
}

/// Big-endian integers and length-prefixed UTF-8 strings (§1.5).
enum Wire {
    static func uint16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    static func string(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        precondition(utf8.count <= 0xFFFF, "MQTT strings are at most 65535 bytes")
        return uint16(UInt16(utf8.count)) + utf8
    }

    struct Reader {
        private var bytes: ArraySlice<UInt8>
        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

        var isAtEnd: Bool { bytes.isEmpty }
        var remaining: Int { bytes.count }

        mutating func byte() throws(MQTTCodecError) -> UInt8 {
            guard let b = bytes.popFirst() else { throw MQTTCodecError("packet ends inside a field") }
            return b
        }

        mutating func uint16() throws(MQTTCodecError) -> UInt16 {
            UInt16(try byte()) << 8 | UInt16(try byte())
        }

        mutating func bytes(_ count: Int) throws(MQTTCodecError) -> [UInt8] {
            guard bytes.count >= count else { throw MQTTCodecError("packet ends inside a field") }
            defer { bytes = bytes.dropFirst(count) }
            return Array(bytes.prefix(count))
        }

        mutating func string() throws(MQTTCodecError) -> String {
            let raw = try bytes(Int(uint16()))
            guard let text = String(validating: raw, as: UTF8.self) else { throw MQTTCodecError("string is not valid UTF-8") }
            return text
        }

        mutating func rest() -> [UInt8] {
            defer { bytes = [] }
            return Array(bytes)
        }
    }
}

/// The 0xEF-seeded XOR over the data part of `*_DATA` commands and image segments
/// (`ESP_CHECKSUM_MAGIC`).
public func espChecksum<C: Sequence>(_ bytes: C, seed: UInt8 = 0xEF) -> UInt8 where C.Element == UInt8 {
    var state = seed
    for b in bytes { state ^= b }
    return state
}

/// A host → device command packet: `00, opcode, u16 size, u32 checksum, data`.
public struct CommandPacket: Sendable, Equatable {
    public var opcode: UInt8
    public var checksum: UInt32
    public var data: [UInt8]

    public init(opcode: UInt8, data: [UInt8], checksum: UInt32 = 0) {
        self.opcode = opcode
        self.data = data
        self.checksum = checksum
    }
    public init(_ opcode: Opcode, data: [UInt8], checksum: UInt32 = 0) {
        self.init(opcode: opcode.rawValue, data: data, checksum: checksum)
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0x00, opcode]
        out.reserveCapacity(8 + data.count)
        out.appendLE(UInt16(truncatingIfNeeded: data.count))
        out.appendLE(checksum)
        out.append(contentsOf: data)
        return out
    }

    /// Parses a decoded frame as a command; nil when it is not one (wrong direction, short,
    /// or a size field that disagrees with the frame).
    public init?(frame: [UInt8]) {
        guard frame.count >= 8, frame[0] == 0x00, let size = frame.u16LE(at: 2),
              let checksum = frame.u32LE(at: 4), frame.count - 8 == Int(size) else { return nil }
        self.opcode = frame[1]
        self.checksum = checksum
        self.data = Array(frame[8...])
    }
}

/// A device → host response: `01, opcode, u16 size, u32 value, data (result + status)`.
public struct ResponsePacket: Sendable, Equatable {
    public var opcode: UInt8
    public var value: UInt32
    public var data: [UInt8]

    public init(opcode: UInt8, value: UInt32 = 0, data: [UInt8]) {
        self.opcode = opcode
        self.value = value
        self.data = data
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0x01, opcode]
        out.appendLE(UInt16(truncatingIfNeeded: data.count))
        out.appendLE(value)
        out.append(contentsOf: data)
        return out
    }

    /// nil for frames that are not responses (esptool skips those: shorter than 8 bytes or
    /// direction byte not 1), and for frames whose size field disagrees with their length: a
    /// byte lost on the line would otherwise shift the status bytes into the result.
    public init?(frame: [UInt8]) {
        guard frame.count >= 8, frame[0] == 0x01, let size = frame.u16LE(at: 2), frame.count - 8 == Int(size),
              let value = frame.u32LE(at: 4) else { return nil }
        self.opcode = frame[1]
        self.value = value
        self.data = Array(frame[8...])
    }
}

import Foundation

/// A failure status reported by a loader, as the two status bytes read big-endian
/// (esptool's `FatalError.WithResult` lookup): ROM failures are `01 nn`, stub failures `Cn 00`.
public struct LoaderStatus: Sendable, Hashable, CustomStringConvertible {
    public var first: UInt8
    public var second: UInt8
    public init(_ first: UInt8, _ second: UInt8) { self.first = first; self.second = second }

    public var isSuccess: Bool { first == 0 }
    public var code16: UInt16 { UInt16(first) << 8 | UInt16(second) }

    /// ROM "invalid message" (01 05): also the ROM's answer to an unsupported command.
    public var isInvalidMessage: Bool { first != 0 && second == 0x05 }
    /// Stub "command not implemented" / "invalid command".
    public var isStubUnsupported: Bool { first == 0xFF || first == 0xC3 }

    public var meaning: String {
        switch first {
        case 0xC0...0xCB, 0xFF: return Self.stubMeanings[first] ?? "unknown stub error"
        case 0xEE: return "frame too long for the stub's buffer"
        default: return Self.romMeanings[second] ?? "unknown ROM error"
        }
    }

    public var description: String {
        String(format: "result was %02X%02X: ", first, second) + meaning
    }

    /// ESP8266/ESP32 ROM error byte (serial-protocol.rst, "ROM error codes").
    public static let romMeanings: [UInt8: String] = [
        0x00: "Undefined errors",
        0x01: "Invalid input parameter",
        0x02: "Failed to malloc memory from system",
        0x03: "Failed to send out message",
        0x04: "Failed to receive message",
        0x05: "Received message is invalid (parameters or length field is invalid)",
        0x06: "Message is received but the operation failed",
        0x07: "Checksum error",
        0x08: "Flash write error: the block read back did not match what was written",
        0x09: "Flash read error",
        0x0A: "Flash read length error",
        0x0B: "Deflate failed error",
        0x0C: "Deflate Adler32 error",
        0x0D: "Deflate parameter error",
        0x0E: "Invalid RAM binary size",
        0x0F: "Invalid RAM binary address",
        0x64: "Invalid parameter",
        0x65: "Invalid format",
        0x66: "Description too long",
        0x67: "Bad encoding description",
        0x69: "Insufficient storage",
    ]

    /// Flasher-stub error byte (legacy `stub_flasher.h`, new `commands.h`).
    public static let stubMeanings: [UInt8: String] = [
        0xC0: "Bad data length",
        0xC1: "Bad data checksum",
        0xC2: "Bad blocksize",
        0xC3: "Invalid command",
        0xC4: "Failed SPI operation",
        0xC5: "Failed SPI unlock",
        0xC6: "Not in flash mode",
        0xC7: "Inflate error",
        0xC8: "Not enough data",
        0xC9: "Too much data",
        0xCA: "NAND program failed",
        0xCB: "NAND erase failed",
        0xFF: "Command not implemented",
    ]
}

/// The status bytes of a response and its result data, located the way esptool v5 does
/// (`check_command`): the status sits right after the expected result bytes; a reply too
/// short for that carries it in its first two bytes.
public struct ParsedResponse: Sendable, Equatable {
    public var status: LoaderStatus
    public var result: [UInt8]
    public var value: UInt32

    public init(_ response: ResponsePacket, expectedResultLength: Int) {
        let d = response.data
        if d.count >= expectedResultLength + 2 {
            status = LoaderStatus(d[expectedResultLength], d[expectedResultLength + 1])
            result = Array(d[0..<expectedResultLength])
        } else if d.count >= 2 {
            status = LoaderStatus(d[0], d[1])
            result = []
        } else {
            // No status at all is malformed; report it as the ROM's "invalid message".
            status = LoaderStatus(0x01, 0x05)
            result = []
        }
        value = response.value
    }
}

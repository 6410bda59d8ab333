import EsprigProtocol

/// The demo's `MQTT_CLIENT_ID`, a printf format: `os_sprintf(device_id, MQTT_CLIENT_ID,
/// system_get_chip_id())` into `device_id[32]` (esp8266-sdk.md §1.1). Parsed once; expanding
/// it for a board's chip id gives the client id that board's firmware will log in with.
public struct ClientIDFormat: Sendable, Hashable {
    public enum Piece: Sendable, Hashable {
        case literal([UInt8])
        /// `%08X`: the chip id, 8 upper-case hex digits.
        case chipID
    }

    public let pieces: [Piece]
    /// The longest client id the firmware's buffer holds (device_id[32] with its terminator).
    public static let maxLength = 31

    /// Accepts at most one `%08X` and `%%`; anything else would print garbage or read past
    /// the one argument the demo passes.
    public init(_ format: [UInt8]) throws(FirmwareConfigError) {
        try self.init(format, shownAs: String(decoding: CStringLiteral.encode(format), as: UTF8.self))
    }

    /// `shownAs` is how errors quote the format ("(secret)" for a secret value).
    init(_ format: [UInt8], shownAs shown: String) throws(FirmwareConfigError) {
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var i = 0
        while i < format.count {
            guard format[i] == UInt8(ascii: "%") else { literal.append(format[i]); i += 1; continue }
            if i + 1 < format.count, format[i + 1] == UInt8(ascii: "%") {
                literal.append(UInt8(ascii: "%"))
                i += 2
            } else if Array(format[i..<min(i + 4, format.count)]) == Array("%08X".utf8) {
                guard !pieces.contains(.chipID) else {
                    throw FirmwareConfigError(.badFormat, "MQTT_CLIENT_ID \(shown) has a second %08X at byte \(i); the demo passes only one chip id",
                                              hint: "keep one %08X; write a literal percent as %%")
                }
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = [] }
                pieces.append(.chipID)
                i += 4
            } else {
                let sequence = String(decoding: format[i..<min(i + 4, format.count)], as: UTF8.self)
                throw FirmwareConfigError(.badFormat, "MQTT_CLIENT_ID \(shown) has the printf conversion \"\(sequence)…\" at byte \(i); only %08X (the chip id) and %% are allowed",
                                          hint: "the client id is a printf format: write a literal percent as %%")
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
        guard expandedLength <= Self.maxLength else {
            throw FirmwareConfigError(.tooLong, "MQTT_CLIENT_ID \(shown) expands to \(expandedLength) bytes with an 8-digit chip id; the demo's device_id[32] holds at most \(Self.maxLength)",
                                      hint: "shorten the fixed part of the client id")
        }
    }

    public init(_ format: String) throws(FirmwareConfigError) {
        try self.init(Array(format.utf8))
    }

    /// Without `%08X` every board gets the same id (the ledger refuses the second one).
    public var usesChipID: Bool { pieces.contains(.chipID) }

    public var expandedLength: Int {
        pieces.reduce(0) { total, piece in
            switch piece {
            case .literal(let bytes): total + bytes.count
            case .chipID: total + 8
            }
        }
    }

    /// The client id for a chip id, as the firmware's os_sprintf prints it.
    public func expand(chipID: UInt32) -> String {
        let hex = String(chipID, radix: 16, uppercase: true)
        let digits = String(repeating: "0", count: 8 - hex.count) + hex
        return String(decoding: pieces.flatMap { piece -> [UInt8] in
            switch piece {
            case .literal(let bytes): bytes
            case .chipID: Array(digits.utf8)
            }
        }, as: UTF8.self)
    }

    /// The client id a board's firmware will use. `chipID` is the OTP-read id when known
    /// (ChipInfo.chipID); otherwise it is derived from the MAC where the OUI allows.
    public func clientID(chip: Chip, chipID: UInt32?, mac: [UInt8]) throws(FirmwareConfigError) -> String {
        guard usesChipID else { return expand(chipID: 0) }
        guard chip == .esp8266 else {
            throw FirmwareConfigError(.notAllowed, "MQTT_CLIENT_ID's %08X is the ESP8266 SDK's system_get_chip_id(); \(chip.rawValue) has no such id",
                                      hint: "use an ESP8266 profile, or a client id format without %08X")
        }
        guard let id = chipID ?? ESP8266ChipID.fromMAC(mac) else {
            throw FirmwareConfigError(.notAllowed, "the chip id of MAC \(mac.map { hex2($0) }.joined(separator: ":")) cannot be derived from the MAC (custom OUI)",
                                      hint: "read it from the chip's OTP (esprig chip-id)")
        }
        return expand(chipID: id)
    }
}

private func hex2(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return digits.count == 1 ? "0" + digits : digits
}

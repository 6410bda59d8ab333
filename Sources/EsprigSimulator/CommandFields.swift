import EsprigProtocol

/// The request fields worth logging for each opcode, named as esptool's code names them.
enum CommandFields {
    static func decode(_ command: CommandPacket) -> [String: UInt32] {
        let d = command.data
        func words(_ names: [String]) -> [String: UInt32] {
            var out: [String: UInt32] = [:]
            for (i, name) in names.enumerated() { if let w = d.u32LE(at: 4 * i) { out[name] = w } }
            return out
        }
        switch Opcode(rawValue: command.opcode) {
        case .flashBegin, .flashDeflBegin: return words(["size", "blocks", "blockSize", "offset", "encrypted"])
        case .memBegin: return words(["size", "blocks", "blockSize", "offset"])
        case .flashData, .flashDeflData, .memData:
            var fields = words(["length", "seq"])
            fields["checksum"] = command.checksum
            return fields
        case .flashEnd, .flashDeflEnd: return words(["flag"])
        case .memEnd: return words(["flag", "entry"])
        case .readReg: return words(["addr"])
        case .writeReg:
            var fields = words(["addr", "value", "mask"])
            fields["entries"] = UInt32(d.count / 16)
            return fields
        case .changeBaudrate: return words(["baud", "oldBaud"])
        case .spiFlashMD5, .readFlashSlow, .eraseRegion: return words(["addr", "size"])
        case .readFlash: return words(["addr", "size", "packetSize", "maxInFlight"])
        case .spiSetParams: return words(["id", "size", "blockSize", "sectorSize", "pageSize", "statusMask"])
        case .spiAttach: return words(["config"])
        default: return [:]
        }
    }
}

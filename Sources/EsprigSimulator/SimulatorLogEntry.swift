import Foundation

/// One command the board received, as written to the JSON-lines log.
public struct SimulatorLogEntry: Sendable, Codable, Equatable {
    /// Seconds since host start when the command was handled.
    public var time: Double
    /// "rom" or "stub": the loader that handled it.
    public var loader: String
    /// esptool's name for the opcode (`FLASH_DATA`), or `0xNN` for unknown ones.
    public var opcode: String
    /// Decoded request fields (addr, size, blocks, blockSize, seq, flag, baud, ...).
    public var fields: [String: UInt32]
    /// Status bytes sent, as hex ("0000", "0105", "c100"); nil when the command gets no reply.
    public var status: String?

    public init(time: Double, loader: String, opcode: String, fields: [String: UInt32], status: String?) {
        self.time = time
        self.loader = loader
        self.opcode = opcode
        self.fields = fields
        self.status = status
    }

    /// One line of JSON with sorted keys, so logs diff cleanly.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding strings, integers and a finite Double cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

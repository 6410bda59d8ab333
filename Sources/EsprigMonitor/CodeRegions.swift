import EsprigProtocol

/// Address ranges that hold code, so only stack words that can be return addresses are
/// looked up (a stack dump is mostly data).
public struct CodeRegions: Sendable {
    public let ranges: [Range<UInt32>]

    public static func forChip(_ chip: Chip) -> CodeRegions {
        switch chip {
        case .esp8266:
            // IRAM, then irom0 text mapped from flash.
            return CodeRegions(ranges: [0x4010_0000..<0x4011_0000, 0x4020_0000..<0x4030_0000])
        case .esp32:
            // Internal ROM/IRAM and flash-mapped text.
            return CodeRegions(ranges: [0x4000_0000..<0x400C_2000, 0x400D_0000..<0x4040_0000])
        }
    }

    public func isCode(_ address: UInt32) -> Bool { ranges.contains { $0.contains(address) } }
}

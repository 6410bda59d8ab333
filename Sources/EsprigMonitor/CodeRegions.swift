import EsprigProtocol

/// Address ranges that hold code, so only stack words that can be return addresses are
/// looked up (a stack dump is mostly data).
public struct CodeRegions: Sendable {
    public let ranges: [Range<UInt32>]

    public static func forChip(_ chip: Chip) -> CodeRegions {
        CodeRegions(ranges: chip.spec.codeRanges)
    }

    public func isCode(_ address: UInt32) -> Bool { ranges.contains { $0.contains(address) } }
}

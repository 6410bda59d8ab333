/// Little-endian helpers for wire structures (every multi-byte loader field is LE).
extension Array where Element == UInt8 {
    public mutating func appendLE(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }
    public mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }
    public static func le(_ words: UInt32...) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(words.count * 4)
        for w in words { out.appendLE(w) }
        return out
    }
}

extension Collection where Element == UInt8, Index == Int {
    /// The u32 at `offset` (relative to startIndex), or nil when out of range.
    public func u32LE(at offset: Int) -> UInt32? {
        let i = startIndex + offset
        guard offset >= 0, i + 4 <= endIndex else { return nil }
        return UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
    }
    public func u16LE(at offset: Int) -> UInt16? {
        let i = startIndex + offset
        guard offset >= 0, i + 2 <= endIndex else { return nil }
        return UInt16(self[i]) | UInt16(self[i + 1]) << 8
    }
}

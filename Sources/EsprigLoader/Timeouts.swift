import EsprigProtocol

/// Every timeout the loader uses, in one value so a flag or config can override them
/// (esptool `config.py` names in comments).
public struct Timeouts: Sendable, Hashable {
    public var standard: Duration = .seconds(3)            // timeout
    public var sync: Duration = .milliseconds(100)         // sync_timeout
    public var chipErase: Duration = .seconds(120)         // chip_erase_timeout
    public var maximum: Duration = .seconds(240)           // max_timeout
    public var md5PerMiB: Duration = .seconds(8)           // md5_timeout_per_mb
    public var eraseRegionPerMiB: Duration = .seconds(40)  // erase_region_timeout_per_mb
    public var eraseWritePerMiB: Duration = .seconds(40)   // erase_write_timeout_per_mb

    public init() {}

    /// esptool `timeout_per_mb`: never below the standard timeout, never above the cap.
    public func perMiB(_ rate: Duration, bytes: Int) -> Duration {
        let scaled = rate * (Double(bytes) / 1_000_000)
        return min(max(standard, scaled), maximum)
    }
}

/// Time the given number of bytes needs on the wire at 10 bits per byte (8N1).
public func wireTime(bytes: Int, baud: Int) -> Duration {
    guard baud > 0 else { return .zero }
    return .nanoseconds(Int64(bytes) * 10 * 1_000_000_000 / Int64(baud))
}

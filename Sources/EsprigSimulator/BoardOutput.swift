/// What a `SimulatedBoard` transmits, in order.
public enum BoardOutput: Sendable, Equatable {
    /// Bytes to transmit (already SLIP-encoded where they are a frame), not before `notBefore`
    /// (time since host start) when the flash timing model makes the device busy.
    case bytes([UInt8], notBefore: Duration?)
    /// From here on the device talks (and listens) at this rate.
    case baudChange(Int)
}

extension Array where Element == BoardOutput {
    /// All transmitted bytes, ignoring timing and baud changes (for tests and simple hosts).
    public var transmittedBytes: [UInt8] {
        flatMap { output -> [UInt8] in
            if case .bytes(let b, _) = output { return b }
            return []
        }
    }
}

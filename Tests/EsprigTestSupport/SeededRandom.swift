/// A deterministic generator for tests (SplitMix64), so a failing case can be replayed from its seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// `count` random bytes; with `biasedTowards`, about a quarter of them are drawn from that list
    /// (e.g. SLIP's special bytes, or 0x00/0xFF runs for compression).
    public mutating func bytes(_ count: Int, biasedTowards special: [UInt8] = []) -> [UInt8] {
        (0..<count).map { _ in
            let value = next()
            if !special.isEmpty, value & 3 == 0 { return special[Int((value >> 8) % UInt64(special.count))] }
            return UInt8(truncatingIfNeeded: value >> 16)
        }
    }
}

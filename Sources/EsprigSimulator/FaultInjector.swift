/// Seeded line faults on the bytes the device receives: a byte is lost with `dropProbability`,
/// otherwise one of its bits flips with `corruptProbability`. The outcome depends only on the seed
/// and the byte sequence, never on how the bytes were chunked.
struct FaultInjector {
    let dropProbability: Double
    let corruptProbability: Double
    private var rng: SplitMix64

    init(seed: UInt64, dropProbability: Double, corruptProbability: Double) {
        self.rng = SplitMix64(seed: seed)
        self.dropProbability = dropProbability
        self.corruptProbability = corruptProbability
    }

    var isActive: Bool { dropProbability > 0 || corruptProbability > 0 }

    mutating func apply(_ bytes: [UInt8]) -> [UInt8] {
        guard isActive else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            // Always draw the same number of values per byte so later bytes see the same stream.
            let dropDraw = rng.nextUnit()
            let corruptDraw = rng.nextUnit()
            let bit = UInt8(truncatingIfNeeded: rng.next() % 8)
            if dropDraw < dropProbability { continue }
            out.append(corruptDraw < corruptProbability ? byte ^ (1 << bit) : byte)
        }
        return out
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for fault placement.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

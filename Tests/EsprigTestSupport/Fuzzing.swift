import Foundation

/// How many generated inputs a fuzz test runs: `base` per CI run, times ESPRIG_FUZZ_SCALE when
/// set (e.g. 100 for a long local run). The seed is fixed, so a failure names its input index.
public enum FuzzBudget {
    public static func iterations(_ base: Int) -> Int {
        let scale = ProcessInfo.processInfo.environment["ESPRIG_FUZZ_SCALE"].flatMap(Int.init) ?? 1
        return base * max(1, scale)
    }
}

extension SeededRandom {
    /// `input` with a few random edits: bit flips, inserted or deleted bytes, a truncation, or a
    /// byte from `special` (delimiters, length bytes) dropped in.
    public mutating func mutate(_ input: [UInt8], special: [UInt8] = []) -> [UInt8] {
        var out = input
        for _ in 0..<int(1...4) {
            switch int(0...4) {
            case 0 where !out.isEmpty:
                let i = int(0...(out.count - 1))
                out[i] ^= 1 << UInt8(int(0...7))
            case 1:
                let byte = !special.isEmpty && int(0...1) == 0 ? special[int(0...(special.count - 1))] : UInt8(truncatingIfNeeded: next())
                out.insert(byte, at: int(0...out.count))
            case 2 where !out.isEmpty:
                out.remove(at: int(0...(out.count - 1)))
            case 3 where !out.isEmpty:
                out.removeLast(int(0...(out.count - 1)))
            default:
                if !out.isEmpty { out[int(0...(out.count - 1))] = UInt8(truncatingIfNeeded: next()) }
            }
        }
        return out
    }
}

import EsprigProtocol
import Foundation

/// What a fault scenario may leave in flash: the target regions (whole 4 KiB sectors, since
/// writes erase sectors) may hold the new bytes, and every byte outside them must be as before.
public struct WholeFlashCheck: Sendable {
    public let before: [UInt8]
    public let writes: [(address: Int, data: [UInt8])]

    public init(before: [UInt8], writes: [(address: Int, data: [UInt8])]) {
        self.before = before
        self.writes = writes
    }

    /// The sector-aligned spans the writes may touch.
    public var targets: [Range<Int>] {
        writes.map { FlashGeometry.alignDown($0.address)..<FlashGeometry.alignUp($0.address + $0.data.count) }
    }

    /// Changed bytes outside every target, as merged spans (empty when nothing was damaged).
    public func damageOutsideTargets(_ after: [UInt8]) -> [Range<Int>] {
        precondition(after.count == before.count, "flash size changed")
        var inTarget = [Bool](repeating: false, count: after.count)
        for target in targets { for i in target where i < after.count { inTarget[i] = true } }
        var spans: [Range<Int>] = []
        var i = 0
        while i < after.count {
            guard !inTarget[i], after[i] != before[i] else { i += 1; continue }
            let start = i
            while i < after.count, !inTarget[i], after[i] != before[i] { i += 1 }
            spans.append(start..<i)
        }
        return spans
    }

    /// True when every target holds its new bytes (the rest of its last sector erased or kept).
    public func targetsHoldNewBytes(_ after: [UInt8]) -> Bool {
        writes.allSatisfy { after[$0.address..<($0.address + $0.data.count)].elementsEqual($0.data) }
    }

    /// A one-line account for failure messages.
    public func describe(_ after: [UInt8]) -> String {
        let damage = damageOutsideTargets(after)
        let shown = damage.prefix(4).map { String(format: "0x%x..0x%x", $0.lowerBound, $0.upperBound) }.joined(separator: ", ")
        return "targets \(targetsHoldNewBytes(after) ? "hold" : "do not hold") the new bytes; "
            + (damage.isEmpty ? "nothing outside changed" : "\(damage.reduce(0) { $0 + $1.count }) bytes outside changed: \(shown)")
    }
}

/// Random flash contents written to a file, for the simulator's `image=` option: a damaged byte
/// outside the targets shows only where flash was not blank to begin with.
public func randomFlashImage(size: Int, seed: UInt64, in directory: TempDirectory) throws -> (path: String, bytes: [UInt8]) {
    var rng = SeededRandom(seed: seed)
    let bytes = rng.bytes(size)
    let path = directory.file("flash-\(seed).bin")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return (path, bytes)
}

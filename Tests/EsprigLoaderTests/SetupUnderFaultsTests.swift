import Testing
import EsprigLoader
import EsprigProtocol
import EsprigTestSupport

/// Light line faults (0.1 % of the bytes the board receives corrupted or lost) from the first
/// byte on: the connect, the stub upload, the baud change and the flash setup must all ride them
/// out, in one session and without the test retrying, and the write must end verified with every
/// byte outside the region as it was.
@Suite("Session setup and write under faults from the first byte")
struct SetupUnderFaultsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var chip: Chip
        var kind: String
        var seed: UInt64
        var testDescription: String { "\(chip.rawValue) \(kind)=0.001 seed=\(seed)" }
    }

    static let cases: [Case] = [Chip.esp8266, .esp32].flatMap { chip in
        ["corrupt", "drop"].flatMap { kind in (1...4).map { Case(chip: chip, kind: kind, seed: $0) } }
    }

    @Test("stub upload, baud change and a 48 KiB write succeed and verify", arguments: cases)
    func setupAndWrite(_ run: Case) throws {
        let directory = try TempDirectory()
        let image = try randomFlashImage(size: 1 << 20, seed: 1000 + run.seed, in: directory)
        let bench = try SimulatedBench(run.chip, query: ["flash": "1MB", "image": image.path, run.kind: "0.001", "seed": "\(run.seed)"])
        var rng = SeededRandom(seed: run.seed)
        let data = rng.bytes(48 * 1024)
        let check = WholeFlashCheck(before: image.bytes, writes: [(0x40000, data)])
        let session = try bench.session(baud: 460_800)
        #expect(session.connection.isStub, "the stub must be running")
        let results = try session.writeFlash([FlashWrite(address: 0x40000, data: data, source: "app.bin")], options: FlashOptions())
        #expect(results.values.allSatisfy { $0 == .verified })
        let after = bench.board.flash
        #expect(check.targetsHoldNewBytes(after) && check.damageOutsideTargets(after).isEmpty, "\(check.describe(after))")
    }
}

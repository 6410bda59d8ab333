import Testing
import EsprigLoader
import EsprigProtocol
import EsprigTestSupport

/// FLASH_BEGIN's address and size are covered by no checksum: one flipped bit sends the erase or
/// the data elsewhere while the region itself can still end verified after a retry. With
/// `checkOutsideRegions` esprig hashes the rest of the flash before and after, so such a write
/// is never reported as a success.
@Suite("Garbled FLASH_BEGIN header fields")
struct HeaderFaultTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var chip: Chip
        var stub: Bool
        var field: String
        var testDescription: String { "\(chip.rawValue) \(stub ? "stub" : "ROM") flip-header=\(field)" }
    }

    static let cases: [Case] = [(Chip.esp8266, true), (.esp32, true), (.esp32, false)].flatMap { chip, stub in
        ["begin-address", "begin-address:13", "begin-size", "begin-size:17", "begin-blocks", "data-seq"].map { Case(chip: chip, stub: stub, field: $0) }
    }

    @Test("damage outside the region is reported as a failure naming it; no damage, no failure", arguments: cases)
    func garbledHeader(_ run: Case) throws {
        let directory = try TempDirectory()
        let image = try randomFlashImage(size: 1 << 20, seed: 31, in: directory)
        let bench = try SimulatedBench(run.chip, query: ["flash": "1MB", "image": image.path, "flip-header": run.field])
        var rng = SeededRandom(seed: 32)
        let data = rng.bytes(32 * 1024)
        let check = WholeFlashCheck(before: image.bytes, writes: [(0x40000, data)])
        let session = try bench.session(stub: run.stub, baud: 460_800)
        var options = FlashOptions()
        options.checkOutsideRegions = true
        var failure: LoaderError?
        do {
            let results = try session.writeFlash([FlashWrite(address: 0x40000, data: data, source: "app.bin")], options: options)
            #expect(results.values.allSatisfy { $0 == .verified })
        } catch { failure = error }
        let after = bench.board.flash
        let damage = check.damageOutsideTargets(after)
        if damage.isEmpty {
            #expect(failure == nil, "nothing outside changed, yet: \(failure?.message ?? "")")
            #expect(check.targetsHoldNewBytes(after), "\(check.describe(after))")
        } else {
            let message = failure?.message ?? ""
            #expect(failure?.code == .writeFailed && message.contains("outside the written regions changed"),
                    "\(check.describe(after)), and esprig said: \(failure.map { $0.message } ?? "success")")
            // The reported spans cover the damage.
            #expect(damage.allSatisfy { span in message.contains(String(format: "0x%08x", span.lowerBound & ~0xFFF)) || message.contains("..") })
        }
    }
}

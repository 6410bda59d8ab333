import Testing
import EsprigLoader
import EsprigProtocol
import EsprigTestSupport

/// The one promise under faults: finish with verified content, or fail naming the region.
/// Never report success with wrong flash.
@Suite("Writes under injected faults")
struct FaultToleranceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var query: [String: String]
        /// Light faults must be ridden out; heavy ones may end in a clear failure.
        var mustVerify: Bool
        var testDescription: String { query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&") }
    }

    static let cases: [Case] = [
        Case(query: ["corrupt": "0.001", "seed": "1"], mustVerify: true),          // whole session
        Case(query: ["corrupt": "0.001", "seed": "2"], mustVerify: true),
        Case(query: ["drop": "0.001", "seed": "4"], mustVerify: true),
        Case(query: ["reset-after": "3", "seed": "6"], mustVerify: true),
        Case(query: ["reset-after": "1", "noise": "1", "seed": "7"], mustVerify: true),
        Case(query: ["corrupt": "0.01", "faults-after": "24", "seed": "3"], mustVerify: false),  // line goes bad mid-write
        Case(query: ["drop": "0.01", "faults-after": "24", "seed": "5"], mustVerify: false),
    ]

    @Test("faulty line: verified content or a failure naming the region", arguments: cases, [Chip.esp8266, .esp32])
    func faultyWrite(_ fault: Case, chip: Chip) throws {
        var rng = SeededRandom(seed: 99)
        var data = rng.bytes(64 * 1024)
        for i in stride(from: 0, to: data.count, by: 3) { data[i] = UInt8(i & 0x3F) }
        let directory = try TempDirectory()
        let image = try randomFlashImage(size: 1 << 20, seed: 99, in: directory)
        let bench = try SimulatedBench(chip, query: fault.query.merging(["flash": "1MB", "image": image.path]) { a, _ in a })
        let check = WholeFlashCheck(before: image.bytes, writes: [(0x20000, data)])
        // One session, no retry by the test: connecting and the stub upload must survive the faults.
        let session = try bench.session(baud: 460_800)
        do {
            let results = try session.writeFlash([FlashWrite(address: 0x20000, data: data, source: "app.bin")], options: FlashOptions())
            #expect(results.values.allSatisfy { $0 == .verified }, "success must mean verified")
            #expect(check.targetsHoldNewBytes(bench.board.flash), "reported success with wrong flash: \(check.describe(bench.board.flash))")
        } catch {
            #expect(!fault.mustVerify, "light faults must be ridden out: \(error.message)")
            #expect(error.code == .writeFailed, "unexpected failure \(error.code): \(error.message)")
            #expect(error.message.contains("0x00020000") && error.message.contains("app.bin"), "the failure names the region: \(error.message)")
        }
        // Success or not, nothing outside the region may change.
        #expect(check.damageOutsideTargets(bench.board.flash).isEmpty, "\(check.describe(bench.board.flash))")
    }

    @Test("a write that cannot finish is reported as failed, never as verified")
    func hopelessLine() throws {
        let bench = try SimulatedBench(.esp8266, query: ["corrupt": "0.05", "faults-after": "24", "seed": "8"])
        let session = try bench.session()
        var options = FlashOptions()
        options.regionAttempts = 4
        var rng = SeededRandom(seed: 8)
        let data = rng.bytes(20_000)
        do {
            _ = try session.writeFlash([FlashWrite(address: 0x10000, data: data, source: "x.bin")], options: options)
            Issue.record("a 5% corrupting line cannot carry 20 KB of random data")
        } catch {
            #expect(error.code == .writeFailed)
            #expect(error.message.contains("0x00010000") && error.message.contains("x.bin"))
        }
    }
}

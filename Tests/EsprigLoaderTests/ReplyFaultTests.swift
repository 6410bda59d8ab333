import Testing
import EsprigLoader
import EsprigProtocol
import EsprigTestSupport

/// Faults on what the board sends back: random ones (bytes corrupted or lost, frames lost,
/// repeated or late) and aimed ones (a status byte, an MD5 answer, a READ_FLASH packet, the cable
/// pulled, an unprotected header field). After each the WHOLE simulated flash is compared: the
/// region holds the new bytes when esprig says success, and nothing outside it changed, ever.
@Suite("Faults on the reply path")
struct ReplyFaultTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var chip: Chip
        var query: [String: String]
        var testDescription: String { chip.rawValue + " " + query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&") }
    }

    static let address = 0x40000
    static let length = 64 * 1024

    static let randomKinds: [[String: String]] = [
        ["reply-corrupt": "0.001"], ["reply-drop": "0.001"], ["reply-drop-frame": "0.01"],
        ["reply-duplicate": "0.02"], ["reply-delay": "0.01", "reply-delay-ms": "700"],
        ["reply-corrupt": "0.001", "corrupt": "0.001"],
    ]
    static let randomCases: [Case] = [Chip.esp8266, .esp32].flatMap { chip in
        randomKinds.map { Case(chip: chip, query: $0.merging(["seed": "1"]) { a, _ in a }) }
    }

    /// Light random faults must be ridden out: the write verifies and 128 KiB read back around
    /// it (the region and what follows) are exact.
    @Test("random reply faults: verified write, exact read-back, nothing else changed", arguments: randomCases)
    func randomFaults(_ run: Case) throws {
        let outcome = try Self.run(run)
        #expect(outcome.writeError == nil, "the write must survive: \(outcome.writeError ?? "")")
        #expect(outcome.readError == nil, "the read must survive: \(outcome.readError ?? "")")
        #expect(outcome.readExact, "read-back differs from flash")
        #expect(outcome.targetsHold, "\(outcome.summary)")
        #expect(outcome.damage.isEmpty, "\(outcome.summary)")
    }

    static let aimed: [[String: String]] = (
        [8, 12, 16, 20, 24, 28, 32].map { ["flip-status": "\($0)"] }
        + (1...4).map { ["alter-md5": "\($0)"] }
        + [1, 2, 3].map { ["lose-read-packet": "\($0)"] }
        + [1, 2].map { ["repeat-read-packet": "\($0)"] }
        + ["begin-size", "begin-blocks", "data-seq"].map { ["flip-header": $0] }
    )
    static let aimedCases: [Case] = [Chip.esp8266, .esp32].flatMap { chip in aimed.map { Case(chip: chip, query: $0) } }

    /// Each aimed fault is detected (retried, re-read) or ends in a clear failure: success is
    /// only ever reported for flash that holds the new bytes, and nothing outside changes.
    @Test("aimed faults: detected, success only when verified, nothing outside changed", arguments: aimedCases)
    func aimedFaults(_ run: Case) throws {
        let outcome = try Self.run(run)
        if outcome.writeError == nil { #expect(outcome.targetsHold, "success reported for wrong flash: \(outcome.summary)") }
        if outcome.readError == nil { #expect(outcome.readExact, "read-back reported success with wrong bytes") }
        #expect(outcome.damage.isEmpty, "\(outcome.summary)")
        // One fault, many retries: these are all survivable.
        #expect(outcome.writeError == nil && outcome.readError == nil, "\(outcome.writeError ?? "") \(outcome.readError ?? "")")
    }

    /// The cable pulled mid-write, mid-read: a clear failure, never success.
    @Test("a cable pulled mid-frame ends in a failure, not a success", arguments: [(Chip.esp8266, 20_000), (.esp32, 60_000)])
    func unplug(_ chip: Chip, after bytes: Int) throws {
        let outcome = try Self.run(Case(chip: chip, query: ["unplug-after": "\(bytes)"]), connectMayFail: true)
        #expect(outcome.writeError != nil || outcome.readError != nil, "the board went silent, yet everything succeeded")
        if outcome.writeError == nil { #expect(outcome.targetsHold) }
        if outcome.readError == nil { #expect(outcome.readExact) }
        #expect(outcome.damage.isEmpty, "\(outcome.summary)")
    }

    struct Outcome {
        var writeError: String?
        var readError: String?
        var readExact = false
        var targetsHold = false
        var damage: [Range<Int>] = []
        var summary = ""
    }

    static func run(_ run: Case, connectMayFail: Bool = false) throws -> Outcome {
        let directory = try TempDirectory()
        let seed = UInt64(run.query["seed"] ?? "0") ?? 0
        let image = try randomFlashImage(size: 1 << 20, seed: 500 + seed, in: directory)
        let bench = try SimulatedBench(run.chip, query: run.query.merging(["flash": "1MB", "image": image.path]) { a, _ in a })
        var rng = SeededRandom(seed: 77 + seed)
        let data = rng.bytes(length)
        let check = WholeFlashCheck(before: image.bytes, writes: [(address, data)])
        var outcome = Outcome()
        let session: FlashSession
        do { session = try bench.session(baud: 460_800) } catch {
            guard connectMayFail else { throw error }
            outcome.writeError = "\(error)"
            outcome.damage = check.damageOutsideTargets(bench.board.flash)
            return outcome
        }
        do {
            let results = try session.writeFlash([FlashWrite(address: address, data: data, source: "app.bin")], options: FlashOptions())
            if !results.values.allSatisfy({ $0 == .verified }) { outcome.writeError = "not verified: \(results)" }
        } catch { outcome.writeError = error.message }
        do {
            let read = try session.readFlash(address: address - 0x8000, size: 0x20000)
            outcome.readExact = read[...] == bench.board.flash[(address - 0x8000)..<(address + 0x18000)]
        } catch { outcome.readError = error.message }
        let after = bench.board.flash
        outcome.targetsHold = check.targetsHoldNewBytes(after)
        outcome.damage = check.damageOutsideTargets(after)
        outcome.summary = check.describe(after)
        return outcome
    }
}

import Testing
import EsprigTestSupport
@testable import EsprigMonitor

/// The boot banner tracker (when the ESP8266 ROM's 74880-baud text is over) on seeded random
/// line and timing sequences, mutated ROM lines among them (fixed seed; ESPRIG_FUZZ_SCALE runs longer).
@Suite("Boot banner tracker, fuzzed")
struct BootBannerTrackerFuzzTests {
    /// Lines the ROM prints that do not end its output.
    static let ongoing = ["", " ets Jan  8 2013,rst cause:2, boot mode:(3,6)", "load 0x40100000, len 27728, room 16",
                          "tail 0", "chksum 0x2a", "load 0x3ffe8000, len 2124, room 8", "ho 0 tail 12 room 4"]
    /// Lines after which it is over: the image's checksum line, a halt, download mode.
    static let final = ["csum 0x2a", "  csum err", "ets_main.c", "waiting for host",
                        " ets Jan  8 2013,rst cause:2, boot mode:(1,7)"]

    @Test("never over early on ongoing lines while bytes keep coming; over after the limit, after a final line, after silence; never un-over")
    func sequences() {
        var rng = SeededRandom(seed: 0xB007)
        let quiet = Duration.milliseconds(200), limit = Duration.seconds(3)
        for run in 0..<FuzzBudget.iterations(600) {
            var tracker = BootBannerTracker(startedAt: .zero, quietTime: quiet, limit: limit)
            var now = Duration.zero
            var wasOver = false
            let ending = rng.int(0...2)   // 0: a final line, 1: silence, 2: the overall limit
            let steps = rng.int(1...40)
            for step in 0..<steps {
                // Bytes arrive faster than the quiet time, and the run stays inside the limit.
                now += .milliseconds(rng.int(1...150))
                guard now < limit - .milliseconds(200) else { break }
                tracker.received(at: now)
                var line = Self.ongoing[rng.int(0...(Self.ongoing.count - 1))]
                if rng.int(0...3) == 0 {
                    // A mutated ongoing line may turn into anything, so only the invariants hold after it.
                    line = String(decoding: rng.mutate(Array(line.utf8), special: Array("csum ets_main.c(,):".utf8)), as: UTF8.self)
                    tracker.line(line)
                    tracker.tick(at: now)
                    if wasOver { #expect(tracker.isOver, "run \(run): over, then not over") }
                    wasOver = tracker.isOver
                    continue
                }
                tracker.line(line)
                tracker.tick(at: now)
                // An ongoing line neither ends the banner nor un-ends it.
                #expect(tracker.isOver == wasOver, "run \(run) step \(step): '\(line)' changed the state")
                wasOver = tracker.isOver
            }
            switch ending {
            case 0:
                tracker.received(at: now)
                tracker.line(Self.final[rng.int(0...(Self.final.count - 1))])
            case 1:
                tracker.tick(at: now + quiet)
            default:
                tracker.tick(at: limit)
            }
            #expect(tracker.isOver, "run \(run): not over after ending \(ending)")
        }
    }

    @Test("reset lines with huge, negative or missing numbers parse to nil or to the digits they hold, never crash")
    func resetLines() {
        var rng = SeededRandom(seed: 0x4E5E7)
        let base = Array(" ets Jan  8 2013,rst cause:2, boot mode:(3,6)".utf8)
        for _ in 0..<FuzzBudget.iterations(2000) {
            var bytes = rng.mutate(base, special: Array("0123456789(),:-".utf8))
            if rng.int(0...4) == 0 { bytes += Array(String(repeating: "9", count: rng.int(1...40)).utf8) }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let report = ResetReport(line: text) else { continue }
            #expect(text.contains("rst cause:\(report.cause), boot mode:(\(report.bootMode.strap),\(report.bootMode.detail))"), "\(text)")
        }
    }
}

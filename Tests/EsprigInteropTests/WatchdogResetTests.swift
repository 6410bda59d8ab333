import EsprigProtocol
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// `--after watchdog-reset` against esptool 5.6 on the same simulated board: where esptool has a
/// watchdog reset, esprig writes the same registers with the same values in the same order as
/// its last commands; where it has none, both say so and fall back to the RTS reset.
@Suite("watchdog-reset as esptool does it")
struct WatchdogResetTests {
    struct Write: Equatable, CustomStringConvertible {
        let address: UInt32, value: UInt32, mask: UInt32
        var description: String { String(format: "0x%08x=0x%08x/0x%08x", address, value, mask) }
    }

    /// The WRITE_REGs among the last four commands a run sent.
    static func lastWrites(_ log: ArraySlice<SimulatorLogEntry>) -> [Write] {
        log.suffix(4).compactMap { entry in
            guard entry.opcode == "WRITE_REG", let a = entry.fields["addr"], let v = entry.fields["value"], let m = entry.fields["mask"] else { return nil }
            return Write(address: a, value: v, mask: m)
        }
    }

    @Test("the same register writes as esptool on every chip with a watchdog reset; the same fallback note on those without")
    func sameAsEsptool() throws {
        let esprig = try ToolRunner.locateEsprig()
        for chip in [Chip.esp32s2, .esp32s3, .esp32c2, .esp32c3, .esp32p4, .esp32c6, .esp32] {
            let bench = try EsptoolBench(chip: chip, transport: .tcp, seed: 31)
            let theirs = try bench.esptool(["chip-id"], global: ["--after", "watchdog-reset"], chipArgument: nil)
            let esptoolLog = bench.server.withBoard { $0.commandLog }
            bench.resetIntoLoader()
            let mine = try esprig.run(["-p", bench.server.address, "--before", "no-reset", "--after", "watchdog-reset", "chip-id"], timeout: .seconds(60))
            #expect(mine.status == 0, "\(chip): \(mine.output)")
            let esprigLog = bench.server.withBoard { $0.commandLog }.dropFirst(esptoolLog.count)
            let esptoolWrites = Self.lastWrites(esptoolLog[...]), esprigWrites = Self.lastWrites(esprigLog)
            if chip.spec.watchdog != nil {
                #expect(theirs.contains("Hard resetting with a watchdog..."), "\(chip): \(theirs)")
                #expect(mine.output.contains("Hard resetting with a watchdog..."), "\(chip): \(mine.output)")
                #expect(esptoolWrites.count == 4, "\(chip): esptool's last commands \(esptoolLog.suffix(4))")
                #expect(esprigWrites == esptoolWrites, "\(chip): esprig \(esprigWrites), esptool \(esptoolWrites)")
            } else {
                let note = "Watchdog hard reset is not supported on \(chip.spec.displayName), attempting classic hard reset instead."
                #expect(theirs.contains(note), "\(chip): \(theirs)")
                #expect(mine.output.contains(note), "\(chip): \(mine.output)")
                // No watchdog was unlocked: esptool's key is written by neither tool.
                let unlocks = (esptoolWrites + esprigWrites).filter { $0.value == 0x50D8_3AA1 }
                #expect(unlocks.isEmpty, "\(chip): esprig \(esprigWrites), esptool \(esptoolWrites)")
            }
        }
    }
}

import EsprigTestSupport
import Testing

/// Each C program is built twice, for the host with `cc` and for the LX106 with Debian's
/// xtensa-lx106-elf-gcc at -O0, -O2 and -Os; what the core prints must equal what the host
/// printed, byte for byte. The host's compiler and CPU are the oracle.
@Suite("Differential: C programs on the core against the host")
struct DifferentialTests {
    static let programs = ["arithmetic", "int64", "shifts", "division", "memory", "control"]

    @Test("the core's output equals the host's at -O0, -O2 and -Os", .enabled(if: CrossToolchain.isAvailable, "xtensa-lx106-elf-gcc not found: apt-get install gcc-xtensa-lx106"),
          arguments: programs)
    func program(_ name: String) throws {
        let directory = try TempDirectory(prefix: "lx106-diff")
        let expected = try CrossToolchain.hostOutput(program: name, in: directory)
        #expect(expected.count > 100, "the host program printed too little to compare")
        for optimization in ["-O0", "-O2", "-Os"] {
            let machine = TestMachine()
            try machine.load(elf: try CrossToolchain.targetELF(program: name, optimization: optimization, in: directory))
            let outcome = machine.run(cycles: 50_000_000)
            #expect(outcome == .exited(0), "\(name) \(optimization): \(outcome)")
            let difference = Self.firstDifference(expected: expected, actual: machine.output)
            #expect(difference == nil, "\(name) \(optimization): \(difference ?? "")")
        }
    }

    /// The first line where the outputs differ, both versions, or nil when they are equal.
    static func firstDifference(expected: [UInt8], actual: [UInt8]) -> String? {
        guard expected != actual else { return nil }
        let want = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let got = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(want.count, got.count) {
            let w = index < want.count ? String(want[index]) : "<end>"
            let g = index < got.count ? String(got[index]) : "<end>"
            if w != g { return "line \(index + 1): host printed '\(w)', the core printed '\(g)'" }
        }
        return "outputs differ in bytes that do not show as text"
    }
}

@testable import EsprigESP8266
import EsprigImage
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

    @Test("on the simulated ESP8266 (the ROM's uart_tx_one_char and libgcc helpers in Swift), the UART carries the host's output",
          .enabled(if: CrossToolchain.isAvailable, "xtensa-lx106-elf-gcc not found: apt-get install gcc-xtensa-lx106"),
          arguments: programs)
    func onTheChip(_ name: String) throws {
        let directory = try TempDirectory(prefix: "esp8266-diff")
        let expected = try CrossToolchain.hostOutput(program: name, in: directory)
        let elf = try ELFFile(bytes: try CrossToolchain.targetELF(program: name, optimization: "-Os", script: "program-esp8266.ld", in: directory))
        let shfAlloc: UInt32 = 2
        let segments = elf.sections.filter { $0.isProgram && $0.flags & shfAlloc != 0 && !$0.data.isEmpty }
            .map { ESP8266Machine.Segment(address: $0.address, bytes: $0.data) }
        let machine = ESP8266Machine(flash: NoFlash(), deviceRegister: { _ in nil })
        machine.start(segments: segments, entry: elf.entry)
        // The watchdog would bite at 1.6 s of chip time; the programs end long before.
        var output: [UInt8] = []
        for event in machine.run(until: .seconds(1), maxCycles: 100_000_000) {
            switch event {
            case .output(let bytes, _): output += bytes
            default: Issue.record("\(name): \(event)")
            }
        }
        #expect(machine.status == .idle, "\(name) did not return to the ROM")
        #expect(machine.core[register: 2] == 0, "\(name): main returned \(machine.core[register: 2])")
        let difference = Self.firstDifference(expected: expected, actual: output)
        #expect(difference == nil, "\(name): \(difference ?? "")")
    }

    /// The programs never touch flash.
    final class NoFlash: FlashMemory {
        var size: Int { 0 }
        func read(_ offset: Int, count: Int) -> [UInt8]? { nil }
        func program(_ bytes: [UInt8], at offset: Int) -> Bool { false }
        func erase(sector: Int) -> Bool { false }
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

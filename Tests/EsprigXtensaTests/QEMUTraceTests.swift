import EsprigImage
import EsprigTestSupport
import EsprigXtensa
import Foundation
import Testing

/// QEMU's own model of the lx106 core (Debian's qemu-system-misc: `qemu-system-xtensa -M sim
/// -cpu lx106`) as an instruction-level oracle: the same ELF runs one instruction per
/// translation block with `-d exec`, and the sequence of program counters it logs must equal
/// the interpreter's, instruction for instruction, at three optimisation levels. Programs/trace.c
/// steers its branches by what it computed, so a wrong result anywhere changes the path.
@Suite("QEMU lx106 trace against the interpreter",
       .enabled(if: CrossToolchain.isAvailable && CrossToolchain.which("qemu-system-xtensa") != nil,
                "needs xtensa-lx106-elf-gcc and qemu-system-xtensa (apt-get install gcc-xtensa-lx106 qemu-system-misc)"))
struct QEMUTraceTests {
    final class NoDevices: Bus {
        func load(_ address: UInt32, size: Int) -> UInt32? { nil }
        func store(_ address: UInt32, value: UInt32, size: Int) -> Bool { false }
    }

    static func build(_ optimization: String, in directory: TempDirectory) throws -> String {
        let elf = directory.file("trace\(optimization).elf")
        let programs = CrossToolchain.programs
        _ = try CrossToolchain.run("xtensa-lx106-elf-gcc", [
            optimization, "-std=c11", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-nostdlib", "-mlongcalls",
            "-T", "\(programs)/trace.ld", "-o", elf, "\(programs)/trace-entry.S", "\(programs)/trace.c", "-lgcc",
        ])
        return elf
    }

    /// QEMU's program counters, one per instruction, until it reaches `done`.
    static func qemuTrace(_ elf: String, done: UInt32, in directory: TempDirectory) throws -> [UInt32] {
        let log = directory.file("qemu.log")
        let qemu = try #require(CrossToolchain.which("qemu-system-xtensa"))
        // The program ends in SIMCALL SYS_exit, which -semihosting turns into QEMU exiting.
        let result = try ToolRunner(executable: qemu).run([
            "-M", "sim", "-cpu", "lx106", "-nographic", "-semihosting", "-monitor", "none", "-serial", "none",
            "-singlestep", "-d", "exec,nochain", "-D", log, "-kernel", elf,
        ], timeout: .seconds(60))
        try #require(result.status == 0, "qemu: \(result.output)")
        var trace: [UInt32] = []
        for line in try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n") where line.hasPrefix("Trace ") {
            // "Trace 0: 0x7f… [00000000/50000010/00018004/ff000201] "
            guard let open = line.firstIndex(of: "[") else { continue }
            let fields = line[line.index(after: open)...].split(separator: "/")
            guard fields.count > 1, let pc = UInt32(fields[1], radix: 16) else { continue }
            if pc == done { break }
            trace.append(pc)
        }
        return trace
    }

    @Test("the interpreter takes the path QEMU takes, instruction for instruction", arguments: ["-O0", "-O2", "-Os"])
    func sameTrace(_ optimization: String) throws {
        let directory = try TempDirectory(prefix: "qemu-trace")
        let path = try Self.build(optimization, in: directory)
        let elf = try ELFFile(bytes: try CrossToolchain.bytes(path))
        let nm = try CrossToolchain.run("xtensa-lx106-elf-nm", [path])
        let doneLine = try #require(nm.split(separator: "\n").first { $0.hasSuffix(" T done") })
        let done = try #require(UInt32(doneLine.prefix(8), radix: 16))

        let expected = try Self.qemuTrace(path, done: done, in: directory)
        #expect(expected.count > 5_000, "QEMU ran only \(expected.count) instructions")

        let core = LX106Core(bus: NoDevices())
        core.mapMemory(base: 0x5000_0000, size: 0x1_0000, access: [.read, .write, .execute])
        core.mapMemory(base: 0x6000_0000, size: 0x2_0000, access: [.read, .write])
        let shfAlloc: UInt32 = 2
        for section in elf.sections where section.isProgram && section.flags & shfAlloc != 0 && !section.data.isEmpty {
            try #require(core.writeBytes(section.data, at: section.address), "\(section.name)")
        }
        core.reset(pc: elf.entry)
        var actual: [UInt32] = []
        while core.pc != done && actual.count <= expected.count {
            actual.append(core.pc)
            _ = core.run(cycles: 1)
        }
        let first = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(first == nil, "\(optimization): instruction \(first?.offset ?? 0): QEMU at 0x\(String(first?.element.0 ?? 0, radix: 16)), the interpreter at 0x\(String(first?.element.1 ?? 0, radix: 16))")
        #expect(actual.count == expected.count, "\(optimization): QEMU ran \(expected.count) instructions to done, the interpreter \(actual.count)")
    }
}

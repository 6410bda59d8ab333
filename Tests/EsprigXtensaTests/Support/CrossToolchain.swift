import EsprigTestSupport
import Foundation

/// Debian's xtensa-lx106-elf toolchain and the host's C compiler, run at test time. Tests that
/// need them are skipped (with this reason) only when the cross compiler is not installed; CI
/// installs it through scripts/setup.sh.
enum CrossToolchain {

    static var isAvailable: Bool { which("xtensa-lx106-elf-gcc") != nil && which("xtensa-lx106-elf-as") != nil }

    static let programs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Programs").path

    struct Failed: Error, CustomStringConvertible { let description: String }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ tool: String, _ args: [String]) throws -> String {
        guard let executable = which(tool) else { throw Failed(description: "\(tool) not found on PATH") }
        let result = try ToolRunner(executable: executable).run(args, timeout: .seconds(60))
        guard result.status == 0 else { throw Failed(description: "\(tool) \(args.joined(separator: " ")) failed:\n\(result.output)") }
        return result.output
    }

    /// The program built for the host and run: its standard output.
    static func hostOutput(program: String, in directory: TempDirectory) throws -> [UInt8] {
        let binary = directory.file("\(program)-host")
        _ = try run("cc", ["-DHOST", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", binary, "\(programs)/\(program).c"])
        let result = try ToolRunner(executable: binary).run([], timeout: .seconds(30))
        guard result.status == 0 else { throw Failed(description: "\(program) on the host exited with \(result.status)") }
        return Array(result.output.utf8)
    }

    /// The program built at `optimization` ("-O2"…) for the LX106 test machine (`program.ld`) or
    /// the simulated ESP8266 (`program-esp8266.ld`): the ELF bytes.
    static func targetELF(program: String, optimization: String, script: String = "program.ld", in directory: TempDirectory) throws -> [UInt8] {
        let elf = directory.file("\(program)\(optimization)-\(script).elf")
        _ = try run("xtensa-lx106-elf-gcc", [
            optimization, "-std=c11", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-nostdlib", "-mlongcalls",
            "-fno-tree-loop-distribute-patterns", "-L", programs, "-T", "\(programs)/\(script)", "-o", elf,
            "\(programs)/start.S", "\(programs)/libc.c", "\(programs)/\(program).c", "-lgcc",
        ])
        return try bytes(elf)
    }

    /// Assembles `source` (with --text-section-literals) and links it at the start of IRAM.
    static func assemble(_ source: String, in directory: TempDirectory, name: String = "test") throws -> [UInt8] {
        let assembly = directory.file("\(name).s")
        try source.write(toFile: assembly, atomically: true, encoding: .utf8)
        _ = try run("xtensa-lx106-elf-as", ["--text-section-literals", "-o", directory.file("\(name).o"), assembly])
        _ = try run("xtensa-lx106-elf-ld", ["-Ttext=0x40100000", "-e", "_start", "-o", directory.file("\(name).elf"), directory.file("\(name).o")])
        return try bytes(directory.file("\(name).elf"))
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failed(description: "cannot read \(path)") }
        return [UInt8](data)
    }
}

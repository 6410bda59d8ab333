import Foundation

/// Builds `Firmware/esp8266-demo` with its Makefile once per test process and hands out the
/// ELF paths. The toolchain (Debian's gcc-xtensa-lx106) is required: its absence is a failure
/// with the install command, never a skip, because CI installs it.
public enum FirmwareBuild {
    public struct Artifacts: Sendable {
        /// v1 layout: RAM part at 0x0, irom at flash 0x10000.
        public let elf: String
        /// v2 layout: user1 at 0x1000 behind boot_v1.x (irom at 0x40201010).
        public let otaELF: String
    }

    public static let directory = PackagePaths.root + "/Firmware/esp8266-demo"

    /// Debian's xtensa-lx106 compiler and make are on PATH (scripts/setup.sh installs them).
    public static var toolchainAvailable: Bool { which("xtensa-lx106-elf-gcc") != nil && which("make") != nil }

    /// Runs make (bounded to two minutes) the first time; later calls reuse the outcome.
    public static func demo() throws -> Artifacts {
        try once.get()
    }

    private static let once: Result<Artifacts, any Error> = Result { try build() }

    private static func build() throws -> Artifacts {
        let compiler = "xtensa-lx106-elf-gcc"
        guard let make = which("make"), which(compiler) != nil else {
            throw MissingTool(message: "\(compiler) or make not found: apt-get install gcc-xtensa-lx106 binutils-xtensa-lx106 make (scripts/setup.sh does)")
        }
        let result = try ToolRunner(executable: make).run(["-C", directory, "all"], timeout: .seconds(120))
        guard result.status == 0 else {
            throw MissingTool(message: "make -C \(directory) failed with status \(result.status):\n\(result.output)")
        }
        return Artifacts(elf: directory + "/build/demo.elf", otaELF: directory + "/build/demo-ota.elf")
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension TempDirectory {
    /// A copy of the project's Profiles/ and Firmware/esp8266-demo here, without build output, so a
    /// test can flash (and build) the demo without touching the real tree.
    public func copyDemoProject() throws {
        let fm = FileManager.default
        try fm.copyItem(atPath: PackagePaths.root + "/Profiles", toPath: file("Profiles"))
        try fm.createDirectory(atPath: file("Firmware"), withIntermediateDirectories: true)
        let firmware = file("Firmware/esp8266-demo")
        try fm.copyItem(atPath: FirmwareBuild.directory, toPath: firmware)
        for leftover in ["build", ".esprig-build-stamp", "include/mqtt_config.h.esprig-orig"] {
            try? fm.removeItem(atPath: firmware + "/" + leftover)
        }
    }
}

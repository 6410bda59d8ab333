import EsprigSystem
import Foundation
import Testing
import EsprigTestSupport
@testable import EsprigFirmware

/// `ToolchainBuild` against a scripted runner: no compiler, no make.
@Suite struct BuildTests {
    static let gccVersion = "xtensa-lx106-elf-gcc (GCC) 12.2.0"

    /// A firmware directory with one source, one header and a Makefile.
    func makeFirmware() throws -> TempDirectory {
        let dir = try TempDirectory(prefix: "esprig-build")
        try FileManager.default.createDirectory(atPath: dir.file("src"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.file("include"), withIntermediateDirectories: true)
        try "int main(void) { return 0; }\n".write(toFile: dir.file("src/main.c"), atomically: true, encoding: .utf8)
        try "#define MQTT_PORT 1883\n".write(toFile: dir.file("include/mqtt_config.h"), atomically: true, encoding: .utf8)
        try "all:\n\ttouch app.elf\n".write(toFile: dir.file("Makefile"), atomically: true, encoding: .utf8)
        return dir
    }

    /// Answers `--version` with `version` and runs builds by creating `produces` in the request's directory.
    func runner(version: @escaping @Sendable () -> String = { gccVersion }, status: Int32 = 0, lines: [String] = ["cc -c src/main.c"],
                produces: [String] = ["app.elf"]) -> ScriptedProcessRunner {
        ScriptedProcessRunner { request in
            if request.arguments == ["--version"] { return .init(status: 0, lines: [version(), "Copyright (C) 2022"]) }
            if status == 0 {
                for file in produces { _ = FileManager.default.createFile(atPath: (request.workingDirectory ?? "") + "/" + file, contents: Data("elf".utf8)) }
            }
            return .init(status: status, lines: lines)
        }
    }

    func request(_ dir: TempDirectory, command: String = "make", headerValues: [String: ConfigValue] = [:]) -> ToolchainBuild.Request {
        ToolchainBuild.Request(directory: dir.path, command: command, environment: ["CROSS": "xtensa-lx106-elf-"], artifacts: ["app.elf"],
                               headerValues: headerValues, timeout: .seconds(5))
    }

    @Test func `a successful build reports its artifacts and streams its output`() throws {
        let dir = try makeFirmware()
        let scripted = runner()
        let log = EventLog<ToolchainBuild.Event>()
        let report = try ToolchainBuild(runner: scripted).run(request(dir), events: log.append)
        #expect(report.outcome == .built)
        #expect(report.artifacts == [dir.file("app.elf")])
        #expect(report.toolchainVersion == Self.gccVersion)
        #expect(scripted.builds == ["make"])
        #expect(scripted.requests.last?.workingDirectory == dir.path)
        #expect(scripted.requests.last?.environment["CROSS"] == "xtensa-lx106-elf-")
        #expect(log.events.contains(.output("cc -c src/main.c")))
        #expect(log.events.contains(.started(command: "make")))
        #expect(FileManager.default.fileExists(atPath: dir.file(ToolchainBuild.stampName)))
    }

    @Test func `a failed build throws with only the compiler's and make's error lines`() throws {
        let dir = try makeFirmware()
        let lines = [
            "xtensa-lx106-elf-gcc -Os -c src/main.c -o build/main.o",
            "src/main.c: In function 'main':",
            "src/main.c:3:5: error: expected ';' before '}' token",
            "    3 |     return 0",
            "ld: build/main.o: in function `main': undefined reference to `missing'",
            "make: *** [Makefile:26: build/main.o] Error 1",
        ]
        let log = EventLog<ToolchainBuild.Event>()
        do {
            _ = try ToolchainBuild(runner: runner(status: 2, lines: lines)).run(request(dir), events: log.append)
            Issue.record("expected a failure")
        } catch let error as FirmwareConfigError {
            #expect(error.code == .buildFailed)
            #expect(error.message.contains("src/main.c:3:5: error: expected ';'"))
            #expect(!error.message.contains("In function"))
        }
        #expect(log.events.contains(.failed(status: 2, errorLines: [lines[2], lines[4], lines[5]])))
        #expect(!FileManager.default.fileExists(atPath: dir.file(ToolchainBuild.stampName)))
    }

    @Test func `a build that produces no artifact names the missing one`() throws {
        let dir = try makeFirmware()
        do {
            _ = try ToolchainBuild(runner: runner(produces: [])).run(request(dir))
            Issue.record("expected a failure")
        } catch let error as FirmwareConfigError {
            #expect(error.code == .missingArtifact)
            #expect(error.message.contains("app.elf"))
        }
    }

    @Test func `a missing compiler fails with the apt-get install command`() throws {
        let dir = try makeFirmware()
        let scripted = ScriptedProcessRunner { request in
            throw ProcessError(.toolNotFound, "\(request.executable) was not found on PATH (/usr/bin)")
        }
        do {
            _ = try ToolchainBuild(runner: scripted).run(request(dir))
            Issue.record("expected a failure")
        } catch let error as FirmwareConfigError {
            #expect(error.code == .toolchainMissing)
            #expect(error.message.contains("xtensa-lx106-elf-gcc"))
            #expect(error.hint?.contains("apt-get install gcc-xtensa-lx106 binutils-xtensa-lx106") == true)
        }
        #expect(scripted.builds.isEmpty)
    }

    @Test func `the toolchain prefix decides which compiler is asked`() throws {
        let scripted = runner()
        _ = try ToolchainCheck(prefix: "/opt/xtensa/bin/xtensa-lx106-elf-").version(using: scripted)
        #expect(scripted.requests.map(\.executable) == ["/opt/xtensa/bin/xtensa-lx106-elf-gcc"])
    }

    // MARK: Rebuild only when inputs change

    @Test func `an unchanged firmware is up to date and the command does not run`() throws {
        let dir = try makeFirmware()
        let scripted = runner()
        let build = ToolchainBuild(runner: scripted)
        let first = try build.run(request(dir))
        let log = EventLog<ToolchainBuild.Event>()
        let second = try build.run(request(dir), events: log.append)
        #expect(second.outcome == .upToDate)
        #expect(second.digest == first.digest)
        #expect(scripted.builds == ["make"])
        #expect(log.events.contains(.upToDate(digest: first.digest)))
    }

    enum Change: String, CaseIterable, Sendable {
        case sourceEdit, headerFileEdit, newSource, headerValue, command, toolchainVersion, missingArtifact
    }

    @Test(arguments: Change.allCases)
    func `a change to any input rebuilds`(change: Change) throws {
        let dir = try makeFirmware()
        let version = EventLog<String>()
        version.append(Self.gccVersion)
        let scripted = runner(version: { version.events.last ?? "" })
        let build = ToolchainBuild(runner: scripted)
        var changed = request(dir, headerValues: ["MQTT_PORT": .integer(1883)])
        _ = try build.run(changed)
        switch change {
        case .sourceEdit: try "int main(void) { return 1; }\n".write(toFile: dir.file("src/main.c"), atomically: true, encoding: .utf8)
        case .headerFileEdit: try "#define MQTT_PORT 8883\n".write(toFile: dir.file("include/mqtt_config.h"), atomically: true, encoding: .utf8)
        case .newSource: try "void extra(void) {}\n".write(toFile: dir.file("src/extra.c"), atomically: true, encoding: .utf8)
        case .headerValue: changed.headerValues["MQTT_PORT"] = .integer(8883)
        case .command: changed.command = "make V=1"
        case .toolchainVersion: version.append("xtensa-lx106-elf-gcc (GCC) 12.3.0")
        case .missingArtifact: try FileManager.default.removeItem(atPath: dir.file("app.elf"))
        }
        let second = try build.run(changed)
        #expect(second.outcome == .built)
        #expect(scripted.builds.count == 2)
    }

    @Test func `build outputs and hidden files are not inputs`() throws {
        let dir = try makeFirmware()
        let scripted = runner()
        let build = ToolchainBuild(runner: scripted)
        _ = try build.run(request(dir))
        try FileManager.default.createDirectory(atPath: dir.file("build"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir.file("build/main.o"), contents: Data([1, 2, 3]))
        _ = FileManager.default.createFile(atPath: dir.file("build/app.map"), contents: Data([1]))
        _ = FileManager.default.createFile(atPath: dir.file(".hidden.c"), contents: Data([1]))
        #expect(try build.run(request(dir)).outcome == .upToDate)
    }

    @Test(arguments: [("main.c", true), ("start.S", true), ("app.ld", true), ("Makefile", true), ("rules.mk", true),
                      ("main.o", false), ("demo.elf", false), ("demo.map", false), ("README.md", false)])
    func `source files are recognised by name`(name: String, isSource: Bool) {
        #expect(BuildInputs.isSource(name) == isSource)
    }
}

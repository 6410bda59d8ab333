import EsprigSystem
import Foundation
import Testing
import EsprigTestSupport
@testable import EsprigFirmware

/// The real thing: `SubprocessRunner` and the demo firmware's Makefile with Debian's
/// xtensa-lx106 toolchain. A missing toolchain fails (CI installs it), never skips.
@Suite struct BuildRealTests {
    let runner = SubprocessRunner(baseEnvironment: ProcessInfo.processInfo.environment)

    /// A copy of Firmware/esp8266-demo without its build folder, so other tests' builds of the
    /// original do not race with this one.
    func copyDemo() throws -> TempDirectory {
        let dir = try TempDirectory(prefix: "esprig-demo-build")
        for item in ["Makefile", "include", "ld", "src"] {
            try FileManager.default.copyItem(atPath: FirmwareBuild.directory + "/" + item, toPath: dir.file(item))
        }
        return dir
    }

    func demoRequest(_ dir: TempDirectory) -> ToolchainBuild.Request {
        ToolchainBuild.Request(directory: dir.path, command: "make", artifacts: ["build/demo.elf", "build/demo-ota.elf"], timeout: .seconds(120))
    }

    @Test(.timeLimit(.minutes(5)))
    func `the demo firmware builds, and a second run is up to date`() throws {
        let dir = try copyDemo()
        let build = ToolchainBuild(runner: runner)
        let log = EventLog<ToolchainBuild.Event>()
        let first = try build.run(demoRequest(dir), events: log.append)
        #expect(first.outcome == .built)
        #expect(first.toolchainVersion.hasPrefix("xtensa-lx106-elf-gcc"))
        for artifact in first.artifacts {
            #expect((try FileManager.default.attributesOfItem(atPath: artifact)[.size] as? Int ?? 0) > 0)
        }
        #expect(log.events.contains { if case .output(let line) = $0 { line.contains("-mlongcalls") } else { false } })
        #expect(try build.run(demoRequest(dir)).outcome == .upToDate)
    }

    @Test(.timeLimit(.minutes(5)))
    func `a compile error fails the build with gcc's error line`() throws {
        let dir = try copyDemo()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("src/demo.c")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\nint broken(void) { return undeclared_name; }\n".utf8))
        try handle.close()
        let log = EventLog<ToolchainBuild.Event>()
        do {
            _ = try ToolchainBuild(runner: runner).run(demoRequest(dir), events: log.append)
            Issue.record("expected a failure")
        } catch let error as FirmwareConfigError {
            #expect(error.code == .buildFailed)
            #expect(error.message.contains("undeclared_name"))
        }
        var failed: [String] = []
        for case .failed(_, let lines) in log.events { failed = lines }
        #expect(failed.contains { $0.contains("src/demo.c") && $0.contains("error:") })
        #expect(failed.contains { $0.contains("Error") })
    }

    @Test func `the subprocess runner streams lines and returns the status and tail`() throws {
        let log = EventLog<String>()
        let result = try runner.run(.shell("echo one; echo two >&2; printf three; exit 3", workingDirectory: nil, timeout: .seconds(10)),
                                    onLine: log.append)
        #expect(result.status == 3)
        #expect(Set(log.events) == ["one", "two", "three"])
        #expect(result.tail.count == 3)
    }

    @Test func `the subprocess runner passes environment and working directory`() throws {
        let dir = try TempDirectory(prefix: "esprig-runner")
        let result = try runner.run(.shell("echo \"$ESPRIG_PROBE\"; pwd", environment: ["ESPRIG_PROBE": "a b"], workingDirectory: dir.path,
                                           timeout: .seconds(10))) { _ in }
        #expect(result.tail.first == "a b")
        #expect(result.tail.last.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path } == dir.url.resolvingSymlinksInPath().path)
    }

    @Test(.timeLimit(.minutes(1)))
    func `a command that outlives its timeout is killed`() throws {
        let start = ContinuousClock.now
        #expect(throws: ProcessError(.processTimedOut, "")) {
            try runner.run(.shell("echo started; sleep 30", workingDirectory: nil, timeout: .milliseconds(300))) { _ in }
        }
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    @Test func `a program that is not on PATH is reported as not found`() {
        #expect(throws: ProcessError(.toolNotFound, "")) {
            try runner.run(ProcessRequest(executable: "esprig-no-such-tool", environment: ["PATH": "/nonexistent"], timeout: .seconds(5))) { _ in }
        }
    }

    @Test func `the installed toolchain answers with its version`() throws {
        let version = try ToolchainCheck().version(using: runner)
        #expect(version.hasPrefix("xtensa-lx106-elf-gcc"))
    }
}

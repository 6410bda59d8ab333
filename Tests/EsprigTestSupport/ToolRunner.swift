import Foundation

/// Runs a command-line tool as a bounded subprocess: Espressif's esptool (PyPI) or the built
/// `esprig` executable, for interop and CLI tests.
///
/// esptool lookup order: `ESPRIG_ESPTOOL`, then `<package root>/.venv/bin/esptool`, then `esptool`
/// on PATH. Not finding it is an error, so a missing install fails tests loudly (CI installs it).
public struct ToolRunner: Sendable {
    public let executable: String

    public init(executable: String) { self.executable = executable }

    /// The `esprig` binary that `swift build` made next to the test bundle (`ESPRIG_BIN` overrides).
    public static func locateEsprig() throws -> ToolRunner {
        if let explicit = ProcessInfo.processInfo.environment["ESPRIG_BIN"], !explicit.isEmpty {
            return ToolRunner(executable: explicit)
        }
        let candidate = packageRoot.appendingPathComponent(".build/debug/esprig").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw NotFound(description: "esprig binary not found at \(candidate): run swift build first (scripts/test.sh does)")
        }
        return ToolRunner(executable: candidate)
    }

    public struct NotFound: Error, CustomStringConvertible {
        public let description: String
    }

    public static func locateEsptool() throws -> ToolRunner {
        let environment = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        if let explicit = environment["ESPRIG_ESPTOOL"], !explicit.isEmpty {
            guard fm.isExecutableFile(atPath: explicit) else {
                throw NotFound(description: "ESPRIG_ESPTOOL=\(explicit) is not an executable file")
            }
            return ToolRunner(executable: explicit)
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/esptool").path
        if fm.isExecutableFile(atPath: venv) { return ToolRunner(executable: venv) }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/esptool"
            if fm.isExecutableFile(atPath: candidate) { return ToolRunner(executable: candidate) }
        }
        throw NotFound(description: """
            esptool not found: set ESPRIG_ESPTOOL, or install it into \(packageRoot.path)/.venv \
            (python3 -m venv .venv && .venv/bin/pip install esptool==5.6.0), or put esptool on PATH
            """)
    }

    /// This file is `<root>/Tests/EsprigTestSupport/ToolRunner.swift`.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs esptool with `args` in a fresh temporary directory (so no stray esptool.cfg/setup.cfg
    /// applies); kills it if it is still running after `timeout`. Output is stdout and stderr merged.
    public func run(_ args: [String], timeout: Duration, environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let workDirectory = try TempDirectory(prefix: "esptool-run")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.currentDirectoryURL = workDirectory.url
        process.environment = Self.childEnvironment(extra)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice

        // A plain thread drains the pipe with blocking reads. FileHandle.readabilityHandler was
        // seen to crash libdispatch (_dispatch_source_refs_finalize_unregistration) when the pipe
        // closed while its source was live, so no dispatch source is involved here.
        let collected = OutputCollector()
        let reader = pipe.fileHandleForReading
        let drained = DispatchSemaphore(value: 0)
        let drainer = Thread {
            collected.append(reader.readDataToEndOfFile())
            drained.signal()
        }
        try process.run()
        drainer.start()

        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let timedOut = process.isRunning
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
            let killDeadline = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < killDeadline { Thread.sleep(forTimeInterval: 0.01) }
        }
        // EOF comes once the child (and anything it spawned) closed the pipe; bounded in any case.
        _ = drained.wait(timeout: .now() + 10)
        let output = collected.text
        if timedOut {
            throw TimedOut(description: "\((executable as NSString).lastPathComponent) \(args.joined(separator: " ")) still running after \(timeout); killed. Output:\n\(output)")
        }
        return (process.terminationStatus, output)
    }
}

extension ToolRunner {
    /// This process's environment for a tool run: no esptool config file, plain wide output,
    /// the venv first on PATH (esprig finds esptool's stubs through the `esptool` command there,
    /// as a user's would), then `extra`.
    static func childEnvironment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["ESPTOOL_CFGFILE"] = nil
        environment["NO_COLOR"] = "1"
        environment["TERM"] = "dumb"
        environment["COLUMNS"] = "200"
        environment["PATH"] = PackagePaths.venv + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Starts the tool and returns at once; the test waits on what it prints (`waitFor`), so
    /// steps follow the tool's own events instead of fixed sleeps.
    public func start(_ args: [String], environment extra: [String: String] = [:]) throws -> RunningTool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.environment = Self.childEnvironment(extra)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let running = RunningTool(process: process)
        let reader = pipe.fileHandleForReading
        let drainer = Thread {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                running.collected.append(chunk)
            }
            running.drained.signal()
        }
        try process.run()
        drainer.start()
        return running
    }
}

/// A tool started by `ToolRunner.start`, read while it runs.
public final class RunningTool: @unchecked Sendable {
    let process: Process
    let collected = OutputCollector()
    let drained = DispatchSemaphore(value: 0)

    init(process: Process) { self.process = process }

    public var output: String { collected.text }

    /// Waits until the output contains `text` (true), or `timeout` passes or the tool exits without it (false).
    @discardableResult
    public func waitFor(_ text: String, timeout: Duration = .seconds(20)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// Waits for the exit (killing it after `timeout`); its status and whole output.
    public func finish(timeout: Duration = .seconds(40)) -> (status: Int32, output: String) {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        _ = drained.wait(timeout: .now() + 10)
        return (process.terminationStatus, output)
    }
}

/// Output gathered from the reading thread; the lock makes it safe to hand between threads.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

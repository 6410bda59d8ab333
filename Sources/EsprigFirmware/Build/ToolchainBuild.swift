import EsprigSystem
import Foundation

/// Runs a firmware's build command with the xtensa-lx106 toolchain, reports its output as
/// events, and skips the build when nothing it depends on changed since the last success
/// (a stamp file in the firmware directory holds the `BuildInputs` digest).
public struct ToolchainBuild: Sendable {
    public struct Request: Sendable, Hashable {
        /// The firmware directory: where the command runs, what is hashed, where the stamp lives.
        public var directory: String
        /// A shell command with the profile's variables already substituted; runs as `/bin/sh -c`.
        public var command: String
        /// Added to the inherited environment for the build and the compiler lookup.
        public var environment: [String: String]
        /// The files the build must produce, relative to `directory` unless absolute.
        public var artifacts: [String]
        /// The values patched into the config header, so a change always rebuilds.
        public var headerValues: [String: ConfigValue]
        public var timeout: Duration

        public init(directory: String, command: String, environment: [String: String] = [:], artifacts: [String],
                    headerValues: [String: ConfigValue] = [:], timeout: Duration = .seconds(600)) {
            self.directory = directory
            self.command = command
            self.environment = environment
            self.artifacts = artifacts
            self.headerValues = headerValues
            self.timeout = timeout
        }

        /// `artifacts` as paths usable from anywhere.
        public var artifactPaths: [String] {
            artifacts.map { $0.hasPrefix("/") ? $0 : URL(fileURLWithPath: directory).appendingPathComponent($0).path }
        }

        public var stampPath: String { URL(fileURLWithPath: directory).appendingPathComponent(ToolchainBuild.stampName).path }
    }

    public enum Event: Sendable, Hashable {
        case toolchainFound(version: String)
        /// The stamp matches and every artifact exists: the command does not run.
        case upToDate(digest: String)
        case started(command: String)
        /// One line of the command's output (stdout and stderr merged). Show it with `-v`.
        case output(String)
        /// The command failed; `errorLines` are the compiler's and make's error lines.
        case failed(status: Int32, errorLines: [String])
        case finished(digest: String)
    }

    public struct Report: Sendable, Hashable {
        public enum Outcome: Sendable, Hashable { case built, upToDate }
        public var outcome: Outcome
        /// The artifacts' absolute paths, in request order.
        public var artifacts: [String]
        public var digest: String
        public var toolchainVersion: String
    }

    public static let stampName = ".esprig-build-stamp"

    public let runner: any ProcessRunner
    public let toolchain: ToolchainCheck

    public init(runner: any ProcessRunner, toolchain: ToolchainCheck = ToolchainCheck()) {
        self.runner = runner
        self.toolchain = toolchain
    }

    /// Builds unless up to date. Throws `.toolchainMissing`, `.buildFailed` (with the error
    /// lines), `.processTimedOut`, `.missingArtifact` or `.sourcesUnreadable`.
    public func run(_ request: Request, events: @escaping @Sendable (Event) -> Void = { _ in }) throws -> Report {
        let version = try toolchain.version(using: runner, environment: request.environment)
        events(.toolchainFound(version: version))
        let inputs = BuildInputs(sources: try BuildInputs.sources(in: request.directory), headerValues: request.headerValues,
                                 command: request.command, environment: request.environment, toolchainVersion: version)
        let digest = inputs.digest
        let artifacts = request.artifactPaths
        let fileManager = FileManager.default
        if readStamp(request.stampPath) == digest, artifacts.allSatisfy({ fileManager.fileExists(atPath: $0) }) {
            events(.upToDate(digest: digest))
            return Report(outcome: .upToDate, artifacts: artifacts, digest: digest, toolchainVersion: version)
        }

        // A failed or interrupted build must never look up to date.
        try? fileManager.removeItem(atPath: request.stampPath)
        events(.started(command: request.command))
        let errors = ErrorLineCollector()
        let result = try runner.run(.shell(request.command, environment: request.environment, workingDirectory: request.directory,
                                           timeout: request.timeout)) { line in
            errors.consider(line)
            events(.output(line))
        }
        guard result.succeeded else {
            let found = errors.lines
            let shown = found.isEmpty ? result.tail.suffix(20).map { $0 } : found
            events(.failed(status: result.status, errorLines: found))
            throw FirmwareConfigError(.buildFailed, "`\(request.command)` failed with status \(result.status) in \(request.directory):\n"
                                      + shown.map { "  " + $0 }.joined(separator: "\n"),
                                      hint: "fix the errors above; -v shows the whole build output")
        }
        for (artifact, path) in zip(request.artifacts, artifacts) where !fileManager.fileExists(atPath: path) {
            throw FirmwareConfigError(.missingArtifact, "`\(request.command)` succeeded but did not produce \(artifact) (\(path))",
                                      hint: "check the artifact paths in the profile against the build's outputs")
        }
        guard fileManager.createFile(atPath: request.stampPath, contents: Data((digest + "\n").utf8)) else {
            throw FirmwareConfigError(.fileUnwritable, "cannot write the build stamp \(request.stampPath)")
        }
        events(.finished(digest: digest))
        return Report(outcome: .built, artifacts: artifacts, digest: digest, toolchainVersion: version)
    }

    /// Whether `line` is one of the lines that explain a failed build: a compiler or linker
    /// `error:`, make's `*** … Error N`, or an `undefined reference`.
    public static func isErrorLine(_ line: String) -> Bool {
        line.contains("error:") || line.contains("Error") || line.contains("undefined reference")
    }

    private func readStamp(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The error lines seen so far, gathered from the runner's output thread; the lock makes it safe
/// to read them back on the caller's thread.
private final class ErrorLineCollector: @unchecked Sendable {
    /// Enough to show what went wrong without flooding the terminal.
    private static let limit = 50
    private let lock = NSLock()
    private var found: [String] = []

    func consider(_ line: String) {
        guard ToolchainBuild.isErrorLine(line) else { return }
        lock.lock()
        defer { lock.unlock() }
        if found.count < ErrorLineCollector.limit { found.append(line) }
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return found
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs real processes with Foundation's `Process`.
///
/// No `FileHandle.readabilityHandler` or `terminationHandler`: both were seen to crash
/// libdispatch in CI when the pipe closed while their source was live. Instead a plain thread
/// drains the merged stdout/stderr pipe with blocking reads, and the caller's thread polls
/// `isRunning` with short sleeps until the deadline, then SIGKILLs the child.
public struct SubprocessRunner: ProcessRunner {
    /// The environment every child starts from; requests add to it.
    public let baseEnvironment: [String: String]
    /// How long to wait for the pipe to reach EOF after the child ended (a grandchild that
    /// outlives it may keep the pipe open).
    public let drainGrace: Duration

    public init(baseEnvironment: [String: String], drainGrace: Duration = .seconds(5)) {
        self.baseEnvironment = baseEnvironment
        self.drainGrace = drainGrace
    }

    public func run(_ request: ProcessRequest, onLine: @escaping @Sendable (String) -> Void) throws -> ProcessResult {
        let environment = baseEnvironment.merging(request.environment) { _, new in new }
        let executable = try resolve(request.executable, path: environment["PATH"] ?? "/usr/bin:/bin")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = request.arguments
        process.environment = environment
        if let directory = request.workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice

        let lines = LineCollector(tailLimit: request.tailLines, onLine: onLine)
        let reader = pipe.fileHandleForReading
        let drained = DispatchSemaphore(value: 0)
        let drainer = Thread {
            while true {
                let chunk = reader.availableData  // blocks until data or EOF
                if chunk.isEmpty { break }
                lines.feed(chunk)
            }
            lines.finish()
            drained.signal()
        }
        do {
            try process.run()
        } catch {
            throw ProcessError(.processFailedToStart, "could not start \(request.commandLine): \(error)")
        }
        // The parent's copy of the write end must close, or the reader never sees EOF.
        try? pipe.fileHandleForWriting.close()
        drainer.start()

        let deadline = ContinuousClock.now + request.timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let timedOut = process.isRunning
        if timedOut {
            let pid = process.processIdentifier
            // A shell's children (make, gcc) share its pipe; kill its group when it leads one.
            if getpgid(pid) == pid { kill(-pid, SIGKILL) }
            kill(pid, SIGKILL)
            let killDeadline = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < killDeadline { Thread.sleep(forTimeInterval: 0.01) }
        }
        let graceSeconds = Double(drainGrace.components.seconds) + Double(drainGrace.components.attoseconds) / 1e18
        _ = drained.wait(timeout: .now() + graceSeconds)
        // Lines that arrive after this point (from an orphaned grandchild) are dropped.
        let tail = lines.close()
        if timedOut {
            throw ProcessError(.processTimedOut, "\(request.commandLine) was still running after \(request.timeout) and was killed",
                                      hint: tail.isEmpty ? nil : "last output: \(tail.suffix(5).joined(separator: " | "))")
        }
        return ProcessResult(status: process.terminationStatus, tail: tail)
    }

    /// `name` itself when it holds a slash, else the first executable `dir/name` on `path`.
    private func resolve(_ name: String, path: String) throws -> String {
        if name.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else {
                throw ProcessError(.toolNotFound, "\(name) is not an executable file")
            }
            return name
        }
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ProcessError(.toolNotFound, "\(name) was not found on PATH (\(path))")
    }
}

/// Splits the bytes the drain thread reads into lines, forwards each one, and keeps the tail.
/// It is shared between the drain thread and the caller's thread, so a lock guards it; this is
/// the one place where the blocking pipe read meets the caller (see `SubprocessRunner`).
private final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private let tailLimit: Int
    private let onLine: @Sendable (String) -> Void
    private var pending: [UInt8] = []
    private var tail: [String] = []
    private var isClosed = false

    init(tailLimit: Int, onLine: @escaping @Sendable (String) -> Void) {
        self.tailLimit = tailLimit
        self.onLine = onLine
    }

    func feed(_ chunk: Data) {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return }
        pending.append(contentsOf: chunk)
        while let newline = pending.firstIndex(of: 0x0A) {
            var line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            if line.last == 0x0D { line.removeLast() }
            emit(String(decoding: line, as: UTF8.self))
        }
    }

    /// EOF: a last line without a newline still counts.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed, !pending.isEmpty else { return }
        emit(String(decoding: pending, as: UTF8.self))
        pending = []
    }

    /// Stops forwarding and returns the tail.
    func close() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        isClosed = true
        return tail
    }

    private func emit(_ line: String) {
        onLine(line)
        tail.append(line)
        if tail.count > tailLimit { tail.removeFirst(tail.count - tailLimit) }
    }
}

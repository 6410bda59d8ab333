import Foundation

/// `--log FILE`: plain text, appended, each line with its ISO 8601 wall-clock time. Can be
/// started and stopped while a session runs (Ctrl+T L).
public final class LogFileSink: MonitorSink, @unchecked Sendable {
    private let lock = NSLock()
    private var handle: FileHandle?
    /// Lines of the current read, written at `flush()`.
    private var pending = ""
    public private(set) var path: String?

    public init() {}

    /// Opens `path` for appending (created if missing).
    public func start(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MonitorError(.logUnwritable, "cannot open log file \(path): \(String(cString: strerror(errno)))", hint: "check the directory exists and is writable")
        }
        lock.withLock {
            writePending()
            try? handle?.close()
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            self.path = path
        }
    }

    public func stop() {
        lock.withLock {
            writePending()
            try? handle?.close()
            handle = nil
            path = nil
        }
    }

    public var isLogging: Bool { lock.withLock { handle != nil } }

    public func handle(_ event: MonitorEvent) {
        let entries: [(Date, String)]
        switch event {
        case .fragment: return
        case .line(let line): entries = [(line.wallTime, line.text)]
        case .crash(let report, _, let wall): entries = report.summaryLines.map { (wall, $0) }
        case .reset(let report, _, let wall): entries = [(wall, "--- " + report.summary)]
        case .note(let text, _, let wall), .reconnected(let text, _, let wall): entries = [(wall, "--- " + text)]
        case .disconnected(let text, _, let wall): entries = [(wall, "--- disconnected: " + text)]
        }
        lock.withLock {
            guard handle != nil else { return }
            for (time, text) in entries { pending += TimestampStyle.isoFormatter.string(from: time) + " " + text + "\n" }
        }
    }

    public func flush() { lock.withLock { writePending() } }

    /// Call with the lock held.
    private func writePending() {
        guard !pending.isEmpty else { return }
        handle?.write(Data(pending.utf8))
        pending = ""
    }
}

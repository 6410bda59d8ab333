import Foundation

/// `--log FILE`: plain text, appended, each line with its ISO 8601 wall-clock time. Can be
/// started and stopped while a session runs (Ctrl+T L).
public final class LogFileSink: MonitorSink, @unchecked Sendable {
    private let lock = NSLock()
    private var handle: FileHandle?
    public private(set) var path: String?

    public init() {}

    /// Opens `path` for appending (created if missing).
    public func start(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MonitorError("cannot open log file \(path): \(String(cString: strerror(errno)))", hint: "check the directory exists and is writable")
        }
        lock.withLock {
            try? handle?.close()
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            self.path = path
        }
    }

    public func stop() {
        lock.withLock {
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
        let text = entries.map { TimestampStyle.isoFormatter.string(from: $0.0) + " " + $0.1 + "\n" }.joined()
        lock.withLock { handle?.write(Data(text.utf8)) }
    }
}

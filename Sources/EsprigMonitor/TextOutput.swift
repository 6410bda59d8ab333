import Foundation

/// Where rendered text goes: stdout, a file, a buffer in tests.
public protocol TextOutput: AnyObject {
    func write(_ text: String)
}

/// Unbuffered writes to a file descriptor (stdout by default): a partial line shows at once.
public final class FileDescriptorOutput: TextOutput {
    private let fd: Int32
    public init(fd: Int32 = STDOUT_FILENO) { self.fd = fd }
    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
        bytes.removeAll()
    }
}

/// Collects text (tests, and callers that want the rendering as a string).
public final class StringOutput: TextOutput {
    private let lock = NSLock()
    private var storage = ""
    public init() {}
    public func write(_ text: String) { lock.withLock { storage += text } }
    public var text: String { lock.withLock { storage } }
}

/// How line timestamps are shown.
public enum TimestampStyle: String, Sendable, CaseIterable {
    case off
    /// Local wall-clock time, `HH:mm:ss.SSS`.
    case wall
    /// Seconds since the monitor started, `[   12.345]`.
    case elapsed

    func prefix(elapsed: Duration, wallTime: Date) -> String {
        switch self {
        case .off: return ""
        case .wall: return Self.wallFormatter.string(from: wallTime) + " "
        case .elapsed:
            let millis = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            let text = String(format: "%.3f", Double(millis) / 1000)
            return "[" + String(repeating: " ", count: max(0, 9 - text.count)) + text + "] "
        }
    }

    private static let wallFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss.SSS"
        return formatter
    }()

    // Only read after creation; formatting is thread-safe (Foundation docs).
    nonisolated(unsafe) static let isoFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

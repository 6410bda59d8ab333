import Foundation

/// Renders events for a person: device text as it arrives, optional timestamps, log levels
/// and crash summaries coloured (only when `color`), monitor notes marked `---`.
public final class TextRenderer: MonitorSink, @unchecked Sendable {
    private let output: any TextOutput
    private let color: Bool
    private let lock = NSLock()
    private var style: TimestampStyle
    private var midLine = false
    private var lineColored = false
    /// Device text of the current read, written in one go at `flush()`.
    private var pending = ""

    public init(output: any TextOutput, timestamps: TimestampStyle = .off, color: Bool) {
        self.output = output
        self.style = timestamps
        self.color = color
    }

    /// Whether a terminal should get colour: a TTY, and `NO_COLOR` unset or empty (no-color.org).
    public static func wantsColor(fd: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        isatty(fd) == 1 && (environment["NO_COLOR"] ?? "").isEmpty
    }

    /// Thread-safe (the keyboard toggles it while the session renders).
    public var timestamps: TimestampStyle {
        get { lock.withLock { style } }
        set { lock.withLock { style = newValue } }
    }

    public func handle(_ event: MonitorEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .fragment(let text, let startsLine, let elapsed, let wallTime):
            var out = ""
            if startsLine {
                out += style.prefix(elapsed: elapsed, wallTime: wallTime)
                if color, let ansi = LogLevel(linePrefix: text)?.ansi { out += ansi; lineColored = true }
            }
            out += text.utf8.contains(0x0D) ? String(text.unicodeScalars.filter { $0 != "\r" }) : text
            midLine = true
            pending += out
        case .line:
            pending += (lineColored ? "\u{1B}[0m" : "") + "\n"
            midLine = false
            lineColored = false
        case .crash(let report, let elapsed, let wallTime):
            writeOwn(report.summaryLines, ansi: "\u{1B}[1;31m", elapsed: elapsed, wallTime: wallTime)
        case .reset(let report, let elapsed, let wallTime):
            writeOwn(["--- " + report.summary], ansi: "\u{1B}[2m", elapsed: elapsed, wallTime: wallTime)
        case .note(let text, let elapsed, let wallTime), .reconnected(let text, let elapsed, let wallTime):
            writeOwn(["--- " + text], ansi: "\u{1B}[33m", elapsed: elapsed, wallTime: wallTime)
        case .disconnected(let text, let elapsed, let wallTime):
            writeOwn(["--- disconnected: " + text], ansi: "\u{1B}[33m", elapsed: elapsed, wallTime: wallTime)
        }
    }

    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        writePending()
    }

    private func writePending() {
        guard !pending.isEmpty else { return }
        output.write(pending)
        pending = ""
    }

    /// Lines the monitor adds, on lines of their own.
    private func writeOwn(_ lines: [String], ansi: String, elapsed: Duration, wallTime: Date) {
        writePending()
        var out = midLine ? (lineColored ? "\u{1B}[0m" : "") + "\n" : ""
        midLine = false
        lineColored = false
        for line in lines {
            out += style.prefix(elapsed: elapsed, wallTime: wallTime)
            out += color ? ansi + line + "\u{1B}[0m\n" : line + "\n"
        }
        output.write(out)
    }
}

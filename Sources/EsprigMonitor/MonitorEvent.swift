import Foundation

/// A complete line from the device, when its first byte arrived.
public struct MonitorLine: Sendable, Equatable {
    public var text: String
    /// Since the session started.
    public var elapsed: Duration
    public var wallTime: Date
    /// Read at the ROM's boot rate (74880), not the app's.
    public var fromBootROM: Bool
}

/// What a session reports to its sink, in order.
public enum MonitorEvent: Sendable {
    /// Device text as it arrives (possibly a partial line), for live display.
    case fragment(String, startsLine: Bool, elapsed: Duration, wallTime: Date)
    /// The line shown by the fragments so far is complete.
    case line(MonitorLine)
    case crash(CrashReport, elapsed: Duration, wallTime: Date)
    /// The ROM's reset line, explained.
    case reset(ResetReport, elapsed: Duration, wallTime: Date)
    /// Something the monitor itself has to say (baud switch, reset failed, reconnecting…).
    case note(String, elapsed: Duration, wallTime: Date)
    case disconnected(String, elapsed: Duration, wallTime: Date)
    case reconnected(String, elapsed: Duration, wallTime: Date)
}

/// Receives a session's events on the session's thread.
public protocol MonitorSink: AnyObject {
    func handle(_ event: MonitorEvent)
    /// Called after each read's events: a sink that batches output writes it now.
    func flush()
}

extension MonitorSink {
    public func flush() {}
}

/// Hands every event to several sinks (terminal + log file, …).
public final class MonitorTee: MonitorSink {
    private let sinks: [any MonitorSink]
    public init(_ sinks: [any MonitorSink]) { self.sinks = sinks }
    public func handle(_ event: MonitorEvent) { sinks.forEach { $0.handle(event) } }
    public func flush() { sinks.forEach { $0.flush() } }
}

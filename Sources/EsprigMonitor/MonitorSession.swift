import EsprigTransport
import Foundation

/// Reads a board's serial output until a pattern, a timeout, the user or the port ends it.
///
/// Owns the port on the thread that calls `run`; other threads (a keyboard reader) talk to it
/// only through `send`, `resetBoard` and `stop`, which queue work the loop picks up within one
/// read slice. After a reset it listens at the ROM's boot rate until the banner is over, then at
/// the app's rate. When the port disappears it reopens it through `reopen`, if allowed.
public final class MonitorSession: @unchecked Sendable {
    /// The port in use (a new one after a reconnect). Touch it only from the `run` thread.
    public private(set) var port: any SerialPort
    public let settings: MonitorSettings
    private let clock: any MonitorClock
    private let reopen: (@Sendable () throws -> any SerialPort)?

    private let inboxLock = NSLock()
    private var pendingWrites: [[UInt8]] = []
    private var pendingResets: [Bool] = []
    private var stopRequested = false

    /// Longest wait inside one read, so queued work and deadlines are seen promptly.
    static let readSlice = Duration.milliseconds(50)

    public init(port: any SerialPort, settings: MonitorSettings, clock: any MonitorClock = SystemMonitorClock(),
                reopen: (@Sendable () throws -> any SerialPort)? = nil) {
        self.port = port
        self.settings = settings
        self.clock = clock
        self.reopen = reopen
    }

    /// Queues bytes for the device (typed keys).
    public func send(_ bytes: [UInt8]) { inboxLock.withLock { pendingWrites.append(bytes) } }

    /// Queues a reset through DTR/RTS: a hard reset (RTS pulse) runs the app, `bootloader` holds
    /// GPIO0 low through it. The boot banner is then read at `bootBaud`. Call before `run` to
    /// start with a reset (what `esprig flash` does after writing).
    public func resetBoard(bootloader: Bool = false) { inboxLock.withLock { pendingResets.append(bootloader) } }

    /// Ends `run` with `.stopped` within one read slice.
    public func stop() { inboxLock.withLock { stopRequested = true } }

    /// Reads until a line matches `until` (`.matched`) or `failOn` (`.failed`, checked first),
    /// `timeout` passes (`.timedOut`), the port is gone for good (`.disconnected`) or `stop()`.
    public func run(until: LinePattern? = nil, failOn: LinePattern? = nil, timeout: Duration? = nil,
                    sink: any MonitorSink) -> MonitorOutcome {
        var loop = ReadLoop(session: self, sink: sink, until: until, failOn: failOn,
                            deadline: timeout.map { clock.now + $0 })
        return loop.run()
    }

    // MARK: - Used by ReadLoop

    var now: Duration { clock.now }
    var wallTime: Date { clock.wallTime }
    func sleep(for duration: Duration) { clock.sleep(for: duration) }

    func takeInbox() -> (writes: [[UInt8]], resets: [Bool], stop: Bool) {
        inboxLock.withLock {
            defer { pendingWrites = []; pendingResets = [] }
            return (pendingWrites, pendingResets, stopRequested)
        }
    }

    var isStopRequested: Bool { inboxLock.withLock { stopRequested } }

    func replacePort(_ newPort: any SerialPort) { port = newPort }

    func reopenPort() throws -> any SerialPort {
        guard let reopen else { throw MonitorError(.cannotReopen, "no way to reopen \(port.name)") }
        return try reopen()
    }

    var canReconnect: Bool { settings.reconnect && reopen != nil }
}

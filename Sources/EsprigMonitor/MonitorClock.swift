import Foundation

/// Time for a session: monotonic for waits and `elapsed`, wall clock for timestamps.
public protocol MonitorClock: Sendable {
    /// Monotonic time since an arbitrary origin.
    var now: Duration { get }
    var wallTime: Date { get }
    func sleep(for duration: Duration)
}

public struct SystemMonitorClock: MonitorClock {
    private let origin = ContinuousClock.now
    public init() {}
    public var now: Duration { origin.duration(to: .now) }
    public var wallTime: Date { Date() }
    public func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        Thread.sleep(forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

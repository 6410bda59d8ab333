#if canImport(Glibc)
import Glibc
#endif

/// Hotplug by rescanning: compares successive tty enumerations and reports what appeared or
/// went away. For machines without udevd (containers, CI), where `HotplugMonitor(.udev)`
/// refuses, and for bench tests driven by recorded devices.
public final class PollingHotplugSource: HotplugSource {
    private let source: any DeviceSource
    private let interval: Duration
    private var known: [String: DeviceRecord]
    private var pending: [HotplugEvent] = []

    /// Takes the first snapshot now: ports already present are not reported as added.
    public init(source: any DeviceSource = UdevDeviceSource(), interval: Duration = .milliseconds(500)) throws(PortsError) {
        self.source = source
        self.interval = interval
        known = Self.index(try source.ttyDevices())
    }

    /// Scans at least once, then every `interval` until something changed or `timeout` passed.
    public func next(timeout: Duration) throws(PortsError) -> HotplugEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            try rescan()
            if !pending.isEmpty { continue }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return nil }
            Self.pause(min(interval, remaining))
        }
    }

    private func rescan() throws(PortsError) {
        let current = Self.index(try source.ttyDevices())
        let byNode = { (a: DeviceRecord, b: DeviceRecord) in PortClassifier.naturalLess(a.devNode ?? "", b.devNode ?? "") }
        let removed = known.filter { current[$0.key] == nil }.values.sorted(by: byNode)
        let added = current.filter { known[$0.key] == nil }.values.sorted(by: byNode)
        pending += removed.map { HotplugEvent(action: .removed, device: $0) }
        pending += added.map { HotplugEvent(action: .added, device: $0) }
        known = current
    }

    /// Serial ports only (virtual consoles come and go with logins), keyed by sysfs path.
    private static func index(_ records: [DeviceRecord]) -> [String: DeviceRecord] {
        Dictionary(records.filter(PortClassifier.isSerialPort).map { ($0.sysPath, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private static func pause(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }
}

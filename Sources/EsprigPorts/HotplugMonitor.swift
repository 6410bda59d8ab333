import CUdev
#if canImport(Glibc)
import Glibc
#endif

/// A tty device appearing, going away or changing.
public struct HotplugEvent: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        case added, removed, changed
        case other(String)

        init(_ text: String) {
            switch text {
            case "add": self = .added
            case "remove": self = .removed
            case "change": self = .changed
            default: self = .other(text)
            }
        }
    }

    public var action: Action
    public var device: DeviceRecord

    public init(action: Action, device: DeviceRecord) {
        self.action = action
        self.device = device
    }

    /// The port, when the device is a serial port (see `PortClassifier.isSerialPort`).
    public var port: SerialPortInfo? {
        PortClassifier.isSerialPort(device) ? PortClassifier.classify(device) : nil
    }
}

/// Where hotplug events come from (udev netlink here; scripted in bench tests).
public protocol HotplugSource {
    /// The next event, or nil when `timeout` passes first.
    func next(timeout: Duration) throws(PortsError) -> HotplugEvent?
}

/// Tty hotplug events from udev's netlink monitor. Owned by one thread or task at a time.
public final class HotplugMonitor: HotplugSource {
    public enum Source: String, Sendable {
        /// Events udevd re-broadcasts after its rules ran: by-id links and ID_* properties exist.
        case udev
        /// Raw kernel uevents: arrive without udevd, before any rule ran.
        case kernel
    }

    private let udev: OpaquePointer
    private let monitor: OpaquePointer
    private let descriptor: Int32

    /// - Parameter udevControl: udevd's control socket; its absence means no `udev` events
    ///   will ever arrive, which is reported instead of waiting forever.
    public init(source: Source = .udev, udevControl: String = "/run/udev/control") throws(PortsError) {
        if source == .udev, access(udevControl, F_OK) != 0 {
            throw PortsError(.monitorUnavailable, "udevd is not running (no \(udevControl)), so no hotplug event would arrive",
                             hint: "start systemd-udevd, or list the ports explicitly instead of watching")
        }
        guard let udev = udev_new() else {
            throw PortsError(.udevUnavailable, "libudev could not create a context")
        }
        guard let monitor = udev_monitor_new_from_netlink(udev, source.rawValue) else {
            udev_unref(udev)
            throw PortsError(.monitorUnavailable, "cannot open the udev netlink monitor (\(source.rawValue)); netlink is not available here",
                             hint: "in a container, run with the host's network namespace, or list the ports explicitly instead of watching")
        }
        guard udev_monitor_filter_add_match_subsystem_devtype(monitor, "tty", nil) >= 0,
              udev_monitor_enable_receiving(monitor) >= 0 else {
            udev_monitor_unref(monitor)
            udev_unref(udev)
            throw PortsError(.monitorUnavailable, "cannot start receiving udev netlink events (\(source.rawValue))",
                             hint: "the process may lack permission to bind a netlink socket")
        }
        self.udev = udev
        self.monitor = monitor
        self.descriptor = udev_monitor_get_fd(monitor)
    }

    deinit {
        udev_monitor_unref(monitor)
        udev_unref(udev)
    }

    public func next(timeout: Duration) throws(PortsError) -> HotplugEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            let total = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
            let milliseconds = Int32(clamping: max(0, total))
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw PortsError(.monitorUnavailable, "polling the udev monitor failed (errno \(errno))")
            }
            if ready == 0 { return nil }
            // A message that fails the filter or credentials check yields no device: keep waiting.
            guard let device = udev_monitor_receive_device(monitor) else {
                if ContinuousClock.now >= deadline { return nil }
                continue
            }
            defer { udev_device_unref(device) }
            let action = cString(udev_device_get_action(device)) ?? "change"
            return HotplugEvent(action: HotplugEvent.Action(action), device: UdevDeviceSource.record(device))
        }
    }
}

import EsprigPorts
import Foundation
import Testing

@Suite("HotplugMonitor over udev netlink")
struct HotplugMonitorTests {
    @Test("without udevd the udev-source monitor refuses with a clear error instead of waiting forever")
    func noUdevd() throws {
        let error = #expect(throws: PortsError.self) {
            _ = try HotplugMonitor(source: .udev, udevControl: "/nonexistent/udev/control")
        }
        #expect(error?.code == .monitorUnavailable)
        #expect(error?.message.contains("udevd is not running") == true)
    }

    @Test("a quiet kernel monitor returns nil when its timeout passes")
    func timeout() throws {
        let monitor = try HotplugMonitor(source: .kernel)
        let start = ContinuousClock.now
        // Other tty events may arrive on a busy machine; only the bound matters here.
        while try monitor.next(timeout: .milliseconds(100)) != nil {
            if ContinuousClock.now - start > .seconds(5) { break }
        }
        #expect(ContinuousClock.now - start < .seconds(6))
    }

    /// A tty port whose uevent file this process may write (root with a writable /sys).
    static func writableUevent() -> String? {
        guard let ports = try? PortScanner().ports() else { return nil }
        return ports.map { $0.sysPath + "/uevent" }.first { access($0, W_OK) == 0 }
    }

    @Test("a change uevent on a real tty arrives as a .changed event for that port",
          .enabled(if: writableUevent() != nil, "needs a tty port whose uevent file is writable (root)"))
    func changeEvent() throws {
        let uevent = try #require(Self.writableUevent())
        let sysPath = String(uevent.dropLast("/uevent".count))
        let monitor = try HotplugMonitor(source: .kernel)
        try "change".write(toFile: uevent, atomically: false, encoding: .utf8)
        let deadline = ContinuousClock.now + .seconds(5)
        var seen: HotplugEvent?
        while ContinuousClock.now < deadline, seen == nil {
            if let event = try monitor.next(timeout: .milliseconds(500)), event.device.sysPath == sysPath { seen = event }
        }
        let event = try #require(seen)
        #expect(event.action == .changed)
        #expect(event.port?.sysPath == sysPath)
    }
}

import EsprigPorts
import Foundation
import Testing

/// Devices a test plugs in and pulls out.
final class InMemoryDeviceSource: DeviceSource, @unchecked Sendable {
    private let lock = NSLock()
    private var records: [DeviceRecord]
    init(_ records: [DeviceRecord]) { self.records = records }
    func set(_ new: [DeviceRecord]) { lock.lock(); records = new; lock.unlock() }
    func ttyDevices() throws(PortsError) -> [DeviceRecord] { lock.lock(); defer { lock.unlock() }; return records }
}

@Suite("PollingHotplugSource")
struct PollingHotplugSourceTests {
    @Test("ports present at start are not events; plugging and unplugging are, removals first")
    func diff() throws {
        let cp2102 = try UdevFixture.load("cp2102-nodemcu")
        let ch340 = try UdevFixture.load("ch340-nodemcu-v3")
        let ftdi = try UdevFixture.load("ft232r-usb-uart")
        let console = DeviceRecord(sysPath: "/sys/devices/virtual/tty/tty1", sysName: "tty1", devNode: "/dev/tty1",
                                   properties: [:], devLinks: [], ancestors: [])
        let devices = InMemoryDeviceSource([cp2102, console])
        let watcher = try PollingHotplugSource(source: devices, interval: .milliseconds(1))
        #expect(try watcher.next(timeout: .zero) == nil)

        devices.set([ch340, ftdi])
        let events = try (0..<3).map { _ in try #require(try watcher.next(timeout: .zero)) }
        #expect(events.map(\.action) == [.removed, .added, .added])
        #expect(events.map { $0.port?.path } == ["/dev/ttyUSB0", "/dev/ttyUSB2", "/dev/ttyUSB3"])
        #expect(events[1].port?.bridge?.name == "CH340")
        #expect(try watcher.next(timeout: .zero) == nil)
    }

    @Test("a change during the wait is reported before the timeout, after rescans")
    func waits() throws {
        let board = try UdevFixture.load("esp32c3-usb-serial-jtag")
        let devices = PluggedAfterScans(scans: 4, record: board)
        let watcher = try PollingHotplugSource(source: devices, interval: .milliseconds(1))
        let event = try #require(try watcher.next(timeout: .seconds(5)))
        #expect(event.action == .added)
        #expect(event.port?.bridge?.isNative == true)
        #expect(devices.count == 4)
    }
}

/// Shows no device for the first `scans` enumerations, then one: a board plugged in mid-wait.
final class PluggedAfterScans: DeviceSource, @unchecked Sendable {
    private let lock = NSLock()
    private let scans: Int
    private let record: DeviceRecord
    private(set) var count = 0
    init(scans: Int, record: DeviceRecord) { self.scans = scans; self.record = record }
    func ttyDevices() throws(PortsError) -> [DeviceRecord] {
        lock.lock(); defer { lock.unlock() }
        count += 1
        return count < scans ? [] : [record]
    }
}

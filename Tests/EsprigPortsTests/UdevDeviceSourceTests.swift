import EsprigPorts
import Foundation
import Testing

/// The real libudev on this machine, checked against sysfs: whatever ttys exist.
@Suite("UdevDeviceSource against this machine's sysfs")
struct UdevDeviceSourceTests {
    /// /sys/class/tty entries with a `device` link (a parent), plus ttyUSB*/ttyACM*.
    static func sysfsPorts() throws -> Set<String> {
        let names = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/tty")
        return Set(names.filter { name in
            name.hasPrefix("ttyUSB") || name.hasPrefix("ttyACM")
                || FileManager.default.fileExists(atPath: "/sys/class/tty/\(name)/device")
        })
    }

    @Test("every tty libudev enumerates is in /sys/class/tty, and the ports are exactly sysfs's")
    func matchesSysfs() throws {
        let records = try UdevDeviceSource().ttyDevices()
        let sysfs = Set(try FileManager.default.contentsOfDirectory(atPath: "/sys/class/tty"))
        #expect(!records.isEmpty)
        #expect(Set(records.map(\.sysName)) == sysfs)
        let ports = try PortScanner().ports()
        #expect(Set(ports.map { String($0.path.split(separator: "/").last!) }) == (try Self.sysfsPorts()))
        for port in ports {
            #expect(port.sysPath.hasPrefix("/sys/devices/"))
            let resolved = URL(fileURLWithPath: "/sys/class/tty/\(port.path.split(separator: "/").last!)").resolvingSymlinksInPath().path
            #expect(resolved == port.sysPath)
        }
    }

    @Test("USB ports report the VID:PID sysfs holds for their usb_device")
    func usbFactsMatchSysfs() throws {
        for port in try PortScanner().ports() {
            guard let usb = port.usb, let topology = usb.topology else { continue }
            let device = "/sys/bus/usb/devices/\(topology)"
            let vid = try String(contentsOfFile: device + "/idVendor", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let pid = try String(contentsOfFile: device + "/idProduct", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(usb.vidPid == "\(vid):\(pid)")
        }
    }
}

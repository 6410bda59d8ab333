import EsprigPorts
import EsprigTestSupport
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

    /// `esprig ports --all --json` under `umockdev-run` on a hand-written sysfs tree: the real
    /// libudev enumerates and walks parents there, so the USB facts are asserted in CI too.
    @Test("in a umockdev sysfs tree, each port reports its usb_device's VID:PID, serial, hub path, interface and driver")
    func usbFactsFromFixtureTree() throws {
        let result = try UmockdevTree.esprig(["ports", "--all", "--json"])
        #expect(result.status == 0, "\(result.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output)")
        let ports = try #require(object["ports"] as? [[String: Any]])
        var byPath: [String: [String: Any]] = [:]
        for port in ports { byPath[port["path"] as? String ?? "?"] = port }
        #expect(Set(byPath.keys) == ["/dev/ttyUSB0", "/dev/ttyUSB1", "/dev/ttyACM0", "/dev/ttyS0"])
        func usb(_ path: String) -> [String: String] {
            ((byPath[path]?["usb"] as? [String: Any]) ?? [:]).compactMapValues { $0 as? String }
        }
        #expect(usb("/dev/ttyUSB0") == ["vid": "10c4", "pid": "ea60", "serial": "0001", "usb_path": "1-1.4", "interface": "1.0",
                                        "vendor": "Silicon Labs", "model": "CP2102 USB to UART Bridge Controller"])
        #expect(usb("/dev/ttyACM0")["serial"] == "84:F7:03:00:00:01")
        #expect(usb("/dev/ttyACM0")["usb_path"] == "1-2")
        #expect(usb("/dev/ttyUSB1")["vid"] == "067b" && usb("/dev/ttyUSB1")["pid"] == "2303")
        #expect(byPath["/dev/ttyS0"]?["usb"] == nil)
        #expect(byPath["/dev/ttyUSB0"]?["driver"] as? String == "cp210x")
        #expect(byPath["/dev/ttyACM0"]?["driver"] as? String == "cdc_acm")
        #expect(byPath["/dev/ttyS0"]?["driver"] as? String == "serial8250")
    }
}

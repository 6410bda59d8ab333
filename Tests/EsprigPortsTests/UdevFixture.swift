import EsprigPorts
import Foundation
import EsprigTestSupport

/// Reads a recorded `udevadm info` + `udevadm info --attribute-walk` fixture into the
/// `DeviceRecord` libudev would give.
enum UdevFixture {
    static func load(_ name: String) throws -> DeviceRecord {
        let url = URL(fileURLWithPath: PackagePaths.root).appendingPathComponent("Tests/EsprigPortsTests/Fixtures/\(name).udev")
        return try parse(String(contentsOf: url, encoding: .utf8))
    }

    static func parse(_ text: String) throws -> DeviceRecord {
        var devPath = "", node: String?, links: [String] = [], properties: [String: String] = [:]
        var ancestors: [DeviceRecord.Ancestor] = []
        var current: DeviceRecord.Ancestor?
        var isParent = false
        func flush() { if let current, isParent { ancestors.append(current) } }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("P: ") { devPath = String(line.dropFirst(3)) }
            else if line.hasPrefix("N: ") { node = "/dev/" + line.dropFirst(3) }
            else if line.hasPrefix("S: ") { links.append("/dev/" + line.dropFirst(3)) }
            else if line.hasPrefix("E: ") {
                let kv = line.dropFirst(3).split(separator: "=", maxSplits: 1).map(String.init)
                properties[kv[0]] = kv.count > 1 ? kv[1] : ""
            } else if line.contains("looking at") {
                flush()
                isParent = line.contains("parent device")
                current = DeviceRecord.Ancestor(subsystem: nil, devType: nil, sysName: "", driver: nil)
            } else if let (key, value) = assignment(line), current != nil {
                switch key {
                case "KERNELS": current!.sysName = value
                case "SUBSYSTEMS": current!.subsystem = value.isEmpty ? nil : value
                case "DRIVERS": current!.driver = value.isEmpty ? nil : value
                default:
                    if key.hasPrefix("ATTRS{") { current!.attributes[String(key.dropFirst(6).dropLast())] = value }
                }
            }
        }
        flush()
        // The kernel names USB devices BUS-PORTS (and root hubs usbN), interfaces BUS-PORTS:C.I.
        ancestors = ancestors.map { ancestor in
            var a = ancestor
            if a.subsystem == "usb" { a.devType = a.sysName.contains(":") ? "usb_interface" : "usb_device" }
            return a
        }
        return DeviceRecord(sysPath: "/sys" + devPath, sysName: node.map { String($0.split(separator: "/").last!) } ?? "",
                            devNode: node, properties: properties, devLinks: links, ancestors: ancestors)
    }

    /// The same device in a container without udevd: only the kernel's uevent properties,
    /// no links; the USB facts must come from the parents' sysfs attributes.
    static func withoutUdevDatabase(_ record: DeviceRecord) -> DeviceRecord {
        var stripped = record
        stripped.properties = record.properties.filter { ["DEVPATH", "SUBSYSTEM", "DEVNAME", "MAJOR", "MINOR"].contains($0.key) }
        stripped.devLinks = []
        return stripped
    }

    private static func assignment(_ line: String) -> (String, String)? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let range = trimmed.range(of: "==\""), trimmed.hasSuffix("\"") else { return nil }
        return (String(trimmed[..<range.lowerBound]), String(trimmed[range.upperBound..<trimmed.index(before: trimmed.endIndex)]))
    }
}

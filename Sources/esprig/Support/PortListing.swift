import Foundation
import EsprigPorts
import EsprigProtocol
import EsprigWorkflows

/// Renders ports as the `esprig ports` table and JSON objects.
enum PortListing {
    static let columns = ["PORT", "BY-ID", "VID:PID", "BRIDGE", "SERIAL", "HUB PATH", "DRIVER"]

    static func row(_ port: SerialPortInfo) -> [String] {
        [
            port.path,
            port.byID.first.map { String($0.split(separator: "/").last ?? "") } ?? "-",
            port.usb?.vidPid ?? "-",
            port.bridge?.name ?? (port.usb == nil ? "-" : "(not an ESP bridge)"),
            port.usb?.serial ?? "-",
            port.usb?.topology ?? "-",
            port.driver ?? "-",
        ]
    }

    /// Columns padded to their widest cell; the last column is not padded.
    static func table(_ ports: [SerialPortInfo]) -> String {
        let rows = [columns] + ports.map(row)
        let widths = columns.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { cells in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func json(_ port: SerialPortInfo) -> [String: Any] {
        var object: [String: Any] = [
            "path": port.path, "by_id": port.byID, "by_path": port.byPath, "esp_like": port.isESPLike,
        ]
        if let driver = port.driver { object["driver"] = driver }
        if let bridge = port.bridge {
            object["bridge"] = bridge.name
            object["native_usb"] = bridge.isNative
        }
        if let usb = port.usb {
            let ids = usb.vidPid.split(separator: ":").map(String.init)
            var fields: [String: Any] = ["vid": ids[0], "pid": ids[1]]
            fields["vendor"] = usb.vendor
            fields["model"] = usb.model
            fields["serial"] = usb.serial
            fields["usb_path"] = usb.topology
            fields["interface"] = usb.interface
            object["usb"] = fields
        }
        return object
    }

}

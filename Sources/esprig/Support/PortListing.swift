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

    /// One port as `ports --json` shows it.
    struct Entry: Encodable {
        struct USB: Encodable {
            var vid: String
            var pid: String
            var vendor: String?
            var model: String?
            var serial: String?
            var usbPath: String?
            var interface: String?
            enum CodingKeys: String, CodingKey { case vid, pid, vendor, model, serial, interface, usbPath = "usb_path" }
        }
        var path: String
        var byID: [String]
        var byPath: [String]
        var espLike: Bool
        var driver: String?
        var bridge: String?
        var nativeUSB: Bool?
        var usb: USB?
        enum CodingKeys: String, CodingKey {
            case path, driver, bridge, usb
            case byID = "by_id", byPath = "by_path", espLike = "esp_like", nativeUSB = "native_usb"
        }

        init(_ port: SerialPortInfo) {
            path = port.path
            byID = port.byID
            byPath = port.byPath
            espLike = port.isESPLike
            driver = port.driver
            bridge = port.bridge?.name
            nativeUSB = port.bridge?.isNative
            usb = port.usb.map { usb in
                let ids = usb.vidPid.split(separator: ":").map(String.init)
                return USB(vid: ids[0], pid: ids[1], vendor: usb.vendor, model: usb.model,
                    serial: usb.serial, usbPath: usb.topology, interface: usb.interface)
            }
        }
    }

    /// `ports --json`.
    struct Report: Encodable {
        var ok = true
        var command = "ports"
        var ports: [Entry]
    }

}

import Foundation
import EsprigPorts

/// USB serial ports described by files instead of udev, named by ESPRIG_BENCH_DEVICES: each
/// `NAME.port` file in the directory is one port, `PATH VID:PID [SERIAL]` (e.g. a simulated
/// board's pty link with a CP2102's ids). Creating or deleting a file is plugging or unplugging
/// that board, so watch mode is tested end to end on machines without USB boards or udevd.
public struct BenchDeviceDirectory: DeviceSource, Sendable {
    public let directory: String

    /// Reads the `*.port` files in `directory` at every scan.
    public init(directory: String) { self.directory = directory }

    public func ttyDevices() throws(PortsError) -> [DeviceRecord] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".port") }.sorted()
        return names.enumerated().compactMap { index, name in
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return nil }
            let fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count >= 2 else { return nil }
            let ids = fields[1].split(separator: ":").map(String.init)
            guard ids.count == 2 else { return nil }
            var properties = ["ID_VENDOR_ID": ids[0], "ID_MODEL_ID": ids[1], "DEVNAME": fields[0]]
            if fields.count > 2 { properties["ID_SERIAL_SHORT"] = fields[2] }
            let hubPort = "1-\(index + 1)"
            return DeviceRecord(sysPath: "/sys/devices/esprig-bench/\(hubPort)/\(name)", sysName: String(name.dropLast(5)), devNode: fields[0],
                                properties: properties, devLinks: [],
                                ancestors: [DeviceRecord.Ancestor(subsystem: "usb", devType: "usb_device", sysName: hubPort, driver: nil)])
        }
    }
}

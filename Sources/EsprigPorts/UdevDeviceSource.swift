import CUdev

/// Tty devices from the real libudev: enumerates the `tty` subsystem and walks each device's
/// parents. Works without udevd (in containers): properties are then sparse and the parents'
/// sysfs attributes carry the USB facts.
public struct UdevDeviceSource: DeviceSource {
    public init() {}

    public func ttyDevices() throws(PortsError) -> [DeviceRecord] {
        guard let udev = udev_new() else {
            throw PortsError(.udevUnavailable, "libudev could not create a context", hint: "is /sys mounted?")
        }
        defer { udev_unref(udev) }
        guard let enumerate = udev_enumerate_new(udev) else {
            throw PortsError(.udevUnavailable, "libudev could not start an enumeration")
        }
        defer { udev_enumerate_unref(enumerate) }
        let status = udev_enumerate_add_match_subsystem(enumerate, "tty")
        let scanned = status < 0 ? status : udev_enumerate_scan_devices(enumerate)
        guard scanned >= 0 else {
            throw PortsError(.udevUnavailable, "libudev could not enumerate tty devices (error \(-scanned))")
        }
        var records: [DeviceRecord] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            defer { entry = udev_list_entry_get_next(current) }
            guard let path = udev_list_entry_get_name(current),
                  let device = udev_device_new_from_syspath(udev, path) else { continue }  // gone since the scan
            records.append(Self.record(device))
            udev_device_unref(device)
        }
        return records
    }

    /// Copies what discovery needs out of a libudev device (the caller keeps ownership).
    static func record(_ device: OpaquePointer) -> DeviceRecord {
        var properties: [String: String] = [:]
        var entry = udev_device_get_properties_list_entry(device)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) {
                properties[String(cString: name)] = udev_list_entry_get_value(current).map { String(cString: $0) } ?? ""
            }
            entry = udev_list_entry_get_next(current)
        }
        var links: [String] = []
        entry = udev_device_get_devlinks_list_entry(device)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) { links.append(String(cString: name)) }
            entry = udev_list_entry_get_next(current)
        }
        var ancestors: [DeviceRecord.Ancestor] = []
        // Parents are owned by the child device: no unref.
        var parent = udev_device_get_parent(device)
        while let current = parent {
            var attributes: [String: String] = [:]
            if cString(udev_device_get_devtype(current)) == "usb_device" {
                for name in ["idVendor", "idProduct", "serial", "manufacturer", "product"] {
                    if let value = cString(udev_device_get_sysattr_value(current, name)) { attributes[name] = value.trimmingSpaces }
                }
            }
            ancestors.append(DeviceRecord.Ancestor(
                subsystem: cString(udev_device_get_subsystem(current)), devType: cString(udev_device_get_devtype(current)),
                sysName: cString(udev_device_get_sysname(current)) ?? "", driver: cString(udev_device_get_driver(current)),
                attributes: attributes))
            parent = udev_device_get_parent(current)
        }
        return DeviceRecord(
            sysPath: cString(udev_device_get_syspath(device)) ?? "", sysName: cString(udev_device_get_sysname(device)) ?? "",
            devNode: cString(udev_device_get_devnode(device)), properties: properties, devLinks: links, ancestors: ancestors)
    }
}

func cString(_ pointer: UnsafePointer<CChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

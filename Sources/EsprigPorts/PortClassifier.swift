/// Turns tty device records into serial ports: which ttys are ports, and what each one is.
/// Pure: reads udev properties first (a system with udevd), then the parents' sysfs
/// attributes (containers and early boot, where udev's database is empty).
public enum PortClassifier {
    /// The records that are serial ports (a tty with a parent device, or a USB tty node),
    /// classified, ESP-like first, then by path.
    public static func ports(from records: [DeviceRecord]) -> [SerialPortInfo] {
        records.filter(isSerialPort).map(classify).sorted(by: listingOrder)
    }

    /// Virtual consoles and ptys have no parent device; USB ttys always have one, but the node
    /// name alone is enough to keep a record whose parents could not be read.
    public static func isSerialPort(_ record: DeviceRecord) -> Bool {
        guard let node = record.devNode else { return false }
        if !record.ancestors.isEmpty { return true }
        let name = node.split(separator: "/").last.map(String.init) ?? node
        return name.hasPrefix("ttyUSB") || name.hasPrefix("ttyACM")
    }

    public static func classify(_ record: DeviceRecord) -> SerialPortInfo {
        let links = record.devLinks.isEmpty
            ? (record.properties["DEVLINKS"] ?? "").split(separator: " ").map(String.init)
            : record.devLinks
        let usb = usbInfo(record)
        return SerialPortInfo(
            path: record.devNode ?? "/dev/\(record.sysName)",
            sysPath: record.sysPath,
            byID: links.filter { $0.hasPrefix("/dev/serial/by-id/") }.sorted(),
            byPath: links.filter { $0.hasPrefix("/dev/serial/by-path/") }.sorted(),
            usb: usb,
            driver: driver(record),
            bridge: usb.flatMap { USBBridge.lookup(vendorID: $0.vendorID, productID: $0.productID) })
    }

    static func listingOrder(_ a: SerialPortInfo, _ b: SerialPortInfo) -> Bool {
        if a.isESPLike != b.isESPLike { return a.isESPLike }
        return naturalLess(a.path, b.path)
    }

    /// `ttyUSB2` before `ttyUSB10`.
    static func naturalLess(_ a: String, _ b: String) -> Bool {
        func split(_ s: String) -> (String, Int) {
            let digits = s.reversed().prefix { $0.isNumber }
            return (String(s.dropLast(digits.count)), Int(String(digits.reversed())) ?? -1)
        }
        let (pa, na) = split(a), (pb, nb) = split(b)
        return pa != pb ? pa < pb : na < nb
    }

    private static func usbInfo(_ record: DeviceRecord) -> USBInfo? {
        let p = record.properties
        let usbDevice = record.ancestors.first { $0.devType == "usb_device" }
        let attrs = usbDevice?.attributes ?? [:]
        guard let vid = hexID(p["ID_USB_VENDOR_ID"] ?? p["ID_VENDOR_ID"] ?? attrs["idVendor"]),
              let pid = hexID(p["ID_USB_MODEL_ID"] ?? p["ID_MODEL_ID"] ?? attrs["idProduct"]) else { return nil }
        let devPathTopology = (p["DEVPATH"] ?? record.sysPath).split(separator: "/").map(String.init).last(where: isUSBPortName)
        return USBInfo(
            vendorID: vid, productID: pid,
            vendor: firstText(p["ID_VENDOR_FROM_DATABASE"], decoded(p["ID_USB_VENDOR_ENC"] ?? p["ID_VENDOR_ENC"]), p["ID_USB_VENDOR"] ?? p["ID_VENDOR"], attrs["manufacturer"]),
            model: firstText(p["ID_MODEL_FROM_DATABASE"], decoded(p["ID_USB_MODEL_ENC"] ?? p["ID_MODEL_ENC"]), p["ID_USB_MODEL"] ?? p["ID_MODEL"], attrs["product"]),
            serial: firstText(p["ID_USB_SERIAL_SHORT"] ?? p["ID_SERIAL_SHORT"], attrs["serial"]),
            topology: usbDevice.map(\.sysName) ?? devPathTopology,
            interface: interfaceNumber(record, properties: p))
    }

    /// usb_device sysfs names are `BUS-PORT[.PORT...]`, e.g. `1-1.4`; root hubs are `usb1`.
    static func isUSBPortName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].allSatisfy(\.isNumber), !parts[0].isEmpty else { return false }
        return !parts[1].isEmpty && parts[1].allSatisfy { $0.isNumber || $0 == "." }
    }

    /// The `:1.0` of the usb_interface name `1-1.4:1.0`.
    private static func interfaceNumber(_ record: DeviceRecord, properties p: [String: String]) -> String? {
        if let iface = record.ancestors.first(where: { $0.devType == "usb_interface" }),
           let colon = iface.sysName.lastIndex(of: ":") {
            return String(iface.sysName[iface.sysName.index(after: colon)...])
        }
        let components = (p["DEVPATH"] ?? record.sysPath).split(separator: "/")
        // Not split(":")[0]: a component that starts with ":" splits into nothing (found by fuzzing).
        guard let name = components.last(where: { $0.contains(":") && isUSBPortName(String($0.prefix { $0 != ":" })) }),
              let colon = name.lastIndex(of: ":") else { return nil }
        return String(name[name.index(after: colon)...])
    }

    private static func driver(_ record: DeviceRecord) -> String? {
        if let driver = record.properties["ID_USB_DRIVER"], !driver.isEmpty { return driver }
        // Linux 6.5+ puts a serial-base "ctrl"/"port" pair between a UART and its real driver;
        // USB devices' own driver is the generic "usb".
        return record.ancestors.lazy
            .filter { $0.subsystem != "serial-base" }
            .compactMap(\.driver).first { !$0.isEmpty && $0 != "usb" }
    }

    private static func hexID(_ text: String?) -> UInt16? {
        guard let text, text.utf8.count == 4, isHex(text.utf8) else { return nil }
        return UInt16(text, radix: 16)
    }

    private static func firstText(_ candidates: String?...) -> String? {
        candidates.lazy.compactMap { $0?.trimmingSpaces }.first { !$0.isEmpty }
    }

    /// udev's `_ENC` values escape unsafe bytes as `\xNN` (spaces as `\x20`).
    /// Only hex digits: Swift's integer parsing also takes a leading `+` or `-` ("+303", "\\x-0").
    private static func isHex<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
    }

    static func decoded(_ text: String?) -> String? {
        guard let text else { return nil }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count, utf8[i + 1] == UInt8(ascii: "x"), isHex(utf8[(i + 2)...(i + 3)]),
               let byte = UInt8(String(decoding: utf8[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                bytes.append(byte)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}

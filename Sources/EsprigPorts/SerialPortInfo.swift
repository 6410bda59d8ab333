/// A serial port found on this machine, with what identifies it across replugs.
public struct SerialPortInfo: Sendable, Hashable, Codable {
    /// `/dev/ttyUSB0`.
    public var path: String
    /// `/sys/devices/...`.
    public var sysPath: String
    /// `/dev/serial/by-id/...` links (stable per adapter when it has a serial number).
    public var byID: [String]
    /// `/dev/serial/by-path/...` links (stable per hub socket).
    public var byPath: [String]
    /// USB facts; nil for a port on a non-USB bus (a UART of the mainboard).
    public var usb: USBInfo?
    /// Kernel driver: cp210x, ch341, ftdi_sio, cdc_acm, serial8250, ...
    public var driver: String?
    /// The bridge, when this port looks like an ESP board's.
    public var bridge: USBBridge?

    public var isESPLike: Bool { bridge != nil }

    public init(path: String, sysPath: String, byID: [String] = [], byPath: [String] = [],
                usb: USBInfo? = nil, driver: String? = nil, bridge: USBBridge? = nil) {
        self.path = path
        self.sysPath = sysPath
        self.byID = byID
        self.byPath = byPath
        self.usb = usb
        self.driver = driver
        self.bridge = bridge
    }
}

public struct USBInfo: Sendable, Hashable, Codable {
    public var vendorID: UInt16
    public var productID: UInt16
    public var vendor: String?
    public var model: String?
    /// The adapter's serial number (iSerial); many CH340s have none.
    public var serial: String?
    /// Bus and hub ports of the USB device, `1-1.4`: the socket the board is plugged into.
    public var topology: String?
    /// Interface number for multi-port bridges (FT2232, CP2105): `1.0`, `1.1`.
    public var interface: String?

    public init(vendorID: UInt16, productID: UInt16, vendor: String? = nil, model: String? = nil,
                serial: String? = nil, topology: String? = nil, interface: String? = nil) {
        self.vendorID = vendorID
        self.productID = productID
        self.vendor = vendor
        self.model = model
        self.serial = serial
        self.topology = topology
        self.interface = interface
    }

    /// `10c4:ea60`, lsusb style.
    public var vidPid: String { hex4(vendorID) + ":" + hex4(productID) }
}

func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 4 - digits.count) + digits
}

/// One udev device as libudev (or `udevadm info`) shows it: the values port discovery reads.
/// Plain data, so classification is tested against recorded property sets.
public struct DeviceRecord: Sendable, Hashable {
    /// `/sys/devices/...` (udev `DEVPATH` with the sysfs mount in front).
    public var sysPath: String
    /// `ttyUSB0`.
    public var sysName: String
    /// `/dev/ttyUSB0`; nil for devices without a node.
    public var devNode: String?
    /// udev properties (`E:` lines of `udevadm info`): ID_VENDOR_ID, ID_SERIAL_SHORT, DEVLINKS, ...
    public var properties: [String: String]
    /// Symlinks to the node (`S:` lines): /dev/serial/by-id/..., /dev/serial/by-path/...
    public var devLinks: [String]
    /// Parent devices, nearest first (usb_interface, usb_device, hub, ...). Empty for a
    /// virtual tty, which is how ports are told from consoles.
    public var ancestors: [Ancestor]

    public struct Ancestor: Sendable, Hashable {
        public var subsystem: String?
        public var devType: String?
        public var sysName: String
        public var driver: String?
        /// sysfs attributes read from it (idVendor, idProduct, serial, manufacturer, product).
        public var attributes: [String: String]

        public init(subsystem: String?, devType: String?, sysName: String, driver: String?, attributes: [String: String] = [:]) {
            self.subsystem = subsystem
            self.devType = devType
            self.sysName = sysName
            self.driver = driver
            self.attributes = attributes
        }
    }

    public init(sysPath: String, sysName: String, devNode: String?, properties: [String: String],
                devLinks: [String], ancestors: [Ancestor]) {
        self.sysPath = sysPath
        self.sysName = sysName
        self.devNode = devNode
        self.properties = properties
        self.devLinks = devLinks
        self.ancestors = ancestors
    }
}

/// Where tty device records come from: libudev on a real machine, recorded sets in tests.
public protocol DeviceSource: Sendable {
    /// Every device of the `tty` subsystem, virtual consoles included; filtering is the caller's.
    func ttyDevices() throws(PortsError) -> [DeviceRecord]
}

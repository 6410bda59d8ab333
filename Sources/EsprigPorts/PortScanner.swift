/// Lists this machine's serial ports through a `DeviceSource`.
public struct PortScanner: Sendable {
    public var source: any DeviceSource

    public init(source: any DeviceSource = UdevDeviceSource()) {
        self.source = source
    }

    /// Every serial port, ESP-like first.
    public func ports() throws(PortsError) -> [SerialPortInfo] {
        PortClassifier.ports(from: try source.ttyDevices())
    }
}

@testable import EsprigPorts
import Testing

/// What each recorded bridge must classify as, with udev's database and without it.
struct BridgeExpectation: Sendable, CustomTestStringConvertible {
    var fixture: String
    var path: String
    var vidPid: String
    var bridge: String?
    var serial: String?
    var topology: String
    var interface: String
    var driver: String
    /// Vendor and model with udev's database (hwdb names first).
    var vendor: String?
    var model: String?
    var byID: String
    var testDescription: String { fixture }
}

@Suite("PortClassifier on recorded udev devices")
struct PortClassifierTests {
    static let bridges: [BridgeExpectation] = [
        .init(fixture: "cp2102-nodemcu", path: "/dev/ttyUSB0", vidPid: "10c4:ea60", bridge: "CP210x", serial: "0001",
              topology: "1-1.4", interface: "1.0", driver: "cp210x", vendor: "Silicon Labs", model: "CP210x UART Bridge",
              byID: "/dev/serial/by-id/usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0"),
        .init(fixture: "cp2102n-esp32-devkitc", path: "/dev/ttyUSB1", vidPid: "10c4:ea60", bridge: "CP210x",
              serial: "9c1f5a6b2e3ded11a1b2c3d4e5f6a7b8", topology: "1-1.2", interface: "1.0", driver: "cp210x",
              vendor: "Silicon Labs", model: "CP210x UART Bridge",
              byID: "/dev/serial/by-id/usb-Silicon_Labs_CP2102N_USB_to_UART_Bridge_Controller_9c1f5a6b2e3ded11a1b2c3d4e5f6a7b8-if00-port0"),
        .init(fixture: "ch340-nodemcu-v3", path: "/dev/ttyUSB2", vidPid: "1a86:7523", bridge: "CH340", serial: nil,
              topology: "1-1.3", interface: "1.0", driver: "ch341", vendor: "QinHeng Electronics", model: "CH340 serial converter",
              byID: "/dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0"),
        .init(fixture: "ch9102-esp32-devkitc-v4", path: "/dev/ttyACM0", vidPid: "1a86:55d4", bridge: "CH9102", serial: "5424011234",
              topology: "3-2", interface: "1.0", driver: "cdc_acm", vendor: "QinHeng Electronics", model: "USB Single Serial",
              byID: "/dev/serial/by-id/usb-1a86_USB_Single_Serial_5424011234-if00"),
        .init(fixture: "ft232r-usb-uart", path: "/dev/ttyUSB3", vidPid: "0403:6001", bridge: "FT232R", serial: "A50285BI",
              topology: "1-1.1", interface: "1.0", driver: "ftdi_sio", vendor: "Future Technology Devices International, Ltd",
              model: "FT232 Serial (UART) IC", byID: "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"),
        .init(fixture: "ft2232-esp-prog-uart", path: "/dev/ttyUSB5", vidPid: "0403:6010", bridge: "FT2232 (ESP-Prog)", serial: nil,
              topology: "1-2", interface: "1.1", driver: "ftdi_sio", vendor: "Future Technology Devices International, Ltd",
              model: "FT2232C/D/H Dual UART/FIFO IC", byID: "/dev/serial/by-id/usb-FTDI_Dual_RS232-HS-if01-port0"),
        .init(fixture: "ft231x-basic-serial", path: "/dev/ttyUSB6", vidPid: "0403:6015", bridge: "FT231X", serial: "DN05LZ1K",
              topology: "1-1.4.2", interface: "1.0", driver: "ftdi_sio", vendor: "Future Technology Devices International, Ltd",
              model: "Bridge(I2C/SPI/UART/FIFO)", byID: "/dev/serial/by-id/usb-FTDI_FT231X_USB_UART_DN05LZ1K-if00-port0"),
        .init(fixture: "esp32c3-usb-serial-jtag", path: "/dev/ttyACM1", vidPid: "303a:1001", bridge: "ESP USB-Serial/JTAG",
              serial: "F4:12:FA:43:6A:10", topology: "3-1", interface: "1.0", driver: "cdc_acm", vendor: "Espressif",
              model: "USB JTAG/serial debug unit", byID: "/dev/serial/by-id/usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA:43:6A:10-if00"),
        .init(fixture: "esp32s2-usb-otg-rom", path: "/dev/ttyACM2", vidPid: "303a:0002", bridge: "ESP32-S2 USB-OTG (ROM download)", serial: "0",
              topology: "3-3", interface: "1.0", driver: "cdc_acm", vendor: "Espressif", model: "ESP32-S2",
              byID: "/dev/serial/by-id/usb-Espressif_ESP32-S2_0-if00"),
        .init(fixture: "pl2303-not-esp", path: "/dev/ttyUSB4", vidPid: "067b:2303", bridge: nil, serial: nil,
              topology: "1-1.5", interface: "1.0", driver: "pl2303", vendor: "Prolific Technology, Inc.",
              model: "PL2303 Serial Port / Mobile Action MA-8910P", byID: "/dev/serial/by-id/usb-Prolific_Technology_Inc._USB-Serial_Controller-if00-port0"),
    ]

    @Test("a bridge recorded with udev's database classifies fully", arguments: bridges)
    func withDatabase(expected: BridgeExpectation) throws {
        let record = try UdevFixture.load(expected.fixture)
        #expect(PortClassifier.isSerialPort(record))
        let port = PortClassifier.classify(record)
        check(port, expected)
        #expect(port.usb?.vendor == expected.vendor)
        #expect(port.usb?.model == expected.model)
        #expect(port.byID == [expected.byID])
        #expect(port.byPath.count == 1)
        #expect(port.byPath.first?.hasPrefix("/dev/serial/by-path/pci-0000:00:14.0-usb-0:") == true)
    }

    @Test("without udevd the parents' sysfs attributes give the same identity", arguments: bridges)
    func withoutDatabase(expected: BridgeExpectation) throws {
        let record = UdevFixture.withoutUdevDatabase(try UdevFixture.load(expected.fixture))
        let port = PortClassifier.classify(record)
        check(port, expected)
        #expect(port.byID.isEmpty)
    }

    private func check(_ port: SerialPortInfo, _ expected: BridgeExpectation) {
        #expect(port.path == expected.path)
        #expect(port.usb?.vidPid == expected.vidPid)
        #expect(port.bridge?.name == expected.bridge)
        #expect(port.isESPLike == (expected.bridge != nil))
        #expect(port.usb?.serial == expected.serial)
        #expect(port.usb?.topology == expected.topology)
        #expect(port.usb?.interface == expected.interface)
        #expect(port.driver == expected.driver)
    }

    @Test("a CH340 without udev's database has no vendor name; its model comes from the product string")
    func ch340Strings() throws {
        let port = PortClassifier.classify(UdevFixture.withoutUdevDatabase(try UdevFixture.load("ch340-nodemcu-v3")))
        #expect(port.usb?.vendor == nil)
        #expect(port.usb?.model == "USB2.0-Serial")
    }

    @Test("virtual consoles are not ports; a mainboard UART is, without USB facts")
    func nonUSB() {
        let console = DeviceRecord(sysPath: "/sys/devices/virtual/tty/tty1", sysName: "tty1", devNode: "/dev/tty1",
                                   properties: ["DEVPATH": "/devices/virtual/tty/tty1"], devLinks: [], ancestors: [])
        let uart = DeviceRecord(sysPath: "/sys/devices/pnp0/00:00/00:00:0/00:00:0.0/tty/ttyS0", sysName: "ttyS0", devNode: "/dev/ttyS0",
                                properties: ["DEVPATH": "/devices/pnp0/00:00/00:00:0/00:00:0.0/tty/ttyS0"], devLinks: [],
                                ancestors: [.init(subsystem: "serial-base", devType: nil, sysName: "00:00:0.0", driver: "port"),
                                            .init(subsystem: "serial-base", devType: nil, sysName: "00:00:0", driver: "ctrl"),
                                            .init(subsystem: "pnp", devType: nil, sysName: "00:00", driver: "serial")])
        #expect(!PortClassifier.isSerialPort(console))
        #expect(PortClassifier.isSerialPort(uart))
        let port = PortClassifier.classify(uart)
        #expect(port.usb == nil)
        #expect(port.bridge == nil)
        #expect(port.driver == "serial")
    }

    @Test("listing puts ESP-like ports first, then paths in natural order")
    func ordering() throws {
        var records = try Self.bridges.map { try UdevFixture.load($0.fixture) }
        var extra = records[0]
        extra.devNode = "/dev/ttyUSB10"
        records.append(extra)
        let paths = PortClassifier.ports(from: records.reversed()).map(\.path)
        #expect(paths == ["/dev/ttyACM0", "/dev/ttyACM1", "/dev/ttyACM2", "/dev/ttyUSB0", "/dev/ttyUSB1", "/dev/ttyUSB2",
                          "/dev/ttyUSB3", "/dev/ttyUSB5", "/dev/ttyUSB6", "/dev/ttyUSB10", "/dev/ttyUSB4"])
    }

    @Test("Espressif's USB-OTG download PIDs name the chip family; USB-Serial/JTAG's shared PID names none")
    func espressifPIDs() {
        #expect(USBBridge.lookup(vendorID: 0x303A, productID: 0x0009)?.name == "ESP32-S3 USB-OTG (ROM download)")
        #expect(USBBridge.lookup(vendorID: 0x303A, productID: 0x0012)?.name == "ESP32-P4 USB-OTG (ROM download)")
        #expect(USBBridge.lookup(vendorID: 0x303A, productID: 0x1001)?.name == "ESP USB-Serial/JTAG")
        #expect(USBBridge.lookup(vendorID: 0x303A, productID: 0x1001)?.isNative == true)
        // Only the USB-Serial/JTAG gets the USB reset; OTG and UART bridges keep the classic one.
        #expect(USBBridge.lookup(vendorID: 0x303A, productID: 0x1001)?.isUSBSerialJTAG == true)
        #expect(USBBridge.lookup(vendorID: 0x303A, productID: 0x0009)?.isUSBSerialJTAG == false)
        #expect(USBBridge.lookup(vendorID: 0x10C4, productID: 0xEA60)?.isUSBSerialJTAG == false)
        #expect(USBBridge.lookup(vendorID: 0x303A, productID: 0x0005) == nil)   // the C3 has no USB-OTG
    }

    @Test("udev _ENC escapes decode")
    func encoded() {
        #expect(PortClassifier.decoded("Silicon\\x20Labs") == "Silicon Labs")
        #expect(PortClassifier.decoded("a\\x2") == "a\\x2")
    }
}

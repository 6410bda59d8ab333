import EsprigPorts
import EsprigTransport
import Testing

@Suite("PortSelection: auto, usb-serial, usb-path, by-id")
struct PortSelectionTests {
    static func ports(_ fixtures: [String]) throws -> [SerialPortInfo] {
        PortClassifier.ports(from: try fixtures.map(UdevFixture.load))
    }

    @Test("auto picks the only ESP-like port among others")
    func autoSingle() throws {
        let ports = try Self.ports(["pl2303-not-esp", "cp2102-nodemcu"])
        #expect(try PortSelection.resolve(.auto, among: ports).path == "/dev/ttyUSB0")
    }

    @Test("auto with two ESP-like ports stops, lists both and says how to choose")
    func autoAmbiguous() throws {
        let ports = try Self.ports(["cp2102-nodemcu", "ft232r-usb-uart", "pl2303-not-esp"])
        let error = #expect(throws: PortsError.self) { try PortSelection.resolve(.auto, among: ports) }
        #expect(error?.code == .ambiguous)
        #expect(error?.candidates.map(\.path) == ["/dev/ttyUSB0", "/dev/ttyUSB3"])
        #expect(error?.hint == "choose one: --port usb-serial:0001, --port usb-serial:A50285BI")
    }

    @Test("ambiguous ports without serial numbers are told apart by hub socket")
    func ambiguousWithoutSerials() throws {
        let ports = try Self.ports(["ch340-nodemcu-v3", "ft2232-esp-prog-uart"])
        let error = #expect(throws: PortsError.self) { try PortSelection.resolve(.auto, among: ports) }
        #expect(error?.hint == "choose one by hub socket: --port usb-path:1-1.3, --port usb-path:1-2")
    }

    @Test("auto with no ESP-like port stops and lists what is there")
    func autoNone() throws {
        let ports = try Self.ports(["pl2303-not-esp"])
        let error = #expect(throws: PortsError.self) { try PortSelection.resolve(.auto, among: ports) }
        #expect(error?.code == .noMatch)
        #expect(error?.message.contains("/dev/ttyUSB4") == true)
        let empty = #expect(throws: PortsError.self) { try PortSelection.resolve(.auto, among: []) }
        #expect(empty?.message.contains("no serial ports at all") == true)
    }

    @Test("usb-serial, usb-path and by-id pick one port each")
    func selectors() throws {
        let ports = try Self.ports(PortClassifierTests.bridges.map(\.fixture))
        #expect(try PortSelection.resolve(.usbSerial("A50285BI"), among: ports).path == "/dev/ttyUSB3")
        #expect(try PortSelection.resolve(.usbSerial("F4:12:FA:43:6A:10"), among: ports).path == "/dev/ttyACM1")
        #expect(try PortSelection.resolve(.usbPath("1-1.4.2"), among: ports).path == "/dev/ttyUSB6")
        #expect(try PortSelection.resolve(.usbPath("3-2"), among: ports).path == "/dev/ttyACM0")
        #expect(try PortSelection.resolve(.byID("usb-1a86_USB2.0-Serial-if00-port0"), among: ports).path == "/dev/ttyUSB2")
        let missing = #expect(throws: PortsError.self) { try PortSelection.resolve(.usbSerial("nope"), among: ports) }
        #expect(missing?.code == .noMatch)
        #expect(missing?.hint?.contains("esprig ports") == true)
    }

    @Test("a device path, a by-id or by-path link, or a resolved symlink finds its port")
    func byPath() throws {
        let ports = try Self.ports(PortClassifierTests.bridges.map(\.fixture))
        #expect(PortSelection.port(atPath: "/dev/ttyUSB3", among: ports)?.usb?.serial == "A50285BI")
        #expect(PortSelection.port(atPath: "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0", among: ports)?.path == "/dev/ttyUSB3")
        #expect(PortSelection.port(atPath: "/dev/serial/by-path/pci-0000:00:14.0-usb-0:1.3:1.0-port0", among: ports)?.path == "/dev/ttyUSB2")
        #expect(PortSelection.port(atPath: "/tmp/board", resolvedPath: "/dev/ttyACM1", among: ports)?.bridge?.isNative == true)
        #expect(PortSelection.port(atPath: "/dev/ttyUSB9", among: ports) == nil)
    }

    @Test("two adapters with the same serial number are refused, not guessed")
    func duplicateSerial() throws {
        var second = try UdevFixture.load("cp2102-nodemcu")
        second.devNode = "/dev/ttyUSB7"
        second.ancestors = second.ancestors.map { ancestor in
            var a = ancestor
            a.sysName = a.sysName.replacingOccurrences(of: "1-1.4", with: "1-1.6")
            return a
        }
        let ports = PortClassifier.ports(from: [try UdevFixture.load("cp2102-nodemcu"), second])
        let error = #expect(throws: PortsError.self) { try PortSelection.resolve(.usbSerial("0001"), among: ports) }
        #expect(error?.code == .ambiguous)
        #expect(error?.hint == "choose one by hub socket: --port usb-path:1-1.4, --port usb-path:1-1.6")
    }
}

@Suite("PortAddress selector forms")
struct PortAddressSelectorTests {
    @Test("auto and prefixed selectors parse; device paths and URLs still do")
    func parsing() throws {
        #expect(try PortAddress(parsing: "auto") == .selected(.auto))
        #expect(try PortAddress(parsing: "usb-serial:A50285BI") == .selected(.usbSerial("A50285BI")))
        #expect(try PortAddress(parsing: "usb-path:1-1.4") == .selected(.usbPath("1-1.4")))
        #expect(try PortAddress(parsing: "by-id:usb-FTDI_x-if00-port0") == .selected(.byID("usb-FTDI_x-if00-port0")))
        #expect(try PortAddress(parsing: "/dev/serial/by-id/usb-FTDI_x") == .device(path: "/dev/serial/by-id/usb-FTDI_x"))
        #expect(try PortAddress(parsing: "socket://127.0.0.1:4000") == .tcp(host: "127.0.0.1", port: 4000))
        #expect(try PortAddress(parsing: "sim://esp8266") == .simulator(chip: "esp8266", options: [:]))
        #expect(try PortAddress(parsing: "usb-path:1-1.4").description == "usb-path:1-1.4")
    }

    @Test("a selector without a value is an invalid address")
    func emptyValue() {
        let error = #expect(throws: TransportError.self) { try PortAddress(parsing: "usb-serial:") }
        #expect(error?.code == .invalidAddress)
    }

    @Test("a selector cannot be opened before it is resolved")
    func openUnresolved() {
        let error = #expect(throws: TransportError.self) { try openPort(.selected(.auto), baud: 115_200) }
        #expect(error?.code == .unsupported)
    }
}

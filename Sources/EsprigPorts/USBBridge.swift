import EsprigProtocol

/// A USB serial bridge that ESP boards carry, or an Espressif chip's own USB port.
public struct USBBridge: Sendable, Hashable, Codable {
    public var vendorID: UInt16
    public var productID: UInt16
    /// What operators call it: "CP210x", "CH340", "ESP USB-Serial/JTAG".
    public var name: String
    /// The chip's own USB (USB-Serial/JTAG or USB-OTG CDC) rather than a separate bridge chip;
    /// such ports disappear and come back when the chip resets.
    public var isNative: Bool

    public init(vendorID: UInt16, productID: UInt16, name: String, isNative: Bool = false) {
        self.vendorID = vendorID
        self.productID = productID
        self.name = name
        self.isNative = isNative
    }
}

extension USBBridge {
    /// Bridges found on ESP development boards, programmers (ESP-Prog) and Espressif's own USB.
    /// IDs from the vendors' datasheets and the Linux usb-serial drivers' device tables.
    public static let known: [USBBridge] = [
        USBBridge(vendorID: 0x10C4, productID: 0xEA60, name: "CP210x"),             // CP2102/CP2102N/CP2104
        USBBridge(vendorID: 0x10C4, productID: 0xEA70, name: "CP2105"),
        USBBridge(vendorID: 0x1A86, productID: 0x7523, name: "CH340"),
        USBBridge(vendorID: 0x1A86, productID: 0x7522, name: "CH340K"),
        USBBridge(vendorID: 0x1A86, productID: 0x5523, name: "CH341"),
        USBBridge(vendorID: 0x1A86, productID: 0x55D4, name: "CH9102"),
        USBBridge(vendorID: 0x1A86, productID: 0x55D3, name: "CH343"),
        USBBridge(vendorID: 0x0403, productID: 0x6001, name: "FT232R"),
        USBBridge(vendorID: 0x0403, productID: 0x6010, name: "FT2232 (ESP-Prog)"),
        USBBridge(vendorID: 0x0403, productID: 0x6014, name: "FT232H"),
        USBBridge(vendorID: 0x0403, productID: 0x6015, name: "FT231X"),
    ] + native

    /// Espressif's own USB ports, from the chip table: one USB-Serial/JTAG PID that every chip
    /// with the peripheral shares (so it names no family), and a USB-OTG download PID per chip.
    static let espressifVendorID: UInt16 = 0x303A
    static let native: [USBBridge] = {
        var out: [USBBridge] = []
        if let jtag = Chip.allCases.compactMap(\.spec.usbJTAGSerialPID).first {
            out.append(USBBridge(vendorID: espressifVendorID, productID: jtag, name: "ESP USB-Serial/JTAG", isNative: true))
        }
        for spec in Chip.allCases.map(\.spec) {
            guard let pid = spec.usbOTGPID else { continue }
            out.append(USBBridge(vendorID: espressifVendorID, productID: pid, name: "\(spec.displayName) USB-OTG (ROM download)", isNative: true))
        }
        return out
    }()

    /// A chip's own USB-Serial/JTAG port: DTR/RTS drive the peripheral's reset logic, not EN/GPIO0
    /// transistors, so it needs esptool's `usb_reset` sequence.
    public var isUSBSerialJTAG: Bool {
        vendorID == Self.espressifVendorID && Chip.allCases.contains { $0.spec.usbJTAGSerialPID == productID }
    }

    /// The bridge with this VID:PID, if ESP boards use it.
    public static func lookup(vendorID: UInt16, productID: UInt16) -> USBBridge? {
        known.first { $0.vendorID == vendorID && $0.productID == productID }
    }
}

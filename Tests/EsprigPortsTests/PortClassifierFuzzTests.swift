@testable import EsprigPorts
import Testing
import EsprigTestSupport

/// Seeded generated udev property sets for the classifier (fixed seed; ESPRIG_FUZZ_SCALE runs longer).
@Suite("udev properties, fuzzed")
struct PortClassifierFuzzTests {
    static let keys = ["ID_VENDOR_ID", "ID_USB_VENDOR_ID", "ID_MODEL_ID", "ID_USB_MODEL_ID", "ID_VENDOR_ENC", "ID_MODEL_ENC",
                       "ID_SERIAL_SHORT", "ID_USB_INTERFACE_NUM", "DEVLINKS", "DEVPATH", "ID_VENDOR", "ID_MODEL"]
    static let alphabet = Array("0123456789abcdefABCDEF+-x\\/ .:_".utf8)

    static func value(_ rng: inout SeededRandom) -> String {
        String(decoding: (0..<rng.int(0...12)).map { _ in alphabet[rng.int(0...(alphabet.count - 1))] }, as: UTF8.self)
    }

    @Test("any properties: IDs only from exactly four hex digits, links only from DEVLINKS, no crash")
    func generated() {
        var rng = SeededRandom(seed: 0x0DE7)
        var withUSB = 0
        for index in 0..<FuzzBudget.iterations(3000) {
            var properties: [String: String] = [:]
            for key in Self.keys where rng.int(0...2) > 0 {
                switch rng.int(0...2) {
                case 0: properties[key] = String(format: "%04x", rng.int(0...0xFFFF))
                // Four characters, the length an ID has, from hex digits and signs.
                case 1: properties[key] = String(decoding: (0..<4).map { _ in Self.alphabet[rng.int(0...23)] }, as: UTF8.self)
                default: properties[key] = Self.value(&rng)
                }
            }
            if rng.int(0...3) == 0 { properties["DEVLINKS"] = "/dev/serial/by-id/usb-\(Self.value(&rng)) /dev/serial/by-path/p-\(rng.int(0...9)) /dev/other" }
            let record = DeviceRecord(sysPath: "/sys/devices/\(Self.value(&rng))", sysName: "ttyUSB\(index)", devNode: "/dev/ttyUSB\(index)",
                                      properties: properties, devLinks: [], ancestors: [])
            let info = PortClassifier.classify(record)
            #expect(info.path == "/dev/ttyUSB\(index)")
            #expect(info.byID.allSatisfy { $0.hasPrefix("/dev/serial/by-id/") } && info.byPath.allSatisfy { $0.hasPrefix("/dev/serial/by-path/") })
            if let usb = info.usb {
                withUSB += 1
                let vendor = properties["ID_USB_VENDOR_ID"] ?? properties["ID_VENDOR_ID"] ?? ""
                let model = properties["ID_USB_MODEL_ID"] ?? properties["ID_MODEL_ID"] ?? ""
                #expect(String(format: "%04x", usb.vendorID) == vendor.lowercased(), "input \(index): \(vendor)")
                #expect(String(format: "%04x", usb.productID) == model.lowercased(), "input \(index): \(model)")
            }
            _ = PortClassifier.decoded(properties["ID_VENDOR_ENC"])
        }
        #expect(withUSB > 0)
    }

    @Test("\\x escapes: exactly two hex digits decode, anything else stays as written")
    func escapes() {
        #expect(PortClassifier.decoded("Silicon\\x20Labs") == "Silicon Labs")
        #expect(PortClassifier.decoded("a\\x+fb") == "a\\x+fb")
        #expect(PortClassifier.decoded("a\\x-0b") == "a\\x-0b")
    }

    /// Found by `generated` (seed 0x0DE7): a DEVPATH component starting with ":" crashed the
    /// interface-number lookup with an index out of range.
    @Test("a DEVPATH component that starts with a colon is no USB interface, and no crash")
    func colonComponent() {
        let record = DeviceRecord(sysPath: "/sys/devices/x", sysName: "ttyUSB0", devNode: "/dev/ttyUSB0",
                                  properties: ["ID_VENDOR_ID": "10c4", "ID_MODEL_ID": "ea60", "DEVPATH": "/devices/:1.0/ttyUSB0"],
                                  devLinks: [], ancestors: [])
        #expect(PortClassifier.classify(record).usb?.interface == nil)
    }
}

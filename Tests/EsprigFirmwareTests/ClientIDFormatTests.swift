import EsprigFirmware
import EsprigProtocol
import Testing

@Suite("ClientIDFormat")
struct ClientIDFormatTests {
    @Test("%08X expands to the chip id in 8 upper-case hex digits; %% is a literal percent")
    func expand() throws {
        #expect(try ClientIDFormat("greenhouse_%08X").expand(chipID: 0x76815E) == "greenhouse_0076815E")
        #expect(try ClientIDFormat("%08X").expand(chipID: 0xFFFF_FFFF) == "FFFFFFFF")
        #expect(try ClientIDFormat("100%%_%08X_x").expand(chipID: 1) == "100%_00000001_x")
        let fixed = try ClientIDFormat("Device_ID")
        #expect(!fixed.usesChipID)
        #expect(fixed.expand(chipID: 5) == "Device_ID")
    }

    @Test("the demo's format rules: one %08X, no other conversion, 31 bytes expanded")
    func rules() {
        for (format, code) in [("a_%08X_%08X", FirmwareConfigError.Code.badFormat), ("id_%d", .badFormat), ("id_%08x", .badFormat),
                               ("x%", .badFormat), (String(repeating: "a", count: 24) + "%08X", .tooLong)] {
            let error = #expect(throws: FirmwareConfigError.self, "\(format)") { _ = try ClientIDFormat(format) }
            #expect(error?.code == code, "\(format)")
        }
        #expect(throws: Never.self) { _ = try ClientIDFormat(String(repeating: "a", count: 23) + "%08X") }
    }

    @Test("the client id comes from the OTP chip id when read, else from an Espressif-OUI MAC")
    func clientID() throws {
        let format = try ClientIDFormat("gh_%08X")
        let mac: [UInt8] = [0x18, 0xFE, 0x34, 0xA1, 0xB2, 0xC3]
        #expect(try format.clientID(chip: .esp8266, chipID: nil, mac: mac) == "gh_00A1B2C3")
        #expect(try format.clientID(chip: .esp8266, chipID: 0x0100_0001, mac: mac) == "gh_01000001")
        #expect(try format.clientID(chip: .esp8266, chipID: nil, mac: [0xAC, 0xD0, 0x74, 1, 2, 3]) == "gh_01010203")
        let custom = #expect(throws: FirmwareConfigError.self) {
            _ = try format.clientID(chip: .esp8266, chipID: nil, mac: [0x84, 0x0D, 0x8E, 0x76, 0x81, 0x5E])
        }
        #expect(custom?.code == .notAllowed)
        let esp32 = #expect(throws: FirmwareConfigError.self) {
            _ = try format.clientID(chip: .esp32, chipID: nil, mac: [0x24, 0x0A, 0xC4, 0x12, 0x34, 0x56])
        }
        #expect(esp32?.code == .notAllowed)
        #expect(try ClientIDFormat("fixed").clientID(chip: .esp32, chipID: nil, mac: []) == "fixed")
    }

    @Test("ESP8266ChipID from the OTP words is the SDK's formula")
    func otp() {
        #expect(ESP8266ChipID.fromOTP(mac0: 0x5E00_0000, mac1: 0x0200_7681) == 0x0076_815E)
        #expect(ESP8266ChipID.fromOTP(mac0: 0xC3FF_FFFF, mac1: 0xFF01_A1B2) == 0x01A1_B2C3)
        #expect(ESP8266ChipID.fromMAC([1, 2, 3]) == nil)
    }
}

import EsprigFirmware
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// The bench derives each board's MQTT client id from its chip id; esptool (the reference for
/// the SDK's system_get_chip_id), `esprig chip-id` and the pure derivation must agree.
@Suite("chip id and client id agree with esptool")
struct ChipIDAgreementTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var mac: String
        var chipID: String
        var fromMAC: Bool
        var testDescription: String { mac }
    }

    @Test("esptool chip-id, esprig chip-id and the MAC derivation give one id; the client id follows",
          arguments: [
            Case(mac: "18:fe:34:a1:b2:c3", chipID: "0x00a1b2c3", fromMAC: true),
            Case(mac: "ac:d0:74:12:34:56", chipID: "0x01123456", fromMAC: true),
            Case(mac: "5c:cf:7f:0a:0b:0c", chipID: "0x000a0b0c", fromMAC: false),
          ])
    func agree(_ c: Case) throws {
        let options = try SimulatorOptions(chip: .esp8266, query: ["mac": c.mac])
        let server = try SimulatorServer(board: try SimulatedBoard(options: options), endpoint: .pty(linkPath: nil))
        try server.start()
        defer { server.stop() }

        let esptool = try ToolRunner.locateEsptool().run(["--chip", "esp8266", "-p", server.address, "--before", "no-reset", "chip-id"], timeout: .seconds(60))
        #expect(esptool.status == 0, "\(esptool.output)")
        #expect(esptool.output.contains("Chip ID: \(c.chipID)"), "\(esptool.output)")
        #expect(esptool.output.contains(c.mac), "\(esptool.output)")

        let esprig = try ToolRunner.locateEsprig().run(["-p", server.address, "--before", "no-reset", "chip-id"], timeout: .seconds(60))
        #expect(esprig.status == 0, "\(esprig.output)")
        #expect(esprig.output.contains("Chip ID: \(c.chipID)"), "\(esprig.output)")

        let mac = c.mac.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        let expected = try #require(UInt32(c.chipID.dropFirst(2), radix: 16))
        #expect(ESP8266ChipID.fromMAC(mac) == (c.fromMAC ? expected : nil))
        let format = try ClientIDFormat("greenhouse_%08X")
        #expect(try format.clientID(chip: .esp8266, chipID: expected, mac: mac) == "greenhouse_" + c.chipID.dropFirst(2).uppercased())
    }
}

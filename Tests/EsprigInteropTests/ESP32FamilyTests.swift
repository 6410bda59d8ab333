import EsprigProtocol
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// The ESP32-S2-and-later rows, proven by esptool 5.6: without `--chip` its own detection
/// (GET_SECURITY_INFO's chip id, or the S2's magic word) must name the simulated chip, and its
/// `get_chip_description` must read the revision the board's eFuses hold. TCP only, small images.
@Suite("the ESP32 family under esptool")
struct ESP32FamilyTests {
    static let chips: [Chip] = [.esp32s2, .esp32s3, .esp32c2, .esp32c3, .esp32c5, .esp32c6, .esp32h2, .esp32p4]

    /// esptool's description for package 0, no embedded flash/PSRAM, revision v1.3 (its naming
    /// rules in `targets/<chip>.py`, written out by hand).
    static let descriptions: [Chip: String] = [
        .esp32s2: "ESP32-S2 (revision v1.3)", .esp32s3: "ESP32-S3 (QFN56) (revision v1.3)",
        .esp32c2: "ESP32-C2 (revision v1.3)", .esp32c3: "ESP32-C3 (QFN32) (revision v1.3)",
        .esp32c5: "ESP32-C5N (revision v1.3)", .esp32c6: "ESP32-C6 (QFN40) (revision v1.3)",
        .esp32h2: "ESP32-H2 (revision v1.3)", .esp32p4: "ESP32-P4 (revision v1.3)",
    ]
    static let revision = ChipRevision(major: 1, minor: 3)
    static let mac: [UInt8] = [0x7C, 0xDF, 0xA1, 0x0A, 0x0B, 0x0C]

    @Test("esptool detects the chip and revision, reads MAC and flash id, writes/verifies/reads with and without the stub",
          arguments: chips)
    func esptoolRoundTrip(chip: Chip) throws {
        let bench = try EsptoolBench(chip: chip, transport: .tcp, seed: 14) {
            $0.revision = Self.revision
            $0.mac = Self.mac
        }
        let identity = try bench.esptool(["flash-id"], chipArgument: nil)
        #expect(identity.contains("Detecting chip type... \(chip.spec.displayName)"), "\(identity)")
        #expect(identity.contains("Chip type:          \(Self.descriptions[chip]!)"), "\(identity)")
        #expect(identity.contains("7c:df:a1:0a:0b:0c"))
        #expect(identity.contains("Manufacturer: ef") && identity.contains("Device: 4016"))

        // Stub: compressed write, esptool's own MD5 check, then a read back.
        let a = bench.randomBytes(20_003)
        try bench.esptool(["write-flash", "0x10000", bench.file("a.bin", a)], chipArgument: nil)
        bench.expectWrite(a, at: 0x10000)
        bench.checkFlash("stub write")
        try bench.esptool(["verify-flash", "0x10000", bench.file("a.bin", a)], chipArgument: nil)
        let back = bench.directory.file("back.bin")
        try bench.esptool(["read-flash", "0x10000", "20003", back], chipArgument: nil)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: back))) == a)

        // ROM only (the stub left running is reset away first): write, verify, READ_FLASH_SLOW.
        bench.resetIntoLoader()
        let b = bench.randomBytes(5000, compressible: true)
        try bench.esptool(["write-flash", "0x30000", bench.file("b.bin", b)], global: ["--no-stub"], chipArgument: nil)
        bench.expectWrite(b, at: 0x30000)
        bench.checkFlash("ROM write")
        try bench.esptool(["verify-flash", "0x30000", bench.file("b.bin", b)], global: ["--no-stub"], chipArgument: nil)
        let slow = bench.directory.file("slow.bin")
        try bench.esptool(["read-flash", "0x30000", "300", slow], global: ["--no-stub"], chipArgument: nil)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: slow))) == Array(b[0..<300]))
    }

    @Test("esprig reads the same identity esptool does", arguments: chips)
    func identityAgreement(chip: Chip) throws {
        let bench = try EsptoolBench(chip: chip, transport: .tcp, seed: 15) {
            $0.revision = Self.revision
            $0.mac = Self.mac
        }
        let theirs = try bench.esptool(["read-mac"], chipArgument: nil)
        func field(_ name: String, in text: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix(name) }.map { $0.dropFirst(name.count).trimmingCharacters(in: .whitespaces) }
        }
        let result = try ToolRunner.locateEsprig().run(["-p", bench.server.address, "--before", "no-reset", "--after", "no-reset", "--json", "chip-id"],
                                                       timeout: .seconds(60))
        try #require(result.status == 0, "\(result.output)")
        let json = try #require(result.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let description = try #require(field("Chip type:", in: theirs))
        #expect(description == Self.descriptions[chip])
        #expect("\(object)".contains(description), "esprig: \(json)")
        #expect("\(object)".contains("7c:df:a1:0a:0b:0c"), "esprig: \(json)")
        let features = try #require(field("Features:", in: theirs))
        #expect(features.split(separator: ",").allSatisfy { "\(object)".contains($0.trimmingCharacters(in: .whitespaces)) }, "esptool: \(features); esprig: \(json)")
    }

    @Test("esprig and esptool leave identical flash (stub and ROM writes)", arguments: chips)
    func identicalFlash(chip: Chip) throws {
        let inputs = try EsprigVsEsptoolTests.Inputs(chip: chip)
        for scenario in Scenario.family {
            let reference = try EsprigVsEsptoolTests.esptoolFlash(chip, scenario, inputs)
            let run = try EsprigVsEsptoolTests.esprigRun(chip, .tcp, inputs.arguments(scenario), global: scenario.global, inputs: inputs)
            #expect(run.status == 0, "esprig \(scenario.name) failed:\n\(run.output)")
            if let index = run.flash.indices.first(where: { $0 < reference.count && run.flash[$0] != reference[$0] }) {
                Issue.record("esprig \(scenario.name) on \(chip): flash differs from esptool's first at 0x\(String(index, radix: 16))")
            }
        }
    }
}

extension Scenario {
    /// The lean set the family tests run per chip.
    static let family: [Scenario] = [all[0], all[2]]
}

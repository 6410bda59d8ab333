import EsprigProtocol
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// `security-info` against esptool's `get-security-info` on the same simulated eFuses, and the
/// refusals that protect a secured chip or a wrong `--chip` before anything is written.
@Suite("security info and refusals on the ESP32 family")
struct SecurityInfoTests {
    static func bench(_ chip: Chip, secureBoot: Bool, flashEncryption: Bool, seed: UInt64) throws -> EsptoolBench {
        try EsptoolBench(chip: chip, transport: .tcp, seed: seed) {
            $0.securityFlags = secureBoot ? 1 : 0
            $0.flashCryptCount = flashEncryption ? 0b111 : 0   // three bits: odd, so enabled
        }
    }

    static func esprig(_ bench: EsptoolBench, _ args: [String]) throws -> (status: Int32, output: String) {
        try ToolRunner.locateEsprig().run(["-p", bench.server.address, "--before", "no-reset", "--after", "no-reset"] + args, timeout: .seconds(60))
    }

    /// The lines from "Security Information:" to the crypt count.
    static func report(_ output: String) -> [String] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "Security Information:"),
              let end = lines.firstIndex(where: { $0.hasPrefix("SPI Boot Crypt Count") }) else { return [] }
        return Array(lines[start...end])
    }

    @Test("esprig prints what esptool get-security-info prints", arguments: [Chip.esp32c3, .esp32s2, .esp32c2])
    func matchesEsptool(chip: Chip) throws {
        let bench = try Self.bench(chip, secureBoot: true, flashEncryption: true, seed: 21)
        let theirs = Self.report(try bench.esptool(["get-security-info"], chipArgument: nil))
        bench.resetIntoLoader()
        let ours = try Self.esprig(bench, ["get-security-info"])
        #expect(ours.status == 0, "\(ours.output)")
        #expect(!theirs.isEmpty)
        #expect(Self.report(ours.output) == theirs, "esptool:\n\(theirs.joined(separator: "\n"))\nesprig:\n\(ours.output)")

        bench.resetIntoLoader()
        let json = try Self.esprig(bench, ["--json", "security-info"])
        let line = try #require(json.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["secure_boot"] as? Bool == true && object["flash_encryption"] as? Bool == true)
        #expect(object["flash_crypt_cnt"] as? Int == 7)
        #expect((object["chip_id"] as? Int).map(UInt32.init) == chip.spec.securityInfoChipID)
    }

    @Test("a write or erase to a chip with flash encryption or secure boot is refused unless --force, naming the setting")
    func securedChipRefused() throws {
        for (secureBoot, encryption, setting) in [(false, true, "flash encryption"), (true, false, "secure boot")] {
            let bench = try Self.bench(.esp32c6, secureBoot: secureBoot, flashEncryption: encryption, seed: 22)
            let data = bench.randomBytes(6000)
            let file = try bench.file("app.bin", data)
            let refused = try Self.esprig(bench, ["write-flash", "0x10000", file])
            #expect(refused.status == 2)
            #expect(refused.output.contains(setting) && refused.output.contains("--force"), "\(refused.output)")
            bench.checkFlash("refused write")
            bench.resetIntoLoader()
            let erase = try Self.esprig(bench, ["erase-region", "0x20000", "0x1000"])
            #expect(erase.status == 2 && erase.output.contains(setting), "\(erase.output)")
            bench.checkFlash("refused erase")
            bench.resetIntoLoader()
            let forced = try Self.esprig(bench, ["write-flash", "--force", "0x10000", file])
            #expect(forced.status == 0, "\(forced.output)")
            bench.expectWrite(data, at: 0x10000)
            bench.checkFlash("forced write")
        }
    }

    @Test("--chip that disagrees with the detected chip is refused before anything is written")
    func wrongChip() throws {
        let bench = try Self.bench(.esp32c3, secureBoot: false, flashEncryption: false, seed: 23)
        let file = try bench.file("app.bin", bench.randomBytes(4000))
        let result = try Self.esprig(bench, ["--chip", "esp32s3", "write-flash", "0x10000", file])
        #expect(result.status == 1)   // wrong input, as for every other --chip mismatch
        #expect(result.output.contains("this chip is ESP32-C3, not ESP32-S3"), "\(result.output)")
        bench.checkFlash("refused --chip")
    }
}

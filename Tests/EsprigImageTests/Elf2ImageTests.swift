import Testing
@testable import EsprigImage
import EsprigTestSupport

@Suite("elf2image against esptool")
struct Elf2ImageTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var esptoolFlags: [String]
        var flash: ImageFlashSettings
        var testDescription: String { esptoolFlags.isEmpty ? "defaults" : esptoolFlags.joined(separator: " ") }
    }

    static let cases = [
        Case(esptoolFlags: [], flash: ImageFlashSettings()),
        Case(esptoolFlags: ["-fm", "dio", "-ff", "80m", "-fs", "4MB"], flash: ImageFlashSettings(mode: .dio, frequency: .mhz80, size: .mb4)),
        Case(esptoolFlags: ["-fm", "dout", "-ff", "26m", "-fs", "2MB-c1"], flash: ImageFlashSettings(mode: .dout, frequency: .mhz26, size: .mb2c1)),
    ]

    @Test("v1 writes the same two files, names and bytes, as esptool", arguments: cases)
    func v1MatchesEsptool(_ c: Case) throws {
        let elfPath = try FirmwareBuild.demo().elf
        let directory = try TempDirectory(prefix: "elf2image-v1")
        _ = try EsptoolImageTool.run(["elf2image", "--version", "1", "-o", directory.file("esptool-")] + c.esptoolFlags + [elfPath])
        let ours = try Elf2Image.convert(elf: EsptoolImageTool.bytes(elfPath), elfPath: elfPath,
                                         options: .init(version: .v1, flash: c.flash, output: directory.file("esprig-")))
        #expect(ours.files.map(\.path) == [directory.file("esprig-0x10000.bin"), directory.file("esprig-0x00000.bin")])
        #expect(ours.files.map(\.flashOffset) == [0x10000, 0])
        for file in ours.files {
            let theirs = try EsptoolImageTool.bytes(file.path.replacingOccurrences(of: "esprig-", with: "esptool-"))
            #expect(file.bytes == theirs, "\(file.path) differs from esptool's")
        }
    }

    @Test("v2 writes the same single file as esptool", arguments: cases)
    func v2MatchesEsptool(_ c: Case) throws {
        let elfPath = try FirmwareBuild.demo().otaELF
        let directory = try TempDirectory(prefix: "elf2image-v2")
        _ = try EsptoolImageTool.run(["elf2image", "--version", "2", "-o", directory.file("esptool.bin")] + c.esptoolFlags + [elfPath])
        let ours = try Elf2Image.convert(elf: EsptoolImageTool.bytes(elfPath), elfPath: elfPath,
                                         options: .init(version: .v2, flash: c.flash, output: nil))
        #expect(ours.files.count == 1)
        #expect(ours.files[0].bytes == (try EsptoolImageTool.bytes(directory.file("esptool.bin"))))
        #expect(ours.files[0].flashOffset == 0x1000)
    }

    @Test("default output names follow esptool: ELF- prefix for v1, ELF stem plus sector offset for v2")
    func defaultNames() throws {
        let artifacts = try FirmwareBuild.demo()
        let v1 = try Elf2Image.convert(elf: EsptoolImageTool.bytes(artifacts.elf), elfPath: "out/demo.elf", options: .init(version: .v1))
        #expect(v1.files.map(\.path) == ["out/demo.elf-0x10000.bin", "out/demo.elf-0x00000.bin"])
        let v2 = try Elf2Image.convert(elf: EsptoolImageTool.bytes(artifacts.otaELF), elfPath: "out/demo-ota.elf", options: .init(version: .v2))
        #expect(v2.files.map(\.path) == ["out/demo-ota-0x01000.bin"])
        #expect(Elf2Image.removingExtension("a.b/.hidden") == "a.b/.hidden")
        #expect(Elf2Image.removingExtension("dir/app.v2.elf") == "dir/app.v2")
    }

    @Test("header bytes carry mode, size and frequency; .data and .rodata merge into one DRAM segment")
    func headerAndMerge() throws {
        let artifacts = try FirmwareBuild.demo()
        let flash = ImageFlashSettings(mode: .dio, frequency: .mhz80, size: .mb4)
        let image = try ESP8266Image(elf: ELFFile(bytes: EsptoolImageTool.bytes(artifacts.elf)), version: .v1, flash: flash)
        let ram = image.v1RAMPart()
        #expect(Array(ram[0...3]) == [0xE9, 2, 0x02, 0x4F])
        #expect(ram.count % 16 == 0)
        #expect(image.ramSegments.map(\.address) == [0x3FFE_8000, 0x4010_0000])
        #expect(image.ramSegments.allSatisfy { $0.data.count % 4 == 0 })
    }

    @Test("esp8266 CRC-32 rule: inverted when bit 31 is set, plus one otherwise")
    func crcRule() {
        // zlib CRC-32 of "123456789" is 0xCBF43926 (bit 31 set); of nothing it is 0.
        #expect(ESP8266Image.esp8266CRC32(Array("123456789".utf8)) == 0xCBF4_3926 ^ 0xFFFF_FFFF)
        #expect(ESP8266Image.esp8266CRC32([]) == 1)
        // "abc" gives 0x352441C2 (bit 31 clear).
        #expect(ESP8266Image.esp8266CRC32(Array("abc".utf8)) == 0x3524_41C3)
    }
}

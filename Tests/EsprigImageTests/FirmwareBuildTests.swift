import Testing
import EsprigImage
import EsprigTestSupport

@Suite("Demo firmware build")
struct FirmwareBuildTests {
    @Test("the Makefile builds both ELFs with xtensa-lx106-elf-gcc")
    func buildsWithDebianToolchain() throws {
        let artifacts = try FirmwareBuild.demo()
        for path in [artifacts.elf, artifacts.otaELF] {
            let elf = try ELFFile(bytes: EsptoolImageTool.bytes(path))
            #expect(elf.machine == ELFFile.machineXtensa)
            // call_user_start runs from IRAM: the ROM jumps there before flash is mapped.
            #expect((0x4010_0000..<0x4010_8000).contains(elf.entry))
            #expect(elf.section(named: ".text") != nil)
            #expect(elf.programHeaders.filter { $0.type == ELFFile.ProgramHeader.typeLoad }.count == 3)
        }
    }

    @Test("the two layouts put irom at flash 0x10000 (v1) and 0x1010 (v2 user1)")
    func iromAddresses() throws {
        let artifacts = try FirmwareBuild.demo()
        let v1 = try ELFFile(bytes: EsptoolImageTool.bytes(artifacts.elf))
        let ota = try ELFFile(bytes: EsptoolImageTool.bytes(artifacts.otaELF))
        #expect(v1.section(named: ".irom0.text")?.address == 0x4021_0000)
        #expect(ota.section(named: ".irom0.text")?.address == 0x4020_1010)
    }

    @Test("the ELF holds the compiled config strings and the ready line")
    func firmwareStrings() throws {
        let elf = try ELFFile(bytes: EsptoolImageTool.bytes(FirmwareBuild.demo().elf))
        let rodata = try #require(elf.section(named: ".rodata")).data
        let text = String(decoding: rodata.map { $0 == 0 ? 10 : $0 }, as: UTF8.self)
        // The host the committed header names (Profiles/demo.toml keeps it patched).
        let header = try String(contentsOfFile: FirmwareBuild.directory + "/include/mqtt_config.h", encoding: .utf8)
        let hostLine = try #require(header.split(separator: "\n").first { $0.hasPrefix("#define MQTT_HOST") })
        let host = try #require(hostLine.split(separator: "\"").dropFirst().first)
        #expect(text.contains(String(host)), "\(host)")
        #expect(text.contains("esprig_%08X"))
        #expect(text.contains("%s: ready"))
        #expect(text.contains("MQTT_PASS=<masked, %u chars>"))
    }
}

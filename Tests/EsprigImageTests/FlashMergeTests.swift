import Testing
import EsprigImage
import EsprigTestSupport

@Suite("merge-bin")
struct FlashMergeTests {
    @Test("regions land at their addresses with 0xFF between them")
    func fillsGaps() throws {
        let merged = try FlashMerge.merge([
            .init(address: 0x2000, bytes: [1, 2, 3], name: "b"),
            .init(address: 0x0, bytes: [9], name: "a"),
        ])
        #expect(merged.bytes.count == 0x2003)
        #expect(merged.bytes[0] == 9)
        #expect(merged.bytes[1..<0x2000].allSatisfy { $0 == 0xFF })
        #expect(Array(merged.bytes[0x2000...]) == [1, 2, 3])
    }

    @Test("target offset and pad-to-size shift and extend the output")
    func offsetAndPad() throws {
        let merged = try FlashMerge.merge([.init(address: 0x1000, bytes: [7], name: "a")],
                                          options: .init(targetOffset: 0x1000, padToSize: 0x4000))
        #expect(merged.bytes == [7] + [UInt8](repeating: 0xFF, count: 0x2FFF))
        #expect(throws: ImageError(.badRegions, "")) {
            try FlashMerge.merge([.init(address: 0x0, bytes: [7], name: "a")], options: .init(targetOffset: 0x1000))
        }
    }

    @Test("files sharing a sector are an overlap, as esptool rules")
    func overlap() {
        #expect(throws: ImageError(.badRegions, "")) {
            try FlashMerge.merge([.init(address: 0x0, bytes: [1], name: "a"), .init(address: 0x800, bytes: [2], name: "b")])
        }
        #expect(throws: ImageError(.badRegions, "")) { try FlashMerge.merge([]) }
    }

    @Test("flash settings leave a file at 0x0 alone unless it is a valid v1 image")
    func settingsOnlyPatchImages() throws {
        let data: [UInt8] = [0xE9, 1, 0, 0, 0, 0, 0, 0, 0x00]
        let merged = try FlashMerge.merge([.init(address: 0, bytes: data, name: "x")], options: .init(flashMode: .dio))
        #expect(merged.bytes == data)
        #expect(merged.warnings == ["Image file at 0x0 is not a valid ESP8266 image, so not changing any flash settings."])
        let text = Array("hello, world".utf8)
        let plain = try FlashMerge.merge([.init(address: 0, bytes: text, name: "t")], options: .init(flashSize: .mb4))
        #expect(plain.bytes == text)
        #expect(plain.warnings.count == 1)
    }

    @Test("the same bytes as esptool merge-bin, with flash settings patched into the image at 0x0")
    func matchesEsptool() throws {
        let artifacts = try FirmwareBuild.demo()
        let directory = try TempDirectory(prefix: "merge-bin")
        let v1 = try Elf2Image.convert(elf: EsptoolImageTool.bytes(artifacts.elf), elfPath: artifacts.elf,
                                       options: .init(version: .v1, output: directory.file("demo-")))
        for file in v1.files { try file.bytes.write(to: file.path) }
        let cert = directory.file("ca.bin")
        try [UInt8](repeating: 0x42, count: 100).write(to: cert)
        _ = try EsptoolImageTool.run(["merge-bin", "-o", directory.file("esptool.bin"), "-fm", "dout", "-fs", "4MB", "--pad-to-size", "1MB",
                                      "0x0", v1.files[1].path, "0x10000", v1.files[0].path, "0x77000", cert])
        let ours = try FlashMerge.merge([
            .init(address: 0x0, bytes: v1.files[1].bytes, name: "ram"),
            .init(address: 0x10000, bytes: v1.files[0].bytes, name: "irom"),
            .init(address: 0x77000, bytes: [UInt8](repeating: 0x42, count: 100), name: "ca"),
        ], options: .init(padToSize: 0x100000, flashMode: .dout, flashSize: .mb4))
        #expect(ours.warnings.isEmpty)
        #expect(ours.bytes == (try EsptoolImageTool.bytes(directory.file("esptool.bin"))))
    }
}

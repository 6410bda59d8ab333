import Testing
import Foundation
import EsprigImage
import EsprigTestSupport

@Suite("image-info")
struct ImageInfoTests {
    /// esptool-made images of the demo: v1 RAM part and v2 file.
    static func esptoolImages(_ directory: TempDirectory) throws -> [String] {
        let artifacts = try FirmwareBuild.demo()
        _ = try EsptoolImageTool.run(["elf2image", "-o", directory.file("v1-"), "-fm", "dio", artifacts.elf])
        _ = try EsptoolImageTool.run(["elf2image", "--version", "2", "-o", directory.file("v2.bin"), artifacts.otaELF])
        return [directory.file("v1-0x00000.bin"), directory.file("v2.bin")]
    }

    @Test("our text equals esptool image-info's on esptool's images")
    func textMatchesEsptool() throws {
        let directory = try TempDirectory(prefix: "image-info")
        for path in try Self.esptoolImages(directory) {
            let info = try ImageInfo(parsing: EsptoolImageTool.bytes(path))
            #expect(info.isChecksumValid)
            #expect(info.warnings.isEmpty)
            #expect(info.text() == (try EsptoolImageTool.imageInfo(path).text))
        }
    }

    @Test("esptool image-info accepts our images and finds the checksum valid")
    func esptoolAcceptsOurs() throws {
        let artifacts = try FirmwareBuild.demo()
        let directory = try TempDirectory(prefix: "image-info-ours")
        let v1 = try Elf2Image.convert(elf: EsptoolImageTool.bytes(artifacts.elf), elfPath: artifacts.elf,
                                       options: .init(version: .v1, output: directory.file("ours-")))
        let v2 = try Elf2Image.convert(elf: EsptoolImageTool.bytes(artifacts.otaELF), elfPath: artifacts.otaELF,
                                       options: .init(version: .v2, output: directory.file("ours.bin")))
        for file in [v1.files[1], v2.files[0]] {
            try file.bytes.write(to: file.path)
            let theirs = try EsptoolImageTool.imageInfo(file.path).text
            #expect(theirs.contains("Checksum: ") && theirs.contains("(valid)"))
            // Round trip: what we wrote reads back as the image we built.
            let info = try ImageInfo(parsing: file.bytes)
            #expect(info.text() == theirs)
            #expect(info.image.ramSegments.map(\.data) == (file.path.hasSuffix("ours.bin") ? v2.image : v1.image).ramSegments.map(\.data))
        }
        let v2Info = try ImageInfo(parsing: v2.files[0].bytes)
        #expect(v2Info.isCRCValid == true)
        #expect(v2Info.image.iromSegment?.data.count == (v2.image.iromSegment!.data.count + 15) / 16 * 16)
    }

    @Test("a flipped data byte is reported as an invalid checksum, by us and by esptool")
    func badChecksum() throws {
        let directory = try TempDirectory(prefix: "image-info-bad")
        for path in try Self.esptoolImages(directory) {
            var bytes = try EsptoolImageTool.bytes(path)
            let info = try ImageInfo(parsing: bytes)
            let segment = info.image.ramSegments[0]
            bytes[segment.fileOffset! + 8] ^= 0x5A
            let bad = directory.file("bad.bin")
            try bytes.write(to: bad)
            let damaged = try ImageInfo(parsing: bytes)
            #expect(!damaged.isChecksumValid)
            #expect(damaged.text().contains("invalid - calculated"))
            #expect(damaged.text() == (try EsptoolImageTool.imageInfo(bad).text))
            if info.image.version == .v2 {
                #expect(damaged.isCRCValid == false)
            }
        }
    }

    @Test("an SDK-style v2 header (mode 0, app number in byte 3) reads with esptool's disagreement warning")
    func sdkStyleHeader() throws {
        let directory = try TempDirectory(prefix: "image-info-sdk")
        var bytes = try EsptoolImageTool.bytes(try Self.esptoolImages(directory)[1])
        // gen_appbin writes 0x00 and the app number (1 for user1) where esptool writes mode and size/freq.
        bytes[2] = 0
        bytes[3] = 1
        let crc = ESP8266Image.esp8266CRC32(Array(bytes.dropLast(4)))
        bytes.replaceSubrange(bytes.count - 4..<bytes.count, with: (0..<4).map { UInt8(truncatingIfNeeded: crc >> ($0 * 8)) })
        let info = try ImageInfo(parsing: bytes)
        #expect(info.warnings.count == 1)
        #expect(info.warnings[0].hasPrefix("Flash size/freq value in first header (0x01) disagrees with second (0x20)"))
        #expect(info.isCRCValid == true)
        let path = directory.file("user1.bin")
        try bytes.write(to: path)
        let theirs = try EsptoolImageTool.imageInfo(path)
        #expect(info.text() == theirs.text)
        #expect(info.warnings == theirs.warnings)
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws {
        try Data(self).write(to: URL(fileURLWithPath: path))
    }
}

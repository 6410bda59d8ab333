import Testing
import EsprigImage
import EsprigTestSupport

@Suite("Bad input gives clear errors")
struct BadInputTests {
    static func demoELF() throws -> [UInt8] {
        try EsptoolImageTool.bytes(FirmwareBuild.demo().elf)
    }

    @Test("a file that is not an ELF")
    func notELF() {
        #expect(throws: ImageError(.notELF, "")) { try ELFFile(bytes: Array("int main(void) {}\n".utf8)) }
        #expect(throws: ImageError(.notELF, "")) { try ELFFile(bytes: []) }
    }

    @Test("a 64-bit or big-endian ELF")
    func wrongClass() throws {
        var elf = try Self.demoELF()
        elf[4] = 2
        #expect(throws: ImageError(.notELF, "")) { try ELFFile(bytes: elf) }
    }

    @Test("an ELF for another machine")
    func wrongMachine() throws {
        var elf = try Self.demoELF()
        elf[0x12] = 0x28  // EM_ARM
        let error = #expect(throws: ImageError.self) { try ELFFile(bytes: elf) }
        #expect(error?.code == .wrongMachine)
        #expect(error?.message.contains("0x0028") == true)
        #expect(error?.hint?.contains("xtensa-lx106-elf") == true)
    }

    @Test("every truncation of the demo ELF throws an ImageError or still converts, never traps")
    func truncated() throws {
        let elf = try Self.demoELF()
        var failures = 0
        // Bounded: about 200 prefixes across the file, plus the interesting header edges.
        let lengths = Array(Set(Array(stride(from: 0, to: elf.count, by: max(1, elf.count / 200))) + [4, 0x33, 0x34, elf.count - 1]))
        for length in lengths.sorted() {
            do {
                _ = try Elf2Image.convert(elf: Array(elf.prefix(length)), elfPath: "t.elf", options: .init(version: .v2))
            } catch {
                failures += 1
            }
        }
        // The section table sits at the end of the file, so every real truncation fails.
        #expect(failures == lengths.count)
        let error = #expect(throws: ImageError.self) { try ELFFile(bytes: Array(elf.dropLast(1))) }
        #expect(error?.code == .truncated)
    }

    @Test("an ELF with nothing to load into RAM")
    func missingSegments() throws {
        var elf = try Self.demoELF()
        // Turn every section into NOBITS: no section has bytes for the image any more.
        let sectionTable = Int(elf.u32(at: 0x20))
        let count = Int(elf[0x30]) | Int(elf[0x31]) << 8
        for index in 0..<count where index != Int(elf[0x32]) {
            elf[sectionTable + index * 0x28 + 4] = 8
        }
        let error = #expect(throws: ImageError.self) { try ESP8266Image(elf: ELFFile(bytes: elf), version: .v1) }
        #expect(error?.code == .badSegments)
    }

    @Test("image-info on non-images and truncated images")
    func badImages() throws {
        #expect(throws: ImageError(.notImage, "")) { try ImageInfo(parsing: []) }
        #expect(throws: ImageError(.notImage, "")) { try ImageInfo(parsing: Self.demoELF()) }
        let image = try Elf2Image.convert(elf: Self.demoELF(), elfPath: "d.elf", options: .init(version: .v1)).files[1].bytes
        for length in 1..<image.count {
            #expect(throws: ImageError.self) { try ImageInfo(parsing: Array(image.prefix(length))) }
        }
        var seeded = SeededRandom(seed: 0x8266)
        for _ in 0..<200 {
            var bytes = (0..<Int(seeded.next() % 64)).map { _ in UInt8(truncatingIfNeeded: seeded.next()) }
            bytes.insert(seeded.next() % 2 == 0 ? 0xE9 : 0xEA, at: 0)
            _ = try? ImageInfo(parsing: bytes)
        }
    }
}

extension Array where Element == UInt8 {
    func u32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(self[offset + $1]) << ($1 * 8) }
    }
}

import EsprigCodecs
import EsprigProtocol

/// An ESP8266 application image in either of the formats esptool's `elf2image` writes:
/// v1 (ROM-loaded: a RAM file plus a raw irom file) or v2 ("new" OTA format for boot_v1.x:
/// one file, magic 0xEA, irom segment first, then a v1-style RAM part and a CRC-32).
/// Layouts: esptool `bin_image.py` `ESP8266ROMFirmwareImage`/`ESP8266V2FirmwareImage`,
/// espressif/ESP8266_NONOS_SDK:tools/gen_appbin.py.
public struct ESP8266Image: Sendable, Equatable {
    public enum Version: Int, Sendable, CaseIterable {
        case v1 = 1, v2 = 2
    }

    public static let magic: UInt8 = 0xE9
    public static let magicV2: UInt8 = 0xEA
    /// The "segment count" byte of a v2 first header, really a version marker.
    public static let v2SegmentMarker: UInt8 = 4
    public static let checksumSeed: UInt8 = 0xEF
    /// ESP8266 images hold at most 16 segments (esptool `BaseFirmwareImage.verify`).
    public static let maxSegments = 16

    public var version: Version
    /// Raw header bytes 2 and 3: a file may hold codes that no `ImageFlashSettings` names.
    public var flashModeByte: UInt8
    public var sizeFrequencyByte: UInt8
    public var entry: UInt32
    /// The code run from flash. In v1 it is a separate raw file; in v2 it comes first, at address 0.
    public var iromSegment: ImageSegment?
    /// Segments the boot loader copies to RAM, in file order.
    public var ramSegments: [ImageSegment]
    /// The stored checksum byte (for a built image, the computed one).
    public var checksum: UInt8

    public init(version: Version, flash: ImageFlashSettings, entry: UInt32,
                iromSegment: ImageSegment?, ramSegments: [ImageSegment]) {
        self.version = version
        flashModeByte = flash.mode.code
        sizeFrequencyByte = flash.sizeFrequencyByte
        self.entry = entry
        self.iromSegment = iromSegment
        self.ramSegments = ramSegments
        checksum = Self.checksum(of: ramSegments)
    }

    /// 0xEF XOR every byte of every RAM segment's data; the irom part is not covered.
    public static func checksum(of segments: [ImageSegment]) -> UInt8 {
        var value = checksumSeed
        for segment in segments {
            for byte in segment.data { value ^= byte }
        }
        return value
    }

    public var calculatedChecksum: UInt8 { Self.checksum(of: ramSegments) }

    /// esptool's `esp8266_crc32`, the rule of the SDK's gen_appbin: zlib CRC-32, then
    /// inverted when bit 31 is set and plus one otherwise.
    public static func esp8266CRC32(_ bytes: [UInt8]) -> UInt32 {
        let crc = CRC32.checksum(bytes)
        return crc & 0x8000_0000 != 0 ? crc ^ 0xFFFF_FFFF : crc &+ 1
    }

    /// Flash offset of the irom part as elf2image names it: its address minus the 0x40200000
    /// window start.
    public var iromFlashOffset: Int? {
        iromSegment.map { Int($0.address) - Int(ImageSegment.iromWindow.lowerBound) }
    }

    // MARK: Serialising

    /// v1: the file flashed at 0x0 (header, RAM segments, padding, checksum).
    public func v1RAMPart() -> [UInt8] {
        var out: [UInt8] = []
        appendRAMPart(to: &out)
        return out
    }

    /// v2: the single file, CRC included.
    public func v2Bytes() -> [UInt8] {
        var out = header(magic: Self.magicV2, count: Self.v2SegmentMarker)
        if let iromSegment {
            // Stored at load address 0 and padded to 16 so the RAM part starts aligned.
            var data = iromSegment.data
            data += [UInt8](repeating: 0, count: (16 - data.count % 16) % 16)
            out.appendLE(UInt32(0))
            out.appendLE(UInt32(data.count))
            out += data
        }
        appendRAMPart(to: &out)
        out.appendLE(Self.esp8266CRC32(out))
        return out
    }

    private func header(magic: UInt8, count: UInt8) -> [UInt8] {
        var out: [UInt8] = [magic, count, flashModeByte, sizeFrequencyByte]
        out.appendLE(entry)
        return out
    }

    private func appendRAMPart(to out: inout [UInt8]) {
        out += header(magic: Self.magic, count: UInt8(ramSegments.count))
        for segment in ramSegments {
            out.appendLE(segment.address)
            out.appendLE(UInt32(segment.data.count))
            out += segment.data
        }
        // Zeros so that the checksum byte ends a 16-byte block.
        out += [UInt8](repeating: 0, count: 15 - out.count % 16)
        out.append(Self.checksum(of: ramSegments))
    }
}

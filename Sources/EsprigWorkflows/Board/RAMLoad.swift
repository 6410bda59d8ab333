import EsprigImage
import EsprigLoader
import EsprigProtocol

/// `load-ram`'s input: the image's segments and entry, read and checked for one chip before
/// anything is sent to it.
public struct RAMLoadPlan: Sendable, Equatable {
    public var segments: [RAMSegment]
    public var entry: UInt32

    /// Reads `bytes` as `chip`'s image format and refuses an image for another chip or with a
    /// segment outside the chip's RAM.
    public init(image bytes: [UInt8], source: String, chip: Chip) throws(WorkflowError) {
        let image: FirmwareImage
        do throws(ImageError) {
            image = try FirmwareImage(parsing: bytes, for: chip)
            if let problem = image.ramLoadProblem(on: chip) { throw problem }
        } catch {
            throw WorkflowError(.input, "'\(source)': \(error.message)", hint: error.hint)
        }
        segments = image.segments.map { RAMSegment(address: $0.address, data: $0.data) }
        entry = image.entry
    }

    /// What can be said before the chip is known: the file is an image of some chip at all
    /// (magic 0xE9, or 0xEA for an ESP8266 v2 image).
    public static func checkIsImage(_ bytes: [UInt8], source: String) throws(WorkflowError) {
        guard let magic = bytes.first else {
            throw WorkflowError(.input, "'\(source)' is empty", hint: "pass an image made by elf2image")
        }
        guard magic == ESP8266Image.magic || magic == ESP8266Image.magicV2 else {
            throw WorkflowError(.input, String(format: "'%@' is not a firmware image (invalid magic number 0x%02x; expected 0xe9)", source, magic),
                                hint: "pass an image made by elf2image, not an ELF or a raw binary")
        }
    }
}

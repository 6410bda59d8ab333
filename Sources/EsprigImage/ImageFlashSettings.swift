/// The SPI flash settings in bytes 2 and 3 of an ESP8266 image header, spelled as esptool's
/// `--flash-mode/--flash-freq/--flash-size` values (esptool `cmds.py` FLASH_MODES,
/// `targets/esp8266.py` FLASH_SIZES and FLASH_FREQUENCY).
public enum ImageFlashMode: String, Sendable, CaseIterable {
    case qio, qout, dio, dout

    public var code: UInt8 { UInt8(Self.allCases.firstIndex(of: self)!) }

    public init?(code: UInt8) {
        guard Int(code) < Self.allCases.count else { return nil }
        self = Self.allCases[Int(code)]
    }
}

/// Flash frequency, the low nibble of header byte 3.
public enum ImageFlashFrequency: String, Sendable, CaseIterable {
    case mhz80 = "80m", mhz40 = "40m", mhz26 = "26m", mhz20 = "20m"

    public var code: UInt8 {
        switch self {
        case .mhz80: 0xF
        case .mhz40: 0x0
        case .mhz26: 0x1
        case .mhz20: 0x2
        }
    }

    public init?(code: UInt8) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}

/// Flash size (or SDK size map), the high nibble of header byte 3.
public enum ImageFlashSize: String, Sendable, CaseIterable {
    case kb512 = "512KB", kb256 = "256KB", mb1 = "1MB", mb2 = "2MB", mb4 = "4MB"
    case mb2c1 = "2MB-c1", mb4c1 = "4MB-c1", mb8 = "8MB", mb16 = "16MB"

    public var code: UInt8 {
        switch self {
        case .kb512: 0x00
        case .kb256: 0x10
        case .mb1: 0x20
        case .mb2: 0x30
        case .mb4: 0x40
        case .mb2c1: 0x50
        case .mb4c1: 0x60
        case .mb8: 0x80
        case .mb16: 0x90
        }
    }

    public init?(code: UInt8) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}

/// Header bytes 2 and 3 together, with esptool's elf2image defaults (qio, 40m, 1MB).
public struct ImageFlashSettings: Sendable, Equatable {
    public var mode: ImageFlashMode
    public var frequency: ImageFlashFrequency
    public var size: ImageFlashSize

    public init(mode: ImageFlashMode = .qio, frequency: ImageFlashFrequency = .mhz40, size: ImageFlashSize = .mb1) {
        self.mode = mode
        self.frequency = frequency
        self.size = size
    }

    public var sizeFrequencyByte: UInt8 { size.code | frequency.code }

    /// Parses esptool spellings, naming the accepted values on failure.
    public init(mode: String?, frequency: String?, size: String?) throws(ImageError) {
        self.init()
        if let mode {
            guard let value = ImageFlashMode(rawValue: mode.lowercased()) else {
                throw Self.unknown("flash mode", mode, ImageFlashMode.allCases.map(\.rawValue))
            }
            self.mode = value
        }
        if let frequency {
            guard let value = ImageFlashFrequency(rawValue: frequency.lowercased()) else {
                throw Self.unknown("flash frequency", frequency, ImageFlashFrequency.allCases.map(\.rawValue))
            }
            self.frequency = value
        }
        if let size {
            guard let value = ImageFlashSize.allCases.first(where: { $0.rawValue.lowercased() == size.lowercased() }) else {
                throw Self.unknown("flash size", size, ImageFlashSize.allCases.map(\.rawValue))
            }
            self.size = value
        }
    }

    private static func unknown(_ what: String, _ value: String, _ allowed: [String]) -> ImageError {
        ImageError(.badFlashParameter, "\(what) '\(value)' is not supported by the ESP8266",
                   hint: "use one of: \(allowed.joined(separator: ", "))")
    }
}

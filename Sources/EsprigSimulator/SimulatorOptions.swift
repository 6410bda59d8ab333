import EsprigProtocol

/// How a `SimulatedBoard` behaves: chip, flash, identity, timing model and injected faults.
public struct SimulatorOptions: Sendable {
    public var chip: Chip
    /// Flash size in bytes; must be a size a JEDEC capacity code exists for (256 KiB … 256 MiB).
    public var flashSize: Int
    /// The base MAC address (6 bytes), encoded into the chip's eFuse/OTP words.
    public var mac: [UInt8]
    /// Hosts pace bytes at 10 bits per byte at the current baud, both directions.
    public var uartTiming: Bool
    /// Replies wait for modelled erase/program times (`FlashTiming`).
    public var flashTiming: Bool
    public var seed: UInt64
    /// Probability that a byte the device receives has one bit flipped.
    public var corruptProbability: Double
    /// Probability that a byte the device receives is lost.
    public var dropProbability: Double
    /// Faults on what the device sends, and aimed header faults (`ReplyFaultOptions`).
    public var replyFaults = ReplyFaultOptions()
    /// The ROM boot banner is sent on every reset into the loader, and before the first sync.
    public var bootNoise: Bool
    /// After this many FLASH_DATA/FLASH_DEFL_DATA blocks the board resets once into the ROM loader.
    public var resetAfterBlocks: Int?
    /// Line faults (corrupt/drop) start only after this many commands, so a test can connect on a
    /// clean line and have it go bad during the write.
    public var faultsAfterCommands: Int
    /// Initial flash contents (shorter files are padded with 0xFF).
    public var imagePath: String?
    /// Every command received is appended here as one JSON object per line.
    public var logPath: String?
    /// What the app prints after a normal boot (`BootScript` format); nil: the app is silent.
    public var bootScriptPath: String?
    /// The silicon revision written into the eFuses (ESP32-S2 and later rows).
    public var revision: ChipRevision
    /// The crystal, for rows whose crystal esptool measures from UART_CLKDIV (ESP32-C2: 26 or 40).
    public var crystalMHz: Int
    /// GET_SECURITY_INFO flag bits (bit 0 secure boot, bit 2 secure download mode).
    public var securityFlags: UInt32
    /// SPI_BOOT_CRYPT_CNT: an odd number of bits set means flash encryption is enabled.
    public var flashCryptCount: UInt8
    /// The port is the chip's own USB (`usb=jtag|otg`) instead of a UART bridge; nil: a bridge.
    public var usb: SimulatedUSB? = nil
    /// `reset=connect`: each new connection to the served board resets it into its loader, as
    /// opening the port of an auto-reset USB board does (only a host of the board can see connections).
    public var resetOnConnect = false
    /// The flasher stubs a download from the ROM is recognised as (nil: every download is taken
    /// for the stub). Hosts fill it from the installed esptool; see `SimulatedBoard.memEnd`.
    public var flasherStubs: [SimulatedProgram]?

    /// Revisions of chips on sale (the first is the issue's example C3 v0.4).
    static let defaultRevisions: [Chip: ChipRevision] = [
        .esp32c3: ChipRevision(major: 0, minor: 4), .esp32s3: ChipRevision(major: 0, minor: 2),
        .esp32s2: ChipRevision(major: 1, minor: 0), .esp32c2: ChipRevision(major: 1, minor: 2),
        .esp32c5: ChipRevision(major: 1, minor: 0), .esp32c6: ChipRevision(major: 0, minor: 1),
        .esp32h2: ChipRevision(major: 0, minor: 1), .esp32p4: ChipRevision(major: 1, minor: 0),
    ]

    public static let defaultFlashSize = 4 * 1024 * 1024

    public init(chip: Chip) {
        self.chip = chip
        self.flashSize = Self.defaultFlashSize
        // Fixed, plausible addresses: Espressif OUIs 84:0D:8E (ESP8266) and 24:0A:C4 (ESP32).
        self.mac = chip == .esp8266 ? [0x84, 0x0D, 0x8E, 0x76, 0x81, 0x5E] : [0x24, 0x0A, 0xC4, 0x12, 0x34, 0x56]
        self.uartTiming = false
        self.flashTiming = false
        self.seed = 0
        self.corruptProbability = 0
        self.dropProbability = 0
        self.bootNoise = false
        self.resetAfterBlocks = nil
        self.faultsAfterCommands = 0
        self.imagePath = nil
        self.logPath = nil
        self.bootScriptPath = nil
        self.revision = Self.defaultRevisions[chip] ?? ChipRevision(major: 1, minor: 0)
        switch chip.spec.crystal {
        case .fixed(let mhz): self.crystalMHz = mhz
        // A row lists its usual crystal first.
        case .measured(let candidates): self.crystalMHz = candidates[0]
        }
        self.securityFlags = 0
        self.flashCryptCount = 0
        self.flasherStubs = nil
    }

    public static let allowedKeys = ["flash", "mac", "timing", "seed", "corrupt", "drop", "noise", "reset-after", "faults-after", "image", "log", "boot-script", "revision", "xtal", "secure-boot", "flash-encryption", "secure-download", "usb", "reset",
                                     "reply-corrupt", "reply-drop", "reply-drop-frame", "reply-duplicate", "reply-delay", "reply-delay-ms",
                                     "flip-status", "alter-md5", "lose-read-packet", "repeat-read-packet", "unplug-after", "flip-header"]

    /// Parses sim:// query items: flash=4MB, mac=aa:bb:cc:dd:ee:ff, timing=uart|flash|uart,flash|none|all,
    /// seed=N, corrupt=0.001, drop=0.001, faults-after=N, noise=1, reset-after=N, image=PATH, log=PATH,
    /// boot-script=PATH; reply faults reply-corrupt=P, reply-drop=P, reply-drop-frame=P,
    /// reply-duplicate=P, reply-delay=P, reply-delay-ms=N; aimed ones flip-status=N, alter-md5=N,
    /// lose-read-packet=N, repeat-read-packet=N, unplug-after=BYTES, flip-header=FIELD[:BIT];
    /// usb=jtag|otg for a board on the chip's own USB.
    public init(chip: Chip, query: [String: String]) throws(SimulatorError) {
        self.init(chip: chip)
        for (key, value) in query.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "flash": flashSize = try Self.parseFlashSize(value)
            case "mac": mac = try Self.parseMAC(value)
            case "timing": (uartTiming, flashTiming) = try Self.parseTiming(value)
            case "seed":
                guard let n = UInt64(value) else { throw Self.invalid(key, value, "a non-negative integer") }
                seed = n
            case "corrupt": corruptProbability = try Self.parseProbability(key, value)
            case "drop": dropProbability = try Self.parseProbability(key, value)
            case "noise":
                switch value.lowercased() {
                case "1", "true", "yes", "on", "": bootNoise = true
                case "0", "false", "no", "off": bootNoise = false
                default: throw Self.invalid(key, value, "1 or 0")
                }
            case "reset-after":
                guard let n = Int(value), n >= 0 else { throw Self.invalid(key, value, "a block count ≥ 0") }
                resetAfterBlocks = n
            case "faults-after":
                guard let n = Int(value), n >= 0 else { throw Self.invalid(key, value, "a command count ≥ 0") }
                faultsAfterCommands = n
            case "image":
                guard !value.isEmpty else { throw Self.invalid(key, value, "a file path") }
                imagePath = value
            case "log":
                guard !value.isEmpty else { throw Self.invalid(key, value, "a file path") }
                logPath = value
            case "boot-script":
                guard !value.isEmpty else { throw Self.invalid(key, value, "a boot script file path") }
                bootScriptPath = value
            case "revision":
                guard let r = ChipRevision(value), r.major < 4, r.minor < 16 else { throw Self.invalid(key, value, "a revision such as 0.4 or v1.2") }
                revision = r
            case "xtal":
                guard let mhz = Int(value), case .measured(let allowed) = chip.spec.crystal, allowed.contains(mhz) else {
                    throw Self.invalid(key, value, "a crystal the \(chip.spec.displayName) can have, in MHz")
                }
                crystalMHz = mhz
            case "reply-corrupt": replyFaults.corruptProbability = try Self.parseProbability(key, value)
            case "reply-drop": replyFaults.dropProbability = try Self.parseProbability(key, value)
            case "reply-drop-frame": replyFaults.frameDropProbability = try Self.parseProbability(key, value)
            case "reply-duplicate": replyFaults.duplicateProbability = try Self.parseProbability(key, value)
            case "reply-delay": replyFaults.delayProbability = try Self.parseProbability(key, value)
            case "reply-delay-ms":
                guard let n = Int(value), n >= 0, n <= 60_000 else { throw Self.invalid(key, value, "milliseconds between 0 and 60000") }
                replyFaults.delay = .milliseconds(n)
            case "flip-status": replyFaults.flipStatusAt = try Self.ordinal(key, value)
            case "alter-md5": replyFaults.alterMD5At = try Self.ordinal(key, value)
            case "lose-read-packet": replyFaults.loseReadPacketAt = try Self.ordinal(key, value)
            case "repeat-read-packet": replyFaults.repeatReadPacketAt = try Self.ordinal(key, value)
            case "unplug-after": replyFaults.unplugAfterBytes = try Self.ordinal(key, value)
            case "flip-header":
                guard let fault = HeaderFault(value) else {
                    throw Self.invalid(key, value, HeaderFault.Field.allCases.map(\.rawValue).joined(separator: ", ") + ", optionally :BIT (0-31)")
                }
                replyFaults.headerFault = fault
            case "reset":
                guard value == "connect" else {
                    throw SimulatorError(.invalidOption, "reset=\(value): expected reset=connect (reset into the loader whenever a peer connects)")
                }
                resetOnConnect = true
            case "usb":
                guard let mode = SimulatedUSB(rawValue: value) else {
                    throw SimulatorError(.invalidOption, "usb=\(value): expected usb=jtag (USB-Serial/JTAG) or usb=otg (USB-OTG download)")
                }
                let has = mode == .jtag ? chip.spec.usbJTAGSerialPID != nil : chip.spec.usbOTGPID != nil
                guard has else {
                    throw SimulatorError(.invalidOption, "usb=\(value): the \(chip.spec.displayName) has no \(mode == .jtag ? "USB-Serial/JTAG" : "USB-OTG download")",
                                         hint: "leave usb= out for a UART bridge")
                }
                usb = mode
            case "secure-boot": securityFlags = try Self.flag(key, value) ? securityFlags | 1 : securityFlags & ~1
            case "secure-download": securityFlags = try Self.flag(key, value) ? securityFlags | 4 : securityFlags & ~4
            case "flash-encryption": flashCryptCount = try Self.flag(key, value) ? 1 : 0
            default:
                throw SimulatorError(.unknownOption, "unknown simulator option '\(key)'",
                                     hint: "allowed: " + Self.allowedKeys.joined(separator: ", "))
            }
        }
    }

    private static func ordinal(_ key: String, _ value: String) throws(SimulatorError) -> Int {
        guard let n = Int(value), n >= 1 else { throw invalid(key, value, "a count ≥ 1") }
        return n
    }

    private static func flag(_ key: String, _ value: String) throws(SimulatorError) -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on", "": return true
        case "0", "false", "no", "off": return false
        default: throw invalid(key, value, "1 or 0")
        }
    }

    private static func invalid(_ key: String, _ value: String, _ expected: String) -> SimulatorError {
        SimulatorError(.invalidOption, "simulator option \(key)=\(value) is invalid", hint: "expected \(expected)")
    }

    static func parseFlashSize(_ text: String) throws(SimulatorError) -> Int {
        let upper = text.uppercased()
        let size: Int?
        if let named = FlashGeometry.sizesByName[upper] {
            size = named
        } else if upper.hasPrefix("0X") {
            size = Int(upper.dropFirst(2), radix: 16)
        } else {
            size = Int(upper)
        }
        guard let size, FlashGeometry.capacityCode(forSize: size) != nil else {
            throw invalid("flash", text, "a flash size such as 1MB, 4MB or 16MB")
        }
        return size
    }

    static func parseMAC(_ text: String) throws(SimulatorError) -> [UInt8] {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let bytes = parts.compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
        guard parts.count == 6, bytes.count == 6 else { throw invalid("mac", text, "six hex bytes like 84:0d:8e:76:81:5e") }
        return bytes
    }

    static func parseTiming(_ text: String) throws(SimulatorError) -> (uart: Bool, flash: Bool) {
        var uart = false, flash = false
        for item in text.lowercased().split(separator: ",") {
            switch item {
            case "uart": uart = true
            case "flash": flash = true
            case "all": uart = true; flash = true
            case "none": break
            default: throw invalid("timing", text, "uart, flash, uart,flash, all or none")
            }
        }
        return (uart, flash)
    }

    static func parseProbability(_ key: String, _ text: String) throws(SimulatorError) -> Double {
        guard let p = Double(text), p >= 0, p <= 1 else { throw invalid(key, text, "a probability between 0 and 1") }
        return p
    }
}

/// A board reached over the chip's own USB instead of a UART bridge.
public enum SimulatedUSB: String, Sendable {
    /// USB-Serial/JTAG: DTR/RTS drive a reset and a latched download request in hardware; the
    /// device stays on the bus through a core reset and re-enumerates after a system (watchdog) reset.
    case jtag
    /// USB-OTG download: the ROM's own USB stack, which leaves and returns with every reboot.
    case otg
}

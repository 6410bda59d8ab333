import EsprigCodecs
import EsprigFraming
import EsprigProtocol
import Foundation

/// One simulated ESP8266 or ESP32 on a serial line: the ROM download loader, the flasher stub
/// (once esptool has uploaded one), a NOR flash chip, the auto-reset circuit and injected faults.
///
/// Pure and event driven: hosts hand it received bytes with their arrival time and transmit what
/// it returns. Not thread-safe; a host serializes all access.
public final class SimulatedBoard {
    public let options: SimulatorOptions
    let spec: ChipSpec
    var nor: NORFlash
    var registers: ChipRegisters
    private var faults: FaultInjector
    private var replyFaults: ReplyFaultInjector
    /// Counters for the aimed faults, and the pulled cable.
    var repliesSent = 0
    var md5RepliesSent = 0
    var readPacketsSent = 0
    private var bytesSent = 0
    private var beginsSeen = 0
    private var dataBlocksSeen = 0
    public private(set) var isUnplugged = false
    var decoder = SLIPDecoder(maxFrameSize: 0x4000 + 64)
    var state: LoaderState = .rom
    var baud = SimulatedBoard.romBaud
    var memDownload: MemDownload?
    /// The segments downloaded since the last MEM_END.
    var ramDownloaded: [RAMRun.Segment] = []
    /// Every RAM program the board was told to run other than the flasher stub, oldest first.
    public internal(set) var ramRuns: [RAMRun] = []
    var flashWrite: FlashWriteSession?
    var readStream: ReadFlashStream?
    /// When the flash chip finishes the work queued so far (flash timing model).
    var busyUntil: Duration = .zero
    /// The time of the event being handled.
    var now: Duration = .zero
    var dataBlocksReceived = 0
    /// Bumped by every reboot, so frames decoded before a reset are not handled after it.
    var resetCount = 0
    /// Frames received so far (for `faultsAfterCommands`).
    var commandsReceived = 0
    var injectedResetDone = false
    var bannerBeforeFirstSyncSent = false
    /// EN was released while DTR and RTS were both asserted: the classic reset passes through this
    /// state for an instant, so the boot mode is decided by what follows (protocol.md §5).
    var releasedUndecidedAt: Duration?
    public private(set) var commandLog: [SimulatorLogEntry] = []
    private let logFile: FileHandle?
    let bootScript: BootScript?
    /// Where the running app is in its boot script; nil when no app output is pending.
    var appRun: AppRun?
    /// The flashed image (or loaded RAM code) executing on the core (ESP8266 without a boot script).
    var firmware: RunningFirmware?
    /// What executed code sent on the UART (the last 64 KiB), oldest first: what a monitor
    /// attached at the time would have seen.
    public internal(set) var firmwareSent: [UInt8] = []
    /// Since when no host is on the line (the executing core is paused); nil while one is.
    var firmwarePausedAt: Duration?
    /// Bytes the host sent while the app was running (what a user typed), oldest first.
    public internal(set) var appReceived: [UInt8] = []
    /// Times the chip's own USB device left the bus (usb=jtag|otg): a port opened before is gone.
    public internal(set) var usbEnumeration = 0
    /// When the device is back on the bus after the last re-enumeration.
    public internal(set) var usbReturnsAt: Duration = .zero
    /// The RTC watchdog is armed: the system resets at this time.
    var watchdogFiresAt: Duration?
    /// USB-Serial/JTAG saw DTR=1, RTS=0: the next reset boots the download loader.
    var usbDownloadLatched = false

    /// The ROM loader's rate after reset (it auto-detects the host's rate; esptool uses 115200).
    static let romBaud = 115200

    public init(options: SimulatorOptions) throws(SimulatorError) {
        self.options = options
        self.spec = options.chip.spec
        self.registers = try ChipRegisters(options: options)
        self.faults = FaultInjector(seed: options.seed, dropProbability: options.dropProbability,
                                    corruptProbability: options.corruptProbability)
        self.replyFaults = ReplyFaultInjector(seed: options.seed, options: options.replyFaults)
        var contents: [UInt8] = []
        if let path = options.imagePath {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SimulatorError(.io, "cannot read flash image '\(path)'")
            }
            guard data.count <= options.flashSize else {
                throw SimulatorError(.invalidOption, "flash image '\(path)' (\(data.count) bytes) is larger than the flash",
                                     hint: "pass a larger flash= size")
            }
            contents = [UInt8](data)
        }
        self.nor = NORFlash(size: options.flashSize, contents: contents)
        self.bootScript = try options.bootScriptPath.map { path throws(SimulatorError) in try BootScript(contentsOf: path) }
        if let path = options.logPath {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw SimulatorError(.io, "cannot create simulator log '\(path)'")
            }
            self.logFile = handle
        } else {
            self.logFile = nil
        }
    }

    deinit { try? logFile?.close() }

    public var flash: [UInt8] { nor.bytes }
    public var currentBaud: Int { baud }
    public var isStubRunning: Bool { state == .stub }

    public func saveFlash(to path: String) throws {
        try Data(nor.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Bytes the host sent, arriving at `now`; returns what the device transmits in response.
    public func receive(_ bytes: [UInt8], now: Duration) -> [BoardOutput] {
        self.now = now
        var out: [BoardOutput] = []
        guard !isUnplugged else { return out }
        resolveUndecidedBoot(into: &out)
        fireWatchdogIfDue(into: &out)
        runApp(into: &out)
        runFirmware(into: &out)
        if state == .app { recordAppInput(bytes) }
        guard state.isLoader else { return out }   // an app or a held chip ignores loader traffic
        if options.bootNoise && !bannerBeforeFirstSyncSent {
            bannerBeforeFirstSyncSent = true
            out += bannerOutputs(download: true, cause: .powerOn)
            returnToROMBaud(into: &out)
        }
        let resetsBefore = resetCount
        // One delimiter-terminated piece at a time: a corrupted frame costs only itself (the
        // decoder throws away the rest of a chunk on a bad escape), and faults can start mid-chunk.
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: SLIP.end).map { $0 + 1 } ?? bytes.count
            var piece = Array(bytes[start..<end])
            if commandsReceived >= options.faultsAfterCommands { piece = faults.apply(piece) }
            start = end
            let frames: [[UInt8]]
            do { frames = try decoder.feed(piece) } catch {
                // A real loader drops a frame with a bad escape and waits for the next delimiter.
                continue
            }
            for frame in frames {
                commandsReceived += 1
                var produced: [BoardOutput] = []
                handle(frame: aimHeaderFault(frame), into: &produced)
                out += transmitFaults(produced)
                guard state.isLoader, resetCount == resetsBefore, !isUnplugged else { return out }
            }
        }
        return out
    }

    private func handle(frame: [UInt8], into out: inout [BoardOutput]) {
        if readStream != nil {
            handleReadFlashAck(frame, into: &out)
            return
        }
        guard frame.count >= 8 else { return }   // noise or an empty frame: not a command
        let loader = state
        guard let command = CommandPacket(frame: frame) else {
            // A length field that disagrees with the frame (a byte was lost on the line).
            let reply = loader == .rom ? Reply.fail(0x05) : Reply.fail(frame[0] == 0 ? StubError.badDataLength : StubError.invalidCommand)
            emit(reply, opcode: frame[1], loader: loader, fields: [:], into: &out)
            return
        }
        let reply = loader == .rom ? handleROM(command, into: &out) : handleStub(command, into: &out)
        guard let reply else {
            log(command, loader: loader, fields: CommandFields.decode(command), status: nil)
            return
        }
        emit(reply, opcode: command.opcode, loader: loader, fields: CommandFields.decode(command), into: &out)
    }

    /// Encodes a reply with the status layout of the loader that handled the command.
    private func emit(_ reply: Reply, opcode: UInt8, loader: LoaderState, fields: [String: UInt32],
                      into out: inout [BoardOutput]) {
        let statusLength = loader == .rom ? spec.romStatusLength : 2
        var status = [UInt8](repeating: 0, count: statusLength)
        if let code = reply.error {
            if loader == .rom { status[0] = 1; status[1] = code } else { status[0] = code }
        }
        repliesSent += 1
        if repliesSent == options.replyFaults.flipStatusAt { status[0] = status[0] == 0 ? 1 : 0 }
        let packet = ResponsePacket(opcode: opcode, value: reply.value, data: reply.data + status).encoded()
        let frame = SLIP.encode(packet)
        let notBefore = options.flashTiming ? reply.readyAt : nil
        for _ in 0..<reply.count { out.append(.bytes(frame, notBefore: notBefore)) }
        out += reply.followUp
        let name = Opcode(rawValue: opcode)?.description ?? String(format: "0x%02X", opcode)
        appendLog(SimulatorLogEntry(time: seconds(now), loader: loader.logName, opcode: name, fields: fields,
                                    status: status.prefix(2).map { String(format: "%02x", $0) }.joined()))
    }

    /// The random reply faults (once line faults are due), then the pulled cable.
    private func transmitFaults(_ outputs: [BoardOutput]) -> [BoardOutput] {
        var outputs = outputs
        if commandsReceived >= options.faultsAfterCommands { outputs = replyFaults.apply(outputs, now: now) }
        guard let limit = options.replyFaults.unplugAfterBytes else { return outputs }
        var out: [BoardOutput] = []
        for output in outputs {
            guard case .bytes(let sent, let notBefore) = output else { out.append(output); continue }
            let room = limit - bytesSent
            if sent.count >= room {
                out.append(.bytes(Array(sent.prefix(room)), notBefore: notBefore))
                isUnplugged = true
                return out
            }
            bytesSent += sent.count
            out.append(output)
        }
        return out
    }

    /// Flips the aimed bit of an unprotected header word: the first FLASH_BEGIN/FLASH_DEFL_BEGIN
    /// that starts a write (size ≠ 0), or the sequence number of the second data block.
    private func aimHeaderFault(_ frame: [UInt8]) -> [UInt8] {
        guard let fault = options.replyFaults.headerFault, frame.count >= 24, frame[0] == 0 else { return frame }
        let word: Int
        switch Opcode(rawValue: frame[1]) {
        case .flashBegin, .flashDeflBegin:
            guard frame.u32LE(at: 8) != 0 else { return frame }
            beginsSeen += 1
            guard beginsSeen == 1 else { return frame }
            switch fault.field {
            case .beginSize: word = 0
            case .beginBlocks: word = 1
            case .beginAddress: word = 3
            case .dataSequence: return frame
            }
        case .flashData, .flashDeflData:
            dataBlocksSeen += 1
            guard fault.field == .dataSequence, dataBlocksSeen == 2 else { return frame }
            word = 1
        default: return frame
        }
        var out = frame
        out[8 + 4 * word + fault.bit / 8] ^= 1 << UInt8(fault.bit % 8)
        return out
    }

    private func log(_ command: CommandPacket, loader: LoaderState, fields: [String: UInt32], status: String?) {
        let name = Opcode(rawValue: command.opcode)?.description ?? String(format: "0x%02X", command.opcode)
        appendLog(SimulatorLogEntry(time: seconds(now), loader: loader.logName, opcode: name, fields: fields, status: status))
    }

    private func appendLog(_ entry: SimulatorLogEntry) {
        commandLog.append(entry)
        logFile?.write(Data((entry.jsonLine() + "\n").utf8))
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// When work that must wait for the flash can complete, starting no earlier than `now`.
    func flashReady(after work: Duration = .zero) -> Duration {
        let done = max(now, busyUntil) + work
        busyUntil = done
        return done
    }
}

/// What the chip is running.
enum LoaderState: Equatable {
    case rom, stub
    /// The application (or RAM code) runs; loader traffic is ignored until a reset.
    case app
    /// EN is held low.
    case heldInReset

    var isLoader: Bool { self == .rom || self == .stub }
    var logName: String { self == .stub ? "stub" : "rom" }
}

/// A loader's answer to one command, before status bytes are laid out.
struct Reply {
    var value: UInt32 = 0
    var data: [UInt8] = []
    /// ROM: the error byte after `01`; stub: the error code sent as the first status byte.
    var error: UInt8?
    /// The reply waits for the flash (flash timing model).
    var readyAt: Duration?
    /// SYNC is answered 8 times.
    var count = 1
    /// Sent right after the reply: OHAI, the first READ_FLASH packet, a baud change.
    var followUp: [BoardOutput] = []

    static let ok = Reply()
    static func fail(_ code: UInt8) -> Reply { Reply(error: code) }
}

/// Stub error codes (first status byte), esp-flasher-stub `src/commands.h`.
enum StubError {
    static let badDataLength: UInt8 = 0xC0
    static let badChecksum: UInt8 = 0xC1
    static let invalidCommand: UInt8 = 0xC3
    static let failedSPIOperation: UInt8 = 0xC4
    static let notInFlashMode: UInt8 = 0xC6
    static let inflateError: UInt8 = 0xC7
    static let notEnoughData: UInt8 = 0xC8
    static let tooMuchData: UInt8 = 0xC9
    static let notImplemented: UInt8 = 0xFF
}

/// ROM error codes (second status byte), esptool `serial-protocol.rst`.
enum ROMError {
    static let invalidMessage: UInt8 = 0x05
    static let operationFailed: UInt8 = 0x06
    static let checksum: UInt8 = 0x07
    static let flashWrite: UInt8 = 0x08
    static let flashRead: UInt8 = 0x09
    static let deflate: UInt8 = 0x0B
}

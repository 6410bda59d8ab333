import EsprigProtocol
import EsprigESP8266

/// The application side when the board executes what it was flashed with (an ESP8266 without a
/// boot script): the ROM's loader hands the v1 image at 0x0 to an `ESP8266Machine`, which
/// catches up with the host's clock whenever the host advances the board.
struct RunningFirmware {
    let machine: ESP8266Machine
    /// Board time at which the machine's time 0 is (the ROM has loaded the image); moved on by
    /// the time the machine spent paused.
    var startedAt: Duration
    var baudSet = false
}

/// The board's NOR flash as the machine's ROM functions reach it.
final class BoardFlash: FlashMemory {
    unowned let board: SimulatedBoard
    init(board: SimulatedBoard) { self.board = board }

    var size: Int { board.nor.size }

    func read(_ offset: Int, count: Int) -> [UInt8]? {
        board.nor.contains(offset, count: count) ? board.nor.read(offset, count: count) : nil
    }

    func program(_ bytes: [UInt8], at offset: Int) -> Bool {
        guard board.nor.contains(offset, count: bytes.count) else { return false }
        board.nor.program(bytes, at: offset)
        return true
    }

    func erase(sector: Int) -> Bool {
        let start = sector * FlashGeometry.sectorSize
        guard sector >= 0, board.nor.contains(start, count: FlashGeometry.sectorSize) else { return false }
        board.nor.erase(from: start, to: start + FlashGeometry.sectorSize)
        return true
    }
}

extension SimulatedBoard {
    /// Most cycles one host event may execute: a busy firmware never holds the host's loop for long.
    static let firmwareSliceCycles = 4_000_000

    /// Whether a normal boot runs the flashed code: the ESP8266 executes it unless a boot
    /// script stands in for the app.
    var executesFirmware: Bool { options.chip == .esp8266 && bootScript == nil }

    enum FirmwareStart {
        /// A normal boot: the image at flash offset 0.
        case flash
        /// The loader's MEM_END into downloaded code.
        case ram(RAMRun)
    }

    /// Starts the machine `delay` from now (after the ROM's banner for a flash boot). A flash
    /// boot's app hears the UART at the ROM's banner rate; code the loader jumps to keeps the
    /// loader's rate.
    func startFirmware(_ start: FirmwareStart, cause: ResetCause?, delay: Duration) {
        var configuration = ESP8266Machine.Configuration()
        if case .flash = start { configuration.initialBaud = BootBanner.baud(for: options.chip) } else { configuration.initialBaud = baud }
        configuration.resetCause = (cause ?? .externalPin).romCode
        let registers = self.registers
        let machine = ESP8266Machine(flash: BoardFlash(board: self), configuration: configuration,
                                     deviceRegister: { registers.read($0, baud: configuration.initialBaud) })
        switch start {
        case .flash:
            machine.bootFromFlash()
        case .ram(let run):
            machine.start(segments: run.segments.map { ESP8266Machine.Segment(address: $0.address, bytes: $0.bytes) }, entry: run.entry)
        }
        firmware = RunningFirmware(machine: machine, startedAt: now + delay)
    }

    /// Whether a host is on the line. While none is, the executing core is paused (its clock
    /// stops and resumes where it was), so firmware spinning with its watchdog off holds no host
    /// CPU for nobody. Hosts of the board (the simulator server) say when peers come and go;
    /// a board driven directly counts as connected.
    public func setHostConnected(_ connected: Bool, now: Duration) {
        self.now = max(self.now, now)
        if connected, let pausedAt = firmwarePausedAt {
            firmwarePausedAt = nil
            firmware?.startedAt += self.now - pausedAt
        } else if !connected && firmwarePausedAt == nil {
            firmwarePausedAt = self.now
        }
    }

    /// When the running firmware next needs the host's attention.
    var firmwareWake: Duration? {
        guard let firmware, firmwarePausedAt == nil else { return nil }
        guard now >= firmware.startedAt else { return firmware.startedAt }
        return firmware.machine.nextWake.map { firmware.startedAt + $0 }
    }

    func runFirmware(into out: inout [BoardOutput]) {
        guard state == .app, firmwarePausedAt == nil, var running = firmware, now >= running.startedAt else { return }
        if !running.baudSet {
            running.baudSet = true
            firmware = running
            if baud != running.machine.configuration.initialBaud {
                baud = running.machine.configuration.initialBaud
                out.append(.baudChange(baud))
            }
        }
        let events = running.machine.run(until: now - running.startedAt, maxCycles: Self.firmwareSliceCycles)
        for event in events {
            switch event {
            case .output(let bytes, let at):
                recordFirmwareOutput(bytes)
                out.append(.bytes(bytes, notBefore: running.startedAt + at))
            case .baudChange(let rate, _):
                baud = rate
                out.append(.baudChange(rate))
            case .stopped(let message, let at):
                recordFirmwareOutput(Array(message.utf8))
                out.append(.bytes(Array(message.utf8), notBefore: running.startedAt + at))
                firmware = nil
            case .reset(let kind, _):
                firmware = nil
                reboot(download: false, cause: kind == .software ? .software : .watchdog, banner: true, into: &out)
                return
            }
        }
    }

    private func recordFirmwareOutput(_ bytes: [UInt8]) {
        firmwareSent += bytes
        if firmwareSent.count > Self.appReceivedLimit { firmwareSent.removeFirst(firmwareSent.count - Self.appReceivedLimit) }
    }
}

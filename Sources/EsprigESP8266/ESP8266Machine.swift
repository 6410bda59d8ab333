import EsprigXtensa

/// An ESP8266 that executes firmware: the LX106 core, the memory map, the mask ROM's functions
/// (in Swift), UART0 and the hardware watchdog, booting the v1 image the flash holds at 0x0 the
/// way the ROM does (segments into RAM, then a jump to the entry with call0's return address in
/// a0 pointing at the ROM's idle loop).
///
/// Time is the core's: cycles at `cpuHz` since boot. The host asks it to catch up with its own
/// clock (`run(until:maxCycles:)`) and sends what comes back; nothing here blocks or sleeps.
/// Not thread-safe: one owner drives it.
public final class ESP8266Machine {
    public struct Configuration: Sendable {
        /// The CPU clock the SDK boots at (CCOUNT's rate).
        public var cpuHz: Int = 80_000_000
        /// The UART's clock: its baud is this over the divider (`uart_div_modify(0, 80000000 / 115200)`).
        public var uartClockHz: Int = 80_000_000
        /// The UART's rate when the app starts: what the ROM set up, 74880 with a 26 MHz crystal.
        public var initialBaud: Int = 74_880
        /// The hardware watchdog the ROM leaves running (about 1.6 s without a feed).
        public var watchdogTimeout: Duration = .milliseconds(1600)
        /// The UART's transmit FIFO: output beyond it stalls the CPU until the line drains.
        public var transmitFIFO = 128
        /// What `rtc_get_reset_reason` answers: the banner's `rst cause` of this boot (1 power-on,
        /// 2 external, 4 watchdog).
        public var resetCause: UInt32 = 1

        public init() {}
    }

    /// What the machine did, at its own time since boot.
    public enum Event: Equatable, Sendable {
        /// Bytes on UART0's TX line.
        case output([UInt8], at: Duration)
        /// UART0's rate changed.
        case baudChange(Int, at: Duration)
        /// The chip resets itself; the board boots again with this cause.
        case reset(Reset, at: Duration)
        /// The simulator cannot go on (an unimplemented ROM function, an image it cannot load): the
        /// core is stopped and the message says why. The host shows it like board output.
        case stopped(String, at: Duration)
    }

    public enum Reset: Equatable, Sendable {
        case software
        case watchdog
    }

    public enum Status: Equatable, Sendable {
        case running
        /// Nothing will run until the watchdog (if armed) resets the chip: the app returned to
        /// the ROM's idle loop, hangs after a fatal exception, or sleeps in WAITI with nothing to wake it.
        case idle
        /// For good: the chip reset itself or the simulator stopped the core.
        case halted
    }

    public let configuration: Configuration
    let core: LX106Core
    let peripherals: Peripherals
    let flash: FlashMemory
    let flashWindow: MemoryRegionID
    public internal(set) var status: Status = .running
    /// Cycles since boot, executed or spent in ROM functions.
    private(set) var cycles: UInt64 = 0
    var events: [Event] = []
    var baud: Int
    /// The divider `baud` was derived from (the ROM's, at first).
    var dividerInUse: UInt32
    /// When the UART's TX line has sent everything written so far.
    var lineFreeAt: Duration = .zero
    var watchdogDeadline: Duration

    public init(flash: FlashMemory, configuration: Configuration = Configuration(),
                deviceRegister: @escaping (UInt32) -> UInt32?) {
        self.configuration = configuration
        self.flash = flash
        self.baud = configuration.initialBaud
        self.watchdogDeadline = configuration.watchdogTimeout
        let divider = UInt32(configuration.uartClockHz / max(1, configuration.initialBaud))
        dividerInUse = divider
        peripherals = Peripherals(clockDivider: divider, deviceRegister: deviceRegister)
        core = LX106Core(bus: peripherals)
        core.mapMemory(base: MemoryMap.romBase, size: MemoryMap.romSize, access: [.read, .execute, .wordOnly, .trapOnFetch])
        core.mapMemory(base: MemoryMap.iramBase, size: MemoryMap.iramSize, access: [.read, .write, .execute, .wordOnly])
        core.mapMemory(base: MemoryMap.dramBase, size: MemoryMap.dramSize, access: [.read, .write])
        flashWindow = core.mapMemory(base: MemoryMap.flashWindowBase, size: MemoryMap.flashWindowSize,
                                     access: [.read, .execute, .wordOnly], enabled: false)
        core.mapIO(base: MemoryMap.dportBase, size: MemoryMap.dportSize)
        core.mapIO(base: MemoryMap.peripheralBase, size: MemoryMap.peripheralSize)
    }

    /// Time since boot, at the CPU clock.
    public var time: Duration { Self.duration(cycles: cycles, hz: configuration.cpuHz) }

    /// When `run` next has something to do: now while running, the watchdog's bite while idle
    /// with the watchdog armed, nil when nothing ever will.
    public var nextWake: Duration? {
        switch status {
        case .running: time
        case .idle: peripherals.watchdogEnabled ? max(time, watchdogDeadline) : nil
        case .halted: nil
        }
    }

    // MARK: Booting

    /// A segment of a RAM image: where it goes and its bytes.
    public struct Segment: Equatable, Sendable {
        public var address: UInt32
        public var bytes: [UInt8]
        public init(address: UInt32, bytes: [UInt8]) { self.address = address; self.bytes = bytes }
    }

    /// Boots what the ROM boots from flash: the v1 image at offset 0 (header, then segments of
    /// address, length and bytes). The caller has checked magic and checksum, as the ROM's log
    /// does; a segment outside RAM stops the machine with a message.
    public func bootFromFlash() {
        guard let header = flash.read(0, count: 8), header[0] == 0xE9 else {
            stop("no ESP8266 image at flash offset 0")
            return
        }
        var segments: [Segment] = []
        var offset = 8
        for _ in 0..<Int(header[1]) {
            guard let head = flash.read(offset, count: 8) else { stop("the image at 0x0 ends inside a segment header"); return }
            let length = Int(Self.word(head, 4))
            guard let bytes = flash.read(offset + 8, count: length) else { stop("the image at 0x0 ends inside a segment"); return }
            segments.append(Segment(address: Self.word(head, 0), bytes: bytes))
            offset += 8 + length
        }
        start(segments: segments, entry: Self.word(header, 4))
    }

    /// Loads RAM segments and jumps to `entry`, as the ROM does after reading an image from flash
    /// or after the loader's MEM_END with an entry point.
    public func start(segments: [Segment], entry: UInt32) {
        for (index, segment) in segments.enumerated() {
            guard MemoryMap.isRAM(segment.address, count: UInt32(segment.bytes.count)),
                  core.writeBytes(segment.bytes, at: segment.address) else {
                stop("segment \(index) (\(segment.bytes.count) bytes at \(Self.hex(segment.address))) is outside RAM: the ROM would overwrite whatever is there")
                return
            }
        }
        core.reset(pc: entry)
        // The ROM hands over with interrupts enabled, in user mode (exceptions reach the user
        // vector), and call0's return address pointing at its idle loop.
        core.ps = 0x20
        core[register: 0] = ROMFunction.etsRun.rawValue
        core[register: 1] = MemoryMap.initialStack
        status = .running
    }

    // MARK: Running

    /// Executes until the machine's time reaches `target` or `maxCycles` have been executed
    /// (so a busy core never holds its host for long); returns what happened, in order.
    public func run(until target: Duration, maxCycles: Int) -> [Event] {
        var budget = maxCycles
        while budget > 0 && time < target {
            switch status {
            case .halted:
                return takeEvents()
            case .idle:
                if peripherals.watchdogEnabled && watchdogDeadline <= target {
                    advanceTime(to: watchdogDeadline)
                    checkWatchdog()
                } else {
                    advanceTime(to: target)
                }
                continue
            case .running:
                break
            }
            let toTarget = cyclesUntil(target)
            let toWatchdog = peripherals.watchdogEnabled ? cyclesUntil(watchdogDeadline) : UInt64.max
            let slice = Int(min(UInt64(budget), toTarget, max(1, toWatchdog)))
            let result = core.run(cycles: slice)
            cycles += UInt64(result.cycles)
            budget -= max(1, result.cycles)
            collectPeripherals()
            switch result.stop {
            case .budgetSpent: break
            case .idle: status = .idle
            case .trap(let pc): handleTrap(pc)
            }
            checkWatchdog()
        }
        return takeEvents()
    }

    private func takeEvents() -> [Event] {
        defer { events = [] }
        return events
    }

    private func cyclesUntil(_ time: Duration) -> UInt64 {
        let now = self.time
        guard time > now else { return 0 }
        let (seconds, attoseconds) = (time - now).components
        let cycles = Double(seconds) * Double(configuration.cpuHz) + Double(attoseconds) * 1e-18 * Double(configuration.cpuHz)
        return UInt64(cycles.rounded(.up))
    }

    /// Time passes without executing (a ROM delay, an idle chip); CCOUNT follows.
    func advanceTime(to target: Duration) {
        let extra = cyclesUntil(target)
        guard extra > 0 else { return }
        spend(cycles: extra)
    }

    func spend(cycles extra: UInt64) {
        var left = extra
        while left > 0 {
            let step = UInt32(min(left, UInt64(UInt32.max)))
            core.spend(cycles: step)
            left -= UInt64(step)
        }
        cycles += extra
    }

    private func collectPeripherals() {
        if !peripherals.fifoWrites.isEmpty {
            transmit(peripherals.fifoWrites)
            peripherals.fifoWrites = []
        }
        if peripherals.clockDivider != dividerInUse { changeDivider(to: peripherals.clockDivider) }
    }

    private func checkWatchdog() {
        if peripherals.watchdogFed {
            peripherals.watchdogFed = false
            watchdogDeadline = time + configuration.watchdogTimeout
        }
        guard status != .halted, peripherals.watchdogEnabled, time >= watchdogDeadline else { return }
        events.append(.reset(.watchdog, at: watchdogDeadline))
        status = .halted
    }

    // MARK: What the ROM code does for the core

    /// Sends bytes on the TX line now; when the FIFO is full the CPU waits for the line, as a
    /// ROM routine spinning on the FIFO count does.
    func transmit(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let byteTime = Duration.seconds(10) / baud
        let fifoTime = byteTime * configuration.transmitFIFO
        var chunk: [UInt8] = []
        var chunkStart = time
        for byte in bytes {
            if lineFreeAt - time > fifoTime {
                if !chunk.isEmpty { append(.output(chunk, at: chunkStart)); chunk = [] }
                advanceTime(to: lineFreeAt - fifoTime)
                chunkStart = time
            }
            chunk.append(byte)
            lineFreeAt = max(lineFreeAt, time) + byteTime
        }
        append(.output(chunk, at: chunkStart))
    }

    /// Consecutive output goes out as one event, stamped with its first byte's time.
    private func append(_ event: Event) {
        if case .output(let more, _) = event, case .output(let bytes, let at)? = events.last {
            events[events.count - 1] = .output(bytes + more, at: at)
        } else {
            events.append(event)
        }
    }

    /// A new UART clock divider: the rate is the UART clock over it, named by the standard rate
    /// within 0.5 % (80 MHz / 694 is 115273 baud, which a 115200 receiver hears without error).
    func changeDivider(to divider: UInt32) {
        dividerInUse = divider
        let exact = configuration.uartClockHz / Int(max(1, divider))
        let nominal = Self.standardRates.first { abs($0 - exact) * 200 <= $0 } ?? exact
        changeBaud(to: nominal)
    }

    static let standardRates = [300, 1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 74_880, 115_200, 230_400, 250_000,
                                460_800, 500_000, 921_600, 1_000_000, 1_500_000, 2_000_000]

    private func changeBaud(to rate: Int) {
        guard rate > 0, rate != baud else { return }
        // Bytes already in the FIFO go out at the old rate first.
        advanceTime(to: lineFreeAt)
        baud = rate
        events.append(.baudChange(rate, at: time))
    }

    /// The simulator stops the core and says why, on the UART, as a line a monitor shows.
    func stop(_ reason: String) {
        let message = "\r\nesprig sim: \(reason); the simulated core is stopped\r\n"
        events.append(.stopped(message, at: time))
        status = .halted
    }

    func reset(_ kind: Reset) {
        advanceTime(to: lineFreeAt)
        events.append(.reset(kind, at: time))
        status = .halted
    }

    static func duration(cycles: UInt64, hz: Int) -> Duration {
        let whole = cycles / UInt64(hz)
        let rest = cycles % UInt64(hz)
        return .seconds(Int64(whole)) + .nanoseconds(Int64(rest * 1_000_000_000 / UInt64(hz)))
    }

    static func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

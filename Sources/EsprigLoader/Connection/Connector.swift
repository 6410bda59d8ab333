import Foundation
import EsprigProtocol
import EsprigTransport

/// How to reach the loader on a port.
public struct ConnectOptions: Sendable {
    public var before: BeforeAction = .defaultReset
    /// nil: detect the chip.
    public var chip: Chip?
    /// Connect attempts, each a reset followed by up to 5 syncs (esptool `connect_attempts`).
    public var attempts: Int = 7
    /// Overrides the built-in reset cycle (esptool `custom_reset_sequence`).
    public var resetSequence: ResetSequence?
    public var timeouts = Timeouts()
    /// Receives every frame (`--trace`).
    public var trace: (@Sendable (TraceRecord) -> Void)?
    /// The port is the chip's own USB (from its VID:PID), nil for a UART bridge or unknown.
    public var usb: USBConsole?

    public init(before: BeforeAction = .defaultReset, chip: Chip? = nil) {
        self.before = before
        self.chip = chip
    }
}

/// The chip's own USB peripheral behind a port: it resets and re-enumerates with the chip.
public enum USBConsole: String, Sendable {
    /// USB-Serial/JTAG (303a:1001): DTR/RTS drive the chip's reset and GPIO0 in hardware.
    case serialJTAG = "USB-Serial/JTAG"
    /// USB-OTG download (S2, S3, P4): the ROM's CDC-ACM; RTS cannot reset the chip.
    case otg = "USB-OTG"
}

/// A board with its loader answering: the connection and what the chip said about itself.
public struct ConnectedBoard {
    public var connection: Connection
    public var info: ChipInfo
    public var spec: ChipSpec { info.chip.spec }
}

/// Opens a board's port again after it vanished (its USB device re-enumerated).
public typealias PortReopener = () throws -> any SerialPort

public enum Connector {
    /// A re-enumeration per reset, a few resets per connect: more means the device is flapping.
    static let maximumReopenings = 3

    /// esptool's connect loop: reset into the loader, sync, detect the chip, read its identity.
    /// Attempts are bounded and each failure is kept so the final error can say why.
    /// `reopen` opens the board's port again after its USB device re-enumerated during the
    /// reset (a chip's own USB); without it a vanished port is a failure.
    public static func connect(port: any SerialPort, baud: Int, options: ConnectOptions,
                               events: FlashEventHandler = { _ in },
                               reopen: PortReopener? = nil) throws(LoaderError) -> ConnectedBoard {
        let connection = Connection(port: port, baud: baud, timeouts: options.timeouts)
        connection.trace = options.trace
        var stubRunning = false
        if options.before != .noResetNoSync {
            stubRunning = try synchronise(connection, options: options, events: events, reopen: reopen)
        }
        if stubRunning {
            connection.mode = .stub
            events(.note("flasher stub is already running; no upload needed"))
        }
        let spec = try detectChip(connection, expected: options.chip)
        connection.chip = spec
        let info = try ChipInfo.read(from: connection, spec: spec)
        events(.connected(info))
        return ConnectedBoard(connection: connection, info: info)
    }

    static func synchronise(_ connection: Connection, options: ConnectOptions,
                            events: FlashEventHandler, reopen: PortReopener? = nil) throws(LoaderError) -> Bool {
        var port: any SerialPort { connection.port }
        var reopenings = 0
        /// The port vanished: a chip's own USB re-enumerates across its reset (USB-OTG always,
        /// USB-Serial/JTAG after a system reset). Its return is waited for, not a failure.
        func follow(_ error: LoaderError) throws(LoaderError) {
            guard error.isDisconnect, let reopen, reopenings < Self.maximumReopenings else { throw error }
            reopenings += 1
            let old = port.name
            events(.note("\(old) went away after the reset (the chip's USB re-enumerated); waiting for it to return"))
            let newPort: any SerialPort
            do { newPort = try reopen() } catch let failure as LoaderError { throw failure } catch {
                throw LoaderError(.transport, "\(old) did not come back after the reset: \(error)",
                                  hint: "replug the board, or hold BOOT and press RESET, then retry")
            }
            try connection.replacePort(newPort)
            events(.note("reopened the board at \(newPort.name)"))
        }
        var canReset = options.before != .noReset && port.capabilities.modemLines
        if options.before != .noReset && !port.capabilities.modemLines {
            events(.note("\(port.name) has no DTR/RTS lines: not resetting; the board must already be in download mode"))
        }
        let cycle: [ResetSequence]
        if let custom = options.resetSequence { cycle = [custom] }
        else if options.before == .usbReset { cycle = [.usbJTAG] }
        // RFC 2217 has no atomic two-line change (and its servers interpret the lines), so only
        // the one-line-at-a-time reset is safe there, as in esptool.
        else if port.capabilities.isNetwork { cycle = [.classic(delay: .milliseconds(50)), .classic(delay: .milliseconds(550))] }
        else { cycle = ResetSequence.defaultCycle }

        let attempts = max(1, options.attempts)
        var bootLog = ""
        var lastError: LoaderError?
        for attempt in 0..<attempts {
            let sequence = cycle[attempt % cycle.count]
            events(.connecting(attempt: attempt + 1, of: attempts, strategy: canReset ? sequence.name : "no-reset"))
            if canReset {
                do {
                    try connection.flushInput()
                    try run(sequence, on: port)
                    bootLog += String(decoding: try collect(port, for: .milliseconds(50)), as: UTF8.self)
                } catch let error as TransportError where error.code == .unsupported {
                    canReset = false
                    events(.warning("chip was NOT reset: \(port.name) does not support DTR/RTS (\(error.message)); continuing without reset"))
                } catch let error as TransportError {
                    try follow(LoaderError(error))
                } catch let error as LoaderError {
                    try follow(error)
                } catch {
                    throw LoaderError(.transport, "\(error)")
                }
            }
            for _ in 0..<5 {
                do {
                    try connection.flushInput()
                    return try connection.sync()
                } catch {
                    if error.isDisconnect {
                        try follow(error)
                        continue
                    }
                    lastError = error
                    let noise = String(decoding: connection.noise, as: UTF8.self)
                    if !noise.isEmpty { bootLog += noise }
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
        throw connectFailure(port: port.name, bootLog: bootLog, last: lastError)
    }

    /// Turns what was seen during the attempts into a cause and a fix.
    static func connectFailure(port: String, bootLog: String, last: LoaderError?) -> LoaderError {
        if let range = bootLog.range(of: #"boot mode:\((\d)"#, options: .regularExpression) {
            let mode = bootLog[range].last.map(String.init) ?? "?"
            if mode == "3" {
                return LoaderError(.syncFailed, "failed to connect on \(port): the chip booted from flash (boot mode \(mode)), not into the serial loader",
                                   hint: "GPIO0 was not held low during reset: hold BOOT/GPIO0 low, press RESET, then retry")
            }
            return LoaderError(.syncFailed, "failed to connect on \(port): download mode was seen but no sync reply came back",
                               hint: "the board's TX→host path seems down: check the RX/TX wiring and the baud rate")
        }
        if bootLog.contains("waiting for download") {
            return LoaderError(.syncFailed, "failed to connect on \(port): download mode detected but no sync reply",
                               hint: "the serial TX path seems to be down: check the wiring")
        }
        if let last, last.code != .noData {
            return LoaderError(.syncFailed, "failed to connect on \(port): \(last.message)",
                               hint: "is the board in download mode? hold BOOT/GPIO0 low and reset; check --baud")
        }
        return LoaderError(.noData, "failed to connect on \(port): no serial data received",
                           hint: "is the board in download mode? hold BOOT/GPIO0 low and reset, and check that --port is the board's UART")
    }

    static func run(_ sequence: ResetSequence, on port: any SerialPort) throws(TransportError) {
        for step in sequence.steps {
            switch step {
            case .dtr(let on): try port.setLines(dtr: on, rts: nil)
            case .rts(let on): try port.setLines(dtr: nil, rts: on)
            case .both(let dtr, let rts): try port.setLines(dtr: dtr, rts: rts)
            case .wait(let d):
                Thread.sleep(forTimeInterval: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
            }
        }
    }

    static func collect(_ port: any SerialPort, for duration: Duration) throws(TransportError) -> [UInt8] {
        var out: [UInt8] = []
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while clock.now < deadline && out.count < 64 * 1024 {
            out += try port.read(maxCount: 4096, timeout: deadline - clock.now)
        }
        return out
    }

    /// The magic word at 0x40001000 first (ESP8266, ESP32, ESP32-S2: the exchanges esprig always
    /// had, so their command sequence is unchanged), then GET_SECURITY_INFO's chip id (ESP32-S3,
    /// C3 and later, whose magic esptool no longer lists; also what answers in Secure Download
    /// Mode, where READ_REG is refused). A 12-byte answer without a chip id is the ESP32-S2.
    static func detectChip(_ connection: Connection, expected: Chip?) throws(LoaderError) -> ChipSpec {
        var magic: UInt32?
        do {
            magic = try connection.readRegister(ChipSpec.detectMagicRegister)
        } catch {
            if error.isDisconnect || error.code == .timeout || error.code == .noData { throw error }
        }
        let spec: ChipSpec
        if let magic, let found = ChipSpec.detect(magic: magic) {
            spec = found
        } else {
            let info: SecurityInfo
            do { info = try connection.securityInfo() } catch {
                if error.isDisconnect { throw error }
                throw LoaderError(.unknownChip, "unexpected chip magic value \(magic.map(hex8) ?? "(unreadable)") and no GET_SECURITY_INFO: esprig knows " + knownChips,
                                  hint: "this is a chip esprig has no row for; use esptool, or report the magic value")
            }
            let found = info.chipID.map(ChipSpec.detect(securityInfoChipID:))
                ?? Chip.allCases.map(\.spec).first { $0.securityInfoLength == 12 }
            guard let found else {
                throw LoaderError(.unknownChip, "unexpected chip id \(info.chipID.map(String.init) ?? "?") in GET_SECURITY_INFO (magic \(magic.map(hex8) ?? "unreadable")): esprig knows " + knownChips,
                                  hint: "this is a chip esprig has no row for; use esptool, or report the chip id")
            }
            spec = found
        }
        if let expected, expected != spec.chip {
            throw LoaderError(.wrongChip, "this chip is \(spec.displayName), not \(expected.spec.displayName)",
                              hint: "drop --chip (esprig detects the chip) or pass --chip \(spec.chip.rawValue)")
        }
        return spec
    }

    static var knownChips: String { Chip.allCases.map(\.spec.displayName).joined(separator: ", ") }
}

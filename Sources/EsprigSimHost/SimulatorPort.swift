import EsprigSimulator
import EsprigTransport
import Foundation

/// A `SimulatedBoard` as an in-process serial port, in real time: with UART timing a write takes
/// 10 bit times per byte at the host's baud and reads wait until bytes have "arrived"; flash
/// timing delays replies; drops and corruption already happen inside the board. The host's baud
/// is known here, so output sent at another rate (the ESP8266's 74880-baud boot banner) arrives
/// as the garbage a real UART would decode.
///
/// Like any `SerialPort` it is used by one session at a time; it has no internal threads.
public final class SimulatorPort: SerialPort {
    public let name: String
    public let capabilities = PortCapabilities(modemLines: true, isNetwork: false)
    public let board: SimulatedBoard
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var hostBaud = 115_200
    private var lines = (dtr: false, rts: false)
    private var transmit: TransmitQueue
    /// When the host → device line finishes sending what was written so far.
    private var hostLineFreeAt: Duration = .zero
    private var isClosed = false
    /// The board's USB device this port was opened on (usb=jtag|otg); once it re-enumerates,
    /// this port is gone, as a tty node is when its device leaves the bus.
    private let enumeration: Int

    public convenience init(board: SimulatedBoard, name: String) {
        self.init(board: board, name: name, started: ContinuousClock.now)
    }

    private init(board: SimulatedBoard, name: String, started: ContinuousClock.Instant) {
        self.board = board
        self.name = name
        self.started = started
        self.enumeration = board.usbEnumeration
        self.transmit = TransmitQueue(uartTiming: board.options.uartTiming, deviceBaud: board.currentBaud)
    }

    private var now: Duration { started.duration(to: clock.now) }

    private func checkOpen() throws(TransportError) {
        if isClosed { throw TransportError(.disconnected, "\(name) is closed") }
        if board.usbEnumeration != enumeration {
            throw TransportError(.disconnected, "\(name) went away: the board's USB device left the bus")
        }
    }

    /// The same board's port after its USB device re-enumerated, once it is back on the bus;
    /// nil while it is still away. Shares this port's clock, so the board's time runs on.
    public func reopened() -> SimulatorPort? {
        let current = now
        _ = board.advance(to: current)
        guard board.usbEnumeration != enumeration, board.usbPresent(at: current) else { return nil }
        return SimulatorPort(board: board, name: name, started: started)
    }

    public func write(_ bytes: [UInt8]) throws(TransportError) {
        try checkOpen()
        guard !bytes.isEmpty else { return }
        var arrival = now
        if board.options.uartTiming {
            arrival = max(hostLineFreeAt, arrival) + TransmitQueue.byteTime(baud: hostBaud) * bytes.count
            hostLineFreeAt = arrival
            sleep(until: arrival)
        }
        let baud = board.currentBaud
        transmit.enqueue(board.receive(bytes, now: arrival), at: arrival, startingBaud: baud, hostBaud: hostBaud)
    }

    public func read(maxCount: Int, timeout: Duration) throws(TransportError) -> [UInt8] {
        try checkOpen()
        let deadline = now + timeout
        // Bounded: each pass either returns or sleeps until the next arrival or the deadline.
        while true {
            let baud = board.currentBaud
            let current = now
            transmit.enqueue(board.advance(to: current), at: current, startingBaud: baud, hostBaud: hostBaud)
            try checkOpen()
            let got = transmit.take(at: current, maxCount: maxCount)
            if !got.isEmpty { return got }
            guard current < deadline else { return [] }
            let wake = [deadline, transmit.nextArrival, board.nextScheduledEvent].compactMap { $0 }.min() ?? deadline
            sleep(until: wake)
        }
    }

    public func setBaud(_ baud: Int) throws(TransportError) {
        try checkOpen()
        hostBaud = baud
    }

    public func setLines(dtr: Bool?, rts: Bool?) throws(TransportError) {
        try checkOpen()
        lines = (dtr ?? lines.dtr, rts ?? lines.rts)
        let at = now
        let baud = board.currentBaud
        transmit.enqueue(board.setLines(dtr: lines.dtr, rts: lines.rts, now: at), at: at, startingBaud: baud, hostBaud: hostBaud)
    }

    /// Discards what has arrived; bytes still "on the wire" arrive later, as on a real port.
    public func flushInput() throws(TransportError) {
        try checkOpen()
        _ = transmit.take(at: now, maxCount: .max)
    }

    public func close() { isClosed = true }

    private func sleep(until time: Duration) {
        let wait = time - now
        guard wait > .zero else { return }
        let (seconds, attoseconds) = wait.components
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }
}

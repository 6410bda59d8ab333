import CEsprigShims
import EsprigSimulator
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Serves one `SimulatedBoard` to another program (esptool, esprig) over a pseudo-terminal or a
/// TCP socket on 127.0.0.1.
///
/// Threading: one background thread owns every descriptor while running. The board is touched
/// only under `boardLock` (by that thread, and by callers through `withBoard`); the stop flag is
/// guarded by `lock`. `stop()` joins the thread, so afterwards `board.flash` is final. Those locks
/// are why the class is `@unchecked Sendable`.
public final class SimulatorServer: @unchecked Sendable {
    public enum Endpoint {
        /// A pty; `linkPath` (if given) becomes a symlink to the follower.
        case pty(linkPath: String?)
        /// TCP on 127.0.0.1; port 0 picks a free port.
        case tcp(port: UInt16)
    }

    public let board: SimulatedBoard
    /// With a pty and no link, the first pty's path; a re-enumerated board (usb=jtag|otg) gets
    /// a new pty, so pass a link for a name that stays (as /dev/serial/by-id does).
    public let address: String
    private let endpoint: Endpoint
    /// Owned by the serving thread while it runs (replaced when the board's USB re-enumerates).
    private var channel: ServerChannel
    /// The board's USB device number the channel belongs to; nil while the device is off the bus.
    private var channelEnumeration: Int?
    private let lock = NSLock()
    private let boardLock = NSLock()
    private var stopRequested = false
    private var isRunning = false
    private var isStopped = false
    private let exited = DispatchSemaphore(value: 0)
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    /// Output of `setLines` calls, handed to the serving thread (guarded by `boardLock`).
    private var lineOutputs: [(outputs: [BoardOutput], at: Duration, baud: Int)] = []

    public init(board: SimulatedBoard, endpoint: Endpoint) throws {
        self.board = board
        self.started = clock.now
        self.endpoint = endpoint
        self.channelEnumeration = board.usbEnumeration
        switch endpoint {
        case .pty(let linkPath):
            let pty = try PTYChannel(linkPath: linkPath)
            channel = pty
            address = linkPath ?? pty.followerPath
        case .tcp(let port):
            let tcp = try TCPChannel(port: port)
            channel = tcp
            address = "socket://127.0.0.1:\(tcp.port)"
        }
    }

    deinit { stop() }

    /// Runs `body` with the board while the serving thread is kept off it (e.g. to read the
    /// flash between two client sessions).
    public func withBoard<T>(_ body: (SimulatedBoard) throws -> T) rethrows -> T {
        boardLock.lock()
        defer { boardLock.unlock() }
        return try body(board)
    }

    /// Drives the board's DTR/RTS inputs (a pty or TCP peer cannot): e.g. a reset button press,
    /// `(dtr: false, rts: true)` then `(dtr: true, rts: false)`, restarts it in the ROM loader.
    public func setLines(dtr: Bool, rts: Bool) {
        boardLock.lock()
        defer { boardLock.unlock() }
        let at = elapsed
        let baud = board.currentBaud
        lineOutputs.append((board.setLines(dtr: dtr, rts: rts, now: at), at, baud))
    }

    /// Presses the reset button: a normal boot, or (`download`) a boot into the ROM loader with
    /// GPIO0 held low, as the classic DTR/RTS sequence does.
    public func pressReset(download: Bool) {
        setLines(dtr: false, rts: true)
        setLines(dtr: download, rts: false)
        if download { setLines(dtr: false, rts: false) }
    }

    private var elapsed: Duration { started.duration(to: clock.now) }

    /// Nobody is on the line: the board's executing core pauses until a peer connects again.
    private func hostLeft() {
        let now = elapsed
        withBoard { $0.setHostConnected(false, now: now) }
    }

    static let transmitBatch = Duration.milliseconds(1)

    /// Starts the serving thread; the endpoint is already listening when this returns.
    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        guard !isRunning, !isStopped else { return }
        isRunning = true
        let thread = Thread { [self] in
            serve()
            exited.signal()
        }
        thread.name = "esprig-sim \(address)"
        thread.start()
    }

    /// Stops serving and waits for the thread; idempotent. Afterwards `board.flash` is final.
    public func stop() {
        lock.lock()
        let wasRunning = isRunning && !isStopped
        let firstStop = !isStopped
        stopRequested = true
        isStopped = true
        lock.unlock()
        if wasRunning { exited.wait() }
        if firstStop { channel.close() }
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    /// The event loop: every wait is a poll of at most `tick`, so a stop request is seen promptly.
    private func serve() {
        let tick = Duration.milliseconds(20)
        var link = withBoard { LinkState(uartTiming: $0.options.uartTiming, baud: $0.currentBaud) }
        let resetOnConnect = withBoard { $0.options.resetOnConnect }
        var counted: (channel: ObjectIdentifier, connections: Int)?
        while !shouldStop {
            if followUSB(&link) { continue }
            let seen = (ObjectIdentifier(channel), channel.connections)
            if let counted, counted.channel == seen.0, counted.connections != seen.1 {
                let now = elapsed
                withBoard { $0.setHostConnected(true, now: now) }
                // An auto-reset USB board restarts in its loader whenever a port is opened.
                if resetOnConnect { pressReset(download: true) }
            }
            counted = seen
            let now = elapsed
            let scheduled = withBoard { $0.nextScheduledEvent }
            // Device output is handed over at most every millisecond, as a USB-serial adapter's
            // latency timer batches it; waking per byte at 2 Mbaud would only burn a core.
            let transmitWake = link.transmit.nextArrival.map { max($0, now + Self.transmitBatch) }
            let wake = [link.nextEvent, transmitWake, scheduled].compactMap { $0 }.min()
            let timeout = min(tick, max(.zero, (wake ?? now + tick) - now))
            switch channel.wait(timeout: timeout, wantWrite: !link.unsent.isEmpty) {
            case .idle:
                break
            case .disconnected:
                link.dropPending()
                hostLeft()
            case .readable:
                switch channel.read() {
                case .bytes(let bytes):
                    let baud = withBoard { $0.currentBaud }
                    link.received(bytes, at: elapsed, baud: baud)
                case .disconnected:
                    link.dropPending()
                    hostLeft()
                case .nothing: break
                }
            }
            let current = elapsed
            let hostBaud = channel.hostBaud
            withBoard { board in
                for (outputs, at, baud) in lineOutputs {
                    link.transmit.enqueue(outputs, at: at, startingBaud: baud, hostBaud: hostBaud)
                }
                lineOutputs.removeAll()
                for (bytes, at) in link.dueInput(at: current) {
                    let baud = board.currentBaud
                    link.transmit.enqueue(board.receive(bytes, now: at), at: at, startingBaud: baud, hostBaud: hostBaud)
                }
                let baud = board.currentBaud
                link.transmit.enqueue(board.advance(to: current), at: current, startingBaud: baud, hostBaud: hostBaud)
            }
            link.unsent += link.transmit.take(at: current, maxCount: 64 * 1024)
            if !link.unsent.isEmpty {
                let written = channel.write(link.unsent)
                link.unsent.removeFirst(min(written, link.unsent.count))
            }
        }
    }
}

extension SimulatorServer {
    /// A board on its own USB (usb=jtag|otg) leaves the bus when it re-enumerates: its pty
    /// closes (the peer's reads fail, as on a vanished ttyACM) and, once the device is back, a
    /// new pty takes the link. True while the device is away (the loop only lets board time run).
    fileprivate func followUSB(_ link: inout LinkState) -> Bool {
        guard case .pty(let linkPath) = endpoint else { return false }
        let current = elapsed
        let away = channelEnumeration == nil
        let (enumeration, present) = withBoard { board in
            // What the board sends while its device is off the bus reaches nobody.
            if away { _ = board.advance(to: current) }
            return (board.usbEnumeration, board.usbPresent(at: current))
        }
        if let owner = channelEnumeration, owner != enumeration {
            channel.close()
            channelEnumeration = nil
            link.dropPending()
        }
        guard channelEnumeration == nil else { return false }
        if present, let pty = try? PTYChannel(linkPath: linkPath) {
            channel = pty
            channelEnumeration = enumeration
            return false
        }
        Thread.sleep(forTimeInterval: 0.01)
        return true
    }
}

/// Per-connection timing state of the server loop.
fileprivate struct LinkState {
    var transmit: TransmitQueue
    var unsent: [UInt8] = []
    let uartTiming: Bool
    /// Received chunks and when the device has them (after 10 bit times per byte).
    private var pendingInput: [(bytes: [UInt8], at: Duration)] = []
    private var receiveLineFreeAt: Duration = .zero

    init(uartTiming: Bool, baud: Int) {
        self.uartTiming = uartTiming
        self.transmit = TransmitQueue(uartTiming: uartTiming, deviceBaud: baud)
    }

    var nextEvent: Duration? { pendingInput.first?.at }

    mutating func received(_ bytes: [UInt8], at now: Duration, baud: Int) {
        var at = now
        if uartTiming {
            at = max(receiveLineFreeAt, now) + TransmitQueue.byteTime(baud: baud) * bytes.count
            receiveLineFreeAt = at
        }
        pendingInput.append((bytes, at))
    }

    mutating func dueInput(at now: Duration) -> [(bytes: [UInt8], at: Duration)] {
        let due = pendingInput.prefix { $0.at <= now }
        pendingInput.removeFirst(due.count)
        return Array(due)
    }

    /// The peer went away: what it had not read is lost, like bytes sent to an unplugged cable.
    mutating func dropPending() {
        transmit.removeAll()
        unsent.removeAll()
    }
}

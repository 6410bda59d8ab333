import EsprigFraming
import EsprigProtocol
import EsprigTransport

/// Which program answers on the other side: the chip's ROM loader or the flasher stub.
public enum LoaderMode: String, Sendable {
    case rom, stub
}

/// One board's request/response channel: a port, the SLIP codec and the reply rules.
/// A session owns its connection; nothing here is shared between boards.
public final class Connection {
    /// Replaced only when the board's USB device re-enumerated and was opened again.
    public private(set) var port: any SerialPort
    public private(set) var baud: Int
    public var mode: LoaderMode = .rom
    /// Set once the chip is known; before that replies are parsed with 2 status bytes.
    public var chip: ChipSpec?
    public var timeouts: Timeouts
    /// Receives every frame sent and received, for `--trace`.
    public var trace: (@Sendable (TraceRecord) -> Void)?

    private var decoder = SLIPDecoder(maxFrameSize: 0x4000 + 256)
    private var frames: [[UInt8]] = []
    private var receivedAnyFrame = false

    public init(port: any SerialPort, baud: Int, timeouts: Timeouts = Timeouts()) {
        self.port = port
        self.baud = baud
        self.timeouts = timeouts
    }

    public var isStub: Bool { mode == .stub }

    /// Continues on `newPort`, the same board's port opened again (a USB re-enumeration), at
    /// the current rate; what was half-received on the old one is gone with it.
    func replacePort(_ newPort: any SerialPort) throws(LoaderError) {
        do { try newPort.setBaud(baud) } catch { throw LoaderError(error) }
        port.close()
        port = newPort
        decoder.reset()
        frames.removeAll()
    }

    /// Bytes seen outside frames since the last `flushInput` (boot log, noise).
    public var noise: [UInt8] { decoder.recentNoise }

    public func setBaud(_ newBaud: Int) throws(LoaderError) {
        do { try port.setBaud(newBaud) } catch { throw LoaderError(error) }
        baud = newBaud
    }

    /// Drops everything received but not yet consumed, in the OS and in the decoder.
    public func flushInput() throws(LoaderError) {
        do {
            try port.flushInput()
            // Bytes already in flight from the device land after the flush; read them away, but
            // stop after a bounded amount: a running app may never stop talking.
            for _ in 0..<16 where !(try port.read(maxCount: 4096, timeout: .zero)).isEmpty {}
        } catch { throw LoaderError(error) }
        decoder.reset()
        frames.removeAll()
    }

    public func sendFrame(_ payload: [UInt8]) throws(LoaderError) {
        trace?(TraceRecord(direction: .out, bytes: payload))
        do { try port.write(SLIP.encode(payload)) } catch { throw LoaderError(error) }
    }

    /// The next complete frame, or nil when none arrives before `timeout`.
    public func readFrame(timeout: Duration) throws(LoaderError) -> [UInt8]? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while frames.isEmpty {
            let remaining = deadline - clock.now
            let chunk: [UInt8]
            do {
                chunk = try port.read(maxCount: 64 * 1024, timeout: max(remaining, .zero))
            } catch { throw LoaderError(error) }
            if chunk.isEmpty {
                if clock.now >= deadline { return nil }
                continue
            }
            do {
                frames.append(contentsOf: try decoder.feed(chunk))
            } catch {
                // A broken escape is line noise: drop that frame and keep reading.
                trace?(TraceRecord(direction: .noise, bytes: chunk))
            }
        }
        let frame = frames.removeFirst()
        receivedAnyFrame = true
        trace?(TraceRecord(direction: .in, bytes: frame))
        return frame
    }

    /// Sends a command and waits for its reply (esptool `command` + `check_command`).
    ///
    /// The reply is the first response frame with the same opcode; other frames are skipped
    /// (at most 100, as esptool does). A ROM "invalid message" reply to a different opcode means
    /// the command is unsupported.
    @discardableResult
    public func command(_ opcode: Opcode, _ data: [UInt8] = [], checksum: UInt32 = 0,
                        timeout: Duration? = nil, resultLength: Int = 0,
                        allowFailure: Bool = false) throws(LoaderError) -> ParsedResponse {
        let packet = CommandPacket(opcode, data: data, checksum: checksum).encoded()
        try sendFrame(packet)
        // The request itself may take a while to cross a slow line before the device can answer.
        let budget = (timeout ?? timeouts.standard) + wireTime(bytes: packet.count + packet.count / 64 + 2, baud: baud)
        return try awaitReply(opcode, timeout: budget, resultLength: resultLength, allowFailure: allowFailure)
    }

    public func awaitReply(_ opcode: Opcode, timeout: Duration, resultLength: Int = 0,
                           allowFailure: Bool = false) throws(LoaderError) -> ParsedResponse {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        for _ in 0..<100 {
            let remaining = deadline - clock.now
            guard remaining > .zero, let frame = try readFrame(timeout: remaining) else { break }
            guard let response = ResponsePacket(frame: frame) else { continue }
            if response.opcode != opcode.rawValue {
                if response.data.count >= 2, response.data[0] != 0, response.data[1] == 0x05,
                   response.opcode != Opcode.sync.rawValue {
                    throw LoaderError(.unsupported, "\(opcode) (0x\(hex2(opcode.rawValue))) is not supported by the \(mode == .rom ? "ROM loader" : "flasher stub")", opcode: opcode)
                }
                continue
            }
            let parsed = ParsedResponse(response, expectedResultLength: resultLength)
            if !parsed.status.isSuccess && !allowFailure {
                // A ROM's 01 05 to the same opcode is a garbled frame, not an unknown command
                // (esprig never sends a ROM a command its chip row says it lacks).
                if parsed.status.isStubUnsupported && mode == .stub {
                    throw LoaderError(.unsupported, "\(opcode) is not supported by the \(mode == .rom ? "ROM loader" : "flasher stub") (\(parsed.status))",
                                      opcode: opcode, status: parsed.status)
                }
                throw LoaderError(.commandFailed, "\(opcode) failed (\(parsed.status))", opcode: opcode, status: parsed.status)
            }
            return parsed
        }
        if !receivedAnyFrame && decoder.bytesOutsideFrames == 0 {
            throw LoaderError.noSerialData(port.name)
        }
        throw LoaderError(.timeout, "timed out waiting for the \(opcode) reply from \(port.name)",
                          hint: "the board stopped answering: check the cable and power, or lower --baud", opcode: opcode)
    }
}

/// One frame as it crossed the wire, for `--trace`.
public struct TraceRecord: Sendable {
    public enum Direction: String, Sendable { case out = "TX", `in` = "RX", noise = "NOISE" }
    public var direction: Direction
    public var bytes: [UInt8]
}

func hex2(_ v: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(v >> 4)], digits[Int(v & 0xF)]])
}

func hex8(_ v: UInt32) -> String {
    "0x" + String(v, radix: 16).leftPadded(to: 8)
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

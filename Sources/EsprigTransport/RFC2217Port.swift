/// `rfc2217://HOST:PORT`: a serial port on another machine through an RFC 2217 server
/// (esptool's `esp_rfc2217_server`, pyserial's, ser2net in telnet mode).
///
/// Telnet with BINARY, SUPPRESS-GO-AHEAD and COM-PORT-OPTION negotiated in both directions.
/// Data 0xFF bytes are doubled on the way out and undone on the way in; telnet commands are
/// stripped from the incoming stream (sequences split across reads included).
///
/// Line changes: RFC 2217 has no "set both lines" command, so `setLines(dtr:rts:)` sends
/// SET-CONTROL for DTR and then for RTS, in that order, in one TCP write; the server applies
/// them one after the other. They are not waited for: esp_rfc2217_server does not acknowledge
/// the SET-CONTROL commands it intercepts (which is why esptool suggests `?ign_set_control`).
/// The baud change and the input purge are acknowledged, and waited for.
///
/// esp_rfc2217_server does not pass lines through literally: "DTR on" (outside download mode)
/// makes it run esptool's UnixTightReset on its own port, "RTS off" outside download mode makes
/// it run a hard reset, "DTR off" leaves download mode, and "RTS on" is ignored. So, like
/// esptool, reset over rfc2217:// with the classic one-line-at-a-time sequence; a two-line step
/// such as (DTR off, RTS off) right after entering the bootloader would hard-reset the chip.
public final class RFC2217Port: SerialPort {
    public let name: String
    /// DTR/RTS are forwarded to the server's port; the connection is a network socket.
    public let capabilities = PortCapabilities(modemLines: true, isNetwork: true)
    /// Bound on waiting for the server's answer to negotiation, SET-BAUDRATE and PURGE-DATA.
    public var acknowledgementTimeout: Duration

    private let socket: TCPPort
    private var decoder = TelnetDecoder()
    /// Data decoded but not yet handed to the caller.
    private var pending: [UInt8] = []
    private var sentWill: Set<UInt8> = []
    private var sentDo: Set<UInt8> = []
    private var sentDont: Set<UInt8> = []
    private var sentWont: Set<UInt8> = []
    private var comPortAccepted = false
    private var comPortRefusals = 0
    private var acknowledgedBaud: Int?
    private var isAwaitingPurge = false

    /// RFC 2217 COM-PORT-OPTION commands (client to server; the server answers with +100).
    enum ComPort {
        static let setBaudRate: UInt8 = 1   // SET-BAUDRATE, 4-byte big-endian rate
        static let setDataSize: UInt8 = 2   // SET-DATASIZE
        static let setParity: UInt8 = 3     // SET-PARITY, 1 = none
        static let setStopSize: UInt8 = 4   // SET-STOPSIZE, 1 = one stop bit
        static let setControl: UInt8 = 5    // SET-CONTROL
        static let purgeData: UInt8 = 12    // PURGE-DATA, 1 = receive buffer
        static let serverOffset: UInt8 = 100

        static let dtrOn: UInt8 = 8, dtrOff: UInt8 = 9, rtsOn: UInt8 = 11, rtsOff: UInt8 = 12
        static let purgeReceive: UInt8 = 1
    }

    /// Connects, negotiates telnet options and COM-PORT-OPTION, and sets 8N1 at `baud`.
    public init(host: String, port: UInt16, baud: Int,
                connectTimeout: Duration = .seconds(5), acknowledgementTimeout: Duration = .seconds(3)) throws(TransportError) {
        socket = try TCPPort(host: host, port: port, connectTimeout: connectTimeout, scheme: "rfc2217")
        name = socket.name
        self.acknowledgementTimeout = acknowledgementTimeout
        do {
            try negotiate()
            let config = Telnet.subnegotiation(option: Telnet.comPortOption, [ComPort.setDataSize, 8])
                + Telnet.subnegotiation(option: Telnet.comPortOption, [ComPort.setParity, 1])
                + Telnet.subnegotiation(option: Telnet.comPortOption, [ComPort.setStopSize, 1])
            try socket.write(config)
            try setBaud(baud)
        } catch {
            socket.close()
            throw error
        }
    }

    public func write(_ bytes: [UInt8]) throws(TransportError) {
        try socket.write(Telnet.escape(bytes))
    }

    public func read(maxCount: Int, timeout: Duration) throws(TransportError) -> [UInt8] {
        guard maxCount > 0 else { return [] }
        if pending.isEmpty {
            let deadline = ContinuousClock.now + timeout
            while pending.isEmpty {
                if try !receive(until: deadline) { return [] }
            }
        }
        let count = min(maxCount, pending.count)
        let out = Array(pending.prefix(count))
        pending.removeFirst(count)
        return out
    }

    /// Sends SET-BAUDRATE and waits (at most `acknowledgementTimeout`) for the server to
    /// confirm the rate it applied.
    public func setBaud(_ baud: Int) throws(TransportError) {
        guard baud > 0, let rate = UInt32(exactly: baud) else {
            throw TransportError(.unsupported, "\(baud) is not a baud rate", hint: "use a positive rate such as 115200 or 921600")
        }
        let value = [UInt8(rate >> 24), UInt8((rate >> 16) & 0xFF), UInt8((rate >> 8) & 0xFF), UInt8(rate & 0xFF)]
        acknowledgedBaud = nil
        try socket.write(Telnet.subnegotiation(option: Telnet.comPortOption, [ComPort.setBaudRate] + value))
        let deadline = ContinuousClock.now + acknowledgementTimeout
        while acknowledgedBaud == nil {
            if try !receive(until: deadline) {
                throw TransportError(.timedOut, "\(name) did not acknowledge the change to \(baud) baud",
                                     hint: "the RFC 2217 server may be overloaded or not apply settings; check its log")
            }
        }
        if let applied = acknowledgedBaud, applied != baud {
            throw TransportError(.unsupported, "\(name) kept \(applied) baud instead of \(baud)",
                                 hint: "the server's serial adapter may not support \(baud); pick another rate")
        }
    }

    /// Sends SET-CONTROL for DTR, then for RTS (RFC 2217 has no atomic two-line change).
    public func setLines(dtr: Bool?, rts: Bool?) throws(TransportError) {
        var message: [UInt8] = []
        if let dtr {
            message += Telnet.subnegotiation(option: Telnet.comPortOption, [ComPort.setControl, dtr ? ComPort.dtrOn : ComPort.dtrOff])
        }
        if let rts {
            message += Telnet.subnegotiation(option: Telnet.comPortOption, [ComPort.setControl, rts ? ComPort.rtsOn : ComPort.rtsOff])
        }
        guard !message.isEmpty else { return }
        try socket.write(message)
    }

    /// Asks the server to purge its receive buffer (PURGE-DATA) and waits, at most
    /// `acknowledgementTimeout`, for its answer. Data that reached us before the answer was read
    /// by the server before the purge, so it is dropped too; data after it is kept.
    public func flushInput() throws(TransportError) {
        isAwaitingPurge = true
        try socket.write(Telnet.subnegotiation(option: Telnet.comPortOption, [ComPort.purgeData, ComPort.purgeReceive]))
        let deadline = ContinuousClock.now + acknowledgementTimeout
        while isAwaitingPurge {
            if try !receive(until: deadline) {
                isAwaitingPurge = false
                pending.removeAll()
                throw TransportError(.timedOut, "\(name) did not acknowledge the input purge",
                                     hint: "the RFC 2217 server may be overloaded; check its log")
            }
        }
    }

    public func close() { socket.close() }

    // MARK: - Telnet

    private func negotiate() throws(TransportError) {
        var hello: [UInt8] = []
        for option in [Telnet.binary, Telnet.suppressGoAhead, Telnet.comPortOption] {
            hello += Telnet.negotiation(Telnet.will, option) + Telnet.negotiation(Telnet.do, option)
            sentWill.insert(option)
            sentDo.insert(option)
        }
        try socket.write(hello)
        let deadline = ContinuousClock.now + acknowledgementTimeout
        while !comPortAccepted {
            if comPortRefusals >= 2 {
                throw TransportError(.unsupported, "\(name) does not speak RFC 2217 (it refused COM-PORT-OPTION)",
                                     hint: "if it is a raw TCP serial server, use socket://\(socket.host):\(socket.port)")
            }
            if try !receive(until: deadline) {
                let hint = comPortRefusals > 0
                    ? "the server refused COM-PORT-OPTION; if it is a raw TCP serial server, use socket://\(socket.host):\(socket.port)"
                    : "the server did not answer the telnet negotiation; is it an RFC 2217 server?"
                throw TransportError(.timedOut, "\(name) did not accept RFC 2217 within \(acknowledgementTimeout)", hint: hint)
            }
        }
    }

    /// Reads one chunk from the socket (waiting until `deadline`) and processes it.
    /// Returns false when nothing arrived in time.
    private func receive(until deadline: ContinuousClock.Instant) throws(TransportError) -> Bool {
        let raw = try socket.descriptor.read(maxCount: 16384, until: deadline)
        if raw.isEmpty { return false }
        let output = decoder.feed(raw)
        let base = pending.count
        pending += output.data
        var replies: [UInt8] = []
        for (event, position) in zip(output.events, output.eventPositions) {
            replies += handle(event, dataBefore: base + position)
        }
        if !replies.isEmpty { try socket.write(replies) }
        return true
    }

    /// Reacts to one telnet event; returns the bytes to send back.
    /// `dataBefore` is how much of `pending` arrived before the event.
    private func handle(_ event: TelnetDecoder.Event, dataBefore: Int) -> [UInt8] {
        switch event {
        case .negotiation(let verb, let option):
            let wanted = option == Telnet.binary || option == Telnet.suppressGoAhead || option == Telnet.comPortOption
            switch verb {
            case Telnet.will:
                if option == Telnet.comPortOption { comPortAccepted = true }
                if wanted {
                    // Our own DO already asked for it: this is the answer, not a question.
                    if sentDo.insert(option).inserted { return Telnet.negotiation(Telnet.do, option) }
                    return []
                }
                return refuse(Telnet.dont, option)
            case Telnet.do:
                if option == Telnet.comPortOption { comPortAccepted = true }
                if wanted {
                    if sentWill.insert(option).inserted { return Telnet.negotiation(Telnet.will, option) }
                    return []
                }
                return refuse(Telnet.wont, option)
            case Telnet.wont, Telnet.dont:
                if option == Telnet.comPortOption { comPortRefusals += 1 }
                return []
            default:
                return []
            }
        case .subnegotiation(let content):
            // [COM-PORT-OPTION, server command, value...]; only the baud answer matters here
            // (modem/line-state notifications and other answers are ignored).
            guard content.count >= 2, content[0] == Telnet.comPortOption else { return [] }
            if content[1] == ComPort.setBaudRate + ComPort.serverOffset, content.count >= 6 {
                acknowledgedBaud = content[2...5].reduce(0) { $0 << 8 | Int($1) }
            } else if content[1] == ComPort.purgeData + ComPort.serverOffset, isAwaitingPurge {
                // Everything before the answer was received by the server before it purged.
                pending.removeFirst(min(dataBefore, pending.count))
                isAwaitingPurge = false
            }
            return []
        case .command:
            return []
        }
    }

    /// Answers an option we do not want, once per option and side (answering again could loop).
    private func refuse(_ verb: UInt8, _ option: UInt8) -> [UInt8] {
        let isNew = verb == Telnet.dont ? sentDont.insert(option).inserted : sentWont.insert(option).inserted
        return isNew ? Telnet.negotiation(verb, option) : []
    }
}

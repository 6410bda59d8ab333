import EsprigTransport
import Foundation

/// The state of one `MonitorSession.run`: decoding, line analysis, boot-rate switching,
/// reconnecting. Lives on the run thread only.
struct ReadLoop {
    let session: MonitorSession
    let sink: any MonitorSink
    let until: LinePattern?
    let failOn: LinePattern?
    let deadline: Duration?

    private var decoder = VisibleTextDecoder()
    private var assembler = LineAssembler()
    private var crashes: CrashParser
    private var banner: BootBannerTracker?
    private var lineStart: (elapsed: Duration, wall: Date)?
    private var kept: [String] = []
    private var missingResolverNoted = false
    private let started: Duration

    init(session: MonitorSession, sink: any MonitorSink, until: LinePattern?, failOn: LinePattern?, deadline: Duration?) {
        self.session = session
        self.sink = sink
        self.until = until
        self.failOn = failOn
        self.deadline = deadline
        self.crashes = CrashParser(chip: .forChip(session.settings.chip))
        self.started = session.now
    }

    private var settings: MonitorSettings { session.settings }
    private var elapsed: Duration { session.now - started }

    mutating func run() -> MonitorOutcome {
        while true {
            let inbox = session.takeInbox()
            if inbox.stop { return finish(.stopped) }
            do {
                for bytes in inbox.writes { try session.port.write(bytes) }
                for bootloader in inbox.resets { try reset(bootloader: bootloader) }
                if let deadline, session.now >= deadline { return finish(.timedOut) }
                let slice = deadline.map { min(MonitorSession.readSlice, max(.zero, $0 - session.now)) } ?? MonitorSession.readSlice
                let bytes = try session.port.read(maxCount: 64 * 1024, timeout: slice)
                if !bytes.isEmpty {
                    banner?.received(at: session.now)
                    let outcome = try process(bytes)
                    sink.flush()
                    if let outcome { return outcome }
                }
                if banner != nil {
                    banner?.tick(at: session.now)
                    if banner?.isOver == true { try endBanner() }
                }
            } catch let error as TransportError {
                if error.code == .unsupported {
                    note("cannot reset the board: \(error)")
                    banner = nil
                    try? session.port.setBaud(settings.appBaud)
                    continue
                }
                if let outcome = reconnect(after: error) { return outcome }
            } catch {
                note("\(error)")
            }
        }
    }

    // MARK: - Bytes and lines

    private mutating func process(_ bytes: [UInt8]) throws -> MonitorOutcome? {
        for piece in assembler.feed(decoder.decode(bytes)) {
            if let outcome = try handle(piece) { return outcome }
        }
        return nil
    }

    private mutating func handle(_ piece: LineAssembler.Piece) throws -> MonitorOutcome? {
        switch piece {
        case .fragment(let text, let startsLine):
            if startsLine { lineStart = (elapsed, session.wallTime) }
            let (at, wall) = lineStart ?? (elapsed, session.wallTime)
            sink.handle(.fragment(text, startsLine: startsLine, elapsed: at, wallTime: wall))
            return nil
        case .line(let text):
            let (at, wall) = lineStart ?? (elapsed, session.wallTime)
            lineStart = nil
            return try handleLine(MonitorLine(text: text, elapsed: at, wallTime: wall, fromBootROM: banner != nil))
        }
    }

    private mutating func handleLine(_ line: MonitorLine) throws -> MonitorOutcome? {
        sink.handle(.line(line))
        kept.append(line.text)
        // Trimmed in batches: dropping one line at a time would move the whole array per line.
        if kept.count >= 2 * settings.keptLines { kept.removeFirst(kept.count - settings.keptLines) }
        banner?.line(line.text)
        if let report = ResetReport(line: line.text) {
            sink.handle(.reset(report, elapsed: line.elapsed, wallTime: line.wallTime))
        }
        for crash in crashes.feed(line.text) { try reportCrash(crash) }
        if let failOn, failOn.matches(line.text) { return finish(.failed, line: line.text) }
        if let until, until.matches(line.text) { return finish(.matched, line: line.text) }
        return nil
    }

    private mutating func reportCrash(_ crash: CrashReport) throws {
        var crash = crash
        let codeAddresses = crash.frames.map(\.address).filter(CodeRegions.forChip(settings.chip).isCode)
        if let resolver = settings.resolver {
            do {
                let symbols = try resolver.resolve(Array(Set(codeAddresses)).sorted())
                for index in crash.frames.indices { crash.frames[index].symbol = symbols[crash.frames[index].address] }
            } catch {
                crash.decodeNote = "\(error)"
            }
        } else if !missingResolverNoted, let missing = settings.resolverMissingNote {
            crash.decodeNote = missing
            missingResolverNoted = true
        }
        sink.handle(.crash(crash, elapsed: elapsed, wallTime: session.wallTime))
        if crash.kind == .esp8266Exception, settings.expectBootAfterCrash { try startBanner() }
    }

    private mutating func finish(_ reason: MonitorOutcome.Reason, line: String? = nil) -> MonitorOutcome {
        if reason != .matched && reason != .failed, let piece = assembler.finishLine() { _ = try? handle(piece) }
        if let crash = crashes.flush() { try? reportCrash(crash) }
        sink.flush()
        return MonitorOutcome(reason: reason, matchedLine: line, lines: Array(kept.suffix(settings.keptLines)))
    }

    // MARK: - Resets and the boot rate

    private mutating func reset(bootloader: Bool) throws {
        if let piece = assembler.finishLine() { _ = try handle(piece) }
        let port = session.port
        if settings.bootBaud != nil { try startBanner() }
        try port.setLines(dtr: false, rts: true)
        session.sleep(for: .milliseconds(100))
        if bootloader {
            try port.setLines(dtr: true, rts: false)
            session.sleep(for: .milliseconds(50))
        }
        try port.setLines(dtr: false, rts: false)
        note(bootloader ? "board reset into the download loader" : "board reset")
    }

    /// Listens at the ROM's rate until the banner is over.
    private mutating func startBanner() throws {
        guard let bootBaud = settings.bootBaud else { return }
        if let piece = assembler.finishLine() { _ = try handle(piece) }
        try session.port.setBaud(bootBaud)
        banner = BootBannerTracker(startedAt: session.now, quietTime: settings.bannerQuietTime, limit: settings.bannerLimit)
    }

    private mutating func endBanner() throws {
        banner = nil
        if let piece = assembler.finishLine() { _ = try handle(piece) }
        _ = decoder.flush()
        try session.port.setBaud(settings.appBaud)
    }

    // MARK: - Reconnect

    /// Waits for the port to come back; nil when it did (go on), else how the run ends.
    private mutating func reconnect(after error: TransportError) -> MonitorOutcome? {
        if let piece = assembler.finishLine() { _ = try? handle(piece) }
        banner = nil
        let name = session.port.name
        session.port.close()
        guard session.canReconnect else {
            sink.handle(.disconnected("\(error)", elapsed: elapsed, wallTime: session.wallTime))
            return finish(.disconnected)
        }
        sink.handle(.disconnected("\(error); waiting for \(name) to come back", elapsed: elapsed, wallTime: session.wallTime))
        while true {
            if session.isStopRequested { return finish(.stopped) }
            if let deadline, session.now >= deadline { return finish(.timedOut) }
            session.sleep(for: settings.reconnectDelay)
            guard let port = try? session.reopenPort() else { continue }
            session.replacePort(port)
            try? port.setBaud(settings.appBaud)
            decoder = VisibleTextDecoder()
            sink.handle(.reconnected("reconnected to \(port.name)", elapsed: elapsed, wallTime: session.wallTime))
            return nil
        }
    }

    private func note(_ text: String) {
        sink.handle(.note(text, elapsed: elapsed, wallTime: session.wallTime))
    }
}

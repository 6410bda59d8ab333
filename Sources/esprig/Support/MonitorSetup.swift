import ArgumentParser
import EsprigSystem
import EsprigFirmware
import EsprigMonitor
import EsprigProfiles
import EsprigProtocol
import EsprigTransport
import Foundation
import EsprigWorkflows

/// `esprig monitor` once its options are parsed: the library decides the port and settings;
/// here are the sinks, the keyboard and the signals.
struct MonitorSetup {
    let command: Esprig.Monitor
    let monitor: BoardMonitor
    let until: LinePattern?
    let failOn: LinePattern?
    let logPath: String?

    var portName: String { monitor.portName }
    var opened: OpenedPort { monitor.opened }
    var settings: MonitorSettings { monitor.settings }

    init(command: Esprig.Monitor, environment: [String: String]) throws {
        self.command = command
        var request = BoardMonitor.Request(environment: environment)
        if let name = command.profile {
            request.profile = try resolveProfile(name, profilesDir: command.profilesDir)
        }
        request.port = command.connection.port
        request.chip = command.connection.chip.chip
        request.baud = command.connection.baud
        request.elf = command.elf
        request.reconnect = !command.noReconnect
        until = try command.until.map(LinePattern.init)
        failOn = try command.failOn.map(LinePattern.init)
        monitor = try BoardMonitor(request)
        logPath = command.log
    }

    func run() throws -> MonitorOutcome {
        let session = monitor.session()
        let logSink = LogFileSink()
        if let logPath { try logSink.start(path: logPath) }
        let style: TimestampStyle = command.relativeTimestamps ? .elapsed : .wall
        let renderer = TextRenderer(output: FileDescriptorOutput(), timestamps: command.timestamps || command.relativeTimestamps ? style : .off,
                                    color: TextRenderer.wantsColor(fd: STDOUT_FILENO))
        let json = command.output.json ? JSONEventWriter(output: FileDescriptorOutput()) : nil
        let sink = MonitorTee([json ?? renderer, logSink])

        // Ctrl+C / SIGTERM end the run cleanly (terminal restored, log closed).
        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { session.stop() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let terminal = command.output.json ? nil : RawTerminal()
        let keyboard = terminal.map { _ in KeyboardReader() }
        // Said once the port is open and before the reset, so a script (or a test) knows the
        // monitor is listening: nothing the board prints from here on is missed.
        let listening = "esprig monitor on \(portName) at \(settings.appBaud) baud"
        if let keyboard {
            let controller = KeyController(session: session, renderer: renderer, log: logSink, style: style, logPath: logPath)
            keyboard.start { controller.handle($0) }
            renderer.handle(.note(listening + " · " + MonitorKeys.helpText, elapsed: .zero, wallTime: Date()))
        } else {
            sink.handle(.note(listening, elapsed: .zero, wallTime: Date()))
        }
        if !command.noReset { session.resetBoard() }
        let outcome = session.run(until: until, failOn: failOn, timeout: command.timeout.map { .milliseconds(Int64($0 * 1000)) }, sink: sink)
        keyboard?.stop()
        terminal?.restore()
        session.port.close()
        try? opened.close()
        logSink.stop()
        report(outcome, json: json)
        return outcome
    }

    private func report(_ outcome: MonitorOutcome, json: JSONEventWriter?) {
        if let json { json.finish(outcome); return }
        let message: String?
        switch outcome.reason {
        case .matched: message = "--until matched: \(outcome.matchedLine ?? "")"
        case .failed: message = "--fail-on matched: \(outcome.matchedLine ?? "")"
        case .timedOut: message = "timed out after \(command.timeout.map { "\($0)" } ?? "?") s" + (until.map { " waiting for /\($0.source)/" } ?? "")
        case .disconnected: message = "the port went away (reconnect is off)"
        case .stopped: message = nil
        }
        if let message { FileHandle.standardError.write(Data("esprig monitor: \(message)\n".utf8)) }
    }
}

/// Turns keys into session actions (runs on the keyboard thread).
private final class KeyController: @unchecked Sendable {
    private let session: MonitorSession
    private let renderer: TextRenderer
    private let log: LogFileSink
    private let style: TimestampStyle
    private let logPath: String?
    private let lock = NSLock()
    private var keys = MonitorKeys()

    init(session: MonitorSession, renderer: TextRenderer, log: LogFileSink, style: TimestampStyle, logPath: String?) {
        self.session = session
        self.renderer = renderer
        self.log = log
        self.style = style
        self.logPath = logPath
    }

    func handle(_ bytes: [UInt8]) {
        let actions = lock.withLock { keys.feed(bytes) }
        for action in actions {
            switch action {
            case .send(let data): session.send(data)
            case .reset: session.resetBoard()
            case .resetIntoBootloader: session.resetBoard(bootloader: true)
            case .toggleTimestamps:
                renderer.timestamps = renderer.timestamps == .off ? style : .off
                note("timestamps \(renderer.timestamps == .off ? "off" : "on")")
            case .toggleLog:
                if log.isLogging {
                    let path = log.path ?? ""
                    log.stop()
                    note("log file \(path) closed")
                } else {
                    let path = logPath ?? "esprig-monitor-\(Self.stamp()).log"
                    do {
                        try log.start(path: path)
                        note("logging to \(path)")
                    } catch {
                        note("\(error)")
                    }
                }
            case .help: note(MonitorKeys.helpText)
            case .quit: session.stop()
            }
        }
    }

    private func note(_ text: String) { renderer.handle(.note(text, elapsed: .zero, wallTime: Date())) }

    private static func stamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date())
    }
}

import EsprigSystem
import Foundation
import EsprigFirmware

/// A `ProcessRunner` with canned replies: `reply` sees each request and returns the output
/// lines and status (or throws, e.g. `.toolNotFound`). Every request is recorded.
final class ScriptedProcessRunner: ProcessRunner, @unchecked Sendable {
    struct Reply {
        var status: Int32
        var lines: [String]
    }

    private let lock = NSLock()
    private var recorded: [ProcessRequest] = []
    private let reply: @Sendable (ProcessRequest) throws -> Reply

    init(reply: @escaping @Sendable (ProcessRequest) throws -> Reply) {
        self.reply = reply
    }

    var requests: [ProcessRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// The shell commands run so far (the builds, not the `--version` checks).
    var builds: [String] { requests.filter { $0.executable == "/bin/sh" }.map { $0.arguments.last ?? "" } }

    func run(_ request: ProcessRequest, onLine: @escaping @Sendable (String) -> Void) throws -> ProcessResult {
        lock.lock()
        recorded.append(request)
        lock.unlock()
        let answer = try reply(request)
        answer.lines.forEach(onLine)
        return ProcessResult(status: answer.status, tail: Array(answer.lines.suffix(request.tailLines)))
    }
}

/// Collects events from any thread.
final class EventLog<Event: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Event] = []

    func append(_ event: Event) {
        lock.lock()
        stored.append(event)
        lock.unlock()
    }

    var events: [Event] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

import Foundation
import EsprigPorts

/// Runs boards concurrently, one thread per board (the serial code blocks by design), at
/// most `parallel` at a time; in watch mode also boards that appear later. A cancelled
/// runner starts nothing new: boards waiting for a slot end as failed (`cancelled`), boards
/// already on the wire finish, so no board is left half-written.
final class BenchRunner: @unchecked Sendable {
    let context: BenchContext
    let observer: BenchObserver
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var order: [String] = []
    private var rows: [String: BenchRow] = [:]
    private var results: [String: BenchBoardResult] = [:]
    private var running: Set<String> = []
    /// Ports that came back while their failed run was still winding down: started again after it.
    private var comeBack: [String: BenchPort] = [:]
    private var unplugged: Set<String> = []
    private var cancelled = false

    init(context: BenchContext, parallel: Int, observer: @escaping BenchObserver) {
        self.context = context
        self.observer = observer
        slots = DispatchSemaphore(value: parallel)
    }

    /// Starts the board on `port` unless it is already being provisioned.
    func start(_ port: BenchPort) {
        let row: BenchRow? = lock.withLock {
            guard !cancelled else { return nil }
            guard !running.contains(port.name) else {
                comeBack[port.name] = port
                return nil
            }
            running.insert(port.name)
            unplugged.remove(port.name)
            if rows[port.name] == nil {
                order.append(port.name)
                rows[port.name] = BenchRow(port: port.name)
            }
            return rows[port.name]
        }
        guard let row else { return }
        group.enter()
        let observer = self.observer
        let thread = Thread { [self] in
            slots.wait()
            var result: BenchBoardResult
            if isCancelled {
                result = BenchBoardResult(port: port.name, result: .failed, failedStep: "cancelled",
                                          error: "the bench was cancelled before this board started", seconds: 0)
            } else {
                result = BenchBoardJob(port: port, context: context) { event in
                    row.apply(event)
                    observer(event)
                }.run()
            }
            slots.signal()
            let again: BenchPort? = lock.withLock {
                if unplugged.contains(port.name), result.result == .failed {
                    result.error = "unplugged: " + (result.error ?? "the port went away")
                }
                results[port.name] = result
                running.remove(port.name)
                return comeBack.removeValue(forKey: port.name)
            }
            let finished = BenchEvent.boardFinished(result)
            row.apply(finished)
            observer(finished)
            if let again { start(again) }
            group.leave()
        }
        // X.509 and RSA key generation need more than the 512 KiB a secondary thread gets.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The port went away (watch mode): a board on it is failing, so say why; a finished row
    /// says so too, so the operator sees the board is gone (and a return starts it clean).
    func removed(_ path: String) {
        let known: Bool = lock.withLock {
            comeBack.removeValue(forKey: path)
            if running.contains(path) { unplugged.insert(path) }
            return rows[path] != nil
        }
        if known { observer(.boardUnplugged(port: path)) }
    }

    func cancel() { lock.withLock { cancelled = true } }

    var isCancelled: Bool { lock.withLock { cancelled } }

    func rowStates() -> [BenchRowState] {
        lock.withLock { order.compactMap { rows[$0]?.snapshot() } }
    }

    func finalResults() -> [BenchBoardResult] {
        lock.withLock { order.compactMap { results[$0] } }
    }

    /// Waits for every started board, calling `tick` about five times a second; `shouldStop`
    /// (checked as often) cancels the boards still waiting.
    func waitForAll(shouldStop: () -> Bool, tick: () -> Void) {
        while group.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            if shouldStop() { cancel() }
            tick()
        }
        tick()
    }
}

/// Watch mode: provisions ports as they appear until `shouldStop` says so.
struct BenchWatch {
    let runner: BenchRunner
    let source: any HotplugSource
    /// Which appearing ports to provision.
    let accepts: (SerialPortInfo) -> Bool

    func run(shouldStop: () -> Bool, tick: () -> Void) throws {
        while !shouldStop() {
            tick()
            guard let event = try source.next(timeout: .milliseconds(200)), let port = event.port else { continue }
            switch event.action {
            case .added where accepts(port):
                runner.start(BenchPort(name: port.path, info: port))
            case .removed:
                runner.removed(port.path)
            default:
                break
            }
        }
    }
}

import Foundation
import EsprigLoader
import EsprigProtocol

/// What a live display shows of one port, kept from the port's events.
public struct BenchRowState: Sendable {
    /// Where the board is: waiting for a slot, running, or its result.
    public enum Phase: String, Sendable { case waiting, running, passed, failed, skipped }
    public var port: String
    public var phase: Phase = .waiting
    public var mac: String?
    public var clientID: String?
    public var step: String?
    /// 0...1 within the current region, while writing.
    public var progress: Double?
    /// What the progress is of (the region's address).
    public var detail: String?

    init(port: String, phase: Phase = .waiting) {
        self.port = port
        self.phase = phase
    }
}

/// One port's row: written by one board thread at a time, read by the display thread.
final class BenchRow: @unchecked Sendable {
    private let lock = NSLock()
    private var state: BenchRowState

    init(port: String) { state = BenchRowState(port: port) }

    func snapshot() -> BenchRowState { lock.withLock { state } }

    func update(_ change: (inout BenchRowState) -> Void) {
        lock.withLock { change(&state) }
    }

    /// Folds a bench event for this port into the row.
    func apply(_ event: BenchEvent) {
        update { row in
            switch event {
            // A board plugged in again after a failure starts over.
            case .boardStarted: row = BenchRowState(port: row.port, phase: .running)
            case .boardStep(_, let step): row.step = step; row.progress = nil
            case .boardIdentified(_, let mac, let clientID): row.mac = mac; row.clientID = clientID
            case .board(_, .loader(.bytesWritten(let region, let done, let total))) where total > 0:
                row.progress = Double(done) / Double(total)
                row.detail = hexAddress(region.address)
            case .boardFinished(let result):
                row.phase = BenchRowState.Phase(rawValue: result.result.rawValue) ?? .failed
                row.progress = nil
            default: break
            }
        }
    }
}

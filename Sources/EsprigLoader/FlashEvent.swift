import EsprigProtocol

/// Progress and notices from loader operations; the CLI renders them (bar, lines, JSON).
public enum FlashEvent: Sendable {
    case warning(String)
    case note(String)
    case connecting(attempt: Int, of: Int, strategy: String)
    case connected(ChipInfo)
    case stubStarted(alreadyRunning: Bool)
    case baudChanged(Int)
    case flashDetected(jedecID: UInt32, size: Int?)
    case regionStarted(FlashRegion, compressed: Bool, wireBytes: Int)
    case bytesWritten(FlashRegion, done: Int, total: Int)
    case regionSkipped(FlashRegion)
    case regionVerified(FlashRegion, md5: String)
    case regionUnverified(FlashRegion, reason: String)
    case regionRetry(FlashRegion, attempt: Int, reason: String)
    case bytesRead(done: Int, total: Int)
    case reconnecting(reason: String)
}

public typealias FlashEventHandler = (FlashEvent) -> Void

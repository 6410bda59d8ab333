import Foundation

/// What the event loop saw, handed to the blocking caller: events in arrival order, plus the
/// TLS facts the wire observer picked up. The condition lets the caller wait with a deadline.
final class ConnectionState: @unchecked Sendable {
    enum Event: Sendable {
        case handshakeCompleted
        case packet(MQTTPacket)
        case failed(any Error)
        case closed
    }

    private let condition = NSCondition()
    private var events: [Event] = []
    private var _cipher: UInt16?
    private var _alerts: [TLSAlert] = []
    private var _serverCertificate: [UInt8]?

    func post(_ event: Event) {
        condition.lock()
        events.append(event)
        condition.broadcast()
        condition.unlock()
    }

    func recordCipher(_ suite: UInt16) {
        condition.lock()
        _cipher = suite
        condition.unlock()
    }

    func recordAlert(_ alert: TLSAlert) {
        condition.lock()
        _alerts.append(alert)
        condition.unlock()
    }

    func recordServerCertificate(_ der: [UInt8]) {
        condition.lock()
        _serverCertificate = der
        condition.unlock()
    }

    /// The broker's certificate (DER) as sent in a TLS 1.2 handshake.
    var serverCertificate: [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        return _serverCertificate
    }

    var cipher: UInt16? {
        condition.lock()
        defer { condition.unlock() }
        return _cipher
    }

    var alerts: [TLSAlert] {
        condition.lock()
        defer { condition.unlock() }
        return _alerts
    }

    /// The next event, or nil once `deadline` passed without one.
    func next(until deadline: ContinuousClock.Instant) -> Event? {
        condition.lock()
        defer { condition.unlock() }
        while events.isEmpty {
            let left = deadline - .now
            guard left > .zero else { return nil }
            let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
        }
        return events.removeFirst()
    }
}

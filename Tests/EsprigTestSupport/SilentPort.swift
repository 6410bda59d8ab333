import Foundation
import EsprigTransport

/// A port where nothing ever answers: the board is off or not in download mode.
public final class SilentPort: SerialPort {
    public let name = "silent"
    public let capabilities = PortCapabilities(modemLines: false, isNetwork: false)
    public private(set) var written: [UInt8] = []
    public init() {}
    public func write(_ bytes: [UInt8]) throws(TransportError) { written += bytes }
    public func read(maxCount: Int, timeout: Duration) throws(TransportError) -> [UInt8] {
        // Honour the contract of a real port: wait out the timeout, then report nothing.
        Thread.sleep(forTimeInterval: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        return []
    }
    public func setBaud(_ baud: Int) throws(TransportError) {}
    public func setLines(dtr: Bool?, rts: Bool?) throws(TransportError) {}
    public func flushInput() throws(TransportError) {}
    public func close() {}
}

import EsprigLoader
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTransport

/// A simulated board with an in-process port, and a way to open a loader session on it.
public struct SimulatedBench {
    public let board: SimulatedBoard
    public let port: SimulatorPort

    public init(_ chip: Chip, query: [String: String] = [:]) throws {
        board = try SimulatedBoard(options: SimulatorOptions(chip: chip, query: query))
        port = SimulatorPort(board: board, name: "sim://\(chip.rawValue)")
    }

    /// Connects with esptool's stubs (or the ROM when `stub` is false), collecting events.
    public func session(stub: Bool = true, baud: Int = 115_200, before: BeforeAction = .noReset,
                        events: @escaping FlashEventHandler = { _ in }) throws -> FlashSession {
        var options = SessionOptions()
        options.useStub = stub
        options.baud = baud
        options.connect.before = before
        options.connect.attempts = 3
        // The simulator answers at once; short timeouts keep fault tests quick.
        options.connect.timeouts.standard = .milliseconds(500)
        options.connect.timeouts.eraseWritePerMiB = .seconds(4)
        return try FlashSession(port: port, options: options, stubSource: stub ? try PackagePaths.esptoolStubs() : nil, events: events)
    }
}

/// Collects events from a session for assertions (sessions run on one thread).
public final class EventLog: @unchecked Sendable {
    public private(set) var events: [FlashEvent] = []
    public init() {}
    public func record(_ event: FlashEvent) { events.append(event) }
    public var handler: FlashEventHandler { { [self] in record($0) } }
}

/// The flash a set of writes should leave on a blank chip (all 0xFF elsewhere).
public func expectedFlash(size: Int, writes: [(Int, [UInt8])], erasedSectors: Bool = true) -> [UInt8] {
    var flash = [UInt8](repeating: 0xFF, count: size)
    for (address, data) in writes {
        flash.replaceSubrange(address..<(address + data.count), with: data)
    }
    return flash
}

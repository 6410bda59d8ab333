/// Telnet (RFC 854/855) wire constants used by the RFC 2217 client.
enum Telnet {
    static let iac: UInt8 = 0xFF    // Interpret As Command
    static let dont: UInt8 = 0xFE
    static let `do`: UInt8 = 0xFD
    static let wont: UInt8 = 0xFC
    static let will: UInt8 = 0xFB
    static let sb: UInt8 = 0xFA     // subnegotiation begin
    static let se: UInt8 = 0xF0     // subnegotiation end

    /// Options (RFC 856 binary, RFC 858 suppress-go-ahead, RFC 857 echo, RFC 2217 com port).
    static let binary: UInt8 = 0
    static let echo: UInt8 = 1
    static let suppressGoAhead: UInt8 = 3
    static let comPortOption: UInt8 = 44

    /// Doubles every IAC so data bytes 0xFF are not read as commands.
    static func escape(_ data: [UInt8]) -> [UInt8] {
        guard data.contains(iac) else { return data }
        var out: [UInt8] = []
        out.reserveCapacity(data.count + data.count / 64 + 1)
        for byte in data {
            out.append(byte)
            if byte == iac { out.append(iac) }
        }
        return out
    }

    static func negotiation(_ verb: UInt8, _ option: UInt8) -> [UInt8] { [iac, verb, option] }

    /// IAC SB <option> <escaped payload> IAC SE.
    static func subnegotiation(option: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [iac, sb, option] + escape(payload) + [iac, se]
    }
}

/// Splits a telnet byte stream into data and telnet events. Pure and incremental: it keeps its
/// state between `feed` calls, so a command or an escaped 0xFF split across reads decodes the
/// same as when it arrives whole. Never throws: a malformed sequence from a server is dropped
/// rather than taking the data stream down with it.
struct TelnetDecoder: Sendable {
    enum Event: Sendable, Equatable {
        /// WILL/WONT/DO/DONT (verb is the command byte) for an option.
        case negotiation(verb: UInt8, option: UInt8)
        /// The bytes between IAC SB and IAC SE, with doubled IACs undone.
        case subnegotiation([UInt8])
        /// Any other two-byte command (NOP, GA, ...).
        case command(UInt8)
    }

    struct Output: Sendable, Equatable {
        var data: [UInt8] = []
        var events: [Event] = []
        /// For each event, how many bytes of `data` came before it, so a caller can tell which
        /// data preceded, say, the answer to a purge.
        var eventPositions: [Int] = []

        mutating func append(_ event: Event) {
            events.append(event)
            eventPositions.append(data.count)
        }
    }

    private enum State: Sendable {
        case data
        case command                 // after IAC
        case option(verb: UInt8)     // after IAC WILL/WONT/DO/DONT
        case subnegotiation          // inside IAC SB ... IAC SE
        case subnegotiationCommand   // after IAC inside a subnegotiation
    }

    /// Longest subnegotiation kept; a longer one is discarded (RFC 2217's are a few bytes).
    let maxSubnegotiationLength: Int
    private var state = State.data
    private var sub: [UInt8] = []
    private var subOverflowed = false

    init(maxSubnegotiationLength: Int = 256) {
        self.maxSubnegotiationLength = maxSubnegotiationLength
    }

    mutating func feed(_ chunk: [UInt8]) -> Output {
        var output = Output()
        output.data.reserveCapacity(chunk.count)
        for byte in chunk {
            switch state {
            case .data:
                if byte == Telnet.iac { state = .command } else { output.data.append(byte) }
            case .command:
                switch byte {
                case Telnet.iac:
                    output.data.append(byte)
                    state = .data
                case Telnet.will, Telnet.wont, Telnet.do, Telnet.dont:
                    state = .option(verb: byte)
                case Telnet.sb:
                    sub.removeAll(keepingCapacity: true)
                    subOverflowed = false
                    state = .subnegotiation
                default:
                    output.append(.command(byte))
                    state = .data
                }
            case .option(let verb):
                output.append(.negotiation(verb: verb, option: byte))
                state = .data
            case .subnegotiation:
                if byte == Telnet.iac { state = .subnegotiationCommand } else { appendSub(byte) }
            case .subnegotiationCommand:
                switch byte {
                case Telnet.iac:
                    appendSub(byte)
                    state = .subnegotiation
                case Telnet.se:
                    if !subOverflowed { output.append(.subnegotiation(sub)) }
                    sub.removeAll(keepingCapacity: true)
                    state = .data
                default:
                    // IAC <cmd> inside SB is a protocol error: drop the subnegotiation, keep the command.
                    sub.removeAll(keepingCapacity: true)
                    output.append(.command(byte))
                    state = .data
                }
            }
        }
        return output
    }

    private mutating func appendSub(_ byte: UInt8) {
        if sub.count < maxSubnegotiationLength { sub.append(byte) } else { subOverflowed = true }
    }
}

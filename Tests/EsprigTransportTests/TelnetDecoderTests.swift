@testable import EsprigTransport
import EsprigTestSupport
import Testing

@Suite("TelnetDecoder")
struct TelnetDecoderTests {
    typealias Event = TelnetDecoder.Event

    /// Data with an escaped 0xFF, a negotiation, a COM-PORT subnegotiation whose value holds an
    /// escaped 0xFF (baud 0x0001_C2FF), a NOP, then more data.
    let stream: [UInt8] = [0x41, 0xFF, 0xFF, 0x42]
        + [0xFF, 0xFB, 0x2C]
        + [0xFF, 0xFA, 0x2C, 0x65, 0x00, 0x01, 0xC2, 0xFF, 0xFF, 0xFF, 0xF0]
        + [0xFF, 0xF1]
        + [0x43, 0xFF, 0xFF]
    let expectedData: [UInt8] = [0x41, 0xFF, 0x42, 0x43, 0xFF]
    let expectedEvents: [Event] = [
        .negotiation(verb: 0xFB, option: 0x2C),
        .subnegotiation([0x2C, 0x65, 0x00, 0x01, 0xC2, 0xFF]),
        .command(0xF1),
    ]

    @Test("the whole stream decodes into data and events")
    func whole() {
        var decoder = TelnetDecoder()
        let output = decoder.feed(stream)
        #expect(output.data == expectedData)
        #expect(output.events == expectedEvents)
    }

    @Test("events carry the amount of data that preceded them")
    func positions() {
        var decoder = TelnetDecoder()
        let output = decoder.feed(stream)
        #expect(output.eventPositions == [3, 3, 3])   // A, escaped 0xFF, B
        var again = TelnetDecoder()
        let split = again.feed([0x61, 0xFF, 0xF1, 0x62, 0x63, 0xFF])
        #expect(split.eventPositions == [1])
        #expect(again.feed([0xF1]).eventPositions == [0])
    }

    @Test("splitting the stream at any point gives the same result")
    func everySplit() {
        for cut in 0...stream.count {
            var decoder = TelnetDecoder()
            let first = decoder.feed(Array(stream[..<cut]))
            let second = decoder.feed(Array(stream[cut...]))
            #expect(first.data + second.data == expectedData, "cut at \(cut)")
            #expect(first.events + second.events == expectedEvents, "cut at \(cut)")
        }
    }

    @Test("byte-by-byte feeding gives the same result")
    func byteByByte() {
        var decoder = TelnetDecoder()
        var data: [UInt8] = []
        var events: [Event] = []
        for byte in stream {
            let output = decoder.feed([byte])
            data += output.data
            events += output.events
        }
        #expect(data == expectedData)
        #expect(events == expectedEvents)
    }

    @Test("escaping then decoding returns every byte value")
    func escapeRoundTrip() {
        let all = (0...255).map { UInt8($0) } + [0xFF, 0xFF, 0xFF]
        let escaped = Telnet.escape(all)
        #expect(escaped.count == all.count + 4)
        var decoder = TelnetDecoder()
        let output = decoder.feed(escaped)
        #expect(output.data == all)
        #expect(output.events.isEmpty)
    }

    @Test("an over-long subnegotiation is dropped and data after it survives")
    func overlongSubnegotiation() {
        var decoder = TelnetDecoder(maxSubnegotiationLength: 8)
        let output = decoder.feed([0xFF, 0xFA] + [UInt8](repeating: 7, count: 100) + [0xFF, 0xF0, 0x61])
        #expect(output.events.isEmpty)
        #expect(output.data == [0x61])
    }

    @Test("subnegotiations are framed with escaped values")
    func subnegotiationEncoding() {
        #expect(Telnet.subnegotiation(option: 44, [1, 0x00, 0x0E, 0x10, 0xFF])
                == [0xFF, 0xFA, 44, 1, 0x00, 0x0E, 0x10, 0xFF, 0xFF, 0xFF, 0xF0])
    }
}

import EsprigTestSupport
import EsprigTransport
import Glibc
import Testing

@Suite("TCPPort over loopback")
struct TCPPortTests {
    let allBytes = (0...255).map { UInt8($0) }

    @Test("bytes pass both ways unchanged, 0xFF included")
    func bytesBothWays() throws {
        let listener = try LoopbackListener()
        let port = try TCPPort(host: "127.0.0.1", port: listener.port)
        defer { port.close() }
        let server = try listener.accept()

        #expect(port.name == "socket://127.0.0.1:\(listener.port)")
        #expect(port.capabilities == PortCapabilities(modemLines: false, isNetwork: true))

        try port.write(allBytes)
        #expect(server.receive(count: 256, timeout: .seconds(5)) == allBytes)
        server.send(allBytes)
        #expect(try readPort(port, count: 256, timeout: .seconds(5)) == allBytes)
        #expect(try port.read(maxCount: 1, timeout: .milliseconds(100)) == [])
    }

    @Test("the peer closing the connection is reported as disconnected")
    func peerClose() throws {
        let listener = try LoopbackListener()
        let port = try TCPPort(host: "127.0.0.1", port: listener.port)
        defer { port.close() }
        let server = try listener.accept()
        server.send([0x42])
        server.close()

        // Data sent before the close is still delivered, then the close is reported.
        #expect(try readPort(port, count: 1, timeout: .seconds(5)) == [0x42])
        let clock = ContinuousClock()
        var error: TransportError?
        let elapsed = clock.measure {
            error = #expect(throws: TransportError.self) { try port.read(maxCount: 16, timeout: .seconds(30)) }
        }
        #expect(error?.code == .disconnected)
        #expect(elapsed < .seconds(5))
        // Writing to a closed connection fails too (EPIPE/ECONNRESET, never SIGPIPE). The first
        // write after a close may still be accepted by the kernel, so allow a few.
        let writeError = #expect(throws: TransportError.self) {
            for _ in 0..<50 { try port.write([UInt8](repeating: 0, count: 1024)) }
        }
        #expect(writeError?.code == .disconnected)
    }

    @Test("no server on the port is connection-refused with a hint")
    func refused() throws {
        let port = try freeLoopbackPort()
        let error = #expect(throws: TransportError.self) { try TCPPort(host: "127.0.0.1", port: port) }
        #expect(error?.code == .connectionRefused)
        #expect(error?.hint != nil)
    }

    @Test("setBaud is a no-op, setLines is unsupported, flushInput drops received bytes")
    func controlOperations() throws {
        let listener = try LoopbackListener()
        let port = try TCPPort(host: "127.0.0.1", port: listener.port)
        defer { port.close() }
        let server = try listener.accept()

        try port.setBaud(921600)
        let error = #expect(throws: TransportError.self) { try port.setLines(dtr: false, rts: true) }
        #expect(error?.code == .unsupported)
        try port.setLines(dtr: nil, rts: nil)

        server.send([1, 2, 3])
        #expect(try readPort(port, count: 1, timeout: .seconds(5)) == [1])
        // The rest was sent in the same segment; after a flush it is gone.
        try port.flushInput()
        server.send([9])
        #expect(try readPort(port, count: 1, timeout: .seconds(5)) == [9])
    }

    @Test("openPort opens socket:// addresses as TCPPort")
    func opener() throws {
        let listener = try LoopbackListener()
        let port = try openPort(PortAddress(parsing: "socket://127.0.0.1:\(listener.port)"), baud: 115200)
        defer { port.close() }
        #expect(port is TCPPort)
        #expect(port.capabilities.isNetwork)
    }
}

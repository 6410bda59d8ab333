import EsprigTestSupport
import EsprigTransport
import Foundation
import Testing

/// RFC2217Port against Espressif's real esp_rfc2217_server bridging a pty.
@Suite("RFC2217Port with esp_rfc2217_server", .serialized)
struct RFC2217PortTests {
    let allBytes = (0...255).map { UInt8($0) }

    /// A pty, the server serving its follower, and a connected port.
    private func connect(baud: Int = 115200) throws -> (PtyPair, RFC2217ServerProcess, RFC2217Port) {
        let pty = try PtyPair()
        let server = try RFC2217ServerProcess(serving: pty.path)
        do {
            let port = try RFC2217Port(host: "127.0.0.1", port: server.port, baud: baud)
            return (pty, server, port)
        } catch {
            Issue.record("connect failed: \(error); server output:\n\(server.serverLog)")
            throw error
        }
    }

    @Test("bytes pass both ways, 0xFF escaped as IAC IAC and unescaped")
    func bytesBothWays() throws {
        let (pty, server, port) = try connect()
        defer { port.close(); server.stop() }
        #expect(port.capabilities == PortCapabilities(modemLines: true, isNetwork: true))
        #expect(port.name == "rfc2217://127.0.0.1:\(server.port)")

        let outgoing = allBytes + [0xFF, 0xFF, 0xFF]
        try port.write(outgoing)
        #expect(pty.readLeader(count: outgoing.count, timeout: .seconds(10)) == outgoing)

        pty.writeLeader(allBytes + [0xFF])
        #expect(try readPort(port, count: 257, timeout: .seconds(10)) == allBytes + [0xFF])
        // Modem-state notifications and other telnet traffic never show up as data.
        #expect(try port.read(maxCount: 64, timeout: .milliseconds(300)) == [])
    }

    @Test("opening and setBaud set the pty speed through SET-BAUDRATE", arguments: [921600, 74880])
    func baud(rate: Int) throws {
        let (pty, server, port) = try connect(baud: 115200)
        defer { port.close(); server.stop() }
        #expect(pty.followerBaud() == 115200)
        // setBaud waits for the server's acknowledgement, which comes after it changed the tty.
        try port.setBaud(rate)
        #expect(pty.followerBaud() == rate)
    }

    @Test("setLines sends SET-CONTROL; the server drives the port's modem lines")
    func lines() throws {
        let (pty, server, port) = try connect()
        defer { port.close(); server.stop() }
        let before = server.modemLog
        try port.setLines(dtr: false, rts: true)
        // "DTR on" makes esp_rfc2217_server run its own UnixTightReset, one TIOCMSET per step.
        try port.setLines(dtr: true, rts: false)
        let deadline = ContinuousClock.now + .seconds(10)
        var log = server.modemLog
        while !log.dropFirst(before.count).contains("TIOCMSET") && ContinuousClock.now < deadline {
            _ = try port.read(maxCount: 64, timeout: .milliseconds(50))
            log = server.modemLog
        }
        #expect(log.dropFirst(before.count).contains("TIOCMSET"), "modem log:\n\(log)")
        try port.setLines(dtr: false, rts: false)
        // The connection is still good afterwards.
        try port.write([0x5A])
        #expect(pty.readLeader(count: 1, timeout: .seconds(10)) == [0x5A])
    }

    @Test("flushInput purges, waits for the answer, and the answer does not leak into the data")
    func flush() throws {
        let (pty, server, port) = try connect()
        defer { port.close(); server.stop() }
        pty.writeLeader([1, 2, 3])
        #expect(try readPort(port, count: 1, timeout: .seconds(10)) == [1])
        try port.flushInput()
        pty.writeLeader([0xC0, 0xFF])
        // After the purge is acknowledged, new bytes arrive intact and nothing else does: no
        // byte of the answer (IAC SB 44 112 1 IAC SE). [2, 3] can only reappear if the server's
        // reader thread read them before the purge and sent them after its answer.
        var after: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while after.suffix(2) != [0xC0, 0xFF] && ContinuousClock.now < deadline {
            after += try port.read(maxCount: 64, timeout: .milliseconds(100))
        }
        #expect([[0xC0, 0xFF], [3, 0xC0, 0xFF], [2, 3, 0xC0, 0xFF]].contains(after), "got \(after)")
        #expect(try port.read(maxCount: 64, timeout: .milliseconds(300)) == [])
    }

    @Test("the server going away is reported as disconnected")
    func serverGone() throws {
        let (_, server, port) = try connect()
        defer { port.close() }
        server.stop()
        let error = #expect(throws: TransportError.self) { _ = try port.read(maxCount: 16, timeout: .seconds(10)) }
        #expect(error?.code == .disconnected)
    }

    @Test("openPort opens rfc2217:// addresses")
    func opener() throws {
        let pty = try PtyPair()
        let server = try RFC2217ServerProcess(serving: pty.path)
        defer { server.stop() }
        let port = try openPort(PortAddress(parsing: "rfc2217://127.0.0.1:\(server.port)"), baud: 460800)
        defer { port.close() }
        #expect(port is RFC2217Port)
        #expect(pty.followerBaud() == 460800)
    }
}

/// RFC2217Port against servers that do not speak RFC 2217.
@Suite("RFC2217Port negotiation failures")
struct RFC2217NegotiationTests {
    @Test("a server that never answers the negotiation times out within the bound")
    func silentServer() throws {
        let listener = try LoopbackListener()   // the kernel completes the connect; nobody answers
        let clock = ContinuousClock()
        var error: TransportError?
        let elapsed = clock.measure {
            error = #expect(throws: TransportError.self) {
                try RFC2217Port(host: "127.0.0.1", port: listener.port, baud: 115200, acknowledgementTimeout: .milliseconds(300))
            }
        }
        #expect(error?.code == .timedOut)
        #expect(elapsed < .seconds(5))
    }

    @Test("a server that refuses COM-PORT-OPTION is unsupported, with a socket:// hint")
    func refusingServer() throws {
        let listener = try LoopbackListener()
        let listenerFD = listener.fd
        let served = DispatchSemaphore(value: 0)
        // A raw telnet server: refuse every option. It runs on its own thread because the
        // client's initialiser blocks until negotiation ends.
        Thread.detachNewThread {
            defer { served.signal() }
            var entry = pollfd(fd: listenerFD, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 5000) == 1 else { return }
            let client = accept(listenerFD, nil, nil)
            guard client >= 0 else { return }
            let connection = LoopbackListener.Connection(fd: client)
            _ = connection.receive(count: 9, timeout: .seconds(5))
            connection.send([0xFF, 0xFC, 44, 0xFF, 0xFE, 44])
            _ = connection.receive(count: 1, timeout: .seconds(2))   // wait for the client to hang up
        }
        let error = #expect(throws: TransportError.self) {
            try RFC2217Port(host: "127.0.0.1", port: listener.port, baud: 115200, acknowledgementTimeout: .seconds(5))
        }
        #expect(error?.code == .unsupported)
        #expect(error?.hint?.contains("socket://") == true)
        _ = served.wait(timeout: .now() + 10)
    }
}

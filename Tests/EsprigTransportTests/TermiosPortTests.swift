import EsprigTestSupport
import CEsprigShims
import EsprigTransport
import Glibc
import Testing

/// `TermiosPort` on real pseudo-terminals: the leader plays the board.
@Suite("TermiosPort on a pty")
struct TermiosPortTests {
    let allBytes = (0...255).map { UInt8($0) }

    @Test("bytes pass both ways unchanged: raw mode, no CR/LF translation, no echo")
    func rawBytesBothWays() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }

        try port.write(allBytes)
        #expect(pty.readLeader(count: 256, timeout: .seconds(5)) == allBytes)

        pty.writeLeader(allBytes)
        #expect(try readPort(port, count: 256, timeout: .seconds(5)) == allBytes)
        // Nothing echoed back to the board side.
        #expect(pty.readLeader(count: 1, timeout: .milliseconds(200)) == [])
    }

    @Test("any baud rate is applied through termios2/BOTHER", arguments: [74880, 921600, 1500000, 2000000, 460800])
    func nonStandardBaud(baud: Int) throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }
        #expect(pty.followerBaud() == 115200)
        try port.setBaud(baud)
        #expect(pty.followerBaud() == baud)
        #expect(try port.currentBaud() == baud)
    }

    @Test("opening at a rate sets it")
    func openAtBaud() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 74880)
        defer { port.close() }
        #expect(pty.followerBaud() == 74880)
    }

    /// Linux ptys have no modem lines: TIOCMGET and TIOCMSET fail with ENOTTY on both ends.
    @Test("setting DTR/RTS on a pty is unsupported (ENOTTY), as on esptool's pty runs",
          arguments: [(true, true), (false, true), (true, nil), (nil, false)] as [(Bool?, Bool?)])
    func modemLinesOnPty(dtr: Bool?, rts: Bool?) throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }
        #expect(port.capabilities.modemLines)
        let error = #expect(throws: TransportError.self) { try port.setLines(dtr: dtr, rts: rts) }
        #expect(error?.code == .unsupported)
        #expect(error?.errno == ENOTTY)
        #expect(error?.hint != nil)
        // Changing nothing is not an error.
        try port.setLines(dtr: nil, rts: nil)
        // The port still works afterwards.
        try port.write([0x55])
        #expect(pty.readLeader(count: 1, timeout: .seconds(5)) == [0x55])
    }

    @Test("read returns [] when nothing arrives, and returns at once when bytes do")
    func readTimeout() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }

        let clock = ContinuousClock()
        var result: [UInt8] = [1]
        let idle = try clock.measure { result = try port.read(maxCount: 16, timeout: .milliseconds(200)) }
        #expect(result == [])
        #expect(idle < .seconds(5))

        pty.writeLeader([1, 2, 3])
        let busy = try clock.measure { result = try readPort(port, count: 3, timeout: .seconds(30)) }
        #expect(result == [1, 2, 3])
        #expect(busy < .seconds(5))
    }

    @Test("read hands back at most maxCount bytes and keeps the rest")
    func readMaxCount() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }
        pty.writeLeader([1, 2, 3, 4, 5])
        let first = try readPort(port, count: 2, timeout: .seconds(5))
        #expect(first == [1, 2])
        #expect(try readPort(port, count: 3, timeout: .seconds(5)) == [3, 4, 5])
    }

    @Test("a second open of the same port is busy and names the holder")
    func exclusiveOpen() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }
        // As root TIOCEXCL is bypassed; the flock is what refuses the second open.
        let error = #expect(throws: TransportError.self) { try TermiosPort(path: pty.path, baud: 115200) }
        #expect(error?.code == .busy)
        #expect(error?.message.contains("process \(getpid())") == true, "message: \(error?.message ?? "")")
        // Once released, the port opens again.
        port.close()
        let again = try TermiosPort(path: pty.path, baud: 115200)
        again.close()
    }

    @Test("unplugging (closing the pty leader) reports disconnected promptly, for read and write")
    func unplug() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }
        pty.closeLeader()

        let clock = ContinuousClock()
        var error: TransportError?
        let elapsed = clock.measure {
            error = #expect(throws: TransportError.self) { try port.read(maxCount: 16, timeout: .seconds(30)) }
        }
        #expect(error?.code == .disconnected)
        #expect(error?.message.contains(pty.path) == true)
        #expect(elapsed < .seconds(5))

        let writeError = #expect(throws: TransportError.self) { try port.write([1, 2, 3]) }
        #expect(writeError?.code == .disconnected)
    }

    @Test("a write the device never takes fails with timed-out after the stall timeout")
    func stuckWrite() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }
        port.writeStallTimeout = .milliseconds(300)
        // Nobody reads the leader, so the pty's buffer fills and POLLOUT never comes.
        let clock = ContinuousClock()
        var error: TransportError?
        let elapsed = clock.measure {
            error = #expect(throws: TransportError.self) { try port.write([UInt8](repeating: 0x55, count: 1 << 20)) }
        }
        #expect(error?.code == .timedOut)
        #expect(elapsed < .seconds(10))
    }

    @Test("flushInput discards what the board sent but nobody read")
    func flushInput() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        defer { port.close() }
        pty.writeLeader(Array("boot noise".utf8))
        // Wait (bounded) until the bytes sit in the follower's input queue.
        let deadline = ContinuousClock.now + .seconds(5)
        var available: Int32 = 0
        while available < 10 && ContinuousClock.now < deadline {
            _ = esprig_bytes_available(pty.follower, &available)
        }
        #expect(available == 10)
        try port.flushInput()
        #expect(try port.read(maxCount: 64, timeout: .milliseconds(100)) == [])
        pty.writeLeader([0xC0])
        #expect(try readPort(port, count: 1, timeout: .seconds(5)) == [0xC0])
    }

    @Test("a missing device is not-found with a hint to look in /dev/serial/by-id")
    func missingDevice() {
        let error = #expect(throws: TransportError.self) { try TermiosPort(path: "/dev/esprig-no-such-port", baud: 115200) }
        #expect(error?.code == .notFound)
        #expect(error?.hint?.contains("/dev/serial/by-id") == true)
    }

    @Test("a file that is not a tty is refused")
    func notATTY() {
        let error = #expect(throws: TransportError.self) { try TermiosPort(path: "/dev/null", baud: 115200) }
        #expect(error?.code == .invalidAddress)
    }

    @Test("using a closed port throws instead of crashing; close is idempotent")
    func closedPort() throws {
        let pty = try PtyPair()
        let port = try TermiosPort(path: pty.path, baud: 115200)
        port.close()
        port.close()
        #expect(throws: TransportError.self) { try port.read(maxCount: 1, timeout: .milliseconds(10)) }
        #expect(throws: TransportError.self) { try port.write([1]) }
        #expect(throws: TransportError.self) { try port.setBaud(9600) }
    }

    @Test("openPort opens device paths and refuses sim:// addresses")
    func opener() throws {
        let pty = try PtyPair()
        let port = try openPort(PortAddress(parsing: pty.path), baud: 921600)
        defer { port.close() }
        #expect(port is TermiosPort)
        #expect(pty.followerBaud() == 921600)
        let error = #expect(throws: TransportError.self) { try openPort(PortAddress(parsing: "sim://esp8266"), baud: 115200) }
        #expect(error?.code == .unsupported)
    }
}

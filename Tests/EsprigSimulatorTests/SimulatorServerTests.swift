import CEsprigShims
import EsprigFraming
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("SimulatorServer: serving a board over TCP and a pty")
struct SimulatorServerTests {
    /// Writes SYNC on `fd` and reads until 8 response frames arrived (bounded by a deadline).
    static func syncReplies(fd: Int32) -> Int {
        _ = syncFrame.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var decoder = SLIPDecoder()
        var frames = 0
        let deadline = ContinuousClock.now + .seconds(5)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while frames < 8, ContinuousClock.now < deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            frames += ((try? decoder.feed(buffer[0..<n])) ?? []).count
        }
        return frames
    }

    static func connect(port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0 ? fd : -1
    }

    @Test("TCP: one client at a time, a new one after the previous disconnects; stop is idempotent")
    func tcp() throws {
        let server = try SimulatorServer(board: try SimulatedBoard(options: SimulatorOptions(chip: .esp8266)), endpoint: .tcp(port: 0))
        try server.start()
        #expect(server.address.hasPrefix("socket://127.0.0.1:"))
        let port = try #require(UInt16(server.address.split(separator: ":").last ?? ""))
        for _ in 0..<2 {
            let fd = Self.connect(port: port)
            #expect(fd >= 0)
            #expect(Self.syncReplies(fd: fd) == 8)
            close(fd)
        }
        server.stop()
        server.stop()
        #expect(server.board.commandLog.filter { $0.opcode == "SYNC" }.count == 2)
    }

    @Test("pty: the follower can be opened, closed and reopened; a symlink names it")
    func pty() throws {
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("esprig-sim-\(UUID().uuidString)").path
        let server = try SimulatorServer(board: try SimulatedBoard(options: SimulatorOptions(chip: .esp32)), endpoint: .pty(linkPath: link))
        try server.start()
        #expect(server.address == link)
        for _ in 0..<2 {
            let fd = open(link, O_RDWR | O_NOCTTY)
            #expect(fd >= 0)
            #expect(esprig_make_raw(fd) == 0)
            // The server hears the follower's speed (a fresh pty says 38400) and would garble.
            #expect(esprig_set_baud(fd, 115_200) == 0)
            #expect(Self.syncReplies(fd: fd) == 8)
            close(fd)
            Thread.sleep(forTimeInterval: 0.05)   // let the server see nobody is connected
        }
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: link))
    }
}

import CEsprigShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pty whose follower other programs open and close (esptool does per run). The leader stays
/// open; with no follower open it reports EIO/POLLHUP, which means "nobody connected".
final class PTYChannel: ServerChannel {
    let followerPath: String
    private let leader: Int32
    private let linkPath: String?

    init(linkPath: String?) throws {
        var leaderFD: Int32 = -1
        var followerFD: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard esprig_open_pty(&leaderFD, &followerFD, &name, name.count) == 0 else {
            throw SimulatorHostError(.hostSetup, "cannot open a pty: \(String(cString: strerror(errno)))")
        }
        // Raw before anyone opens it, so no line discipline touches SLIP bytes (CR/LF, echo).
        let rawResult = esprig_make_raw(followerFD)
        Glibc.close(followerFD)
        guard rawResult == 0 else {
            Glibc.close(leaderFD)
            throw SimulatorHostError(.hostSetup, "cannot make the pty raw: \(String(cString: strerror(errno)))")
        }
        setNonBlocking(leaderFD)
        leader = leaderFD
        followerPath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.linkPath = linkPath
        if let linkPath {
            try? FileManager.default.removeItem(atPath: linkPath)
            do {
                try FileManager.default.createSymbolicLink(atPath: linkPath, withDestinationPath: followerPath)
            } catch {
                Glibc.close(leaderFD)
                throw SimulatorHostError(.hostSetup, "cannot create the symlink \(linkPath): \(error)")
            }
        }
    }

    var hostBaud: Int? {
        var baud: UInt32 = 0
        // On a pty leader the termios ioctls act on the follower, whose speed the peer set.
        return esprig_get_baud(leader, &baud) == 0 && baud > 0 ? Int(baud) : nil
    }

    func wait(timeout: Duration, wantWrite: Bool) -> ChannelEvent {
        let events = Int16(POLLIN) | (wantWrite ? Int16(POLLOUT) : 0)
        guard let revents = pollOne(leader, events: events, timeout: timeout) else {
            // Without a follower poll reports POLLHUP at once, so a quiet timeout means one is open.
            followerOpened()
            return .idle
        }
        if revents & Int16(POLLHUP) != 0 && revents & Int16(POLLIN) == 0 {
            // No follower open: poll returns at once, so wait here instead of spinning.
            followerOpen = false
            Thread.sleep(forTimeInterval: 0.01)
            return .disconnected
        }
        followerOpened()
        return revents & Int16(POLLIN) != 0 ? .readable : .idle
    }

    private(set) var connections = 0
    private var followerOpen = false

    private func followerOpened() {
        guard !followerOpen else { return }
        followerOpen = true
        connections += 1
    }

    func read() -> ChannelRead {
        let (bytes, err) = readAvailable(leader)
        if !bytes.isEmpty { return .bytes(bytes) }
        return err == EIO ? .disconnected : .nothing
    }

    /// With no follower open the leader refuses (EIO): those bytes are lost, as on an unplugged cable.
    func write(_ bytes: [UInt8]) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.write(leader, $0.baseAddress, $0.count) }
        return n < 0 && errno == EIO ? bytes.count : max(0, n)
    }

    private var isClosed = false

    /// Idempotent: a re-enumerated board's old pty is closed before the server stops.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(leader)
        if let linkPath { try? FileManager.default.removeItem(atPath: linkPath) }
    }
}

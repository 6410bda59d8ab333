import Foundation
import Glibc
import Testing

/// Espressif's real `esp_rfc2217_server` (from the package's .venv, or `$ESPRIG_VENV`) serving a
/// pty, on 127.0.0.1 with a free port. Killed at the end of each test, with a bounded wait.
///
/// It runs under a small harness (`harness` below) with two test-only changes, both outside the
/// RFC 2217 code under test:
/// 1. Linux ptys have no modem lines (TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC fail with ENOTTY), and
///    the server drops every connection when its `ser.rts = True` on connect fails. The harness
///    lets those ioctls "succeed" the way a USB adapter would, and logs each one to a file so the
///    tests can see what DTR/RTS changes reached the port.
/// 2. The server binds all interfaces (`bind(("", port))`, no option to change it); the harness
///    binds it to 127.0.0.1.
public final class RFC2217ServerProcess {
    public let port: UInt16
    private let process: Process
    private let directory: URL

    static let harness = #"""
    import errno, fcntl, socket, struct, sys, termios
    modem_log = sys.argv[1]
    names = {termios.TIOCMGET: "TIOCMGET", termios.TIOCMSET: "TIOCMSET",
             termios.TIOCMBIS: "TIOCMBIS", termios.TIOCMBIC: "TIOCMBIC"}
    lines = [0]
    real_ioctl = fcntl.ioctl
    def ioctl(fd, request, arg=0, *rest):
        try:
            return real_ioctl(fd, request, arg, *rest)
        except OSError as error:
            name = names.get(request)
            if error.errno != errno.ENOTTY or name is None:
                raise
            if name == "TIOCMGET":
                return struct.pack("I", lines[0])
            value = struct.unpack("I", bytes(arg[:4]))[0]
            if name == "TIOCMSET": lines[0] = value
            elif name == "TIOCMBIS": lines[0] |= value
            else: lines[0] &= ~value
            with open(modem_log, "a") as log:
                log.write("%s 0x%x lines=0x%x\n" % (name, value, lines[0]))
            return arg
    fcntl.ioctl = ioctl
    real_bind = socket.socket.bind
    def bind(self, address):
        if isinstance(address, tuple) and address[0] == "":
            address = ("127.0.0.1",) + tuple(address[1:])
        return real_bind(self, address)
    socket.socket.bind = bind
    from esp_rfc2217_server import main
    sys.exit(main(sys.argv[2:]))
    """#

    /// The venv holding esptool: `$ESPRIG_VENV`, else `<package root>/.venv`.
    static func venv() -> URL {
        if let path = ProcessInfo.processInfo.environment["ESPRIG_VENV"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".venv")
    }

    public init(serving ptyPath: String) throws {
        let venv = Self.venv()
        let python = venv.appendingPathComponent("bin/python3").path
        let server = venv.appendingPathComponent("bin/esp_rfc2217_server").path
        try #require(FileManager.default.isExecutableFile(atPath: server) && FileManager.default.isExecutableFile(atPath: python),
                     "esp_rfc2217_server not found at \(server): install esptool into the venv (python3 -m venv .venv && .venv/bin/pip install esptool) or set ESPRIG_VENV")

        directory = FileManager.default.temporaryDirectory.appendingPathComponent("esprig-rfc2217-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("harness.py")
        try Self.harness.write(to: script, atomically: true, encoding: .utf8)

        // A free port can be taken by someone else before the server binds it: retry a few times.
        var lastLog = ""
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let logURL = directory.appendingPathComponent("server-\(port).log")
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["-u", script.path, directory.appendingPathComponent("modem.log").path,
                                 "-p", String(port), ptyPath]
            let log = try FileHandle(forWritingTo: logURL)
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // Ready once it prints its "Waiting for connection" line (bounded).
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline && process.isRunning {
                lastLog = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
                if lastLog.contains("Waiting for connection") {
                    self.port = port
                    self.process = process
                    return
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Self.stop(process)
            lastLog = (try? String(contentsOf: logURL, encoding: .utf8)) ?? lastLog
        }
        try? FileManager.default.removeItem(at: directory)
        Issue.record("esp_rfc2217_server did not start; its output:\n\(lastLog)")
        throw CancellationError()
    }

    deinit { stop() }

    /// The modem-line ioctls the server issued on the pty, one per line.
    public var modemLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("modem.log"), encoding: .utf8)) ?? ""
    }

    public var serverLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("server-\(port).log"), encoding: .utf8)) ?? ""
    }

    public func stop() {
        Self.stop(process)
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGKILL straight away: SIGTERM was observed not to end the server when started from the
    /// test runner, and the server holds nothing worth a graceful exit. Waits (bounded) for it.
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }
}

/// A 127.0.0.1 TCP port nothing listens on (bound to port 0, read back, released).
public func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    try #require(bound, "cannot bind 127.0.0.1: \(String(cString: strerror(errno)))")
    return UInt16(bigEndian: address.sin_port)
}

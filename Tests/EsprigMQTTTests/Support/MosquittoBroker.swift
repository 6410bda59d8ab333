import Foundation
import EsprigTestSupport

/// A real mosquitto on 127.0.0.1 and a free port, from a config `esprig broker config` wrote.
/// The listener line is rewritten to the test port; the process is killed on `stop()` / deinit,
/// and one left behind by a crashed test run is killed by the next (pid files under a fixed
/// folder name the broker and the test process that started it).
final class MosquittoBroker: @unchecked Sendable {
    let port: Int
    let logPath: String
    private let process: Process
    private let pidFile: String

    static let pidDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("esprig-test-mosquitto").path
    static let marker = "esprig-test-mosquitto"

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
        var log: String
    }

    /// Starts mosquitto with `config` (listener rewritten) and waits until it accepts connections.
    static func start(config: String, in directory: String) throws -> MosquittoBroker {
        killStale()
        let binary = try locate("mosquitto", in: ["/usr/sbin", "/usr/bin", "/usr/local/sbin"])
        let port = try freePort()
        var lines = try String(contentsOfFile: config, encoding: .utf8).components(separatedBy: "\n")
        guard let listener = lines.firstIndex(where: { $0.hasPrefix("listener ") }) else {
            throw StartFailure(description: "\(config) has no listener line", log: "")
        }
        lines[listener] = "listener \(port) 127.0.0.1"
        // Started as root, mosquitto drops to the `mosquitto` user, which cannot read the test's
        // 0600 keys; CI runs as root.
        if getuid() == 0 { lines.append("user root") }
        let testConfig = directory + "/\(marker)-\(port).conf"
        try lines.joined(separator: "\n").write(toFile: testConfig, atomically: true, encoding: .utf8)

        let logPath = directory + "/mosquitto-\(port).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-c", testConfig, "-v"]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        try FileManager.default.createDirectory(atPath: pidDirectory, withIntermediateDirectories: true)
        let pidFile = pidDirectory + "/\(process.processIdentifier)-\(getpid()).pid"
        try? String(process.processIdentifier).write(toFile: pidFile, atomically: true, encoding: .utf8)
        let broker = MosquittoBroker(port: port, logPath: logPath, process: process, pidFile: pidFile)

        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                broker.stop()
                throw StartFailure(description: "mosquitto exited with status \(process.terminationStatus) at start", log: broker.log)
            }
            // mosquitto opens the socket before it loads the certificates; "running" comes after.
            if broker.log.contains(" running"), canConnect(port: port) { return broker }
            Thread.sleep(forTimeInterval: 0.05)
        }
        broker.stop()
        throw StartFailure(description: "mosquitto did not listen on 127.0.0.1:\(port) within 5 s", log: broker.log)
    }

    private init(port: Int, logPath: String, process: Process, pidFile: String) {
        self.port = port
        self.logPath = logPath
        self.process = process
        self.pidFile = pidFile
    }

    deinit { stop() }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGKILL: a test broker keeps nothing worth a graceful shutdown, which takes mosquitto ~1 s.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let deadline = ContinuousClock.now + .seconds(2)
            while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        }
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// Kills brokers whose test process is gone (a crashed run): only those, and only processes
    /// whose command line still names a config of ours. Brokers of a test run still going (another
    /// checkout's) are left alone.
    static func killStale() {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: pidDirectory)) ?? []
        for file in files where file.hasSuffix(".pid") {
            let parts = file.dropLast(4).split(separator: "-").compactMap { Int32($0) }
            guard parts.count == 2 else { continue }
            let (pid, owner) = (parts[0], parts[1])
            if kill(owner, 0) == 0 || errno != ESRCH { continue }
            let path = pidDirectory + "/" + file
            defer { try? FileManager.default.removeItem(atPath: path) }
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains(marker) else { continue }
            kill(pid, SIGKILL)
        }
    }

    static func locate(_ name: String, in directories: [String]) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map(String.init) ?? []
        for directory in path + directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw MissingTool(message: "\(name) not found: install Debian's mosquitto and mosquitto-clients (scripts/setup.sh does)")
    }

    /// A port the kernel just handed out on 127.0.0.1.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw MissingTool(message: "cannot bind 127.0.0.1:0 (errno \(errno))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

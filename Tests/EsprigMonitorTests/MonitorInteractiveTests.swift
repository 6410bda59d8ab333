import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// The interactive monitor in a real terminal: a detached tmux session on its own socket.
@Suite("esprig monitor interactive (tmux)")
struct MonitorInteractiveTests {
    @Test("typed keys reach the board, Ctrl+T T toggles timestamps, Ctrl+] exits with the terminal restored")
    func interactive() throws {
        let tmux = try TmuxClient()
        let ticks = (1...60).map { "tick \($0)\n@delay 150ms\n" }.joined()
        let fixture = try MonitorFixture(script: ticks)
        let link = fixture.directory.file("ttyESP")
        let server = try SimulatorServer(board: try fixture.board(), endpoint: .pty(linkPath: link))
        try server.start()
        defer { server.stop() }
        let socket = "esprig-test-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        func tmuxRun(_ args: [String]) throws -> String {
            let result = try tmux.run(["-L", socket] + args)
            #expect(result.status == 0, "tmux \(args): \(result.output)")
            return result.output
        }
        defer { _ = try? tmux.run(["-L", socket, "kill-server"]) }
        let dir = fixture.directory.path
        let esprig = try ToolRunner.locateEsprig().executable
        _ = try tmuxRun(["new-session", "-d", "-s", "mon", "-x", "160", "-y", "50", "-c", dir, "sh"])
        _ = try tmuxRun(["send-keys", "-t", "mon",
                         "stty -a > before.txt; NO_COLOR=1 \(esprig) monitor -p \(link) --no-reset; stty -a > after.txt; echo done > done.txt",
                         "Enter"])
        try waitFor("the monitor to start") { (try? tmuxRun(["capture-pane", "-p", "-t", "mon"]))?.contains("Ctrl+] exit") == true }
        server.setLines(dtr: false, rts: true)
        server.setLines(dtr: false, rts: false)
        try waitFor("the app's lines") { (try? tmuxRun(["capture-pane", "-p", "-t", "mon"]))?.contains("tick 2") == true }

        _ = try tmuxRun(["send-keys", "-t", "mon", "-l", "hello"])
        _ = try tmuxRun(["send-keys", "-t", "mon", "Enter"])
        try waitFor("typed bytes at the board") {
            server.withBoard { String(decoding: $0.appReceived, as: UTF8.self) } == "hello\r\n"
        }

        _ = try tmuxRun(["send-keys", "-t", "mon", "C-t", "t"])
        try waitFor("timestamped lines") {
            let pane = (try? tmuxRun(["capture-pane", "-p", "-t", "mon"])) ?? ""
            return pane.range(of: #"(?m)^\d\d:\d\d:\d\d\.\d{3} tick \d+$"#, options: .regularExpression) != nil
        }
        #expect(server.withBoard { $0.appReceived.count } == 7, "menu keys are not sent to the device")

        _ = try tmuxRun(["send-keys", "-t", "mon", "C-]"])
        try waitFor("the monitor to exit") { FileManager.default.fileExists(atPath: fixture.directory.file("done.txt")) }
        let before = try String(contentsOfFile: fixture.directory.file("before.txt"), encoding: .utf8)
        let after = try String(contentsOfFile: fixture.directory.file("after.txt"), encoding: .utf8)
        #expect(before.contains("icanon") && before.contains(" echo"))
        #expect(before == after)
    }

    private func waitFor(_ what: String, seconds: Double = 10, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }
}

/// Runs tmux commands. The first one forks the tmux server, which keeps any inherited pipe open,
/// so output goes to a file rather than a pipe; each call is bounded.
struct TmuxClient {
    let executable = "/usr/bin/tmux"

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw MissingTmux(description: "\(executable) not found: apt-get install tmux (scripts/setup.sh does)")
        }
    }

    /// posix_spawn + waitpid: Foundation's Process left the tmux client unreaped here.
    func run(_ args: [String]) throws -> (status: Int32, output: String) {
        let directory = try TempDirectory(prefix: "esprig-tmux")
        let outputPath = directory.file("out")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The calling thread blocks most signals; a tmux server inheriting that mask would never
        // see SIGCHLD or SIGTERM, so the child starts with an empty mask and default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw MissingTmux(description: "cannot start tmux: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(10)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() >= deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw MissingTmux(description: "tmux \(args.joined(separator: " ")) still running after 10 s; killed")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return ((status >> 8) & 0xFF, text)
    }
}

struct MissingTmux: Error, CustomStringConvertible {
    let description: String
}

import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Glibc
import Testing

/// The esprig executable as a user runs it: exit codes, messages, JSON, and the `sim` server.
@Suite("esprig command line")
struct CommandLineTests {
    let esprig: ToolRunner
    let directory: TempDirectory

    init() throws {
        esprig = try ToolRunner.locateEsprig()
        directory = try TempDirectory(prefix: "esprig-cli")
    }

    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("bad input exits 1 with the cause and the fix, before touching the board")
    func badInput() throws {
        let app = try file("app.bin", [UInt8](repeating: 7, count: 100))
        let cases: [([String], String)] = [
            (["-p", "sim://esp8266", "write-flash", "0x1001", app], "not a multiple of 0x1000"),
            (["-p", "sim://esp8266", "write-flash", "0x1000", directory.file("missing.bin")], "no such file"),
            (["write-flash", "0x1000", app], "no port given"),
            (["-p", "sim://esp8266", "write-flash", "0x1000"], "pairs of ADDRESS FILE"),
            (["-p", "sim://esp8266", "-b", "12", "chip-id"], "out of range"),
            (["-p", "bogus", "chip-id"], "is not a port"),
            (["-p", "sim://esp8266?speed=9", "chip-id"], "unknown simulator option"),
            (["-p", "sim://esp8266", "--chip", "esp32", "chip-id"], "this chip is ESP8266, not ESP32"),
        ]
        for (arguments, message) in cases {
            let result = try esprig.run(arguments, timeout: .seconds(60))
            #expect(result.status == 1, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments) should say '\(message)': \(result.output)")
        }
    }

    @Test("a device failure exits 2; --json reports it as an object")
    func deviceFailure() throws {
        let result = try esprig.run(["-p", "/dev/ttyUSB-esprig-none", "--json", "chip-id"], timeout: .seconds(30))
        #expect(result.status == 2)
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(object?["ok"] as? Bool == false)
        #expect((object?["error"] as? [String: Any])?["hint"] != nil)
    }

    @Test("a line too noisy to write over exits 2 naming the region, and never reports it written")
    func hopelessLineExitsTwo() throws {
        var rng = SeededRandom(seed: 3)
        let app = try file("noisy.bin", rng.bytes(24_000))
        let state = directory.file("state.bin")
        let result = try esprig.run(["-p", "sim://esp8266?corrupt=0.05&faults-after=24&seed=9&state=\(state)", "--json",
                                     "write-flash", "0x30000", app], timeout: .seconds(240))
        #expect(result.status == 2, "\(result.output)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any]
        let message = (object?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("0x00030000") && message.contains("noisy.bin"), "\(message)")
    }

    @Test("a slightly noisy line still ends with verified, correct flash")
    func lightNoiseSucceeds() throws {
        var rng = SeededRandom(seed: 4)
        let data = rng.bytes(40_000)
        let app = try file("light.bin", data)
        let state = directory.file("light-state.bin")
        let result = try esprig.run(["-p", "sim://esp32?corrupt=0.0005&seed=21&state=\(state)", "write-flash", "0x50000", app],
                                    timeout: .seconds(240))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Wrote and verified"))
        let flash = [UInt8](try Data(contentsOf: URL(fileURLWithPath: state)))
        #expect(Array(flash[0x50000..<0x50000 + data.count]) == data)
    }

    @Test("esprig sim serves esptool over TCP and saves the flash when stopped")
    func simServer() throws {
        let saved = directory.file("saved.bin")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: esprig.executable)
        process.arguments = ["sim", "sim://esp8266?flash=1MB", "--tcp", "0", "--save", saved]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let firstLine = String(decoding: out.fileHandleForReading.availableDataLine(timeout: .seconds(20)), as: UTF8.self)
        let address = try #require(firstLine.range(of: #"socket://127\.0\.0\.1:\d+"#, options: .regularExpression).map { String(firstLine[$0]) },
                                   "no address in '\(firstLine)'")
        let data = (0..<5000).map { UInt8($0 % 251) }
        let app = try file("served.bin", data)
        let result = try ToolRunner.locateEsptool().run(["--chip", "esp8266", "-p", address, "write-flash", "0x8000", app], timeout: .seconds(60))
        #expect(result.status == 0, "\(result.output)")
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning)
        let flash = [UInt8](try Data(contentsOf: URL(fileURLWithPath: saved)))
        #expect(flash.count == 1 << 20)
        #expect(Array(flash[0x8000..<0x8000 + data.count]) == data)
    }
}

extension FileHandle {
    /// Reads until a newline or the deadline (bounded; for a child's first line of output).
    func availableDataLine(timeout: Duration) -> [UInt8] {
        var line: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        while ContinuousClock.now < deadline && !line.contains(0x0A) {
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard Glibc.read(fileDescriptor, &byte, 1) == 1 else { break }
            line.append(byte)
        }
        return line
    }
}

@Suite("esprig on a pty")
struct PtyCommandLineTests {
    @Test("a pty has no DTR/RTS: the default reset warns once and the command still works; ESPRIG_PORT and ESPRIG_BAUD apply")
    func defaultResetOnPty() throws {
        let server = try SimulatorServer(board: try SimulatedBoard(options: SimulatorOptions(chip: .esp32)), endpoint: .pty(linkPath: nil))
        try server.start()
        defer { server.stop() }
        let esprig = try ToolRunner.locateEsprig()
        let result = try esprig.run(["read-mac"], timeout: .seconds(60),
                                    environment: ["ESPRIG_PORT": server.address, "ESPRIG_BAUD": "460800"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("MAC: 24:0a:c4:12:34:56"))
        #expect(result.output.contains("chip was NOT reset"))
        #expect(result.output.contains("Baud rate changed to 460800"))
    }

    @Test("the board going away mid-write is reported as a disconnect with exit 2, promptly")
    func unplugMidWrite() throws {
        var options = SimulatorOptions(chip: .esp8266)
        options.uartTiming = true
        let server = try SimulatorServer(board: try SimulatedBoard(options: options), endpoint: .pty(linkPath: nil))
        try server.start()
        let directory = try TempDirectory(prefix: "esprig-unplug")
        var rng = SeededRandom(seed: 77)
        let app = directory.file("big.bin")
        try Data(rng.bytes(200_000)).write(to: URL(fileURLWithPath: app))
        let esprig = try ToolRunner.locateEsprig()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: esprig.executable)
        process.arguments = ["-p", server.address, "--before", "no-reset", "write-flash", "0x10000", app]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // Let the write get going (200 KB at 115200 takes ~17 s), then pull the plug.
        let started = ContinuousClock.now
        var output = [UInt8]()
        while ContinuousClock.now - started < .seconds(30) && !String(decoding: output, as: UTF8.self).contains("Writing 0x") {
            output += out.fileHandleForReading.availableDataLine(timeout: .seconds(1))
        }
        try #require(String(decoding: output, as: UTF8.self).contains("Writing 0x"), "the write never started: \(String(decoding: output, as: UTF8.self))")
        server.stop()
        let unplugged = ContinuousClock.now
        while process.isRunning && ContinuousClock.now - unplugged < .seconds(20) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning, "esprig hung after the device went away")
        output += out.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: output, as: UTF8.self)
        #expect(process.terminationStatus == 2, "\(text)")
        #expect(text.contains("disconnected"), "\(text)")
        #expect(!text.contains("Wrote and verified"))
    }
}

@Suite("esprig progress output")
struct ProgressOutputTests {
    @Test("a terminal gets a redrawn bar; a pipe gets plain lines")
    func barOnTerminal() throws {
        let esprig = try ToolRunner.locateEsprig()
        let directory = try TempDirectory(prefix: "esprig-progress")
        let app = directory.file("app.bin")
        var rng = SeededRandom(seed: 12)
        try Data(rng.bytes(100_000)).write(to: URL(fileURLWithPath: app))
        let command = "\(esprig.executable) -p sim://esp8266 write-flash 0x10000 \(app)"
        // util-linux `script` runs the command on a pseudo-terminal, as an interactive shell would.
        let onTerminal = try ToolRunner(executable: "/usr/bin/script").run(["-q", "-e", "-c", command, "/dev/null"], timeout: .seconds(60))
        #expect(onTerminal.status == 0, "\(onTerminal.output)")
        #expect(onTerminal.output.contains("\r"))
        #expect(onTerminal.output.contains("] 100% 100000/100000 bytes"))
        let piped = try esprig.run(["-p", "sim://esp8266", "write-flash", "0x10000", app], timeout: .seconds(60))
        #expect(piped.status == 0)
        #expect(!piped.output.contains("\r"))
        #expect(piped.output.contains("Writing 0x00010000: 100% (100000/100000 bytes)"))
    }
}

@Suite("esprig image commands")
struct ImageCommandLineTests {
    @Test("elf2image, image-info and merge-bin from the command line agree with esptool", arguments: ["1", "2"])
    func elf2image(version: String) throws {
        let firmware = try FirmwareBuild.demo()
        let elf = version == "1" ? firmware.elf : firmware.otaELF
        let directory = try TempDirectory(prefix: "esprig-elf2image")
        let esprig = try ToolRunner.locateEsprig(), esptool = try ToolRunner.locateEsptool()
        let flags = ["--version", version, "--flash-mode", "dio", "--flash-freq", "80m", "--flash-size", "4MB"]
        let ours = try esprig.run(["elf2image"] + flags + ["-o", directory.file("ours-"), elf], timeout: .seconds(60))
        #expect(ours.status == 0, "\(ours.output)")
        let theirs = try esptool.run(["--chip", "esp8266", "elf2image"] + flags + ["-o", directory.file("theirs-"), elf], timeout: .seconds(60))
        #expect(theirs.status == 0, "\(theirs.output)")
        let outputs = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.hasPrefix("ours-") }.sorted()
        #expect(outputs.count == (version == "1" ? 2 : 1))
        for name in outputs {
            let mine = try Data(contentsOf: URL(fileURLWithPath: directory.file(name)))
            let reference = try Data(contentsOf: URL(fileURLWithPath: directory.file("theirs-" + name.dropFirst("ours-".count))))
            #expect(mine == reference, "\(name) differs from esptool's")
        }
        let image = directory.file(outputs[0])
        let info = try esprig.run(["image-info", image], timeout: .seconds(30))
        #expect(info.status == 0 && info.output.contains("(valid)"), "\(info.output)")
        let notAnImage = try esprig.run(["image-info", elf], timeout: .seconds(30))
        #expect(notAnImage.status == 1)

        // merge-bin: the images at their flash addresses, flash settings patched at 0x0, padded.
        let pairs = outputs.enumerated().flatMap { index, name in [index == 0 ? "0x0" : "0x10000", directory.file(name)] }
        let mergeFlags = ["--flash-mode", "dout", "--flash-size", "1MB", "--pad-to-size", "1MB"]
        let merged = try esprig.run(["merge-bin", "-o", directory.file("merged-ours.bin")] + mergeFlags + pairs, timeout: .seconds(60))
        #expect(merged.status == 0, "\(merged.output)")
        let reference = try esptool.run(["--chip", "esp8266", "merge-bin", "-o", directory.file("merged-theirs.bin")] + mergeFlags + pairs,
                                        timeout: .seconds(60))
        #expect(reference.status == 0, "\(reference.output)")
        let ourMerge = try Data(contentsOf: URL(fileURLWithPath: directory.file("merged-ours.bin")))
        #expect(ourMerge.count == 0x10_0000)
        #expect(ourMerge == (try Data(contentsOf: URL(fileURLWithPath: directory.file("merged-theirs.bin")))))
    }
}

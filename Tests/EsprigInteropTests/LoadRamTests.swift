import EsprigImage
import EsprigLoader
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// `load-ram` run by esprig and by esptool on fresh simulated boards that know esptool's stubs,
/// so that only a user image counts as code the board was told to run. The images come from
/// esptool's own image writer (`BOOTLOADER_IMAGE().save`), one per chip row.
@Suite("load-ram against esptool")
struct LoadRamTests {
    struct MadeImage: Decodable {
        struct Segment: Decodable {
            var address: UInt32
            var hex: String
            var bytes: [UInt8] {
                stride(from: 0, to: hex.count, by: 2).map { i in
                    UInt8(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 2)], radix: 16)!
                }
            }
        }
        var path: String
        var entry: UInt32
        var segments: [Segment]
    }

    /// A DRAM segment of two RAM blocks and a small IRAM one per chip, clear of every stub of that
    /// chip (esptool refuses to load over its running stub), written by esptool.
    static func makeImages(in directory: TempDirectory) throws -> [String: MadeImage] {
        let script = #"""
        import base64, json, os, random, sys
        import esptool
        from esptool.bin_image import ELFSection
        from esptool.targets import CHIP_DEFS
        stubs = os.path.join(os.path.dirname(esptool.__file__), "targets", "stub_flasher")
        out = {}
        for name in sys.argv[2:]:
            rom = CHIP_DEFS[name]
            busy = []
            for version in os.listdir(stubs):
                for f in os.listdir(os.path.join(stubs, version)):
                    if f.split(".")[0].split("-")[0] == name:
                        s = json.load(open(os.path.join(stubs, version, f)))
                        text, data = base64.b64decode(s["text"]), base64.b64decode(s.get("data", ""))
                        busy += [(s["text_start"], s["text_start"] + len(text)),
                                 (s.get("bss_start", s["data_start"]), s["data_start"] + len(data))]
            ram = {n: (a, b) for a, b, n in rom.MEMORY_MAP if n in ("DRAM", "IRAM")}
            rng = random.Random(name)
            segments = [ELFSection(b".dram0.data", ram["DRAM"][1] - 0x4000, bytes(rng.randrange(256) for _ in range(0x1900)), 0),
                        ELFSection(b".iram0.text", ram["IRAM"][1] - 0x1000, bytes(rng.randrange(256) for _ in range(100)), 0)]
            for s in segments:
                assert all(s.addr + len(s.data) <= a or s.addr >= b for a, b in busy), (name, hex(s.addr))
            image = rom.BOOTLOADER_IMAGE()
            image.segments = segments
            image.entrypoint = segments[1].addr + 4
            saved = image.save(None)
            path = os.path.join(sys.argv[1], name + ".bin")
            open(path, "wb").write(saved[1] if isinstance(saved, tuple) else saved)
            out[name] = {"path": path, "entry": image.entrypoint,
                         "segments": [{"address": s.addr, "hex": s.data.hex()} for s in segments]}
        print(json.dumps(out))
        """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PackagePaths.venv + "/bin/python3")
        process.arguments = ["-c", script, directory.path] + Chip.allCases.map(\.rawValue)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "esptool's image writer failed")
        return try JSONDecoder().decode([String: MadeImage].self, from: data)
    }

    /// A fresh board whose ROM knows the installed esptool's stubs for the chip, with 1 MiB of
    /// patterned flash (not erased, so any erase or write would show; smaller than the benches'
    /// random 4 MiB, which a debug build takes a second to make and compare).
    final class Board {
        let server: SimulatorServer
        let initialFlash: [UInt8]
        let directory: TempDirectory

        init(_ chip: Chip) throws {
            let stubs = try PackagePaths.esptoolStubs().allStubs(for: chip)
            try #require(!stubs.isEmpty, "no esptool stub for \(chip)")
            directory = try TempDirectory(prefix: "load-ram-\(chip.rawValue)")
            var options = SimulatorOptions(chip: chip)
            options.flashSize = 1 << 20
            initialFlash = (0..<options.flashSize).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 9)) }
            options.imagePath = directory.file("flash.bin")
            try Data(initialFlash).write(to: URL(fileURLWithPath: options.imagePath!))
            options.flasherStubs = stubs.map { stub in
                SimulatedProgram(entry: stub.entry, segments: Dictionary(stub.segments.filter { !$0.data.isEmpty }.map { ($0.address, $0.data) }) { $1 })
            }
            server = try SimulatorServer(board: try SimulatedBoard(options: options), endpoint: .tcp(port: 0))
            try server.start()
        }

        deinit { server.stop() }

        var ramRuns: [RAMRun] { server.withBoard { $0.ramRuns } }
        var commandLog: [SimulatorLogEntry] { server.withBoard { $0.commandLog } }
        var flashUnchanged: Bool { server.withBoard { $0.flash } == initialFlash }

        func esptool(_ args: [String]) throws -> (status: Int32, output: String) {
            try ToolRunner.locateEsptool().run(["--port", server.address, "--before", "no-reset"] + args, timeout: .seconds(60))
        }

        func esprig(_ args: [String]) throws -> (status: Int32, output: String) {
            try ToolRunner.locateEsprig().run(["-p", server.address, "--before", "no-reset"] + args, timeout: .seconds(60))
        }
    }

    /// esptool's load-ram lines, without its progress bars: the segment lines are cut after the
    /// address and repeated ones (one per progress update) counted once.
    static func loadLines(_ output: String) -> [String] {
        var lines: [String] = []
        for raw in output.split(separator: "\n").map(String.init) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Downloading ") {
                line = line.split(separator: " ").prefix(5).joined(separator: " ")
            } else if !(line.hasPrefix("Loading '") || line.hasPrefix("Loaded ") || line == "Exiting immediately.") {
                continue
            }
            if lines.last != line { lines.append(line) }
        }
        return lines
    }

    @Test("every chip row: the same segments at the same addresses, the same entry, flash untouched, esptool's lines")
    func sameAsEsptool() throws {
        let directory = try TempDirectory(prefix: "load-ram")
        let images = try Self.makeImages(in: directory)
        for (index, chip) in Chip.allCases.enumerated() {
            // Alternate the loader that jumps: the ROM (--no-stub) and the stub.
            let noStub = index % 2 == 1
            let image = try #require(images[chip.rawValue])
            let theirs = try Board(chip), ours = try Board(chip)
            let theirResult = try theirs.esptool((noStub ? ["--no-stub"] : []) + ["load-ram", image.path])
            let ourResult = try ours.esprig((noStub ? ["--no-stub"] : []) + ["load-ram", image.path])
            #expect(theirResult.status == 0, "\(chip): esptool load-ram failed:\n\(theirResult.output)")
            #expect(ourResult.status == 0, "\(chip): esprig load-ram failed:\n\(ourResult.output)")
            let theirOutput = theirResult.output

            let expected = RAMRun(loader: noStub ? "rom" : "stub", entry: image.entry,
                                  segments: image.segments.map { RAMRun.Segment(address: $0.address, bytes: $0.bytes) })
            let theirRuns = theirs.ramRuns
            #expect(theirRuns == [expected], "\(chip): what esptool made the board run")
            #expect(ours.ramRuns == theirRuns, "\(chip): esprig loaded something else than esptool")
            #expect(theirs.flashUnchanged && ours.flashUnchanged, "\(chip): load-ram changed flash")

            let theirLines = Self.loadLines(theirOutput), ourLines = Self.loadLines(ourResult.output)
            #expect(theirLines.count == 5, "\(chip): esptool printed \(theirOutput)")
            #expect(ourLines == theirLines, "\(chip): esprig's lines differ from esptool's")
        }
    }

    @Test("--json reports the segments and the entry")
    func json() throws {
        let directory = try TempDirectory(prefix: "load-ram-json")
        let image = try #require(try Self.makeImages(in: directory)["esp32c3"])
        let board = try Board(.esp32c3)
        let result = try board.esprig(["load-ram", "--json", image.path])
        #expect(result.status == 0, "\(result.output)")
        struct Report: Decodable {
            struct Segment: Decodable, Equatable { var address: String; var size: Int }
            var ok: Bool
            var command: String
            var entry: String
            var segments: [Segment]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.output.utf8))
        #expect(report.ok && report.command == "load-ram")
        #expect(report.entry == String(format: "0x%08x", image.entry))
        #expect(report.segments == image.segments.map { .init(address: String(format: "0x%08x", $0.address), size: $0.bytes.count) })
        #expect(board.ramRuns.count == 1)
    }

    @Test("bad input is refused before anything is loaded")
    func badInput() throws {
        let directory = try TempDirectory(prefix: "load-ram-bad")
        let images = try Self.makeImages(in: directory)
        let esp32 = try #require(images["esp32"]), c3 = try #require(images["esp32c3"])
        let board = try Board(.esp32)
        let notImage = directory.file("app.elf")
        try Data([0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 0, count: 60)).write(to: URL(fileURLWithPath: notImage))
        // The first segment moved to flash-mapped data (DROM): still a well-formed image.
        var flashMapped = try [UInt8](Data(contentsOf: URL(fileURLWithPath: esp32.path)))
        flashMapped.replaceSubrange(24..<28, with: [UInt8].le(0x3F40_0020))
        let outside = directory.file("drom.bin")
        try Data(flashMapped).write(to: URL(fileURLWithPath: outside))

        // Refused before connecting: the board hears nothing.
        let early: [(args: [String], message: String)] = [
            (["load-ram", directory.file("missing.bin")], "no such file"),
            (["load-ram", notImage], "is not a firmware image (invalid magic number 0x7f"),
            (["--chip", "esp32", "load-ram", c3.path], "an image for the ESP32-C3, not for the ESP32"),
            (["--chip", "esp32", "load-ram", outside], "the segment at 0x3f400020-0x3f401920 lies outside the ESP32's RAM"),
        ]
        for (args, message) in early {
            let result = try board.esprig(args)
            #expect(result.status == 1, "\(args): \(result.output)")
            #expect(result.output.contains(message), "\(args): \(result.output)")
        }
        #expect(board.commandLog.isEmpty, "a refused load-ram talked to the board")

        // Without --chip the chip is known only once connected; still no byte goes to RAM.
        let wrongChip = try board.esprig(["--no-stub", "load-ram", c3.path])
        #expect(wrongChip.status == 1 && wrongChip.output.contains("an image for the ESP32-C3, not for the ESP32"), "\(wrongChip.output)")
        #expect(!board.commandLog.isEmpty && !board.commandLog.contains { $0.opcode.hasPrefix("MEM_") })
        #expect(board.ramRuns.isEmpty && board.flashUnchanged)
    }

    @Test("over the running stub both tools refuse, and nothing is loaded")
    func overTheStub() throws {
        let directory = try TempDirectory(prefix: "load-ram-stub")
        let c3 = try #require(try Self.makeImages(in: directory)["esp32c3"])
        let stub = try #require(try PackagePaths.esptoolStubs().stub(for: .esp32c3))
        // The IRAM segment (the image's last) moved onto the stub's text.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: c3.path)))
        let irom = 24 + 8 + c3.segments[0].bytes.count
        bytes.replaceSubrange(irom..<irom + 4, with: [UInt8].le(stub.textStart))
        let path = directory.file("over-stub.bin")
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let theirs = try Board(.esp32c3), ours = try Board(.esp32c3)
        let theirResult = try theirs.esptool(["load-ram", path])
        #expect(theirResult.status != 0 && theirResult.output.contains("Stub flasher is resident at"), "\(theirResult.output)")
        let result = try ours.esprig(["load-ram", path])
        #expect(result.status == 1 && result.output.contains("the flasher stub is resident at"), "\(result.output)")
        // esptool sends the segments before the bad one; esprig checks them all first.
        #expect(theirs.commandLog.contains { $0.opcode == "MEM_BEGIN" && $0.loader == "stub" })
        #expect(!ours.commandLog.contains { $0.opcode == "MEM_BEGIN" && $0.loader == "stub" })
        #expect(theirs.ramRuns.isEmpty && ours.ramRuns.isEmpty)
    }
}

extension LoadRamTests {
    @Test("an ESP8266 RAM program of our own, loaded by esptool's load-ram, runs on the simulated core and greets")
    func ramProgramRuns() throws {
        try #require(FirmwareBuild.toolchainAvailable, "xtensa-lx106-elf-gcc not found: scripts/setup.sh installs it")
        let directory = try TempDirectory(prefix: "hello-ram")
        let source = PackagePaths.root + "/Firmware/esp8266-hello-ram"
        let made = try ToolRunner(executable: "/usr/bin/make").run(["-C", source, "BUILD=" + directory.file("build")], timeout: .seconds(120))
        try #require(made.status == 0, "\(made.output)")
        let elf = directory.file("build/hello.elf")
        let converted = try ToolRunner.locateEsprig().run(["elf2image", elf], timeout: .seconds(60))
        try #require(converted.status == 0, "\(converted.output)")
        let entry = try ELFFile(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: elf)))).entry

        let board = try Board(.esp8266)
        let loaded = try board.esptool(["--chip", "esp8266", "load-ram", elf + "-0x00000.bin"])
        #expect(loaded.status == 0, "\(loaded.output)")
        // hello.c prints its greeting, its own entry (%p) and 41 + 1.
        let greeting = "hello from RAM: entry 0x\(String(entry, radix: 16)), counter 42\r\n"
        let deadline = ContinuousClock.now + .seconds(10)
        var sent = ""
        while ContinuousClock.now < deadline {
            sent = String(decoding: board.server.withBoard { $0.firmwareSent }, as: UTF8.self)
            if sent.contains(greeting) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(sent.contains(greeting), "the board sent: \(sent.debugDescription)")
        #expect(board.ramRuns.count == 1)
        #expect(board.flashUnchanged)
    }
}

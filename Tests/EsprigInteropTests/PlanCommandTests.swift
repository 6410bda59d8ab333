import EsprigTestSupport
import Foundation
import Testing

/// `esprig plan --profile` on SDK-style profiles (size maps, OTA slots, fixed SDK files), each
/// refusal exiting 1 before any board is involved; and the demo's plan as a table and JSON.
@Suite("esprig plan --profile")
struct PlanCommandTests {
    let esprig: ToolRunner
    let directory: TempDirectory

    init() throws {
        esprig = try ToolRunner.locateEsprig()
        directory = try TempDirectory(prefix: "esprig-plan")
        let fm = FileManager.default
        for folder in ["Profiles", "sdk", "fw"] {
            try fm.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true)
        }
        var random = SeededRandom(seed: 5)
        for (name, size) in [("sdk/boot.bin", 4080), ("sdk/init.bin", 128), ("sdk/blank.bin", 4096), ("fw/user1.bin", 300_000),
                             ("fw/huge.bin", 0x80000 - 0x5000 + 4), ("fw/extra.bin", 100)] {
            try Data(random.bytes(size)).write(to: URL(fileURLWithPath: directory.file(name)))
        }
    }

    /// An SDK-style profile for `map`; `flash` lines replace or extend the [flash] table.
    func profile(map: Int, build: String? = nil, flash: [String] = []) throws {
        let text = """
        chip = "esp8266"
        port = "sim://esp8266"

        [firmware]
        dir = "fw"
        build = "\(build ?? "make COMPILE=gcc BOOT=new APP=1 SPI_SIZE_MAP=\(map)")"

        [flash]
        size_map = \(map)
        boot = "sdk/boot.bin"
        init_data = "sdk/init.bin"
        blank = "sdk/blank.bin"
        \((flash.isEmpty ? ["app = \"fw/user1.bin\"", "app_address = 0x1000"] : flash).joined(separator: "\n"))

        """
        try text.write(toFile: directory.file("Profiles/sdk.toml"), atomically: true, encoding: .utf8)
    }

    func plan(_ extra: [String] = []) throws -> (status: Int32, output: String, json: [String: Any]?) {
        let result = try esprig.run(["plan", "--profile", "sdk", "--profiles-dir", directory.file("Profiles"), "--json"] + extra, timeout: .seconds(60))
        let json = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return (result.status, result.output, json)
    }

    func regions(_ json: [String: Any]?) -> [(address: Int, size: Int, role: String)] {
        ((json?["regions"] as? [[String: Any]]) ?? []).map { ($0["address"] as? Int ?? -1, $0["size"] as? Int ?? -1, $0["role"] as? String ?? "") }
    }

    @Test("every size map puts boot, user1, init data and blank where the SDK reads them", arguments: [
        (2, 0x100000), (3, 0x200000), (4, 0x400000), (5, 0x200000), (6, 0x400000),
    ])
    func sizeMaps(_ map: Int, _ flashSize: Int) throws {
        try profile(map: map)
        let result = try plan()
        #expect(result.status == 0, "\(result.output)")
        let planned = regions(result.json)
        #expect(planned.map(\.address) == [0, 0x1000, flashSize - 0x4000, flashSize - 0x2000], "\(planned)")
        #expect(planned.map(\.role) == ["boot", "app", "init data", "blank"])
        #expect(planned[1].size == 300_000)
        let names = [2: "1MB", 3: "2MB", 4: "4MB", 5: "2MB-c1", 6: "4MB-c1"]
        #expect(result.json?["flashSizeName"] as? String == names[map])
    }

    @Test("the table names each region's role and reason")
    func table() throws {
        try profile(map: 5)
        let result = try esprig.run(["plan", "--profile", "sdk", "--profiles-dir", directory.file("Profiles")], timeout: .seconds(60))
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("flash: 2MB-c1, SPI size map 5") == true, "\(result.output)")
        #expect(lines.contains { $0.hasPrefix("0x00001000") && $0.contains("OTA slot user1") }, "\(result.output)")
        #expect(lines.contains { $0.hasPrefix("0x001fc000") && $0.contains("init data") }, "\(result.output)")
    }

    /// Runs the plan and expects exit 1 with `code`, the message containing each of `mentions`.
    func refused(_ code: String, mentions: [String], _ extra: [String] = []) throws {
        let result = try plan(extra)
        #expect(result.status == 1, "\(result.output)")
        let error = result.json?["error"] as? [String: Any]
        #expect(error?["code"] as? String == code, "\(result.output)")
        let message = (error?["message"] as? String ?? "") + " " + (error?["hint"] as? String ?? "")
        for mention in mentions { #expect(message.contains(mention), "'\(mention)' missing in: \(message)") }
    }

    @Test("a size map that differs from the SPI_SIZE_MAP the build compiles in is refused, naming both lines")
    func compiledMapMismatch() throws {
        try profile(map: 6, build: "make SPI_SIZE_MAP=4")
        try refused("size-map-mismatch", mentions: ["sdk.toml:9", "sdk.toml:6", "SPI_SIZE_MAP=4"])
    }

    @Test("--flash-size that is not the compiled map's size is refused (2MB is not 2MB-c1)")
    func flashSizeMismatch() throws {
        try profile(map: 5)
        try refused("size-map-mismatch", mentions: ["--flash-size is 2MB", "2MB-c1"], ["--flash-size", "2MB"])
        let ok = try plan(["--flash-size", "2MB-c1"])
        #expect(ok.status == 0, "\(ok.output)")
    }

    @Test("the compiled map alone sets the flash size when the profile names none")
    func compiledMapOnly() throws {
        let text = """
        chip = "esp8266"
        [firmware]
        dir = "fw"
        build = "make SPI_SIZE_MAP=3"
        [flash]
        init_data = "sdk/init.bin"
        app = "fw/user1.bin"
        app_address = 0x1000

        """
        try text.write(toFile: directory.file("Profiles/sdk.toml"), atomically: true, encoding: .utf8)
        let result = try plan()
        #expect(result.status == 0, "\(result.output)")
        #expect(regions(result.json).map(\.address) == [0x1000, 0x200000 - 0x4000])
        #expect(result.json?["flashSizeName"] as? String == "2MB")
    }

    @Test("an app outside its OTA slot address is refused")
    func wrongAppAddress() throws {
        try profile(map: 4, flash: ["app = \"fw/user1.bin\"", "app_address = 0x2000"])
        try refused("flash-region-wrong-address", mentions: ["0x00001000"])
    }

    @Test("an app larger than its slot is refused")
    func appTooLarge() throws {
        try profile(map: 2, flash: ["app = \"fw/huge.bin\"", "app_address = 0x1000"])
        try refused("app-too-large", mentions: ["huge.bin"])
    }

    @Test("an extra file in the SDK's system sectors is refused")
    func systemArea() throws {
        try profile(map: 2, flash: ["app = \"fw/user1.bin\"", "app_address = 0x1000", "[[flash.extra]]", "address = 0xFB000", "file = \"fw/extra.bin\""])
        try refused("reserved-sector-overwritten", mentions: ["extra.bin", "0x000fb000"])
    }

    @Test("an extra file that overlaps the app is refused")
    func overlap() throws {
        try profile(map: 4, flash: ["app = \"fw/user1.bin\"", "app_address = 0x1000", "[[flash.extra]]", "address = 0x40000", "file = \"fw/extra.bin\""])
        let result = try plan()
        #expect(result.status == 1, "\(result.output)")
        let message = (result.json?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("overlaps") && message.contains("extra.bin"), "\(result.output)")
    }
}

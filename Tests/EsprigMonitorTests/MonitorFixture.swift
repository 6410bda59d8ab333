import EsprigSimulator
import EsprigTestSupport
import Foundation

/// A simulated ESP8266 with a small good image in flash and a boot script, written to a temp dir.
struct MonitorFixture {
    let directory: TempDirectory
    let options: SimulatorOptions

    init(script: String, uartTiming: Bool = false) throws {
        directory = try TempDirectory(prefix: "esprig-monitor")
        let imagePath = directory.file("flash.bin")
        try Data(TestImages.esp8266([(0x4010_0000, 40), (0x3FFE_8000, 12)])).write(to: URL(fileURLWithPath: imagePath))
        let scriptPath = directory.file("boot.txt")
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        var options = SimulatorOptions(chip: .esp8266)
        options.imagePath = imagePath
        options.bootScriptPath = scriptPath
        options.uartTiming = uartTiming
        self.options = options
    }

    func board() throws -> SimulatedBoard { try SimulatedBoard(options: options) }
}

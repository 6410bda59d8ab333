import Foundation
import Testing
import EsprigTestSupport

/// esptool's image commands run offline (no port), bounded.
enum EsptoolImageTool {
    /// Runs `esptool --chip esp8266 ARGS` (or, with `chip: false`, `esptool ARGS`) and fails the
    /// test on a non-zero exit.
    static func run(_ args: [String], chip: Bool = true) throws -> String {
        let result = try ToolRunner.locateEsptool().run((chip ? ["--chip", "esp8266"] : []) + args, timeout: .seconds(60))
        guard result.status == 0 else {
            throw MissingTool(message: "esptool \(args.joined(separator: " ")) exited \(result.status):\n\(result.output)")
        }
        return result.output
    }

    /// `image-info` output (chip auto-detected, as our image-info reports it) without the "esptool vX" banner line, and its warnings (which go to
    /// stderr, so their place in the merged output is not fixed) apart.
    static func imageInfo(_ path: String) throws -> (text: String, warnings: [String]) {
        let lines = try run(["image-info", path], chip: false).split(separator: "\n", omittingEmptySubsequences: false)
        let warnings = lines.filter { $0.hasPrefix("WARNING: ") }.map { String($0.dropFirst("WARNING: ".count)) }
        let text = lines.filter { !$0.hasPrefix("esptool v") && !$0.hasPrefix("WARNING: ") }.joined(separator: "\n")
        return (text, warnings)
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

import ArgumentParser
import Foundation
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    /// `esprig plan --profile NAME`: the flash layout a profile would write, checked, as a table
    /// or JSON. Never builds, never writes the config header, never opens a port.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where every file of a profile goes on the flash, and why, after every layout check.",
            discussion: """
            Uses the last build's artifacts (run `esprig build --profile NAME` first). Checks: sector alignment, \
            no overlaps, everything inside the flash, the app fits its slot, the SDK's system sectors, the \
            firmware's saved-config sectors, certificate sectors equal to the ones compiled into the firmware, \
            and the flash size equal to the compiled SPI size map. Exit 1 names the file and line that disagree.
            """
        )

        @Option(help: "The profile name (its file name without .toml).")
        var profile: String

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Option(name: [.customLong("flash-size"), .customLong("fs", withSingleDash: true), .customLong("flash_size")],
                help: "Flash size to plan for (default: the profile's); must match the compiled size map.")
        var flashSize: String?

        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            var request = FlashProfileWorkflow.Request(profile: profile, profilesDirectory: profilesDirectory(profilesDir))
            request.dryRun = true
            request.flashSizeOverride = flashSize
            // Only the plan is shown here, not the steps' lines; warnings still go to stderr.
            let workflow = FlashProfileWorkflow(request) { event in
                if case .warning(let text) = event { FileHandle.standardError.write(Data("warning: \(text)\n".utf8)) }
            }
            let prepared = try runReportingStep(json: output.json) { try workflow.prepare() }
            if output.json {
                emitJSON(PlanReport(profile: prepared.profile.name, plan: prepared.plan.report))
            } else {
                print(PlanTable.text(prepared.plan))
            }
        }
    }
}

/// `plan --json`: the plan's fields at the top level.
struct PlanReport: Encodable {
    var profile: String
    var plan: ProfilePlan.Report

    enum CodingKeys: String, CodingKey { case ok, command, profile }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(true, forKey: .ok)
        try container.encode("plan", forKey: .command)
        try container.encode(profile, forKey: .profile)
        try plan.encode(to: encoder)
    }
}

/// The plan as a table: one row per region in address order, reserved sectors in between.
enum PlanTable {
    static func text(_ plan: ProfilePlan) -> String {
        var rows: [(Int, [String])] = plan.regions.map { region in
            let r = region.write.region
            return (r.address, [hexAddress(r.address), hexAddress(r.end), "\(r.size)", region.label, r.source, region.why])
        }
        rows += plan.reserved.map { ($0.address, [hexAddress($0.address), hexAddress($0.address + $0.size), "\($0.size)", "reserved", "(not written)", $0.why]) }
        rows.sort { $0.0 < $1.0 }
        let header = ["start", "end", "bytes", "role", "source", "why"]
        let all = [header] + rows.map(\.1)
        let widths = (0..<header.count - 1).map { column in all.map { $0[column].count }.max() ?? 0 }
        let lines = all.map { row in
            (zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) } + [row.last!]).joined(separator: "  ")
        }
        var title = "flash: " + (plan.flashSizeName ?? plan.flashSize.map(sizeText) ?? "size unknown")
        if let sizeMap = plan.sizeMap { title += ", SPI size map \(sizeMap.layout.sizeMap.rawValue) (\(sizeMap.source))" }
        return ([title] + lines).joined(separator: "\n")
    }
}

import Foundation
import EsprigFirmware
import EsprigImage
import EsprigLoader
import EsprigProfiles
import EsprigProtocol

/// Every region a profile writes, where, and why — checked before any board is touched.
struct ProfilePlan {
    struct Region {
        var write: FlashWrite
        var role: FlashLayoutPlan.Item.Role
        /// The role as the table shows it.
        var label: String
        /// One phrase a person can check against the firmware or the SDK docs.
        var why: String
    }

    /// Sectors nothing may write (the firmware's saved settings), shown with the plan.
    struct Reserved {
        var address: Int
        var size: Int
        var why: String
    }

    var flashSize: Int?
    var flashSizeName: String?
    /// The SDK size map the plan was checked against (profile or compiled), if any.
    var sizeMap: CompiledSizeMap?
    var regions: [Region]
    var reserved: [Reserved]

    var writes: [FlashWrite] { regions.map(\.write) }

    var json: [String: Any] {
        var object: [String: Any] = [
            "regions": regions.map { region -> [String: Any] in
                ["address": region.write.region.address, "size": region.write.region.size, "end": region.write.region.end,
                 "source": region.write.region.source, "role": region.label, "why": region.why]
            },
            "reserved": reserved.map { ["address": $0.address, "size": $0.size, "why": $0.why] as [String: Any] },
        ]
        if let flashSize { object["flashSize"] = flashSize }
        if let flashSizeName { object["flashSizeName"] = flashSizeName }
        if let sizeMap { object["sizeMap"] = ["number": sizeMap.layout.sizeMap.rawValue, "source": sizeMap.source] as [String: Any] }
        return object
    }

    /// A table: one row per region in address order, reserved sectors in between.
    var table: String {
        var rows: [(Int, [String])] = regions.map { region in
            let r = region.write.region
            return (r.address, [hexAddress(r.address), hexAddress(r.end), "\(r.size)", region.label, r.source, region.why])
        }
        rows += reserved.map { ($0.address, [hexAddress($0.address), hexAddress($0.address + $0.size), "\($0.size)", "reserved", "(not written)", $0.why]) }
        rows.sort { $0.0 < $1.0 }
        let header = ["start", "end", "bytes", "role", "source", "why"]
        let all = [header] + rows.map(\.1)
        let widths = (0..<header.count - 1).map { column in all.map { $0[column].count }.max() ?? 0 }
        let lines = all.map { row in
            (zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) } + [row.last!]).joined(separator: "  ")
        }
        var title = "flash: " + (flashSizeName ?? flashSize.map(sizeText) ?? "size unknown")
        if let sizeMap { title += ", SPI size map \(sizeMap.layout.sizeMap.rawValue) (\(sizeMap.source))" }
        return ([title] + lines).joined(separator: "\n")
    }
}

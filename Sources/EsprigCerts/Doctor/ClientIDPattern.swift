import Foundation

/// `MQTT_CLIENT_ID` as the SDK demo uses it: a printf format whose `%08X` (or `%X`, `%x`,
/// `%d`, `%u`) becomes the chip id at run time. Matches expanded ids against it.
struct ClientIDPattern {
    let format: String
    private let regex: NSRegularExpression?
    let isPerDevice: Bool

    init(_ format: String) {
        self.format = format
        var pattern = "^"
        var perDevice = false
        var rest = Substring(format)
        while let percent = rest.firstIndex(of: "%") {
            pattern += NSRegularExpression.escapedPattern(for: String(rest[..<percent]))
            let spec = rest[rest.index(after: percent)...]
            let digits = spec.prefix { $0.isNumber }
            let conversion = spec.dropFirst(digits.count).first
            let width = Int(digits.drop { $0 == "0" }) ?? 0
            let count = digits.hasPrefix("0") && width > 0 ? "{\(width)}" : "+"
            switch conversion {
            case "X": pattern += "[0-9A-F]\(count)"
            case "x": pattern += "[0-9a-f]\(count)"
            case "d", "u": pattern += "[0-9]\(count)"
            case "%": pattern += "%"
            default: pattern += NSRegularExpression.escapedPattern(for: "%" + digits + (conversion.map(String.init) ?? ""))
            }
            if let conversion, conversion != "%" { perDevice = perDevice || "Xxdu".contains(conversion) }
            rest = spec.dropFirst(digits.count + (conversion == nil ? 0 : 1))
        }
        pattern += NSRegularExpression.escapedPattern(for: String(rest)) + "$"
        regex = try? NSRegularExpression(pattern: pattern)
        isPerDevice = perDevice
    }

    func matches(_ id: String) -> Bool {
        guard let regex else { return id == format }
        return regex.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil
    }

    /// The format with a sample chip id, for hints.
    var example: String {
        format.replacingOccurrences(of: "%08X", with: "0076815E").replacingOccurrences(of: "%08x", with: "0076815e")
    }
}

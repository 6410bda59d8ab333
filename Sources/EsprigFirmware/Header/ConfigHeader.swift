/// A firmware config header (the demo's `include/mqtt_config.h`), read into lines and the
/// entries that set names. Lines it does not understand are kept, byte for byte.
public struct ConfigHeader: Sendable, Equatable {
    struct Line: Sendable, Equatable {
        /// The line without its ending.
        var content: [UInt8]
        /// `\n`, `\r\n`, or empty for a last line without one.
        var ending: [UInt8]
    }

    public let bytes: [UInt8]
    let lines: [Line]
    /// Every line that sets a name, in file order.
    public let entries: [ConfigEntry]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var lines: [Line] = []
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            let hasCR = i > start && bytes[i - 1] == UInt8(ascii: "\r")
            lines.append(Line(content: Array(bytes[start..<(hasCR ? i - 1 : i)]), ending: hasCR ? [0x0D, 0x0A] : [0x0A]))
            start = i + 1
        }
        if start < bytes.count { lines.append(Line(content: Array(bytes[start...]), ending: [])) }
        self.lines = lines

        var entries: [ConfigEntry] = []
        var insideComment = false
        var continuesPrevious = false
        for (index, line) in lines.enumerated() {
            // A line inside a block comment, or spliced onto the previous one, sets nothing.
            if !insideComment, !continuesPrevious, let entry = ConfigEntry(content: line.content, line: index) {
                entries.append(entry)
            }
            insideComment = CLexer.endsInsideBlockComment(line.content, startingInside: insideComment)
            continuesPrevious = line.content.last == UInt8(ascii: "\\")
        }
        self.entries = entries
    }

    /// Every name the header sets (active or switched off), in file order, without repeats.
    public var names: [String] {
        var seen = Set<String>()
        return entries.map(\.name).filter { seen.insert($0).inserted }
    }

    /// The entry for `name`: the active line when there is one, else the switched-off line.
    /// nil when the header never mentions it; an error when two lines could be meant.
    public func entry(named name: String) throws -> ConfigEntry? {
        let candidates = entries.filter { $0.name == name }
        let active = candidates.filter { $0.form == .define || $0.form == .constString }
        let pool = active.isEmpty ? candidates : active
        guard pool.count <= 1 else {
            throw FirmwareConfigError(.ambiguousName, "\(name) is set on lines \(pool.map { String($0.line + 1) }.joined(separator: ", "))",
                                      hint: "keep a single definition of \(name) in the header so esprig knows which one to change")
        }
        return pool.first
    }

    /// The current value of `name` (nil if absent or not a plain value).
    public func value(of name: String) throws -> ConfigValue? {
        try entry(named: name)?.value
    }

    /// The line ending most lines use, for lines esprig adds.
    var dominantEnding: [UInt8] {
        let crlf = lines.filter { $0.ending == [0x0D, 0x0A] }.count
        let lf = lines.filter { $0.ending == [0x0A] }.count
        return crlf > lf ? [0x0D, 0x0A] : [0x0A]
    }

    /// The 0-based line after which new defines go: after the last active define that is not
    /// the include guard, else before the final `#endif`, else at the end.
    var insertionLine: Int {
        let guardName = includeGuardName
        if let last = entries.last(where: { $0.form == .define && $0.name != guardName }) { return last.line }
        if let endif = lines.lastIndex(where: { line in
            let start = CLexer.skipSpace(line.content, from: 0)
            return CLexer.hasPrefix(line.content, at: start, "#endif")
        }) { return endif - 1 }
        return lines.count - 1
    }

    /// The name of the first `#ifndef` when the very next entry defines it (`__MQTT_CONFIG_H__`).
    private var includeGuardName: String? {
        guard let ifndef = lines.firstIndex(where: { line in
            let start = CLexer.skipSpace(line.content, from: 0)
            return CLexer.hasPrefix(line.content, at: start, "#ifndef")
        }) else { return nil }
        let content = lines[ifndef].content
        let nameStart = CLexer.skipSpace(content, from: CLexer.skipSpace(content, from: 0) + 7)
        guard let nameEnd = CLexer.identifierEnd(content, from: nameStart) else { return nil }
        let name = String(decoding: content[nameStart..<nameEnd], as: UTF8.self)
        return entries.first(where: { $0.line > ifndef })?.name == name ? name : nil
    }
}

extension ConfigHeader {
    /// The header with `assignments` applied, checked against `rules` before anything is
    /// produced. Lines that are not named keep every byte; the holder is bumped when, and only
    /// when, some other value actually changes, so patching twice equals patching once.
    public func patched(_ assignments: [ConfigAssignment], rules: ConfigRules = .mqttDemo) throws -> ConfigPatch {
        var seen = Set<String>()
        for assignment in assignments {
            guard seen.insert(assignment.name).inserted else {
                throw FirmwareConfigError(.duplicateAssignment, "\(assignment.name) is set twice", hint: "give each name one value")
            }
            if assignment.name == rules.holderName {
                throw FirmwareConfigError(.reservedName, "\(assignment.name) cannot be set by hand",
                                          hint: "esprig bumps \(assignment.name) whenever another value changes, so the board reloads its defaults")
            }
            try ConfigHeader.checkSyntax(assignment)
            try rules.check(assignment.name, assignment.value)
        }

        var replaced: [Int: ConfigLineChange] = [:]
        var inserted: [ConfigLineChange] = []
        for assignment in assignments {
            if let entry = try entry(named: assignment.name) {
                if let change = try change(entry, to: assignment.value, rules: rules) { replaced[entry.line] = change }
            } else if assignment.addIfMissing {
                if let line = ConfigHeader.newLine(assignment) {
                    let shown = rules.isSecret(assignment.name) && assignment.value.kind == .string
                        ? Array("#define \(assignment.name) \"********\"".utf8) : line
                    inserted.append(ConfigLineChange(name: assignment.name, line: insertionLine + 1, old: nil, new: line,
                                                     shownOld: nil, shownNew: shown))
                }
            } else {
                throw FirmwareConfigError(.unknownName, "\(assignment.name) is not in the header",
                                          hint: "check the spelling (the header has \(names.joined(separator: ", "))), or ask for it to be added")
            }
        }

        if !(replaced.isEmpty && inserted.isEmpty), let holderName = rules.holderName {
            guard let holder = try entry(named: holderName) else {
                throw FirmwareConfigError(.missingHolder, "the header has no \(holderName), so a board that saved its settings would keep the old ones",
                                          hint: "add #define \(holderName) 0x00000001 to the header")
            }
            guard case .integer(let current) = holder.value, holder.form == .define else { throw ConfigHeader.unsupported(holder) }
            // Erased flash reads 0xFFFFFFFF, which must never become a valid holder.
            let next = (current + 1) & 0xFFFF_FFFF == 0xFFFF_FFFF ? 0 : (current + 1) & 0xFFFF_FFFF
            replaced[holder.line] = try change(holder, to: .integer(next), rules: rules)
        }

        // Original lines in order, each followed by whatever is inserted after it.
        var output: [UInt8] = []
        var changes: [ConfigLineChange] = []
        var pending = inserted[...]
        let ending = dominantEnding
        func flush(before index: Int, previousEnding: [UInt8]) {
            while let next = pending.first, next.line == index {
                if previousEnding.isEmpty && !output.isEmpty { output += ending }  // the old last line needs an ending now
                output += next.new + ending
                changes.append(next)
                pending = pending.dropFirst()
            }
        }
        flush(before: 0, previousEnding: ending)
        for (index, line) in lines.enumerated() {
            if let change = replaced[index] { changes.append(change) }
            output += (replaced[index]?.new ?? line.content) + line.ending
            flush(before: index + 1, previousEnding: line.ending)
        }

        let patched = ConfigHeader(bytes: output)
        try ConfigHeader.checkExclusive(patched, touched: seen, rules: rules)
        return ConfigPatch(original: bytes, patched: output, changes: changes)
    }

    /// The line for `entry` holding `value`, or nil when it already does.
    private func change(_ entry: ConfigEntry, to value: ConfigValue, rules: ConfigRules) throws -> ConfigLineChange? {
        guard let current = entry.value else { throw ConfigHeader.unsupported(entry) }
        guard current != value else { return nil }
        let compatible = current.kind == value.kind
            || (current.kind != .string && current.kind != .flag && value.kind != .string && value.kind != .flag)
        guard compatible else {
            throw FirmwareConfigError(.kindMismatch, "\(entry.name) holds a \(current.kind.rawValue) on line \(entry.line + 1); cannot set a \(value.kind.rawValue)",
                                      hint: "give \(entry.name) a \(current.kind.rawValue) value")
        }
        let content = lines[entry.line].content
        let new: [UInt8]
        var mask: (Range<Int>, Int)?
        switch value {
        case .flag(let isDefined):
            let start = CLexer.skipSpace(content, from: 0)
            if isDefined {
                let rest = CLexer.skipSpace(content, from: start + 2)
                new = Array(content[..<start]) + (entry.form == .disabledBare ? Array("#define ".utf8) : []) + Array(content[rest...])
            } else {
                new = Array(content[..<start]) + Array("//".utf8) + Array(content[start...])
            }
        default:
            let spelling = current.kind == .integer ? entry.spelling : .decimal
            let token = ConfigHeader.render(value, spelling: spelling)
            new = Array(content[..<entry.valueRange.lowerBound]) + token + Array(content[entry.valueRange.upperBound...])
            mask = (entry.valueRange, token.count)
        }
        var shown = (old: content, new: new)
        if rules.isSecret(entry.name), case .string = value, let (range, length) = mask {
            let stars = Array(#""********""#.utf8)
            shown = (Array(content[..<range.lowerBound]) + stars + Array(content[range.upperBound...]),
                     Array(new[..<range.lowerBound]) + stars + Array(new[(range.lowerBound + length)...]))
        }
        return ConfigLineChange(name: entry.name, line: entry.line, old: content, new: new, shownOld: shown.old, shownNew: shown.new)
    }

    static func render(_ value: ConfigValue, spelling: IntegerSpelling) -> [UInt8] {
        switch value {
        case .string(let bytes): CStringLiteral.encode(bytes)
        case .integer(let number): spelling.render(number)
        case .symbol(let name): Array(name.utf8)
        case .flag: []
        }
    }

    /// `#define NAME value` for a name being added; nil for a flag that is to stay undefined.
    private static func newLine(_ assignment: ConfigAssignment) -> [UInt8]? {
        if case .flag(false) = assignment.value { return nil }
        let token = render(assignment.value, spelling: .decimal)
        return Array("#define \(assignment.name)".utf8) + (token.isEmpty ? [] : [0x20] + token)
    }

    /// Refusals that hold for any header: C strings end at NUL; only non-negative literals;
    /// symbols must be identifiers.
    private static func checkSyntax(_ assignment: ConfigAssignment) throws {
        switch assignment.value {
        case .string(let bytes) where bytes.contains(0):
            throw FirmwareConfigError(.invalidValue, "\(assignment.name) contains a NUL byte; the firmware would see the string end there")
        case .integer(let number) where number < 0:
            throw FirmwareConfigError(.invalidValue, "\(assignment.name) \(number) is negative", hint: "the header takes non-negative literals only")
        case .symbol(let name) where !ConfigValue.isIdentifier(Array(name.utf8)[...]):
            throw FirmwareConfigError(.invalidValue, "\(assignment.name) \(name) is not a C identifier")
        default:
            return
        }
    }

    private static func checkExclusive(_ header: ConfigHeader, touched: Set<String>, rules: ConfigRules) throws {
        for group in rules.exclusiveFlags where !touched.isDisjoint(with: group) {
            let defined = try group.filter { try header.value(of: $0) == .flag(true) }
            guard defined.count == 1 else {
                throw FirmwareConfigError(.notAllowed, "exactly one of \(group.joined(separator: ", ")) must be defined; this change leaves \(defined.isEmpty ? "none" : defined.joined(separator: " and "))",
                                          hint: "switch one on and the other off in the same change")
            }
        }
    }

    static func unsupported(_ entry: ConfigEntry) -> FirmwareConfigError {
        FirmwareConfigError(.unsupportedLine, "line \(entry.line + 1) sets \(entry.name) to something other than a plain literal, identifier or flag",
                            hint: "esprig rewrites only single-line string, integer, identifier and flag values; edit this line by hand")
    }
}

import TOMLKit

/// A TOML value as plain Swift data, each with the line it was written on.
/// TOMLKit parses; `LineLocator` supplies the lines TOMLKit does not keep.
indirect enum Node: Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case table([Entry])
    case array([Located])
    /// Dates and times: never valid in a profile, kept only to be refused by name.
    case other(String)

    struct Entry: Sendable {
        var key: String
        var value: Located
    }

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .table: "a table"
        case .array: "an array"
        case .other(let name): "a \(name)"
        }
    }

    var entries: [Entry]? {
        if case .table(let entries) = self { return entries }
        return nil
    }

    subscript(key: String) -> Located? {
        entries?.first { $0.key == key }?.value
    }
}

struct Located: Sendable {
    var node: Node
    var location: SourceLocation

    /// The node at a key path; `[n]` components index arrays.
    func descendant(at path: [String]) -> Located? {
        var current = self
        for component in path {
            if component.hasPrefix("["), case .array(let items) = current.node,
               let index = Int(component.dropFirst().dropLast()), items.indices.contains(index) {
                current = items[index]
            } else if let next = current.node[component] {
                current = next
            } else {
                return nil
            }
        }
        return current
    }
}

/// Parses TOML text into `Node`s with locations.
enum TOMLDocument {
    static func parse(_ text: String, file: String) throws(ProfileError) -> Located {
        try rejectNonASCIIHeaderKeys(text, file: file)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ProfileError(.syntax, "not valid TOML: \(error.description)",
                               hint: "see https://toml.io/en/v1.0.0",
                               at: SourceLocation(file: file, line: error.source.begin.line))
        } catch {
            throw ProfileError(.syntax, "not valid TOML: \(error)", at: SourceLocation(file: file, line: 0))
        }
        let locator = LineLocator(text: text)
        return Located(node: convert(table, path: [], locator: locator, file: file, fallback: 0),
                       location: SourceLocation(file: file, line: 0))
    }

    private static func convert(_ value: TOMLValueConvertible, path: [String], locator: LineLocator, file: String, fallback: Int) -> Node {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .float(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .table:
            guard let table = value.table else { return .table([]) }
            var entries: [Node.Entry] = []
            for key in table.keys {
                guard let child = table[key] else { continue }
                let childPath = path + [key]
                let line = locator.line(of: childPath) ?? fallback
                let node = convert(child, path: childPath, locator: locator, file: file, fallback: line)
                entries.append(Node.Entry(key: key, value: Located(node: node, location: SourceLocation(file: file, line: line))))
            }
            // toml++ keeps keys sorted; present them in file order.
            entries.sort { ($0.value.location.line, $0.key) < ($1.value.location.line, $1.key) }
            return .table(entries)
        case .array:
            guard let array = value.array else { return .array([]) }
            var items: [Located] = []
            for (index, element) in array.enumerated() {
                let childPath = path + ["[\(index)]"]
                let line = locator.line(of: childPath) ?? fallback
                items.append(Located(node: convert(element, path: childPath, locator: locator, file: file, fallback: line),
                                     location: SourceLocation(file: file, line: line)))
            }
            return .array(items)
        case .date: return .other("date")
        case .time: return .other("time")
        case .dateTime: return .other("date-time")
        }
    }
}

/// Maps key paths to the line that defines them by scanning the text: `[table]` and
/// `[[array]]` headers, `key = value` and dotted `a.b = value` lines. Keys inside inline tables
/// and multi-line arrays get the line of the key that holds them (the caller's fallback).
/// Array-of-tables elements are addressed as `[n]` path components.
struct LineLocator: Sendable {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var current: [String] = []
        var arrayCounts: [String: Int] = [:]
        var depth = 0                 // open brackets/braces carried over from earlier lines
        var multiline: String? = nil  // the delimiter of an open multi-line string
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(raw)
            if let delimiter = multiline {
                guard let end = line.range(of: delimiter) else { continue }
                multiline = nil
                line = line[end.upperBound...]
                depth += LineLocator.bracketBalance(line, multiline: &multiline)
                continue
            }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if depth == 0, trimmed.hasPrefix("[") {
                let isArray = trimmed.hasPrefix("[[")
                let inner = trimmed.dropFirst(isArray ? 2 : 1)
                guard let close = inner.firstIndex(of: "]") else { continue }
                let keys = LineLocator.splitKey(inner[..<close])
                if isArray {
                    let joined = keys.joined(separator: "\u{1}")
                    let n = arrayCounts[joined, default: 0]
                    arrayCounts[joined] = n + 1
                    // a nested array of tables restarts its count under each new parent element
                    for key in arrayCounts.keys where key.hasPrefix(joined + "\u{1}") { arrayCounts[key] = nil }
                    current = LineLocator.withIndices(keys, arrayCounts: arrayCounts, lastIsArray: true)
                    let path = current.joined(separator: "\u{1}")
                    if lines[keys.joined(separator: "\u{1}")] == nil { lines[keys.joined(separator: "\u{1}")] = lineNumber }
                    lines[path] = lineNumber
                } else {
                    current = LineLocator.withIndices(keys, arrayCounts: arrayCounts, lastIsArray: false)
                    let path = current.joined(separator: "\u{1}")
                    if lines[path] == nil { lines[path] = lineNumber }
                }
                continue
            }
            if depth == 0, let equals = LineLocator.assignment(trimmed) {
                let keys = LineLocator.splitKey(trimmed[..<equals])
                var prefix = current
                for key in keys {
                    prefix.append(key)
                    let path = prefix.joined(separator: "\u{1}")
                    if lines[path] == nil { lines[path] = lineNumber }
                }
                depth += LineLocator.bracketBalance(trimmed[trimmed.index(after: equals)...], multiline: &multiline)
                continue
            }
            depth += LineLocator.bracketBalance(trimmed, multiline: &multiline)
            if depth < 0 { depth = 0 }
        }
    }

    func line(of path: [String]) -> Int? {
        lines[path.joined(separator: "\u{1}")]
    }

    /// `a.b.c` with array-of-tables components replaced by the current element (`a`, `[2]`, `b`).
    private static func withIndices(_ keys: [String], arrayCounts: [String: Int], lastIsArray: Bool) -> [String] {
        var out: [String] = []
        for i in keys.indices {
            out.append(keys[i])
            let prefix = keys[...i].joined(separator: "\u{1}")
            if let n = arrayCounts[prefix], n > 0, i < keys.count - 1 || lastIsArray {
                out.append("[\(n - 1)]")
            }
        }
        return out
    }

    /// The index of `=` when the line is `key = ...` (bare, quoted or dotted key).
    private static func assignment(_ line: Substring) -> Substring.Index? {
        var inQuote: Character? = nil
        for i in line.indices {
            let c = line[i]
            if let q = inQuote {
                if c == q { inQuote = nil }
                continue
            }
            switch c {
            case "\"", "'": inQuote = c
            case "=": return i == line.startIndex ? nil : i
            case "#", "[", "{", "]", "}", ",": return nil
            default: continue
            }
        }
        return nil
    }

    /// Splits `a."b.c".d` into `a`, `b.c`, `d`.
    static func splitKey(_ text: Substring) -> [String] {
        var keys: [String] = []
        var current = ""
        var inQuote: Character? = nil
        for c in text {
            if let q = inQuote {
                if c == q { inQuote = nil } else { current.append(c) }
                continue
            }
            switch c {
            case "\"", "'": inQuote = c
            case ".": keys.append(current); current = ""
            case " ", "\t": continue
            default: current.append(c)
            }
        }
        keys.append(current)
        return keys
    }

    /// Net open `[`/`{` on a line outside strings and comments; notes a multi-line string left open.
    private static func bracketBalance(_ line: Substring, multiline: inout String?) -> Int {
        var balance = 0
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if c == "#" { break }
            if c == "\"" || c == "'" {
                let triple = String(repeating: c, count: 3)
                if line[i...].hasPrefix(triple) {
                    let after = line.index(i, offsetBy: 3)
                    if let end = line[after...].range(of: triple) {
                        i = end.upperBound
                        continue
                    }
                    multiline = triple
                    return balance
                }
                var j = line.index(after: i)
                while j < line.endIndex, line[j] != c {
                    if c == "\"", line[j] == "\\" { j = line.index(after: j); if j == line.endIndex { break } }
                    j = line.index(after: j)
                }
                i = j < line.endIndex ? line.index(after: j) : j
                continue
            }
            if c == "[" || c == "{" { balance += 1 }
            if c == "]" || c == "}" { balance -= 1 }
            i = line.index(after: i)
        }
        return balance
    }
}

extension TOMLDocument {
    /// A table header whose key starts with a non-ASCII character (`[éx]`, never valid TOML: bare
    /// keys are ASCII) trips an assertion inside the bundled toml++ parser and aborts the process
    /// (found by fuzzing), so such a line is refused here, before the parser sees it.
    static func rejectNonASCIIHeaderKeys(_ text: String, file: String) throws(ProfileError) {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard trimmed.first == "[" else { continue }
            let key = trimmed.drop { $0 == "[" || $0 == " " || $0 == "\t" }
            if let first = key.unicodeScalars.first, !first.isASCII {
                throw ProfileError(.syntax, "not valid TOML: a table name must start with an ASCII letter, digit, _ , - or a quote, not '\(first)'",
                                   hint: "quote the name (\"...\") or use ASCII", at: SourceLocation(file: file, line: index + 1))
            }
        }
    }
}

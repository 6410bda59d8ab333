/// One profile file as written: its TOML checked against the schema (every key known, every
/// value of the right TOML type), with the line of every value. Nothing is merged or resolved
/// yet: `extends`, `${...}` and value rules are `ProfileLibrary.resolve`'s job.
public struct ProfileFile: Sendable {
    /// The profile's name (the file name without `.toml`).
    public let name: String
    /// The path the file was read from, as used in `file:line` messages.
    public let path: String
    /// The `extends` value, if any, and the line it is on.
    public let extends: (name: String, location: SourceLocation)?
    let root: Located

    /// Parses and schema-checks `text`. Does no I/O.
    public init(parsing text: String, name: String, path: String) throws(ProfileError) {
        self.name = name
        self.path = path
        root = try TOMLDocument.parse(text, file: path)
        try ProfileFile.check(root, shape: .profile, path: [])
        if let located = root.node["extends"], case .string(let base) = located.node {
            guard !base.isEmpty else {
                throw ProfileError(.invalidValue, "`extends` is empty", hint: "name another profile, e.g. extends = \"base\"", at: located.location)
            }
            extends = (base, located.location)
        } else {
            extends = nil
        }
    }

    /// The line of a dotted key path such as `flash.ca_sector`, if the file sets it.
    public func location(of keyPath: String) -> SourceLocation? {
        root.descendant(at: keyPath.split(separator: ".").map(String.init))?.location
    }

    private static func check(_ value: Located, shape: Shape, path: [String]) throws(ProfileError) {
        let key = path.isEmpty ? "the profile" : "`\(ProfileFile.display(path))`"
        func wrongType() -> ProfileError {
            ProfileError(.wrongType, "\(key) must be \(shape.expectation), not \(value.node.typeName)", at: value.location)
        }
        switch shape {
        case .string, .path:
            guard case .string = value.node else { throw wrongType() }
        case .integer:
            guard case .integer = value.node else { throw wrongType() }
        case .number:
            switch value.node {
            case .integer, .float: break
            default: throw wrongType()
            }
        case .bool:
            guard case .bool = value.node else { throw wrongType() }
        case .configValue:
            switch value.node {
            case .string, .integer, .bool: break
            default: throw wrongType()
            }
        case .pathList, .stringList:
            switch value.node {
            case .string: break
            case .array(let items):
                for (i, item) in items.enumerated() {
                    guard case .string = item.node else {
                        let what = if case .pathList = shape { "a string (a path)" } else { "a string" }
                        throw ProfileError(.wrongType, "\(key)[\(i)] must be \(what), not \(item.node.typeName)", at: item.location)
                    }
                }
            default: throw wrongType()
            }
        case .table(let fields):
            guard let entries = value.node.entries else { throw wrongType() }
            let allowed = fields.map(\.0)
            for entry in entries {
                guard let child = fields.first(where: { $0.0 == entry.key })?.1 else {
                    let full = ProfileFile.display(path + [entry.key])
                    var hint = "allowed here: " + allowed.joined(separator: ", ")
                    if let near = closest(to: entry.key, in: allowed) {
                        hint = "did you mean `\(ProfileFile.display(path + [near]))`? " + hint
                    }
                    throw ProfileError(.unknownKey, "unknown key `\(full)`", hint: hint, at: entry.value.location)
                }
                try check(entry.value, shape: child, path: path + [entry.key])
            }
        case .map(let valueShape, let rule):
            guard let entries = value.node.entries else { throw wrongType() }
            for entry in entries {
                guard rule.accepts(entry.key) else {
                    throw ProfileError(.invalidValue, "`\(ProfileFile.display(path + [entry.key]))`: `\(entry.key)` is not \(rule.description)", at: entry.value.location)
                }
                try check(entry.value, shape: valueShape, path: path + [entry.key])
            }
        case .arrayOfTables(let fields):
            guard case .array(let items) = value.node else { throw wrongType() }
            for (i, item) in items.enumerated() {
                try check(item, shape: .table(fields), path: path + ["[\(i)]"])
            }
        }
    }

    static func display(_ path: [String]) -> String {
        var out = ""
        for component in path {
            if component.hasPrefix("[") { out += component } else { out += out.isEmpty ? component : "." + component }
        }
        return out
    }
}

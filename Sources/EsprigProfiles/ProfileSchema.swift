/// Every key a profile may hold, its TOML type, and whether it is a path. The single source of
/// truth for "unknown key" and "wrong type" errors (and for Profiles/README.md).
indirect enum Shape: Sendable {
    case string
    case path
    case integer
    case number          // integer or float
    case bool
    case pathList        // a path, or an array of paths
    case stringList      // a string, or an array of strings
    case configValue     // string, integer or boolean
    case table([(String, Shape)])
    /// A table with free keys (names checked by `keyRule`), every value of `value` shape.
    case map(value: Shape, keyRule: KeyRule)
    case arrayOfTables([(String, Shape)])

    enum KeyRule: Sendable {
        case cIdentifier, environmentName, artifactName
        var description: String {
            switch self {
            case .cIdentifier: "a C identifier (letters, digits, _; not starting with a digit)"
            case .environmentName: "an environment variable name (letters, digits, _)"
            case .artifactName: "a name of letters, digits, _ and -"
            }
        }
        func accepts(_ key: String) -> Bool {
            guard let first = key.unicodeScalars.first else { return false }
            let allowed: (Unicode.Scalar) -> Bool = {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || (self == .artifactName && $0 == "-")
            }
            return !("0"..."9").contains(first) && key.unicodeScalars.allSatisfy(allowed)
        }
    }

    var expectation: String {
        switch self {
        case .string: "a string"
        case .path: "a string (a path)"
        case .integer: "an integer"
        case .number: "a number of seconds"
        case .bool: "a boolean"
        case .pathList: "a path or an array of paths"
        case .stringList: "a string or an array of strings"
        case .configValue: "a string, an integer or a boolean"
        case .table, .map: "a table"
        case .arrayOfTables: "an array of tables ([[...]])"
        }
    }

    func child(_ key: String) -> Shape? {
        switch self {
        case .table(let fields), .arrayOfTables(let fields): fields.first { $0.0 == key }?.1
        case .map(let value, _): value
        default: nil
        }
    }

    static let profile: Shape = .table([
        ("extends", .string),
        ("description", .string),
        ("root", .path),
        ("chip", .string),
        ("port", .string),
        ("baud", .integer),
        ("firmware", .table([
            ("dir", .path),
            ("build", .string),
            ("env", .map(value: .string, keyRule: .environmentName)),
            ("artifacts", .map(value: .path, keyRule: .artifactName)),
        ])),
        ("config", .table([
            ("header", .path),
            ("rules", .string),
            ("set", .map(value: .configValue, keyRule: .cIdentifier)),
            ("add", .map(value: .configValue, keyRule: .cIdentifier)),
        ])),
        ("certs", .table([
            ("ca", .pathList),
            ("client_cert", .path),
            ("client_key", .path),
            ("ca_key", .path),
            ("server_cert", .path),
            ("server_key", .path),
            ("create", .bool),
            ("devices", .path),
        ])),
        ("flash", .table([
            ("size", .string),
            ("size_map", .integer),
            ("mode", .string),
            ("freq", .string),
            ("boot", .path),
            ("app", .path),
            ("app_address", .integer),
            ("image_version", .integer),
            ("init_data", .path),
            ("blank", .path),
            ("ca_sector", .integer),
            ("client_sector", .integer),
            ("extra", .arrayOfTables([("address", .integer), ("file", .path)])),
        ])),
        ("broker", .table([
            ("host", .string),
            ("port", .integer),
            ("bind", .string),
            ("tls_version", .string),
            ("identity", .string),
            ("password_file", .path),
            ("acl", .stringList),
            ("topic", .string),
            ("device_cert", .path),
            ("device_key", .path),
        ])),
        ("monitor", .table([
            ("baud", .integer),
            ("success", .string),
            ("fail", .string),
            ("timeout", .number),
        ])),
    ])

    /// The shape at a dotted key path (`flash.extra.[0].file` → `.path`).
    static func at(_ path: [String]) -> Shape? {
        var shape: Shape = profile
        for component in path {
            if component.hasPrefix("[") {
                if case .arrayOfTables = shape { continue }
                if case .pathList = shape { return .path }
                if case .stringList = shape { return .string }
                return nil
            }
            guard let next = shape.child(component) else { return nil }
            shape = next
        }
        return shape
    }
}

/// Levenshtein distance, for "did you mean".
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

/// The closest candidate within a small distance, if any.
func closest(to word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word, $0)) }.sorted { $0.1 < $1.1 }
    guard let best = scored.first else { return nil }
    let limit = max(1, min(3, word.count / 3 + 1))
    if best.1 <= limit { return best.0 }
    // a prefix or suffix match (`ca` vs `ca_sector`) still helps
    return candidates.first { $0.hasPrefix(word) || word.hasPrefix($0) }
}

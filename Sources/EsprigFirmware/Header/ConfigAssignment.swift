/// One requested setting: a name, its new value, and whether it may be appended when the
/// header does not have it.
public struct ConfigAssignment: Sendable, Hashable {
    public var name: String
    public var value: ConfigValue
    public var addIfMissing: Bool

    public init(_ name: String, _ value: ConfigValue, addIfMissing: Bool = false) {
        self.name = name
        self.value = value
        self.addIfMissing = addIfMissing
    }

    /// Parses `NAME=VALUE` text (a CLI `--set` or a profile entry) using the kind the header's
    /// line holds; for a name the header lacks, the rules' known kind, else an integer when the
    /// text is one, else a string.
    public init(parsing text: String, in header: ConfigHeader, rules: ConfigRules, addIfMissing: Bool = false) throws {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw FirmwareConfigError(.invalidValue, "\(text) is not NAME=VALUE", hint: "write e.g. MQTT_PORT=8883")
        }
        let name = String(text[..<equals])
        let valueText = String(text[text.index(after: equals)...])
        guard ConfigValue.isIdentifier(Array(name.utf8)[...]) else {
            throw FirmwareConfigError(.invalidValue, "\(name) is not a C identifier")
        }
        let kind: ConfigValue.Kind
        if let entry = try header.entry(named: name) {
            guard let current = entry.value else { throw ConfigHeader.unsupported(entry) }
            kind = current.kind
        } else {
            kind = rules.kinds[name] ?? (ConfigValue.parseInteger(valueText) != nil ? .integer : .string)
        }
        self.init(name, try ConfigValue(parsing: valueText, as: kind, name: name), addIfMissing: addIfMissing)
    }
}

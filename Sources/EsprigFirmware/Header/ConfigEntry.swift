/// One line of the header that sets a name, and where on that line its value sits.
public struct ConfigEntry: Sendable, Hashable {
    public enum Form: Sendable, Hashable {
        /// `#define NAME value` or `#define NAME` (an active flag).
        case define
        /// `//#define NAME` (the way the demo switches a flag off).
        case disabledDefine
        /// `//NAME` alone (the SDK's `//PROTOCOL_NAMEv311` spelling of a switched-off flag).
        case disabledBare
        /// `const char* name = "...";` (also `const char *name`, `static`, `name[]`).
        case constString
    }

    public let name: String
    /// 0-based index of the line in the header.
    public let line: Int
    public let form: Form
    /// The current value, or nil when the line holds something this patcher will not rewrite
    /// (an expression, a suffixed number, a line continuation).
    public let value: ConfigValue?
    /// Byte offsets of the value token within the line's content (empty at the insertion point
    /// for a flag that has no value).
    let valueRange: Range<Int>
    let spelling: IntegerSpelling

    /// Reads `content` (one line without its ending). nil when the line sets no name.
    init?(content: [UInt8], line: Int) {
        var i = CLexer.skipSpace(content, from: 0)
        var form = Form.define
        if CLexer.hasPrefix(content, at: i, "//") {
            i = CLexer.skipSpace(content, from: i + 2)
            form = content[i...].first == UInt8(ascii: "#") ? .disabledDefine : .disabledBare
        }
        if form == .disabledBare {
            guard let parsed = ConfigEntry.bare(content, from: i, line: line) else { return nil }
            self = parsed
            return
        }
        if let parsed = ConfigEntry.constString(content, from: i, line: line) {
            self = parsed
            return
        }
        guard content[i...].first == UInt8(ascii: "#") else { return nil }
        i = CLexer.skipSpace(content, from: i + 1)
        guard CLexer.hasPrefix(content, at: i, "define") else { return nil }
        i += 6
        let afterKeyword = CLexer.skipSpace(content, from: i)
        guard afterKeyword > i, let nameEnd = CLexer.identifierEnd(content, from: afterKeyword) else { return nil }
        // `NAME(` is a function-like macro: not a setting.
        guard content[nameEnd...].first != UInt8(ascii: "(") else { return nil }
        let name = String(decoding: content[afterKeyword..<nameEnd], as: UTF8.self)
        let valueStart = CLexer.skipSpace(content, from: nameEnd)
        let codeEnd = CLexer.codeEnd(content, from: valueStart)
        var valueEnd = codeEnd
        while valueEnd > valueStart, CLexer.isSpace(content[valueEnd - 1]) { valueEnd -= 1 }
        let token = content[valueStart..<valueEnd]
        if form == .disabledDefine {
            // A commented-out define with a value is an old setting kept for reference, not a flag.
            guard token.isEmpty else { return nil }
            self.init(name: name, line: line, form: form, value: .flag(false), valueRange: nameEnd..<nameEnd, spelling: .decimal)
            return
        }
        // A trailing backslash splices the next line in (before comments are even seen).
        let continued = content.last == UInt8(ascii: "\\")
        let (value, spelling) = continued ? (nil, .decimal) : ConfigEntry.classify(token, startingAt: valueStart)
        self.init(name: name, line: line, form: form, value: value,
                  valueRange: token.isEmpty ? nameEnd..<nameEnd : valueStart..<valueEnd, spelling: spelling)
    }

    init(name: String, line: Int, form: Form, value: ConfigValue?, valueRange: Range<Int>, spelling: IntegerSpelling) {
        self.name = name
        self.line = line
        self.form = form
        self.value = value
        self.valueRange = valueRange
        self.spelling = spelling
    }

    private static func classify(_ token: ArraySlice<UInt8>, startingAt start: Int) -> (ConfigValue?, IntegerSpelling) {
        if token.isEmpty { return (.flag(true), .decimal) }
        if token.first == UInt8(ascii: "\"") {
            guard let literal = CStringLiteral.decode(token, at: start), literal.end == token.endIndex else { return (nil, .decimal) }
            return (.string(literal.bytes), .decimal)
        }
        let text = String(decoding: token, as: UTF8.self)
        if let number = ConfigValue.parseInteger(text) { return (.integer(number), IntegerSpelling(literal: token)) }
        if ConfigValue.isIdentifier(token) { return (.symbol(text), .decimal) }
        return (nil, .decimal)
    }

    /// `//NAME` followed by nothing but space or a comment.
    private static func bare(_ content: [UInt8], from start: Int, line: Int) -> ConfigEntry? {
        guard let nameEnd = CLexer.identifierEnd(content, from: start) else { return nil }
        let rest = CLexer.skipSpace(content, from: nameEnd)
        guard rest == content.count || CLexer.hasPrefix(content, at: rest, "/*") || CLexer.hasPrefix(content, at: rest, "//") else { return nil }
        return ConfigEntry(name: String(decoding: content[start..<nameEnd], as: UTF8.self), line: line, form: .disabledBare,
                           value: .flag(false), valueRange: nameEnd..<nameEnd, spelling: .decimal)
    }

    /// `[static] const char *name = "...";` or `[static] const char name[] = "...";`.
    private static func constString(_ content: [UInt8], from start: Int, line: Int) -> ConfigEntry? {
        var i = start
        if CLexer.hasWord(content, at: i, "static") { i = CLexer.skipSpace(content, from: i + 6) }
        guard CLexer.hasWord(content, at: i, "const") else { return nil }
        i = CLexer.skipSpace(content, from: i + 5)
        guard CLexer.hasWord(content, at: i, "char") else { return nil }
        i = CLexer.skipSpace(content, from: i + 4)
        var isPointer = false
        if content[i...].first == UInt8(ascii: "*") {
            isPointer = true
            i = CLexer.skipSpace(content, from: i + 1)
        }
        guard let nameEnd = CLexer.identifierEnd(content, from: i) else { return nil }
        let name = String(decoding: content[i..<nameEnd], as: UTF8.self)
        i = CLexer.skipSpace(content, from: nameEnd)
        if !isPointer {
            guard CLexer.hasPrefix(content, at: i, "[]") else { return nil }
            i = CLexer.skipSpace(content, from: i + 2)
        }
        guard content[i...].first == UInt8(ascii: "=") else { return nil }
        let valueStart = CLexer.skipSpace(content, from: i + 1)
        guard let literal = CStringLiteral.decode(content[...], at: valueStart) else { return nil }
        let semicolon = CLexer.skipSpace(content, from: literal.end)
        guard content[semicolon...].first == UInt8(ascii: ";") else { return nil }
        return ConfigEntry(name: name, line: line, form: .constString, value: .string(literal.bytes),
                           valueRange: valueStart..<literal.end, spelling: .decimal)
    }
}

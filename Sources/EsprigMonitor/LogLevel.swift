/// ESP-IDF / ESP8266 RTOS SDK log prefixes (`E (123) tag: …`) and their terminal colours.
enum LogLevel {
    case error, warning, info, debug, verbose

    /// The level of a line from its first characters; nil when it has none.
    init?(linePrefix text: String) {
        let scalars = Array(text.unicodeScalars.prefix(3))
        guard scalars.count == 3, scalars[1] == " ", scalars[2] == "(" else { return nil }
        switch scalars[0] {
        case "E": self = .error
        case "W": self = .warning
        case "I": self = .info
        case "D": self = .debug
        case "V": self = .verbose
        default: return nil
        }
    }

    var ansi: String? {
        switch self {
        case .error: return "\u{1B}[31m"
        case .warning: return "\u{1B}[33m"
        case .info: return "\u{1B}[32m"
        case .debug, .verbose: return nil
        }
    }
}

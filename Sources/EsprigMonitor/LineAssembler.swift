/// Splits decoded text into lines while letting partial lines through at once: a renderer
/// shows fragments as they arrive, analysis (patterns, crash decoding) sees whole lines.
public struct LineAssembler: Sendable {
    public enum Piece: Sendable, Equatable {
        /// Text of the current line; `startsLine` on its first fragment.
        case fragment(String, startsLine: Bool)
        /// The current line is complete (its text without CR/LF).
        case line(String)
    }

    private var current = ""
    private var started = false

    public init() {}

    /// Whether a line has begun and not ended yet.
    public var hasPartialLine: Bool { started }

    public mutating func feed(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        // Byte-wise: as Characters, "\r\n" is one grapheme and would hide the "\n".
        var rest = Substring(text)
        while !rest.isEmpty {
            let newline = rest.utf8.firstIndex(of: 0x0A)
            let chunk = rest[..<(newline ?? rest.endIndex)]
            if !chunk.isEmpty {
                pieces.append(.fragment(String(chunk), startsLine: !started))
                started = true
                current += chunk
            }
            guard let newline else { break }
            if !started { pieces.append(.fragment("", startsLine: true)) }
            pieces.append(.line(Self.trimCR(current)))
            current = ""
            started = false
            rest = rest[rest.utf8.index(after: newline)...]
        }
        return pieces
    }

    /// Ends a partial line (the stream stopped, the port went away, the rate changed).
    public mutating func finishLine() -> Piece? {
        guard started else { return nil }
        defer { current = ""; started = false }
        return .line(Self.trimCR(current))
    }

    private static func trimCR(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while scalars.last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}

/// One line a patch replaces or inserts.
public struct ConfigLineChange: Sendable, Hashable {
    public let name: String
    /// 0-based line in the original header: the line replaced, or the line an insertion goes
    /// before.
    public let line: Int
    /// The original line (without its ending); nil for an inserted line.
    public let old: [UInt8]?
    public let new: [UInt8]
    /// The lines as a diff shows them: secret string values replaced by `"********"`.
    public let shownOld: [UInt8]?
    public let shownNew: [UInt8]
}

/// The outcome of patching a header: both byte images and the lines that differ.
public struct ConfigPatch: Sendable, Equatable {
    public let original: [UInt8]
    public let patched: [UInt8]
    /// In file order.
    public let changes: [ConfigLineChange]

    public var hasChanges: Bool { !changes.isEmpty }

    /// A unified diff of the changed lines only (no context lines), secrets masked; empty when
    /// nothing changes.
    public func diff(path: String) -> String {
        guard hasChanges else { return "" }
        var text = "--- a/\(path)\n+++ b/\(path)\n"
        var inserted = 0  // lines added so far, which shift later new-side line numbers
        for change in changes {
            let shownNew = String(decoding: change.shownNew, as: UTF8.self)
            if let shownOld = change.shownOld {
                let number = change.line + 1
                text += "@@ -\(number) +\(number + inserted) @@\n-\(String(decoding: shownOld, as: UTF8.self))\n+\(shownNew)\n"
            } else {
                text += "@@ -\(change.line),0 +\(change.line + inserted + 1) @@\n+\(shownNew)\n"
                inserted += 1
            }
        }
        return text
    }
}

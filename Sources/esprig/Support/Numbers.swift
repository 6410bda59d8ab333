import ArgumentParser
import EsprigProtocol
import EsprigWorkflows

/// Parses `0x1000`, `4096`, `64k`, `1M` (binary multiples), as esptool accepts addresses and sizes.
func parseNumber(_ text: String, what: String) throws -> Int {
    let t = text.lowercased()
    var value: Int?
    if t.hasPrefix("0x") {
        value = Int(t.dropFirst(2), radix: 16)
    } else if let last = t.last, "km".contains(last), let n = Int(t.dropLast()) {
        value = n * (last == "k" ? 1024 : 1024 * 1024)
    } else if let last = t.last, last == "b", t.hasSuffix("kb") || t.hasSuffix("mb"), let n = Int(t.dropLast(2)) {
        value = n * (t.hasSuffix("kb") ? 1024 : 1024 * 1024)
    } else {
        value = Int(t)
    }
    guard let value, value >= 0, value <= 0x1000_0000 else {
        throw ValidationError("\(what) '\(text)' is not a number (write 0x1000, 4096, 64k or 1M)")
    }
    return value
}


extension String {
    func leftPadded(_ width: Int, _ pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

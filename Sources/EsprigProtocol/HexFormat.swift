/// `0x00010000`: a flash or memory address as esptool prints it.
public func hexAddress(_ value: Int) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

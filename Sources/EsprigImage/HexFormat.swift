/// `0x` + lower-case hex, zero-padded to at least `digits` digits: Python's `f"{v:#0{digits+2}x}"`,
/// which is how esptool prints addresses, lengths and file names.
func hexString(_ value: some BinaryInteger, digits: Int) -> String {
    let body = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, digits - body.count)) + body
}

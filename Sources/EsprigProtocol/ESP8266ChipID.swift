/// The ESP8266 "chip id": NONOS SDK `system_get_chip_id()`, esptool `chip-id`.
///
/// esptool `targets/esp8266.py` `chip_id()`: `(MAC0 >> 24) | ((MAC1 & 0xFFFFFF) << 8)` over the
/// OTP words at 0x3FF00050 (MAC0) and 0x3FF00054 (MAC1), "the equivalent of the SDK
/// system_get_chip_id()". `read_mac` builds the MAC from the same bytes: its last three bytes
/// are MAC1 bits 8–15, MAC1 bits 0–7 and MAC0 bits 24–31, so the id's low 24 bits are the MAC's
/// last three bytes, and its top byte is MAC1 bits 16–23, which selects the OUI when MAC3 is 0
/// (0 → 18:FE:34, 1 → AC:D0:74).
public enum ESP8266ChipID {
    /// From the OTP words, exactly as the SDK computes it.
    public static func fromOTP(mac0: UInt32, mac1: UInt32) -> UInt32 {
        (mac0 >> 24) | ((mac1 & 0xFF_FFFF) << 8)
    }

    /// From a MAC alone, when its OUI tells MAC1's selector byte: Espressif's 18:FE:34 (0) and
    /// AC:D0:74 (1). Other OUIs live in MAC3 and leave that byte unknown: nil (read the OTP).
    public static func fromMAC(_ mac: [UInt8]) -> UInt32? {
        guard mac.count == 6 else { return nil }
        let selector: UInt32
        switch (mac[0], mac[1], mac[2]) {
        case (0x18, 0xFE, 0x34): selector = 0
        case (0xAC, 0xD0, 0x74): selector = 1
        default: return nil
        }
        return selector << 24 | UInt32(mac[3]) << 16 | UInt32(mac[4]) << 8 | UInt32(mac[5])
    }
}

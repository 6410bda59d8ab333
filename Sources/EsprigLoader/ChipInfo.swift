import Foundation
import EsprigProtocol

/// What a connected board says about itself.
public struct ChipInfo: Sendable, Hashable {
    public var chip: Chip
    public var description: String
    public var features: [String]
    public var crystalMHz: Int
    public var mac: [UInt8]
    /// ESP8266 chip id (esptool `chip-id`, SDK `system_get_chip_id()`, see `ESP8266ChipID`);
    /// ESP32 has none.
    public var chipID: UInt32?
    /// The silicon revision from eFuse (ESP32-S2 and later); nil where esprig does not read it.
    public var revision: ChipRevision? = nil

    public var macString: String { mac.map { String(format: "%02x", $0) }.joined(separator: ":") }
}

extension ChipInfo {
    /// Reads eFuses and UART registers the way esptool does for its chip banner.
    static func read(from connection: Connection, spec: ChipSpec) throws(LoaderError) -> ChipInfo {
        switch spec.identity {
        case .eFuse(let layout):
            return try read(from: connection, spec: spec, layout: layout)
        case .esp8266OTP:
            let w0 = try connection.readRegister(0x3FF0_0050)
            let w1 = try connection.readRegister(0x3FF0_0054)
            let w2 = try connection.readRegister(0x3FF0_0058)
            let w3 = try connection.readRegister(0x3FF0_005C)
            let oui: [UInt8]
            if w3 != 0 {
                oui = [UInt8(truncatingIfNeeded: w3 >> 16), UInt8(truncatingIfNeeded: w3 >> 8), UInt8(truncatingIfNeeded: w3)]
            } else if (w1 >> 16) & 0xFF == 0 {
                oui = [0x18, 0xFE, 0x34]
            } else if (w1 >> 16) & 0xFF == 1 {
                oui = [0xAC, 0xD0, 0x74]
            } else {
                throw LoaderError(.protocolViolation, "unknown OUI in the ESP8266 eFuses (MAC1=\(hex8(w1)))")
            }
            let mac = oui + [UInt8(truncatingIfNeeded: w1 >> 8), UInt8(truncatingIfNeeded: w1), UInt8(truncatingIfNeeded: w0 >> 24)]
            let isESP8285 = (w0 & (1 << 4)) != 0 || (w2 & (1 << 16)) != 0
            let crystal = try crystalMHz(connection, spec: spec)
            return ChipInfo(chip: .esp8266, description: isESP8285 ? "ESP8285" : "ESP8266EX",
                            features: ["Wi-Fi", "160MHz"] + (isESP8285 ? ["Embedded Flash"] : []),
                            crystalMHz: crystal, mac: mac,
                            chipID: ESP8266ChipID.fromOTP(mac0: w0, mac1: w1))
        case .esp32EFuse:
            let word1 = try connection.readRegister(0x3FF5_A000 + 4)
            let word2 = try connection.readRegister(0x3FF5_A000 + 8)
            let be: (UInt32) -> [UInt8] = { w in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: w >> $0) } }
            let mac = Array((be(word2) + be(word1))[2...])
            let word3 = try connection.readRegister(0x3FF5_A000 + 12)
            let singleCore = word3 & 1 != 0
            return ChipInfo(chip: .esp32, description: "ESP32",
                            features: ["Wi-Fi", "BT", singleCore ? "Single Core" : "Dual Core"],
                            crystalMHz: try crystalMHz(connection, spec: spec), mac: mac, chipID: nil)
        }
    }

    /// ESP32-S2 and later: esptool's `read_mac`, `get_chip_description` and `get_chip_features`
    /// from the row's eFuse fields.
    static func read(from connection: Connection, spec: ChipSpec, layout: EFuseIdentity) throws(LoaderError) -> ChipInfo {
        var info = try decode(layout, chip: spec.chip) { (address: UInt32) throws(LoaderError) -> UInt32 in try connection.readRegister(address) }
        info.crystalMHz = try crystalMHz(connection, spec: spec)
        return info
    }

    /// The identity the eFuse words give (crystal left 0: it is not an eFuse fact).
    public static func decode<E: Error>(_ layout: EFuseIdentity, chip: Chip, read: (UInt32) throws(E) -> UInt32) throws(E) -> ChipInfo {
        let mac0 = try read(layout.macWord)
        let mac1 = try read(layout.macWord + 4)
        let mac = [UInt8(truncatingIfNeeded: mac1 >> 8), UInt8(truncatingIfNeeded: mac1)]
            + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: mac0 >> $0) }
        let revision = ChipRevision(major: Int(try layout.major.value(read)), minor: Int(try layout.minor.value(read)))
        var name: String
        if layout.nameParts.isEmpty {
            name = layout.names[try layout.nameKey.value(read)] ?? layout.unknownName
        } else {
            name = chip.spec.displayName
            var unknown = false
            for part in layout.nameParts {
                if !part.requires.isEmpty, try part.requires.value(read) == 0 { continue }
                if let piece = part.names[try part.field.value(read)] { name += piece } else { name += part.unknown; unknown = true }
            }
            if unknown { name = "Unknown " + name }
        }
        if let suffix = layout.revisionSuffix, revision.number >= suffix.minRevision, try suffix.requires.value(read) != 0 {
            name += suffix.suffix
        }
        var features = layout.features
        for feature in layout.featureFields {
            let value = try feature.field.value(read)
            var label = feature.names[value] ?? feature.unknown
            guard !label.isEmpty else { continue }
            if !feature.vendor.isEmpty, feature.vendorFor?.contains(value) ?? true {
                label += " (" + (feature.vendors[try feature.vendor.value(read)] ?? "") + ")"
            }
            features.append(label)
        }
        return ChipInfo(chip: chip, description: "\(name) (revision \(revision))", features: features,
                        crystalMHz: 0, mac: mac, chipID: nil, revision: revision)
    }

    /// esptool `get_crystal_freq`: fixed by the chip, or from the UART_CLKDIV the ROM set at 115200 baud.
    private static func crystalMHz(_ connection: Connection, spec: ChipSpec) throws(LoaderError) -> Int {
        switch spec.crystal {
        case .fixed(let mhz): return mhz
        case .measured(let candidates):
            let divider = try connection.readRegister(spec.uartClockDivider) & 0xF_FFFF
            let estimate = Double(connection.baud) * Double(divider) / 1e6 / Double(spec.crystalDivider)
            return candidates.min { abs(Double($0) - estimate) < abs(Double($1) - estimate) } ?? 40
        }
    }
}

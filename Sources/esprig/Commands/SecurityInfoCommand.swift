import ArgumentParser
import Foundation
import EsprigLoader
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    /// esptool's `get-security-info`: the ROM's security flags, key purposes and crypt count.
    struct SecurityInfoCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "security-info", abstract: "Print the chip's security state (esptool get-security-info).",
            aliases: ["get-security-info"])
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try BoardCommand.run(connection: connection, output: output, command: "security-info") { session, reporter in
                guard let info = session.security else {
                    throw CLIFailure(code: "unsupported", message: "the \(session.spec.displayName) ROM has no GET_SECURITY_INFO command",
                                     hint: "only the ESP32-S2 and later report their security state this way", status: ExitStatus.device)
                }
                for line in Self.lines(info, spec: session.spec) { reporter.say(line) }
                return SecurityFields(
                    flags: String(format: "0x%08x", info.flags),
                    parsedFlags: Dictionary(uniqueKeysWithValues: SecurityInfo.flagNames.map { ($0.name, info.flags & $0.bit != 0) }),
                    flashCryptCount: Int(info.flashCryptCount), keyPurposes: info.keyPurposes.map(Int.init),
                    secureBoot: info.secureBootEnabled, flashEncryption: info.flashEncryptionEnabled,
                    chipID: info.chipID.map(Int.init), apiVersion: info.apiVersion.map(Int.init))
            }
        }

        /// esptool's wording and order (`cmds.py get_security_info`).
        static func lines(_ info: SecurityInfo, spec: ChipSpec) -> [String] {
            var out = ["Security Information:", "=====================",
                       String(format: "Flags: 0x%08x (0b%@)", info.flags, String(info.flags, radix: 2))]
            if !spec.keyPurposes.isEmpty {
                out.append("Key Purposes: (" + info.keyPurposes.map { String($0) }.joined(separator: ", ") + ")")
                out += info.keyPurposes.prefix(6).enumerated().map { index, purpose in
                    "  BLOCK_KEY\(index) - \(spec.keyPurposes[purpose] ?? "UNKNOWN")"
                }
            }
            if let id = info.chipID, let api = info.apiVersion {
                out += ["Chip ID: \(id)", "API Version: \(api)"]
            }
            if info.secureBootEnabled {
                out.append("Secure Boot: Enabled")
                if info.flags & (1 << 1) != 0 { out.append("Secure Boot Aggressive key revocation: Enabled") }
                let revoked = (0..<3).filter { info.flags & (1 << (3 + UInt32($0))) != 0 }
                if !revoked.isEmpty {
                    out.append("Secure Boot Key Revocation Status:\n")
                    out += revoked.map { "\tSecure Boot Key\($0) is Revoked\n" }
                }
            } else {
                out.append("Secure Boot: Disabled")
            }
            out.append("Flash Encryption: " + (info.flashEncryptionEnabled ? "Enabled" : "Disabled"))
            out.append("SPI Boot Crypt Count (SPI_BOOT_CRYPT_CNT): 0x" + String(info.flashCryptCount, radix: 16))
            if info.flags & (1 << 9) != 0 { out.append("Dcache in UART download mode: Disabled") }
            if info.flags & (1 << 10) != 0 { out.append("Icache in UART download mode: Disabled") }
            if info.flags & (1 << 7) != 0 { out.append("JTAG: Permanently Disabled") }
            else if info.flags & (1 << 6) != 0 { out.append("JTAG: Software Access Disabled") }
            if info.flags & (1 << 8) != 0 { out.append("USB Access: Disabled") }
            return out
        }
    }
}

/// `security-info --json`, in esptool's key names.
struct SecurityFields: Encodable {
    var flags: String
    var parsedFlags: [String: Bool]
    var flashCryptCount: Int
    var keyPurposes: [Int]
    var secureBoot: Bool
    var flashEncryption: Bool
    var chipID: Int?
    var apiVersion: Int?

    enum CodingKeys: String, CodingKey {
        case flags
        case parsedFlags = "parsed_flags", flashCryptCount = "flash_crypt_cnt", keyPurposes = "key_purposes"
        case secureBoot = "secure_boot", flashEncryption = "flash_encryption", chipID = "chip_id", apiVersion = "api_version"
    }
}

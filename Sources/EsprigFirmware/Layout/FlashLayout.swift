import EsprigProtocol
import Foundation

/// The NONOS SDK's fixed flash areas for one ESP8266 SPI size map (esp8266-sdk.md §3.2–3.3):
/// where boot, the two OTA apps, RF calibration, PHY init data, the system parameters and
/// blank.bin go, and how large an app may be.
public struct FlashLayout: Sendable, Hashable {
    /// The SPI size maps the SDK's MQTT demo supports (its user_main.c `#error`s on 0 and 1).
    public enum SizeMap: Int, Sendable, Hashable, CaseIterable {
        case map2 = 2, map3 = 3, map4 = 4, map5 = 5, map6 = 6
    }

    public enum AppSlot: Int, Sendable, Hashable {
        case user1 = 1, user2 = 2
    }

    public let sizeMap: SizeMap

    public init(_ sizeMap: SizeMap) { self.sizeMap = sizeMap }

    /// Accepts the map number as `SPI_SIZE_MAP` spells it.
    public init(sizeMapNumber: Int) throws {
        guard let map = SizeMap(rawValue: sizeMapNumber) else {
            throw FirmwareConfigError(.unsupportedSizeMap, "SPI_SIZE_MAP \(sizeMapNumber) is not supported",
                                      hint: "use 2 (1MB), 3 (2MB), 4 (4MB), 5 (2MB-c1) or 6 (4MB-c1); the SDK demo refuses the others")
        }
        self.init(map)
    }

    public var flashSize: Int {
        switch sizeMap {
        case .map2: 0x100000
        case .map3, .map5: 0x200000
        case .map4, .map6: 0x400000
        }
    }

    /// esptool's `--flash-size` name; it must match the compiled map (`2MB-c1`, not `2MB`, for 5).
    public var esptoolFlashSize: String {
        switch sizeMap {
        case .map2: "1MB"
        case .map3: "2MB"
        case .map4: "4MB"
        case .map5: "2MB-c1"
        case .map6: "4MB-c1"
        }
    }

    /// 512+512 for maps 2–4, 1024+1024 for 5 and 6.
    public var halfSize: Int { sizeMap.rawValue >= 5 ? 0x100000 : 0x80000 }

    public var bootAddress: Int { 0 }

    public func appAddress(_ slot: AppSlot) -> Int { slot == .user1 ? 0x1000 : halfSize + 0x1000 }

    /// The SDK 2.x rule: half the flash, less the boot sector and the 16 KB user-param area.
    public var maxAppSize: Int { halfSize - 0x1000 - 0x4000 }

    public var rfCalibrationAddress: Int { flashSize - 0x5000 }
    public var initDataAddress: Int { flashSize - 0x4000 }
    /// The three SDK system-parameter sectors at the end of the flash.
    public var systemParameters: Range<Int> { flashSize - 0x3000..<flashSize }
    public var blankAddress: Int { flashSize - 0x2000 }
    /// RF calibration, PHY init data and system parameters: the last five sectors ("ABCCC").
    public var systemArea: Range<Int> { rfCalibrationAddress..<flashSize }

    /// Areas left free by the SDK 3.x demo's partition table (OTA size 0x6A000), where
    /// certificate sectors can go (§3.4). The demo's own 0x77–0x7C sit in the first one.
    public var freeAreas: [Range<Int>] {
        switch sizeMap {
        case .map2: [0x6B000..<0x81000, 0xEB000..<0xFB000]
        case .map3, .map4: [0x6B000..<0x81000, 0xEB000..<0xFB000, 0x100000..<rfCalibrationAddress]
        case .map5, .map6: [0x6B000..<0x101000, 0x16B000..<rfCalibrationAddress]
        }
    }
}

/// Addresses print as `0x%08x` everywhere.
func formatAddress(_ address: Int) -> String { String(format: "0x%08x", address) }

/// Loader command opcodes (esptool `ESPLoader.ESP_*` constants, `esptool/loader.py`).
public enum Opcode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case flashBegin = 0x02          // ESP_FLASH_BEGIN
    case flashData = 0x03           // ESP_FLASH_DATA
    case flashEnd = 0x04            // ESP_FLASH_END
    case memBegin = 0x05            // ESP_MEM_BEGIN
    case memEnd = 0x06              // ESP_MEM_END
    case memData = 0x07             // ESP_MEM_DATA
    case sync = 0x08                // ESP_SYNC
    case writeReg = 0x09            // ESP_WRITE_REG
    case readReg = 0x0A             // ESP_READ_REG
    case spiSetParams = 0x0B        // ESP_SPI_SET_PARAMS
    case spiAttach = 0x0D           // ESP_SPI_ATTACH
    case readFlashSlow = 0x0E       // ESP_READ_FLASH_SLOW (ESP32-family ROM)
    case changeBaudrate = 0x0F      // ESP_CHANGE_BAUDRATE
    case flashDeflBegin = 0x10      // ESP_FLASH_DEFL_BEGIN
    case flashDeflData = 0x11       // ESP_FLASH_DEFL_DATA
    case flashDeflEnd = 0x12        // ESP_FLASH_DEFL_END
    case spiFlashMD5 = 0x13         // ESP_SPI_FLASH_MD5
    case getSecurityInfo = 0x14     // ESP_GET_SECURITY_INFO
    case eraseFlash = 0xD0          // ESP_ERASE_FLASH (stub)
    case eraseRegion = 0xD1         // ESP_ERASE_REGION (stub)
    case readFlash = 0xD2           // ESP_READ_FLASH (stub)
    case runUserCode = 0xD3         // ESP_RUN_USER_CODE (stub, no reply)

    public var description: String {
        switch self {
        case .flashBegin: return "FLASH_BEGIN"
        case .flashData: return "FLASH_DATA"
        case .flashEnd: return "FLASH_END"
        case .memBegin: return "MEM_BEGIN"
        case .memEnd: return "MEM_END"
        case .memData: return "MEM_DATA"
        case .sync: return "SYNC"
        case .writeReg: return "WRITE_REG"
        case .readReg: return "READ_REG"
        case .spiSetParams: return "SPI_SET_PARAMS"
        case .spiAttach: return "SPI_ATTACH"
        case .readFlashSlow: return "READ_FLASH_SLOW"
        case .changeBaudrate: return "CHANGE_BAUDRATE"
        case .flashDeflBegin: return "FLASH_DEFL_BEGIN"
        case .flashDeflData: return "FLASH_DEFL_DATA"
        case .flashDeflEnd: return "FLASH_DEFL_END"
        case .spiFlashMD5: return "SPI_FLASH_MD5"
        case .getSecurityInfo: return "GET_SECURITY_INFO"
        case .eraseFlash: return "ERASE_FLASH"
        case .eraseRegion: return "ERASE_REGION"
        case .readFlash: return "READ_FLASH"
        case .runUserCode: return "RUN_USER_CODE"
        }
    }

    /// The `*_DATA` commands whose header carries a checksum of the data part.
    public var carriesChecksum: Bool {
        self == .flashData || self == .memData || self == .flashDeflData
    }
}

/// The ESP8266 mask-ROM entry points the simulator implements in Swift, at their ROM addresses
/// (espressif/ESP8266_NONOS_SDK:ld/eagle.rom.addr.v6.ld; `uart_div_modify` is in that file's
/// v2.0.0 copy, dropped later from the SDK's list but still in the ROM).
enum ROMFunction: UInt32, CaseIterable {
    case etsPrintf = 0x4000_24CC
    case etsPutc = 0x4000_2BE8
    case uartTxOneChar = 0x4000_3B30
    case uartDivModify = 0x4000_39D8
    case etsDelayUs = 0x4000_2ECC
    case etsGetCPUFrequency = 0x4000_2F0C
    case etsUpdateCPUFrequency = 0x4000_2F04
    case etsWdtDisable = 0x4000_30F0
    case etsWdtEnable = 0x4000_2FA0
    case etsIntrLock = 0x4000_0F74
    case etsIntrUnlock = 0x4000_0F80
    case xthalGetCCount = 0x4000_DD38
    case softwareReset = 0x4000_264C
    case rtcGetResetReason = 0x4000_25E0
    case etsRun = 0x4000_0E04
    // Flash
    case spiRead = 0x4000_4B1C
    case spiWrite = 0x4000_4A4C
    case spiEraseSector = 0x4000_4A00
    case spiEraseBlock = 0x4000_49B4
    case cacheReadEnable = 0x4000_4678
    case cacheReadDisable = 0x4000_47F0
    // Memory and strings
    case memcpy = 0x4000_DF48
    case etsMemcpy = 0x4000_18B4
    case memmove = 0x4000_E04C
    case etsMemmove = 0x4000_18C4
    case memset = 0x4000_E190
    case etsMemset = 0x4000_18A4
    case memcmp = 0x4000_DEA8
    case etsMemcmp = 0x4000_18D4
    case bzero = 0x4000_DE84
    case etsBzero = 0x4000_2AE8
    case strlen = 0x4000_BF4C
    case etsStrlen = 0x4000_2AC8
    case strcmp = 0x4000_BDC8
    case etsStrcmp = 0x4000_2AA8
    case strncmp = 0x4000_BFA8
    case etsStrncmp = 0x4000_2AB8
    case strcpy = 0x4000_BEC8
    case etsStrcpy = 0x4000_2A88
    // The libgcc helpers Debian's libgcc.a leaves to the ROM (the SDK's lib/strip_libgcc_funcs.txt)
    case divsi3 = 0x4000_DC88
    case udivsi3 = 0x4000_E21C
    case umodsi3 = 0x4000_E268
    case muldi3 = 0x4000_0650
    case divdi3 = 0x4000_CE60
    case udivdi3 = 0x4000_D310
    case umoddi3 = 0x4000_D770
    case umulsidi3 = 0x4000_DCF0
    case addsf3 = 0x4000_C180
    case subsf3 = 0x4000_C268
    case mulsf3 = 0x4000_C3DC
    case adddf3 = 0x4000_C538
    case subdf3 = 0x4000_C688
    case muldf3 = 0x4000_C8F0
    case divdf3 = 0x4000_CB94
    case fixdfsi = 0x4000_CCB8
    case fixunsdfsi = 0x4000_CD00
    case fixunssfsi = 0x4000_C4C4
    case floatsidf = 0x4000_E2F0
    case floatsisf = 0x4000_E2AC
    case floatunsidf = 0x4000_E2E8
    case floatunsisf = 0x4000_E2A4
    case extendsfdf2 = 0x4000_CDFC
    case truncdfsf2 = 0x4000_CD5C

    var symbol: String {
        switch self {
        case .etsPrintf: "ets_printf"
        case .etsPutc: "ets_putc"
        case .uartTxOneChar: "uart_tx_one_char"
        case .uartDivModify: "uart_div_modify"
        case .etsDelayUs: "ets_delay_us"
        case .etsGetCPUFrequency: "ets_get_cpu_frequency"
        case .etsUpdateCPUFrequency: "ets_update_cpu_frequency"
        case .etsWdtDisable: "ets_wdt_disable"
        case .etsWdtEnable: "ets_wdt_enable"
        case .etsIntrLock: "ets_intr_lock"
        case .etsIntrUnlock: "ets_intr_unlock"
        case .xthalGetCCount: "xthal_get_ccount"
        case .softwareReset: "software_reset"
        case .rtcGetResetReason: "rtc_get_reset_reason"
        case .etsRun: "ets_run"
        case .spiRead: "SPIRead"
        case .spiWrite: "SPIWrite"
        case .spiEraseSector: "SPIEraseSector"
        case .spiEraseBlock: "SPIEraseBlock"
        case .cacheReadEnable: "Cache_Read_Enable"
        case .cacheReadDisable: "Cache_Read_Disable"
        case .memcpy: "memcpy"
        case .etsMemcpy: "ets_memcpy"
        case .memmove: "memmove"
        case .etsMemmove: "ets_memmove"
        case .memset: "memset"
        case .etsMemset: "ets_memset"
        case .memcmp: "memcmp"
        case .etsMemcmp: "ets_memcmp"
        case .bzero: "bzero"
        case .etsBzero: "ets_bzero"
        case .strlen: "strlen"
        case .etsStrlen: "ets_strlen"
        case .strcmp: "strcmp"
        case .etsStrcmp: "ets_strcmp"
        case .strncmp: "strncmp"
        case .etsStrncmp: "ets_strncmp"
        case .strcpy: "strcpy"
        case .etsStrcpy: "ets_strcpy"
        default: "__\(String(describing: self))"
        }
    }

    static let byAddress: [UInt32: ROMFunction] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}

/// ROM entry points the simulator knows by name but does not implement, so that a call to one
/// stops the core with its name (same source as `ROMFunction`).
enum UnsimulatedROMSymbols {
    static let byAddress: [UInt32: String] = [
        0x4000_2CC4: "ets_timer_arm", 0x4000_2D40: "ets_timer_disarm", 0x4000_2C48: "ets_timer_setfn",
        0x4000_2E68: "ets_timer_init", 0x4000_0F88: "ets_isr_attach", 0x4000_0F98: "ets_isr_mask",
        0x4000_0FA8: "ets_isr_unmask", 0x4000_0E24: "ets_post", 0x4000_0DD0: "ets_task",
        0x4000_242C: "ets_install_putc1", 0x4000_248C: "ets_install_putc2", 0x4000_2438: "ets_install_uart_printf",
        0x4000_1F00: "ets_vprintf", 0x4000_2544: "ets_uart_printf", 0x4000_2578: "ets_external_printf",
        0x4000_1DA0: "ets_write_char", 0x4000_2BCC: "ets_getc", 0x4000_3B8C: "uart_rx_one_char",
        0x4000_3B64: "uart_rx_one_char_block", 0x4000_3EC8: "uart_rx_readbuff", 0x4000_3A14: "Uart_Init",
        0x4000_383C: "uartAttach", 0x4000_3924: "uart_baudrate_detect", 0x4000_3170: "ets_wdt_init",
        0x4000_3158: "ets_wdt_restore", 0x4000_2F34: "ets_wdt_get_mode", 0x4000_4984: "SPIEraseChip",
        0x4000_4B44: "SPIEraseArea", 0x4000_4C2C: "SPIParamCfg", 0x4000_4644: "spi_flash_attach",
        0x4000_48A8: "SPILock", 0x4000_4878: "SPIUnlock", 0x4000_43C8: "SPI_read_status",
        0x4000_4400: "SPI_write_status", 0x4000_443C: "SPI_write_enable", 0x4000_448C: "Wait_SPI_Idle",
        0x4000_9818: "MD5Init", 0x4000_9834: "MD5Update", 0x4000_9900: "MD5Final",
        0x4000_B584: "SHA1Init", 0x4000_B5A8: "SHA1Update", 0x4000_B648: "SHA1Final",
        0x4000_1B40: "mem_malloc", 0x4000_19E0: "mem_free", 0x4000_1C2C: "mem_calloc", 0x4000_1C58: "mem_zalloc",
        0x4000_E1E0: "strstr", 0x4000_C0A0: "strncpy", 0x4000_0600: "rand", 0x4000_05F0: "srand",
        0x4000_4C50: "gpio_init", 0x4000_4CD0: "gpio_output_set", 0x4000_4CF0: "gpio_input_get",
        0x4000_0454: "_xtos_set_exception_handler", 0x4000_BD70: "_xtos_set_interrupt_handler",
        0x4000_BD84: "_xtos_ints_on", 0x4000_BDA4: "_xtos_ints_off", 0x4000_DBFC: "_xtos_set_intlevel",
        0x4000_0FBC: "ets_set_user_start", 0x4000_0FEC: "main", 0x4000_042C: "_start",
        0x4000_0080: "_ResetVector", 0x4000_00A4: "_ResetHandler",
    ]
}

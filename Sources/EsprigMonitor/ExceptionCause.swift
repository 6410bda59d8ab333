/// Xtensa EXCCAUSE values (Xtensa ISA reference, exception causes), as the ESP8266 prints them
/// in `Exception (N):` and the ESP32 names them in `panic'ed (Name)`.
public enum ExceptionCause {
    public static func name(_ code: Int) -> String? { table[code]?.name }
    public static func meaning(_ code: Int) -> String? { table[code]?.meaning }

    private static let table: [Int: (name: String, meaning: String)] = [
        0: ("IllegalInstruction", "illegal instruction (often a jump through a bad function pointer)"),
        1: ("Syscall", "SYSCALL instruction"),
        2: ("InstructionFetchError", "physical address or data error while fetching an instruction"),
        3: ("LoadStoreError", "physical address or data error during a load or store (e.g. a byte access to IRAM or flash)"),
        4: ("Level1Interrupt", "level-1 interrupt"),
        5: ("Alloca", "MOVSP with the caller's registers not in the register file"),
        6: ("IntegerDivideByZero", "integer division by zero"),
        8: ("Privileged", "privileged instruction outside ring 0"),
        9: ("LoadStoreAlignment", "load or store to an unaligned address"),
        12: ("InstrPIFDataError", "PIF data error during an instruction fetch"),
        13: ("LoadStorePIFDataError", "PIF data error during a load or store"),
        14: ("InstrPIFAddrError", "PIF address error during an instruction fetch"),
        15: ("LoadStorePIFAddrError", "PIF address error during a load or store"),
        16: ("InstTLBMiss", "instruction TLB miss"),
        17: ("InstTLBMultiHit", "instruction TLB multi-hit"),
        18: ("InstFetchPrivilege", "instruction fetch from a privileged page"),
        20: ("InstFetchProhibited", "instruction fetch from a page that forbids it (a call through a null or bad pointer)"),
        24: ("LoadStoreTLBMiss", "load/store TLB miss"),
        25: ("LoadStoreTLBMultiHit", "load/store TLB multi-hit"),
        26: ("LoadStorePrivilege", "load or store to a privileged page"),
        28: ("LoadProhibited", "load from an address that is not readable (often a null pointer dereference: see excvaddr)"),
        29: ("StoreProhibited", "store to an address that is not writable (often a null pointer: see excvaddr)"),
    ]
}

/// EXCCAUSE values of the Xtensa exception architecture (XEA2), as the ISA reference numbers them.
public enum ExceptionCause: UInt32, Sendable, CaseIterable {
    case illegalInstruction = 0
    case syscall = 1
    case instructionFetchError = 2
    case loadStoreError = 3
    case level1Interrupt = 4
    case alloca = 5
    case integerDivideByZero = 6
    case privileged = 8
    case loadStoreAlignment = 9
    case instructionPIFDataError = 12
    case loadStorePIFDataError = 13
    case instructionPIFAddressError = 14
    case loadStorePIFAddressError = 15
    case instructionTLBMiss = 16
    case instructionFetchPrivilege = 18
    case instructionFetchProhibited = 20
    case loadStoreTLBMiss = 24
    case loadStorePrivilege = 26
    case loadProhibited = 28
    case storeProhibited = 29

    /// The name the ESP8266 SDK and Arduino core print (`…Cause`).
    public var name: String {
        switch self {
        case .illegalInstruction: "IllegalInstruction"
        case .syscall: "Syscall"
        case .instructionFetchError: "InstructionFetchError"
        case .loadStoreError: "LoadStoreError"
        case .level1Interrupt: "Level1Interrupt"
        case .alloca: "Alloca"
        case .integerDivideByZero: "IntegerDivideByZero"
        case .privileged: "Privileged"
        case .loadStoreAlignment: "LoadStoreAlignment"
        case .instructionPIFDataError: "InstrPIFDataError"
        case .loadStorePIFDataError: "LoadStorePIFDataError"
        case .instructionPIFAddressError: "InstrPIFAddrError"
        case .loadStorePIFAddressError: "LoadStorePIFAddrError"
        case .instructionTLBMiss: "InstTLBMiss"
        case .instructionFetchPrivilege: "InstFetchPrivilege"
        case .instructionFetchProhibited: "InstFetchProhibited"
        case .loadStoreTLBMiss: "LoadStoreTLBMiss"
        case .loadStorePrivilege: "LoadStorePrivilege"
        case .loadProhibited: "LoadProhibited"
        case .storeProhibited: "StoreProhibited"
        }
    }
}

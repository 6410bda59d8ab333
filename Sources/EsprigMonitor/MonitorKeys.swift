/// The interactive keys (esp-idf-monitor's): Ctrl+] exits; Ctrl+T then a key opens the menu.
/// Everything else goes to the device, Enter as CR LF.
public struct MonitorKeys: Sendable {
    public enum Action: Sendable, Equatable {
        case send([UInt8])
        case reset
        case resetIntoBootloader
        case toggleTimestamps
        case toggleLog
        case help
        case quit
    }

    public static let exitKey: UInt8 = 0x1D   // Ctrl+]
    public static let menuKey: UInt8 = 0x14   // Ctrl+T

    public static let helpText = """
        Ctrl+] exit · Ctrl+T then: R reset · B reset into bootloader · T timestamps on/off · \
        L start/stop log file · H help · Ctrl+T send Ctrl+T
        """

    private var inMenu = false

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [Action] {
        var actions: [Action] = []
        var plain: [UInt8] = []
        func flushPlain() {
            if !plain.isEmpty { actions.append(.send(plain)); plain = [] }
        }
        for byte in bytes {
            if inMenu {
                inMenu = false
                flushPlain()
                switch byte {
                case UInt8(ascii: "r"), UInt8(ascii: "R"), 0x12: actions.append(.reset)
                case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "p"), UInt8(ascii: "P"), 0x02, 0x10:
                    actions.append(.resetIntoBootloader)
                case UInt8(ascii: "t"), UInt8(ascii: "T"): actions.append(.toggleTimestamps)
                case Self.menuKey: plain.append(Self.menuKey)
                case UInt8(ascii: "l"), UInt8(ascii: "L"), 0x0C: actions.append(.toggleLog)
                case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "q"), UInt8(ascii: "Q"), Self.exitKey: actions.append(.quit)
                default: actions.append(.help)
                }
                continue
            }
            switch byte {
            case Self.exitKey:
                flushPlain()
                actions.append(.quit)
                return actions
            case Self.menuKey:
                inMenu = true
            case 0x0D:
                plain += [0x0D, 0x0A]
            default:
                plain.append(byte)
            }
        }
        flushPlain()
        return actions
    }
}

/// Special register numbers (RSR/WSR/XSR), as the ISA reference and binutils number them. Only
/// the registers the LX106 configuration has; any other number is an illegal instruction.
public enum SpecialRegister: UInt32, Sendable, CaseIterable {
    case sar = 3
    case litbase = 5
    case ibreakenable = 96
    case ibreaka0 = 128
    case dbreaka0 = 144
    case dbreakc0 = 160
    case epc1 = 177
    case epc2 = 178
    case epc3 = 179
    case depc = 192
    case eps2 = 194
    case eps3 = 195
    case excsave1 = 209
    case excsave2 = 210
    case excsave3 = 211
    /// Reads INTERRUPT; a write is INTSET.
    case interrupt = 226
    /// Write-only.
    case intclear = 227
    case intenable = 228
    case ps = 230
    case vecbase = 231
    case exccause = 232
    case debugcause = 233
    case ccount = 234
    case prid = 235
    case icount = 236
    case icountlevel = 237
    case excvaddr = 238
    case ccompare0 = 240
}

extension LX106Core {
    /// RSR (and the read half of XSR); nil when the register does not exist or cannot be read.
    func readSpecial(_ number: UInt32) -> UInt32? {
        guard let register = SpecialRegister(rawValue: number) else { return nil }
        let s = state
        switch register {
        case .sar: return s.pointee.sar
        case .litbase: return s.pointee.litbase
        case .ibreakenable: return s.pointee.ibreakenable
        case .ibreaka0: return s.pointee.ibreaka0
        case .dbreaka0: return s.pointee.dbreaka0
        case .dbreakc0: return s.pointee.dbreakc0
        case .epc1: return s.pointee.epc[1]
        case .epc2: return s.pointee.epc[2]
        case .epc3: return s.pointee.epc[3]
        case .depc: return s.pointee.depc
        case .eps2: return s.pointee.eps[2]
        case .eps3: return s.pointee.eps[3]
        case .excsave1: return s.pointee.excsave[1]
        case .excsave2: return s.pointee.excsave[2]
        case .excsave3: return s.pointee.excsave[3]
        case .interrupt: return s.pointee.interrupt
        case .intclear: return nil
        case .intenable: return s.pointee.intenable
        case .ps: return s.pointee.ps
        case .vecbase: return s.pointee.vecbase
        case .exccause: return s.pointee.exccause
        case .debugcause: return s.pointee.debugcause
        case .ccount: return s.pointee.ccount
        case .prid: return 0
        case .icount: return s.pointee.icount
        case .icountlevel: return s.pointee.icountlevel
        case .excvaddr: return s.pointee.excvaddr
        case .ccompare0: return s.pointee.ccompare0
        }
    }

    /// WSR (and the write half of XSR); false when the register does not exist or cannot be written.
    func writeSpecial(_ number: UInt32, _ value: UInt32) -> Bool {
        guard let register = SpecialRegister(rawValue: number) else { return false }
        let s = state
        switch register {
        case .sar: s.pointee.sar = value & 0x3F
        case .litbase: s.pointee.litbase = value & 0xFFFF_F001
        case .ibreakenable: s.pointee.ibreakenable = value & 1
        case .ibreaka0: s.pointee.ibreaka0 = value
        case .dbreaka0: s.pointee.dbreaka0 = value
        case .dbreakc0: s.pointee.dbreakc0 = value
        case .epc1: s.pointee.epc[1] = value
        case .epc2: s.pointee.epc[2] = value
        case .epc3: s.pointee.epc[3] = value
        case .depc: s.pointee.depc = value
        case .eps2: s.pointee.eps[2] = value & CoreState.psMask
        case .eps3: s.pointee.eps[3] = value & CoreState.psMask
        case .excsave1: s.pointee.excsave[1] = value
        case .excsave2: s.pointee.excsave[2] = value
        case .excsave3: s.pointee.excsave[3] = value
        case .interrupt: s.pointee.interrupt |= value & CoreState.softwareBit   // INTSET
        case .intclear: s.pointee.interrupt &= ~(value & CoreState.clearable)
        case .intenable: s.pointee.intenable = value & 0x7FFF
        case .ps: s.pointee.ps = value & CoreState.psMask
        case .vecbase: s.pointee.vecbase = value & 0xFFFF_FC00
        case .exccause: s.pointee.exccause = value & 0x3F
        case .debugcause, .prid: return false
        case .ccount: s.pointee.ccount = value
        case .icount: s.pointee.icount = value
        case .icountlevel: s.pointee.icountlevel = value & 0xF
        case .excvaddr: s.pointee.excvaddr = value
        case .ccompare0:
            s.pointee.ccompare0 = value
            s.pointee.interrupt &= ~CoreState.timerBit
        }
        return true
    }
}

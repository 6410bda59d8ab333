/// Why `run` returned.
public enum RunStop: Equatable, Sendable {
    /// The requested cycles have passed (the core may be sleeping in WAITI).
    case budgetSpent
    /// The next instruction is at `pc` in a `trapOnFetch` region: the host runs it, then sets
    /// `pc` (for a ROM function, to a0) and calls `run` again.
    case trap(pc: UInt32)
    /// WAITI with no interrupt source that can wake the core by itself; the cycles were spent idle.
    case idle
}

public struct RunResult: Equatable, Sendable {
    public var stop: RunStop
    /// Cycles that passed, executing or sleeping (CCOUNT advanced by this much).
    public var cycles: Int
}

/// The fast path's view of one region: limits are 0 where an access of that kind is not allowed,
/// so one unsigned compare decides.
struct MemoryCache {
    var base: UInt32 = 0
    var pointer: UnsafeMutableRawPointer
    var load4: UInt32 = 0
    var loadNarrow: UInt32 = 0
    var store4: UInt32 = 0
    var storeNarrow: UInt32 = 0

    init(dummy: UnsafeMutableRawPointer) { pointer = dummy }

    init(_ region: Region) {
        base = region.base
        pointer = region.pointer!
        let size = region.size
        let word = size >= 4 ? size - 3 : 0
        let narrow = region.access.contains(.wordOnly) ? 0 : (size >= 2 ? size - 1 : 0)
        if region.access.contains(.read) { load4 = word; loadNarrow = narrow }
        if region.access.contains(.write) { store4 = word; storeNarrow = narrow }
    }
}

extension LX106Core {
    static let b4const: [UInt32] = [0xFFFF_FFFF, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 32, 64, 128, 256]
    static let b4constu: [UInt32] = [32768, 65536, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 32, 64, 128, 256]

    /// Advances time without executing (the host's ROM code spent it, e.g. `ets_delay_us`);
    /// the timer interrupt becomes pending if CCOUNT passes CCOMPARE0.
    public func spend(cycles: UInt32) {
        guard cycles > 0 else { return }
        let toTimer = state.pointee.ccompare0 &- state.pointee.ccount
        if toTimer != 0 && toTimer <= cycles { state.pointee.interrupt |= CoreState.timerBit }
        state.pointee.ccount &+= cycles
    }

    /// Cycles until CCOUNT reaches CCOMPARE0 (1 … 2³²).
    private var cyclesToTimer: UInt64 {
        let d = state.pointee.ccompare0 &- state.pointee.ccount
        return d == 0 ? 1 << 32 : UInt64(d)
    }

    /// Executes until `cycles` have passed, a trap address is reached or the core idles.
    public func run(cycles budget: Int) -> RunResult {
        var spent = 0
        while spent < budget {
            takeInterruptIfAny()
            if isWaiting {
                let remaining = budget - spent
                // Only the timer can wake a sleeping core without the host.
                if state.pointee.intenable & CoreState.timerBit != 0 && interruptLevelAllowed(1) && cyclesToTimer <= UInt64(remaining) {
                    let wait = Int(cyclesToTimer)
                    spend(cycles: UInt32(truncatingIfNeeded: wait))
                    spent += wait
                    continue
                }
                spend(cycles: UInt32(truncatingIfNeeded: remaining))
                spent += remaining
                let canWake = state.pointee.intenable & CoreState.timerBit != 0 && interruptLevelAllowed(1)
                return RunResult(stop: canWake ? .budgetSpent : .idle, cycles: spent)
            }
            let slice = Int(min(UInt64(budget - spent), cyclesToTimer))
            let before = state.pointee.ccount
            let trapped = execute(slice: slice)
            let ran = Int(state.pointee.ccount &- before)
            if ran > 0 && state.pointee.ccount == state.pointee.ccompare0 { state.pointee.interrupt |= CoreState.timerBit }
            spent += ran
            if trapped { return RunResult(stop: .trap(pc: state.pointee.pc), cycles: spent) }
        }
        return RunResult(stop: .budgetSpent, cycles: spent)
    }

    /// The core sleeps in WAITI until an interrupt is taken.
    public var isWaiting: Bool {
        get { state.pointee.waiting }
        set { state.pointee.waiting = newValue }
    }

    private func interruptLevelAllowed(_ level: UInt32) -> Bool {
        let ps = state.pointee.ps
        return level > ps & 0xF && (level > 1 || ps & CoreState.psEXCM == 0)
    }

    /// Enters the highest pending, enabled interrupt that PS lets through.
    func takeInterruptIfAny() {
        let s = state
        let pending = s.pointee.interrupt & s.pointee.intenable
        guard pending != 0 else { return }
        if pending & CoreState.nmiBit != 0 && interruptLevelAllowed(3) {
            enterHighLevel(3, offset: Self.nmiVectorOffset)
        } else if pending & CoreState.level1Mask != 0 && interruptLevelAllowed(1) {
            s.pointee.pc = exception(cause: ExceptionCause.level1Interrupt.rawValue, pc: s.pointee.pc, vaddr: nil)
        } else {
            return
        }
        s.pointee.waiting = false
    }

    private func enterHighLevel(_ level: Int, offset: UInt32) {
        let s = state
        s.pointee.epc[level] = s.pointee.pc
        s.pointee.eps[level] = s.pointee.ps
        s.pointee.ps = (s.pointee.ps & ~0xF) | UInt32(level) | CoreState.psEXCM
        s.pointee.pc = s.pointee.vecbase &+ offset
    }

    /// General exception entry (XEA2); returns the vector to continue at.
    func exception(cause: UInt32, pc: UInt32, vaddr: UInt32?) -> UInt32 {
        let s = state
        s.pointee.exccause = cause
        if let vaddr { s.pointee.excvaddr = vaddr }
        if s.pointee.ps & CoreState.psEXCM != 0 {
            s.pointee.depc = pc
            return s.pointee.vecbase &+ Self.doubleVectorOffset
        }
        s.pointee.epc[1] = pc
        let user = s.pointee.ps & CoreState.psUM != 0
        s.pointee.ps |= CoreState.psEXCM
        return s.pointee.vecbase &+ (user ? Self.userVectorOffset : Self.kernelVectorOffset)
    }

    private func faultCause(_ fault: AccessFault, store: Bool) -> UInt32 {
        switch fault {
        case .alignment: return ExceptionCause.loadStoreAlignment.rawValue
        case .loadStoreError: return ExceptionCause.loadStoreError.rawValue
        case .prohibited, .none: return store ? ExceptionCause.storeProhibited.rawValue : ExceptionCause.loadProhibited.rawValue
        }
    }

    /// BREAK / BREAK.N: a debug exception (level 2) unless PS already masks that level.
    private func debugBreak(pc: UInt32, next: UInt32, cause: UInt32) -> UInt32 {
        let s = state
        guard s.pointee.ps & 0xF < 2 else { return next }
        s.pointee.debugcause = cause
        s.pointee.epc[2] = pc
        s.pointee.eps[2] = s.pointee.ps
        s.pointee.ps = (s.pointee.ps & ~0xF) | 2 | CoreState.psEXCM
        return s.pointee.vecbase &+ Self.debugVectorOffset
    }

    // MARK: Memory paths

    @inline(__always)
    private func load32(_ address: UInt32, _ cache: inout MemoryCache, _ fault: inout AccessFault) -> UInt32 {
        let offset = address &- cache.base
        if offset < cache.load4 && address & 3 == 0 {
            return UInt32(littleEndian: cache.pointer.load(fromByteOffset: Int(offset), as: UInt32.self))
        }
        return loadMiss(address, size: 4, &cache, &fault)
    }

    @inline(__always)
    private func load16(_ address: UInt32, _ cache: inout MemoryCache, _ fault: inout AccessFault) -> UInt32 {
        let offset = address &- cache.base
        if offset < cache.loadNarrow && address & 1 == 0 {
            return UInt32(UInt16(littleEndian: cache.pointer.load(fromByteOffset: Int(offset), as: UInt16.self)))
        }
        return loadMiss(address, size: 2, &cache, &fault)
    }

    @inline(__always)
    private func load8(_ address: UInt32, _ cache: inout MemoryCache, _ fault: inout AccessFault) -> UInt32 {
        let offset = address &- cache.base
        if offset <= cache.loadNarrow && cache.loadNarrow != 0 {
            return UInt32(cache.pointer.load(fromByteOffset: Int(offset), as: UInt8.self))
        }
        return loadMiss(address, size: 1, &cache, &fault)
    }

    @inline(__always)
    private func store(_ address: UInt32, _ value: UInt32, size: UInt32, _ cache: inout MemoryCache, _ fault: inout AccessFault) {
        let offset = address &- cache.base
        switch size {
        case 4 where offset < cache.store4 && address & 3 == 0:
            cache.pointer.storeBytes(of: value.littleEndian, toByteOffset: Int(offset), as: UInt32.self)
        case 2 where offset < cache.storeNarrow && address & 1 == 0:
            cache.pointer.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(offset), as: UInt16.self)
        case 1 where offset <= cache.storeNarrow && cache.storeNarrow != 0:
            cache.pointer.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(offset), as: UInt8.self)
        default:
            storeMiss(address, value, size: size, &cache, &fault)
        }
    }

    @inline(never)
    private func loadMiss(_ address: UInt32, size: UInt32, _ cache: inout MemoryCache, _ fault: inout AccessFault) -> UInt32 {
        if address & (size - 1) == 0, let region = region(for: address, count: size), region.pointer != nil,
           region.access.contains(.read), size == 4 || !region.access.contains(.wordOnly) {
            cache = MemoryCache(region)
        }
        return slowLoad(address, size: size, fault: &fault)
    }

    @inline(never)
    private func storeMiss(_ address: UInt32, _ value: UInt32, size: UInt32, _ cache: inout MemoryCache, _ fault: inout AccessFault) {
        if address & (size - 1) == 0, let region = region(for: address, count: size), region.pointer != nil,
           region.access.contains(.write), size == 4 || !region.access.contains(.wordOnly) {
            cache = MemoryCache(region)
        }
        slowStore(address, value: value, size: size, fault: &fault)
    }

    // MARK: The interpreter

    /// Runs at most `slice` instructions; true when it stopped at a trap address. Leaves early
    /// (after writing PC and CCOUNT back) when an instruction changed what decides interrupts.
    // swiftlint:disable:next function_body_length cyclomatic_complexity
    private func execute(slice: Int) -> Bool {
        let s = state
        let a = ar
        var pc = s.pointee.pc
        var ccount = s.pointee.ccount
        let end = ccount &+ UInt32(truncatingIfNeeded: slice)
        var fetch = MemoryCache(dummy: dummyPage)
        var data = MemoryCache(dummy: dummyPage)
        var fault = AccessFault.none
        defer {
            s.pointee.pc = pc
            s.pointee.ccount = ccount
        }

        @inline(__always) func reg(_ i: UInt32) -> UInt32 { a[Int(i)] }
        @inline(__always) func set(_ i: UInt32, _ v: UInt32) { a[Int(i)] = v }

        while ccount != end {
            // Fetch: 3 bytes from the cached code region, else find the region (or trap, or fault).
            var offset = pc &- fetch.base
            if offset >= fetch.load4 {
                switch codeRegion(for: pc) {
                case .memory(let cache):
                    fetch = cache
                    offset = pc &- fetch.base
                case .trap:
                    return true
                case .fault:
                    pc = exception(cause: ExceptionCause.instructionFetchError.rawValue, pc: pc, vaddr: pc)
                    ccount &+= 1
                    continue
                }
            }
            let insn = UInt32(littleEndian: fetch.pointer.loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self)) & 0xFF_FFFF
            ccount &+= 1
            let op0 = insn & 0xF
            let t = (insn >> 4) & 0xF
            let sf = (insn >> 8) & 0xF
            let r = (insn >> 12) & 0xF

            switch op0 {
            case 0x0:   // QRST
                let op1 = (insn >> 16) & 0xF
                let op2 = (insn >> 20) & 0xF
                switch op1 {
                case 0:   // RST0
                    switch op2 {
                    case 0:   // ST0
                        switch r {
                        case 0:   // SNM0
                            let m = (insn >> 6) & 3
                            let n = (insn >> 4) & 3
                            if m == 2 && n == 0 {          // RET
                                pc = a[0]; continue
                            } else if m == 2 && n == 2 {   // JX
                                pc = reg(sf); continue
                            } else if m == 3 && n == 0 {   // CALLX0
                                let target = reg(sf)
                                a[0] = pc &+ 3
                                pc = target; continue
                            }
                            pc = illegal(pc); continue
                        case 2:   // SYNC group: ISYNC RSYNC ESYNC DSYNC EXCW MEMW EXTW NOP
                            switch t {
                            case 0, 1, 2, 3, 8, 12, 13, 15: pc &+= 3
                            default: pc = illegal(pc)
                            }
                            continue
                        case 3:   // RFEI
                            if t == 0 && sf == 0 {          // RFE
                                s.pointee.ps &= ~CoreState.psEXCM
                                pc = s.pointee.epc[1]
                            } else if t == 0 && sf == 2 {   // RFDE
                                s.pointee.ps &= ~CoreState.psEXCM
                                pc = s.pointee.depc
                            } else if t == 1 && (sf == 2 || sf == 3) {   // RFI 2/3
                                pc = s.pointee.epc[Int(sf)]
                                s.pointee.ps = s.pointee.eps[Int(sf)] & CoreState.psMask
                            } else {
                                pc = illegal(pc); continue
                            }
                            return false   // PS changed: pending interrupts may now be taken
                        case 4:   // BREAK s, t
                            pc = debugBreak(pc: pc, next: pc &+ 3, cause: 1 << 3)
                            continue
                        case 5:   // SYSCALL (SIMCALL has no simulator to call here)
                            if sf == 0 && t == 0 {
                                pc = exception(cause: ExceptionCause.syscall.rawValue, pc: pc, vaddr: nil)
                            } else {
                                pc = illegal(pc)
                            }
                            continue
                        case 6:   // RSIL
                            let old = s.pointee.ps
                            s.pointee.ps = (old & ~0xF) | sf
                            set(t, old)
                            pc &+= 3
                            return false
                        case 7:   // WAITI
                            s.pointee.ps = (s.pointee.ps & ~0xF) | sf
                            s.pointee.waiting = true
                            pc &+= 3
                            return false
                        default:
                            pc = illegal(pc); continue
                        }
                    case 1: set(r, reg(sf) & reg(t))
                    case 2: set(r, reg(sf) | reg(t))
                    case 3: set(r, reg(sf) ^ reg(t))
                    case 4:   // ST1
                        switch r {
                        case 0: s.pointee.sar = reg(sf) & 31                       // SSR
                        case 1: s.pointee.sar = 32 &- (reg(sf) & 31)               // SSL
                        case 2: s.pointee.sar = (reg(sf) & 3) << 3                 // SSA8L
                        case 3: s.pointee.sar = 32 &- ((reg(sf) & 3) << 3)         // SSA8B
                        case 4: s.pointee.sar = sf | ((t & 1) << 4)                // SSAI
                        case 14:   // NSA at, as
                            let v = reg(sf)
                            let x = Int32(bitPattern: v) < 0 ? ~v : v
                            set(t, UInt32(x.leadingZeroBitCount) &- 1)
                        case 15:   // NSAU
                            set(t, UInt32(reg(sf).leadingZeroBitCount))
                        default: pc = illegal(pc); continue
                        }
                    case 6:   // RT0
                        if sf == 0 {
                            set(r, 0 &- reg(t))
                        } else if sf == 1 {
                            let v = Int32(bitPattern: reg(t))
                            set(r, v < 0 ? 0 &- UInt32(bitPattern: v) : UInt32(bitPattern: v))
                        } else {
                            pc = illegal(pc); continue
                        }
                    case 8: set(r, reg(sf) &+ reg(t))
                    case 9: set(r, (reg(sf) << 1) &+ reg(t))
                    case 10: set(r, (reg(sf) << 2) &+ reg(t))
                    case 11: set(r, (reg(sf) << 3) &+ reg(t))
                    case 12: set(r, reg(sf) &- reg(t))
                    case 13: set(r, (reg(sf) << 1) &- reg(t))
                    case 14: set(r, (reg(sf) << 2) &- reg(t))
                    case 15: set(r, (reg(sf) << 3) &- reg(t))
                    default: pc = illegal(pc); continue
                    }
                case 1:   // RST1
                    switch op2 {
                    case 0, 1:   // SLLI: the field holds 32 − shift
                        let f = ((op2 & 1) << 4) | t
                        set(r, UInt32(truncatingIfNeeded: (UInt64(reg(sf)) << 32) >> UInt64(f)))
                    case 2, 3:   // SRAI
                        let amount = ((op2 & 1) << 4) | sf
                        set(r, UInt32(bitPattern: Int32(bitPattern: reg(t)) >> Int32(amount)))
                    case 4: set(r, reg(t) >> sf)   // SRLI
                    case 6:   // XSR
                        let number = (r << 4) | sf
                        s.pointee.ccount = ccount
                        guard let old = readSpecial(number) else { pc = illegal(pc); continue }
                        guard writeSpecial(number, reg(t)) else { pc = illegal(pc); continue }
                        set(t, old)
                        ccount = s.pointee.ccount
                        pc &+= 3
                        return false
                    case 8:   // SRC
                        let v = (UInt64(reg(sf)) << 32) | UInt64(reg(t))
                        set(r, UInt32(truncatingIfNeeded: v >> UInt64(s.pointee.sar)))
                    case 9: set(r, UInt32(truncatingIfNeeded: UInt64(reg(t)) >> UInt64(s.pointee.sar)))                // SRL
                    case 10: set(r, UInt32(truncatingIfNeeded: (UInt64(reg(sf)) << 32) >> UInt64(s.pointee.sar)))      // SLL
                    case 11: set(r, UInt32(truncatingIfNeeded: Int64(Int32(bitPattern: reg(t))) >> Int64(s.pointee.sar)))   // SRA
                    case 12: set(r, (reg(sf) & 0xFFFF) &* (reg(t) & 0xFFFF))    // MUL16U
                    case 13:   // MUL16S
                        let p = Int32(Int16(truncatingIfNeeded: reg(sf))) &* Int32(Int16(truncatingIfNeeded: reg(t)))
                        set(r, UInt32(bitPattern: p))
                    default: pc = illegal(pc); continue
                    }
                case 2:   // RST2: only MULL in this configuration
                    guard op2 == 8 else { pc = illegal(pc); continue }
                    set(r, reg(sf) &* reg(t))
                case 3:   // RST3
                    switch op2 {
                    case 0:   // RSR
                        s.pointee.ccount = ccount
                        guard let v = readSpecial((r << 4) | sf) else { pc = illegal(pc); continue }
                        set(t, v)
                    case 1:   // WSR
                        s.pointee.ccount = ccount
                        guard writeSpecial((r << 4) | sf, reg(t)) else { pc = illegal(pc); continue }
                        ccount = s.pointee.ccount
                        pc &+= 3
                        return false
                    case 8: if reg(t) == 0 { set(r, reg(sf)) }                                 // MOVEQZ
                    case 9: if reg(t) != 0 { set(r, reg(sf)) }                                 // MOVNEZ
                    case 10: if Int32(bitPattern: reg(t)) < 0 { set(r, reg(sf)) }              // MOVLTZ
                    case 11: if Int32(bitPattern: reg(t)) >= 0 { set(r, reg(sf)) }             // MOVGEZ
                    default: pc = illegal(pc); continue
                    }
                case 4, 5:   // EXTUI
                    let shift = ((op1 & 1) << 4) | sf
                    let mask: UInt32 = (1 << (op2 + 1)) &- 1
                    set(r, (reg(t) >> shift) & mask)
                default:
                    pc = illegal(pc); continue
                }
                pc &+= 3

            case 0x1:   // L32R: literal below PC (or below LITBASE when enabled)
                let offset = (insn >> 8) | 0xFFFF_0000
                let litbase = s.pointee.litbase
                let base = litbase & 1 != 0 ? litbase & 0xFFFF_F000 : (pc &+ 3) & ~3
                let address = base &+ (offset << 2)
                let v = load32(address, &data, &fault)
                if fault != .none { pc = accessFault(&fault, pc: pc, address: address, store: false); continue }
                set(t, v)
                pc &+= 3

            case 0x2:   // LSAI
                let imm8 = insn >> 16
                let base = reg(sf)
                switch r {
                case 0:   // L8UI
                    let address = base &+ imm8
                    let v = load8(address, &data, &fault)
                    if fault != .none { pc = accessFault(&fault, pc: pc, address: address, store: false); continue }
                    set(t, v)
                case 1, 9:   // L16UI, L16SI
                    let address = base &+ (imm8 << 1)
                    let v = load16(address, &data, &fault)
                    if fault != .none { pc = accessFault(&fault, pc: pc, address: address, store: false); continue }
                    set(t, r == 9 ? UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: v))) : v)
                case 2:   // L32I
                    let address = base &+ (imm8 << 2)
                    let v = load32(address, &data, &fault)
                    if fault != .none { pc = accessFault(&fault, pc: pc, address: address, store: false); continue }
                    set(t, v)
                case 4, 5, 6:   // S8I, S16I, S32I
                    let size: UInt32 = r == 4 ? 1 : (r == 5 ? 2 : 4)
                    let address = base &+ (imm8 << (r - 4))
                    store(address, reg(t), size: size, &data, &fault)
                    if fault != .none { pc = accessFault(&fault, pc: pc, address: address, store: true); continue }
                case 10:   // MOVI: 12-bit signed immediate from s and imm8
                    let imm12 = (sf << 8) | imm8
                    set(t, UInt32(bitPattern: Int32(bitPattern: imm12 << 20) >> 20))
                case 12:   // ADDI
                    set(t, base &+ UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: imm8))))
                case 13:   // ADDMI
                    set(t, base &+ (UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: imm8))) << 8))
                default:
                    pc = illegal(pc); continue
                }
                pc &+= 3

            case 0x5:   // CALLN: only CALL0 without windows
                guard t & 3 == 0 else { pc = illegal(pc); continue }
                let offset = UInt32(bitPattern: Int32(bitPattern: insn << 8) >> 14)
                a[0] = pc &+ 3
                pc = (pc & ~3) &+ (offset << 2) &+ 4

            case 0x6:   // SI
                let n = (insn >> 4) & 3
                let m = (insn >> 6) & 3
                let v = reg(sf)
                let taken: Bool
                let target: UInt32
                switch n {
                case 0:   // J
                    pc = pc &+ 4 &+ UInt32(bitPattern: Int32(bitPattern: insn << 8) >> 14)
                    continue
                case 1:   // BEQZ BNEZ BLTZ BGEZ
                    target = pc &+ 4 &+ UInt32(bitPattern: Int32(bitPattern: insn << 8) >> 20)
                    switch m {
                    case 0: taken = v == 0
                    case 1: taken = v != 0
                    case 2: taken = Int32(bitPattern: v) < 0
                    default: taken = Int32(bitPattern: v) >= 0
                    }
                case 2:   // BEQI BNEI BLTI BGEI
                    target = pc &+ 4 &+ UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: insn >> 16)))
                    let c = Self.b4const[Int(r)]
                    switch m {
                    case 0: taken = v == c
                    case 1: taken = v != c
                    case 2: taken = Int32(bitPattern: v) < Int32(bitPattern: c)
                    default: taken = Int32(bitPattern: v) >= Int32(bitPattern: c)
                    }
                default:   // BI1: ENTRY and the loop/boolean branches do not exist here
                    guard m >= 2 else { pc = illegal(pc); continue }
                    target = pc &+ 4 &+ UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: insn >> 16)))
                    let c = Self.b4constu[Int(r)]
                    taken = m == 2 ? v < c : v >= c
                }
                pc = taken ? target : pc &+ 3

            case 0x7:   // B
                let x = reg(sf)
                let y = reg(t)
                let taken: Bool
                switch r {
                case 0: taken = x & y == 0                                               // BNONE
                case 1: taken = x == y                                                   // BEQ
                case 2: taken = Int32(bitPattern: x) < Int32(bitPattern: y)              // BLT
                case 3: taken = x < y                                                    // BLTU
                case 4: taken = ~x & y == 0                                              // BALL
                case 5: taken = (x >> (y & 31)) & 1 == 0                                 // BBC
                case 6, 7: taken = (x >> (((r & 1) << 4) | t)) & 1 == 0                  // BBCI
                case 8: taken = x & y != 0                                               // BANY
                case 9: taken = x != y                                                   // BNE
                case 10: taken = Int32(bitPattern: x) >= Int32(bitPattern: y)            // BGE
                case 11: taken = x >= y                                                  // BGEU
                case 12: taken = ~x & y != 0                                             // BNALL
                case 13: taken = (x >> (y & 31)) & 1 != 0                                // BBS
                default: taken = (x >> (((r & 1) << 4) | t)) & 1 != 0                    // BBSI
                }
                pc = taken ? pc &+ 4 &+ UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: insn >> 16))) : pc &+ 3

            case 0x8:   // L32I.N
                let address = reg(sf) &+ (r << 2)
                let v = load32(address, &data, &fault)
                if fault != .none { pc = accessFault(&fault, pc: pc, address: address, store: false); continue }
                set(t, v)
                pc &+= 2

            case 0x9:   // S32I.N
                let address = reg(sf) &+ (r << 2)
                store(address, reg(t), size: 4, &data, &fault)
                if fault != .none { pc = accessFault(&fault, pc: pc, address: address, store: true); continue }
                pc &+= 2

            case 0xA:   // ADD.N
                set(r, reg(sf) &+ reg(t))
                pc &+= 2

            case 0xB:   // ADDI.N: an immediate of 0 encodes −1
                set(r, reg(sf) &+ (t == 0 ? 0xFFFF_FFFF : t))
                pc &+= 2

            case 0xC:   // ST2
                if t & 8 == 0 {   // MOVI.N: 7 bits, −32 … 95
                    let imm7 = ((t & 7) << 4) | r
                    set(sf, imm7 >= 96 ? imm7 &- 128 : imm7)
                    pc &+= 2
                } else {          // BEQZ.N / BNEZ.N: 6-bit forward offset
                    let v = reg(sf)
                    let taken = t & 4 == 0 ? v == 0 : v != 0
                    pc = taken ? pc &+ 4 &+ (((t & 3) << 4) | r) : pc &+ 2
                }

            case 0xD:   // ST3
                if r == 0 {               // MOV.N
                    set(t, reg(sf))
                    pc &+= 2
                } else if r == 15 && t == 0 {   // RET.N
                    pc = a[0]
                } else if r == 15 && t == 3 {   // NOP.N
                    pc &+= 2
                } else if r == 15 && t == 2 {   // BREAK.N
                    pc = debugBreak(pc: pc, next: pc &+ 2, cause: 1 << 4)
                } else {                        // ILL.N, RETW.N, reserved
                    pc = illegal(pc)
                }

            default:   // LSCI, MAC16 (not configured), reserved
                pc = illegal(pc)
            }
        }
        return false
    }

    @inline(never)
    private func illegal(_ pc: UInt32) -> UInt32 {
        exception(cause: ExceptionCause.illegalInstruction.rawValue, pc: pc, vaddr: nil)
    }

    @inline(never)
    private func accessFault(_ fault: inout AccessFault, pc: UInt32, address: UInt32, store: Bool) -> UInt32 {
        let cause = faultCause(fault, store: store)
        fault = .none
        return exception(cause: cause, pc: pc, vaddr: address)
    }

    enum CodeLookup {
        case memory(MemoryCache)
        case trap
        case fault
    }

    /// The region an instruction at `pc` comes from: its fast-path view, a trap, or a fetch fault.
    @inline(never)
    func codeRegion(for pc: UInt32) -> CodeLookup {
        guard let region = region(for: pc, count: 1), region.access.contains(.execute) else { return .fault }
        if region.access.contains(.trapOnFetch) { return .trap }
        guard region.pointer != nil else { return .fault }
        // Fetch reads 4 bytes; the allocation has padding, and an instruction that would run past
        // the region's end is caught by requiring 3 bytes.
        var cache = MemoryCache(region)
        cache.load4 = region.size >= 3 ? region.size - 2 : 0
        return .memory(cache)
    }
}

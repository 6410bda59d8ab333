/// An interpreter of the Xtensa LX106 core of the ESP8266: the configuration Espressif licensed
/// (core-isa.h "lx106", which Debian's xtensa-lx106-elf binutils encode): call0 ABI, no register
/// windows, the code-density option, MUL16 and MULL (no MULUH/MULSH, no QUOS/QUOU/REMS/REMU, no
/// MIN/MAX, SEXT, CLAMPS or loops), NSA, extended L32R (LITBASE), XEA2 exceptions with VECBASE,
/// interrupt levels 1 (interrupts 0–13, EXCM level), 2 (debug) and 3 (NMI, interrupt 14), one
/// timer (CCOMPARE0 → interrupt 6), and exceptions on unaligned loads and stores.
///
/// The core knows memories and a `Bus`; what sits on the bus (UARTs, flash, the ROM written in
/// Swift) is its host's business. One instruction counts one cycle of CCOUNT.
///
/// Not thread-safe: one owner drives it.
public final class LX106Core {
    /// Architectural state, behind a pointer so the interpreter's loop touches it without the
    /// dynamic exclusivity checks a class's stored properties would cost.
    let state: UnsafeMutablePointer<CoreState>
    /// a0…a15.
    let ar: UnsafeMutablePointer<UInt32>
    let regions: UnsafeMutablePointer<Region>
    /// What the fast paths point at before their first lookup (their limits are 0, so never read).
    let dummyPage: UnsafeMutableRawPointer
    var regionCount = 0
    static let maxRegions = 32
    unowned(unsafe) let bus: any Bus
    /// Keeps the bus alive; `bus` is the unretained reference the loop calls through.
    private let busOwner: any Bus

    public init(bus: any Bus) {
        self.busOwner = bus
        self.bus = bus
        state = .allocate(capacity: 1)
        state.initialize(to: CoreState())
        ar = .allocate(capacity: 16)
        ar.initialize(repeating: 0, count: 16)
        regions = .allocate(capacity: Self.maxRegions)
        dummyPage = .allocate(byteCount: 16, alignment: 16)
        reset(pc: 0x4000_0080)
    }

    deinit {
        for index in 0..<regionCount where regions[index].ownsMemory {
            regions[index].pointer?.deallocate()
        }
        regions.deinitialize(count: regionCount)
        regions.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
        ar.deallocate()
        dummyPage.deallocate()
    }

    /// The state after a reset (XEA2): PS.INTLEVEL 15 with EXCM set, VECBASE at the ROM, timers
    /// and interrupts cleared. Memory is left alone, as on the chip.
    public func reset(pc: UInt32) {
        state.pointee = CoreState()
        ar.update(repeating: 0, count: 16)
        state.pointee.pc = pc
        state.pointee.ps = 0x1F
        state.pointee.vecbase = 0x4000_0000
    }

    // MARK: Registers

    /// Address register a0…a15.
    public subscript(register index: Int) -> UInt32 {
        get { precondition(index >= 0 && index < 16); return ar[index] }
        set { precondition(index >= 0 && index < 16); ar[index] = newValue }
    }

    public var pc: UInt32 {
        get { state.pointee.pc }
        set { state.pointee.pc = newValue }
    }

    public var ps: UInt32 {
        get { state.pointee.ps }
        set { state.pointee.ps = newValue & CoreState.psMask }
    }

    public var sar: UInt32 { state.pointee.sar }
    public var ccount: UInt32 {
        get { state.pointee.ccount }
        set { state.pointee.ccount = newValue }
    }
    public var ccompare0: UInt32 { state.pointee.ccompare0 }
    public var epc1: UInt32 { state.pointee.epc[1] }
    public var epc2: UInt32 { state.pointee.epc[2] }
    public var epc3: UInt32 { state.pointee.epc[3] }
    public var depc: UInt32 { state.pointee.depc }
    public var exccause: UInt32 { state.pointee.exccause }
    public var excvaddr: UInt32 { state.pointee.excvaddr }
    public var vecbase: UInt32 { state.pointee.vecbase }
    public var intenable: UInt32 { state.pointee.intenable }
    public var interrupt: UInt32 { state.pointee.interrupt }
    public var litbase: UInt32 { state.pointee.litbase }

    /// Drives an external interrupt line (0–5 level-triggered, 8–13 edge, 14 NMI): a level
    /// line stays pending while asserted, an edge is latched until INTCLEAR.
    public func setInterrupt(_ number: Int, asserted: Bool) {
        guard number >= 0 && number < 15 else { return }
        let bit: UInt32 = 1 << UInt32(number)
        if asserted { state.pointee.interrupt |= bit } else if CoreState.levelTriggered & bit != 0 { state.pointee.interrupt &= ~bit }
    }

    /// Where an interrupt of this level (2 = debug, 3 = NMI) or exception kind enters, from VECBASE.
    static let kernelVectorOffset: UInt32 = 0x30
    static let userVectorOffset: UInt32 = 0x50
    static let doubleVectorOffset: UInt32 = 0x70
    static let debugVectorOffset: UInt32 = 0x10
    static let nmiVectorOffset: UInt32 = 0x20
}

/// The core's special registers and PC (the address registers live in `LX106Core.ar`).
struct CoreState {
    var pc: UInt32 = 0
    var sar: UInt32 = 0
    var litbase: UInt32 = 0
    var ps: UInt32 = 0
    var vecbase: UInt32 = 0
    var exccause: UInt32 = 0
    var excvaddr: UInt32 = 0
    var depc: UInt32 = 0
    /// Indexed by level; [0] unused.
    var epc = Levels()
    var eps = Levels()
    var excsave = Levels()
    var intenable: UInt32 = 0
    var interrupt: UInt32 = 0
    var ccount: UInt32 = 0
    var ccompare0: UInt32 = 0
    var debugcause: UInt32 = 0
    var icount: UInt32 = 0
    var icountlevel: UInt32 = 0
    var ibreakenable: UInt32 = 0
    var ibreaka0: UInt32 = 0
    var dbreaka0: UInt32 = 0
    var dbreakc0: UInt32 = 0
    /// In WAITI until an interrupt is taken.
    var waiting = false

    /// PS fields that exist without windows: INTLEVEL, EXCM, UM, RING (one ring: always 0).
    static let psMask: UInt32 = 0x3F
    static let psEXCM: UInt32 = 0x10
    static let psUM: UInt32 = 0x20
    /// Interrupts 0–5 follow their line; 6 is the timer, 7 software, 8–13 edge, 14 NMI.
    static let levelTriggered: UInt32 = 0x3F
    static let timerBit: UInt32 = 1 << 6
    static let softwareBit: UInt32 = 1 << 7
    /// INTCLEAR reaches the software and edge-triggered bits (and not the timer: CCOMPARE0 writes clear it).
    static let clearable: UInt32 = 0x7F80
    static let level1Mask: UInt32 = 0x3FFF
    static let nmiBit: UInt32 = 1 << 14

    struct Levels {
        private var storage: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        subscript(level: Int) -> UInt32 {
            get {
                switch level { case 1: storage.1; case 2: storage.2; case 3: storage.3; default: storage.0 }
            }
            set {
                switch level { case 1: storage.1 = newValue; case 2: storage.2 = newValue; case 3: storage.3 = newValue; default: storage.0 = newValue }
            }
        }
    }
}

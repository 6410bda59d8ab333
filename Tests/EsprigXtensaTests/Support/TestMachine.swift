import EsprigImage
import EsprigXtensa

/// A bare LX106 for tests: instruction RAM at 0x40100000 (32-bit access only, as on the ESP8266),
/// data RAM below 0x40000000, and a trap page at 0x40000000 whose addresses this harness answers
/// in Swift: `out_char`, `test_exit`, the libgcc helpers Debian's libgcc.a leaves to the ESP8266
/// ROM, and the exception vectors (VECBASE stays at 0x40000000), which end the run.
final class TestMachine: Bus {
    static let iramBase: UInt32 = 0x4010_0000
    static let iramSize: UInt32 = 0x8_0000   // larger than the chip's 32 KiB: room for the far L32R and J tests
    static let dramBase: UInt32 = 0x3FFE_8000
    static let dramSize: UInt32 = 0x1_8000
    /// A word of I/O for tests of the bus path.
    static let ioBase: UInt32 = 0x6000_0000

    enum Outcome: Equatable, CustomStringConvertible {
        case exited(UInt32)
        /// An exception reached a vector: which, EXCCAUSE, EPC1 (or DEPC for a double exception), EXCVADDR.
        case exception(vector: UInt32, cause: UInt32, pc: UInt32, vaddr: UInt32)
        case outOfCycles
        case idle

        var description: String {
            switch self {
            case .exited(let code): "exited(\(code))"
            case .exception(let vector, let cause, let pc, let vaddr):
                "exception at vector 0x\(String(vector, radix: 16)) cause \(cause) pc 0x\(String(pc, radix: 16)) vaddr 0x\(String(vaddr, radix: 16))"
            case .outOfCycles: "out of cycles"
            case .idle: "idle"
            }
        }
    }

    private(set) var core: LX106Core!
    private(set) var output: [UInt8] = []
    var ioWord: UInt32 = 0
    var ioLog: [String] = []

    init() {
        core = LX106Core(bus: self)
        core.mapMemory(base: 0x4000_0000, size: 0x1_0000, access: [.read, .execute, .wordOnly, .trapOnFetch])
        core.mapMemory(base: Self.iramBase, size: Self.iramSize, access: [.read, .write, .execute, .wordOnly])
        core.mapMemory(base: Self.dramBase, size: Self.dramSize, access: [.read, .write])
        core.mapIO(base: Self.ioBase, size: 0x100)
    }

    /// Copies the ELF's allocated program sections into memory and points the core at its entry.
    func load(elf bytes: [UInt8]) throws {
        let elf = try ELFFile(bytes: bytes)
        let shfAlloc: UInt32 = 2
        for section in elf.sections where section.isProgram && section.flags & shfAlloc != 0 && !section.data.isEmpty {
            guard core.writeBytes(section.data, at: section.address) else {
                throw LoadError(description: "section \(section.name) at 0x\(String(section.address, radix: 16)) is outside the test machine's memory")
            }
        }
        core.reset(pc: elf.entry)
        core.ps = 0   // as if the ROM had handed over: interrupts at level 0, EXCM clear
    }

    struct LoadError: Error, CustomStringConvertible { let description: String }

    /// Loads raw code at the start of IRAM and runs it from there.
    func load(code: [UInt8], at address: UInt32 = TestMachine.iramBase) {
        var padded = code
        while padded.count % 4 != 0 { padded.append(0) }
        core.writeBytes(padded, at: address)
        core.reset(pc: address)
        core.ps = 0
    }

    func run(cycles: Int = 200_000_000) -> Outcome {
        var left = cycles
        while left > 0 {
            let result = core.run(cycles: left)
            left -= result.cycles
            switch result.stop {
            case .budgetSpent: return .outOfCycles
            case .idle: return .idle
            case .trap(let pc):
                if let outcome = trap(pc) { return outcome }
            }
        }
        return .outOfCycles
    }

    private func arg(_ n: Int) -> UInt32 { core[register: 2 + n] }
    private func arg64(_ n: Int) -> UInt64 { UInt64(core[register: 2 + n]) | UInt64(core[register: 3 + n]) << 32 }
    private func ret(_ v: UInt32) { core[register: 2] = v }
    private func ret64(_ v: UInt64) { core[register: 2] = UInt32(truncatingIfNeeded: v); core[register: 3] = UInt32(truncatingIfNeeded: v >> 32) }

    private func trap(_ pc: UInt32) -> Outcome? {
        switch pc {
        case 0x4000_0010, 0x4000_0020, 0x4000_0030, 0x4000_0050, 0x4000_0070:
            let pc = pc == 0x4000_0070 ? core.depc : (pc == 0x4000_0010 ? core.epc2 : core.epc1)
            return .exception(vector: pc == 0 ? 0 : core.pc, cause: core.exccause, pc: pc, vaddr: core.excvaddr)
        case 0x4000_0100: output.append(UInt8(truncatingIfNeeded: arg(0)))
        case 0x4000_0104: return .exited(arg(0))
        case 0x4000_0110: ret(arg(1) == 0 ? 0 : arg(0) / arg(1))
        case 0x4000_0114:
            let (a, b) = (Int32(bitPattern: arg(0)), Int32(bitPattern: arg(1)))
            ret(b == 0 ? 0 : UInt32(bitPattern: a.dividedReportingOverflow(by: b).partialValue))
        case 0x4000_0118: ret(arg(1) == 0 ? 0 : arg(0) % arg(1))
        case 0x4000_0120: ret64(arg64(2) == 0 ? 0 : arg64(0) / arg64(2))
        case 0x4000_0124:
            let (a, b) = (Int64(bitPattern: arg64(0)), Int64(bitPattern: arg64(2)))
            ret64(b == 0 ? 0 : UInt64(bitPattern: a.dividedReportingOverflow(by: b).partialValue))
        case 0x4000_0128: ret64(arg64(2) == 0 ? 0 : arg64(0) % arg64(2))
        case 0x4000_012C: ret64(arg64(0) &* arg64(2))
        case 0x4000_0130: ret64(UInt64(arg(0)) * UInt64(arg(1)))
        default:
            return .exception(vector: pc, cause: 0xFFFF, pc: core[register: 0], vaddr: 0)
        }
        core.pc = core[register: 0]
        return nil
    }

    var text: String { String(decoding: output, as: UTF8.self) }

    // MARK: Bus

    func load(_ address: UInt32, size: Int) -> UInt32? {
        guard address == Self.ioBase else { return nil }
        ioLog.append("load \(size)")
        return ioWord
    }

    func store(_ address: UInt32, value: UInt32, size: Int) -> Bool {
        guard address == Self.ioBase else { return false }
        ioLog.append("store \(size) 0x\(String(value, radix: 16))")
        ioWord = value
        return true
    }
}

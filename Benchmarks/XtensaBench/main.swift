// Runs an LX106 ELF (the workload built by Benchmarks/xtensa_speed.py) on EsprigXtensa's core and
// prints what it printed, the instruction count and the rate. Two trap addresses: out_char
// (0x40000100) and exit (0x40000104).
import EsprigImage
import EsprigXtensa
import Foundation

final class NoDevices: Bus {
    func load(_ address: UInt32, size: Int) -> UInt32? { nil }
    func store(_ address: UInt32, value: UInt32, size: Int) -> Bool { false }
}

guard CommandLine.arguments.count == 2, let data = FileManager.default.contents(atPath: CommandLine.arguments[1]) else {
    FileHandle.standardError.write(Data("usage: esprig-xtensa-bench WORKLOAD.elf\n".utf8))
    exit(1)
}
let bytes = [UInt8](data)
let elf = try ELFFile(bytes: bytes)
let core = LX106Core(bus: NoDevices())
core.mapMemory(base: 0x4000_0000, size: 0x1_0000, access: [.read, .execute, .wordOnly, .trapOnFetch])
core.mapMemory(base: 0x4010_0000, size: 0x8000, access: [.read, .write, .execute, .wordOnly])
core.mapMemory(base: 0x3FFE_8000, size: 0x1_8000, access: [.read, .write])
for header in elf.programHeaders where header.type == ELFFile.ProgramHeader.typeLoad && header.fileSize > 0 {
    core.writeBytes(Array(bytes[Int(header.offset)..<Int(header.offset + header.fileSize)]), at: header.physicalAddress)
}
core.reset(pc: elf.entry)
core.ps = 0

var printed: [UInt8] = []
var instructions = 0
let clock = ContinuousClock()
let started = clock.now
run: while true {
    let result = core.run(cycles: 1 << 30)
    instructions += result.cycles
    guard case .trap(let pc) = result.stop else {
        FileHandle.standardError.write(Data("the workload stopped without exiting: \(result.stop)\n".utf8))
        exit(2)
    }
    switch pc {
    case 0x4000_0100: printed.append(UInt8(truncatingIfNeeded: core[register: 2]))
    case 0x4000_0104: break run
    default:
        FileHandle.standardError.write(Data("the workload reached 0x\(String(pc, radix: 16)) (an exception vector?)\n".utf8))
        exit(2)
    }
    core.pc = core[register: 0]
}
let elapsed = started.duration(to: clock.now)
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("output: \(String(decoding: printed, as: UTF8.self))", terminator: "")
print("instructions: \(instructions)")
print(String(format: "seconds: %.3f", seconds))
print(String(format: "MIPS: %.1f", Double(instructions) / seconds / 1e6))

@testable import EsprigESP8266
import EsprigTestSupport
import Foundation
import Testing

@Suite("ESP8266 machine: memory map, ROM functions, watchdog")
struct ESP8266MachineTests {
    static let etsRun: UInt32 = 0x4000_0E04

    @Test("a call into a ROM function the simulator lacks stops the core with its name and address")
    func unimplementedROMFunction() {
        let machine = ESP8266Machine.bare()
        machine.start(segments: [], entry: 0x4000_2CC4)   // ets_timer_arm (eagle.rom.addr.v6.ld)
        let (text, events) = machine.runAll(for: .milliseconds(10))
        #expect(text.contains("ROM function ets_timer_arm at 0x40002cc4"), "\(text)")
        #expect(text.contains("the simulated core is stopped"), "\(text)")
        #expect(machine.status == .halted)
        #expect(machine.nextWake == nil)
        #expect(events.count == 1)

        let unknown = ESP8266Machine.bare()
        unknown.start(segments: [], entry: 0x4000_1234)
        #expect(unknown.runAll(for: .milliseconds(10)).text.contains("ROM address at 0x40001234"))
    }

    @Test("the ROM's watchdog resets an app that never disables it after about 1.6 s; ets_wdt_disable stops it")
    func watchdog() {
        let idle = ESP8266Machine.bare()
        idle.start(segments: [], entry: Self.etsRun)   // the app returns at once
        let first = idle.run(until: .seconds(1), maxCycles: 1_000_000)
        #expect(first.isEmpty)
        #expect(idle.status == .idle)
        #expect(idle.nextWake == .milliseconds(1600))
        let later = idle.run(until: .seconds(3), maxCycles: 1_000_000)
        #expect(later == [.reset(.watchdog, at: .milliseconds(1600))])

        let disabled = ESP8266Machine.bare()
        disabled.start(segments: [], entry: 0x4000_30F0)   // ets_wdt_disable, then back to ets_run
        #expect(disabled.run(until: .seconds(10), maxCycles: 1_000_000).isEmpty)
        #expect(disabled.status == .idle)
        #expect(disabled.nextWake == nil)
    }

    @Test("a store to the ROM and a jump into unmapped memory end in the ROM's fatal exception dump with the ISA's causes")
    func exceptions() {
        // s32i a2, a3, 0 with a3 at the ROM: a read-only instruction memory answers LoadStoreError (3).
        let store = ESP8266Machine.bare()
        store.start(segments: [.init(address: MemoryMap.iramBase, bytes: Encode.s32i(t: 2, s: 3) + [0])], entry: MemoryMap.iramBase)
        store.core[register: 3] = MemoryMap.romBase + 0x100
        let stored = store.runAll(for: .milliseconds(10)).text
        #expect(stored.contains("Fatal exception (3): \r\nepc1=0x40100000"), "\(stored)")
        #expect(stored.contains("excvaddr=0x40000100"), "\(stored)")

        // Fetching where nothing is mapped: InstructionFetchError (2).
        let jump = ESP8266Machine.bare()
        jump.start(segments: [], entry: 0x5000_0000)
        let jumped = jump.runAll(for: .milliseconds(10)).text
        #expect(jumped.contains("Fatal exception (2): \r\nepc1=0x50000000"), "\(jumped)")
        // The chip then hangs until the watchdog bites.
        #expect(jump.status == .idle)
        #expect(jump.run(until: .seconds(2), maxCycles: 1000) == [.reset(.watchdog, at: .milliseconds(1600))])
    }

    @Test("a segment outside RAM is refused with a simulator message; nothing runs")
    func segmentOutsideRAM() {
        let machine = ESP8266Machine.bare()
        machine.start(segments: [.init(address: 0x6000_0000, bytes: [1, 2, 3, 4])], entry: MemoryMap.iramBase)
        let text = machine.runAll(for: .milliseconds(10)).text
        #expect(text.contains("segment 0 (4 bytes at 0x60000000) is outside RAM"), "\(text)")
        #expect(machine.status == .halted)
    }

    @Test("firmware that writes UART0's FIFO register is heard; uart_div_modify changes the rate")
    func uart() {
        // s32i a2, a3, 0 to the FIFO, then ret (to ets_run).
        let machine = ESP8266Machine.bare()
        machine.start(segments: [.init(address: MemoryMap.iramBase, bytes: Encode.s32i(t: 2, s: 3) + Encode.ret + [0, 0])], entry: MemoryMap.iramBase)
        machine.core[register: 2] = 0x41
        machine.core[register: 3] = 0x6000_0000
        let (text, _) = machine.runAll(for: .milliseconds(10))
        #expect(text == "A")

        let rate = ESP8266Machine.bare()
        rate.start(segments: [], entry: 0x4000_39D8)   // uart_div_modify(0, 80 MHz / 115200)
        rate.core[register: 2] = 0
        rate.core[register: 3] = 80_000_000 / 115_200
        let events = rate.run(until: .milliseconds(10), maxCycles: 1000)
        #expect(events.count == 1)
        if case .baudChange(let baud, _)? = events.first { #expect(baud == 115_200) } else { Issue.record("\(events)") }
    }

    @Test("ets_printf's integer conversions equal C's printf for the ROM's format subset")
    func printfAgainstC() {
        var random = SeededRandom(seed: 0xE5_8266)
        let formats = ["%d", "%i", "%u", "%x", "%X", "%o", "%8d", "%-8d|", "%08x", "%08X", "%5u", "%012d", "%-3x|", "%ld", "%lu", "%lx"]
        for _ in 0..<300 {
            let format = formats[Int(random.next() % UInt64(formats.count))]
            let value = UInt32(truncatingIfNeeded: random.next() >> UInt64(random.next() % 40))
            // C's printf (through Foundation's String(format:), which passes these to the C library's rules).
            let expected: String
            switch format.last(where: { $0.isLetter }) {
            case "d", "i": expected = String(format: format.replacingOccurrences(of: "h", with: "").replacingOccurrences(of: "l", with: ""), Int32(bitPattern: value))
            default: expected = String(format: format.replacingOccurrences(of: "l", with: ""), value)
            }
            let got = ROMPrintf.format(Array(format.utf8), argument: { _ in value }, string: { _ in [] })
            #expect(String(decoding: got, as: UTF8.self) == expected, "\(format) of \(value)")
        }
        let strings = ROMPrintf.format(Array("[%s|%5s|%-5s|%c|%%|%q]".utf8), argument: { UInt32($0) },
                                       string: { Array(["ab", "cd", "ef"][Int($0)].utf8) })
        #expect(String(decoding: strings, as: UTF8.self) == "[ab|   cd|ef   |\u{3}|%|%q]")
    }

    @Test("software_reset reboots; an endless loop with interrupts off is ended by the watchdog")
    func resets() {
        let software = ESP8266Machine.bare()
        software.start(segments: [], entry: 0x4000_264C)   // software_reset
        #expect(software.run(until: .milliseconds(10), maxCycles: 1000).map { event -> Bool in
            if case .reset(.software, _) = event { return true } else { return false }
        } == [true])
        #expect(software.status == .halted)

        // rsil a2, 15 (interrupts off), then `j .` forever; a short watchdog keeps the test quick.
        var configuration = ESP8266Machine.Configuration()
        configuration.watchdogTimeout = .milliseconds(5)
        let spinning = ESP8266Machine(flash: ArrayFlash(), configuration: configuration, deviceRegister: { _ in nil })
        spinning.start(segments: [.init(address: MemoryMap.iramBase, bytes: Encode.rsil(t: 2, level: 15) + Encode.jumpToSelf + [0, 0])],
                       entry: MemoryMap.iramBase)
        let events = spinning.run(until: .milliseconds(50), maxCycles: 10_000_000)
        #expect(events == [.reset(.watchdog, at: .milliseconds(5))])
        #expect(spinning.core.ps & 0xF == 15, "the loop ran with interrupts off")
    }
}

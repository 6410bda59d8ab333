import EsprigTestSupport

/// Assembles a snippet into a program for the test machine and runs it. The snippet runs from
/// `_start` (after a literal pool, with `--text-section-literals`); falling off its end jumps to
/// the exit trap (which clobbers a0; its literal sits next to it, so even a
/// 256 KiB body can exit). Tests then read registers off `machine.core`.
struct AssemblyRun {
    let machine: TestMachine
    let outcome: TestMachine.Outcome
    /// Where `_start` was linked.
    let start: UInt32

    init(_ body: String, tail: String = "", cycles: Int = 100_000) throws {
        let source = """
            \t.text
            \t.align 4
            .Lexit_address:
            \t.word 0x40000104
            \t.literal_position
            \t.align 4
            \t.global _start
            _start:
            \(body)
            .Lexit:
            \t_j 1f
            \t.align 4
            2:\t.word 0x40000104
            1:\tl32r a0, 2b
            \tjx a0
            \(tail)

            """
        let directory = try TempDirectory(prefix: "lx106-asm")
        let elf = try CrossToolchain.assemble(source, in: directory)
        machine = TestMachine()
        try machine.load(elf: elf)
        start = machine.core.pc
        outcome = machine.run(cycles: cycles)
    }

    subscript(_ register: Int) -> UInt32 { machine.core[register: register] }

    /// The registers a2…a15 (a0 is the exit jump's, a1 untouched).
    var registers: [UInt32] { (2...15).map { machine.core[register: $0] } }
}

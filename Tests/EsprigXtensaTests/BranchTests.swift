import Testing

/// Branch and literal offsets at both ends of their encodings. The `_` prefix keeps the assembler
/// from relaxing or narrowing an instruction, and each test also checks the encoded offset field,
/// so the layout really is at the limit.
@Suite("LX106 branch and literal ranges", .enabled(if: CrossToolchain.isAvailable, "xtensa-lx106-elf-as not found: apt-get install binutils-xtensa-lx106"))
struct BranchTests {
    /// The instruction word at `address` (3 bytes, little-endian).
    private func word(_ run: AssemblyRun, _ address: UInt32) -> UInt32 {
        let bytes = run.machine.core.readBytes(address, count: 3) ?? [0, 0, 0]
        return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16
    }

    @Test("BEQ reaches PC+4+127 forward and PC+4−128 backward (8-bit offset)")
    func eightBitOffsets() throws {
        let run = try AssemblyRun("""
            movi a2, 0
            movi a3, 0
            movi a5, 0
            movi a6, 0
            movi a14, .Lforward
            movi a15, .Lbackward
            .Lforward:
            _beq a2, a3, .Lforward_target
            .fill 128, 1, 0
            .Lforward_target:
            _movi a5, 1
            _j .Lbackward
            .Lbackward_target:
            _movi a6, 1
            _j .Lexit
            .fill 118, 1, 0
            .Lbackward:
            _beq a2, a3, .Lbackward_target
            _j .Lexit
            """)
        #expect(run.outcome == .exited(0))
        #expect(run[5] == 1)
        #expect(run[6] == 1)
        #expect(word(run, run[14]) >> 16 == 0x7F)
        #expect(word(run, run[15]) >> 16 == 0x80)
    }

    @Test("BEQZ reaches PC+4+2047 forward and PC+4−2048 backward (12-bit offset)")
    func twelveBitOffsets() throws {
        let run = try AssemblyRun("""
            movi a2, 0
            movi a5, 0
            movi a6, 0
            movi a14, .Lforward
            movi a15, .Lbackward
            .Lforward:
            _beqz a2, .Lforward_target
            .fill 2048, 1, 0
            .Lforward_target:
            _movi a5, 1
            _j .Lbackward
            .Lbackward_target:
            _movi a6, 1
            _j .Lexit
            .fill 2038, 1, 0
            .Lbackward:
            _beqz a2, .Lbackward_target
            _j .Lexit
            """)
        #expect(run.outcome == .exited(0))
        #expect(run[5] == 1)
        #expect(run[6] == 1)
        #expect(word(run, run[14]) >> 12 == 0x7FF)
        #expect(word(run, run[15]) >> 12 == 0x800)
    }

    @Test("BEQZ.N and BNEZ.N reach PC+4+63 and PC+4 (6-bit forward offset)")
    func narrowOffsets() throws {
        let run = try AssemblyRun("""
            movi a2, 0
            movi a3, 1
            movi a5, 0
            movi a6, 0
            movi a15, .Lbranch
            .Lbranch:
            beqz.n a2, .Lfar
            .fill 65, 1, 0
            .Lfar:
            movi a5, 1
            bnez.n a3, .Lnear
            .fill 2, 1, 0
            .Lnear:
            movi a6, 1
            """)
        #expect(run.outcome == .exited(0))
        #expect(run[5] == 1)
        #expect(run[6] == 1)
        let far = run.machine.core.readBytes(run[15], count: 2) ?? [0, 0]
        #expect((UInt32(far[0]) >> 4) & 3 == 3 && far[1] >> 4 == 15, "offset field is 63")
    }

    @Test("J reaches PC+4+131071 forward and PC+4−131072 backward (18-bit offset)")
    func jumpOffsets() throws {
        let run = try AssemblyRun("""
            movi a5, 0
            movi a6, 0
            movi a14, .Lforward
            movi a15, .Lbackward
            .Lforward:
            _j .Lforward_target
            .fill 131072, 1, 0
            .Lforward_target:
            _movi a5, 1
            _j .Lbackward
            .Lbackward_target:
            _movi a6, 1
            _j .Lexit
            .fill 131062, 1, 0
            .Lbackward:
            _j .Lbackward_target
            """, cycles: 1000)
        #expect(run.outcome == .exited(0))
        #expect(run[5] == 1)
        #expect(run[6] == 1)
        #expect(word(run, run[14]) >> 6 == 0x1FFFF)
        #expect(word(run, run[15]) >> 6 == 0x20000)
    }

    @Test("B*I compare with the B4CONST table (−1 … 256) and B*UI with B4CONSTU (32768, 65536); BBCI/BBSI bits 0 and 31")
    func immediateBranches() throws {
        let run = try AssemblyRun("""
            movi a2, -1
            movi a3, 256
            movi a4, 32768
            movi a5, 65535
            movi a6, 0x80000001
            movi a7, 0
            beqi a2, -1, 1f
            j .Lexit
            1: addi a7, a7, 1
            beqi a3, 256, 1f
            j .Lexit
            1: addi a7, a7, 1
            bgeui a4, 32768, 1f
            j .Lexit
            1: addi a7, a7, 1
            bltui a5, 65536, 1f
            j .Lexit
            1: addi a7, a7, 1
            blti a2, 0, 1f
            j .Lexit
            1: addi a7, a7, 1
            bbsi a6, 31, 1f
            j .Lexit
            1: addi a7, a7, 1
            bbsi a6, 0, 1f
            j .Lexit
            1: addi a7, a7, 1
            bbci a6, 30, 1f
            j .Lexit
            1: addi a7, a7, 1
            bnei a3, 256, .Lexit
            addi a7, a7, 1
            bgei a2, 1, .Lexit
            addi a7, a7, 1
            """)
        #expect(run[7] == 10)
    }

    @Test("register branches: signed against unsigned, BALL/BNALL/BANY/BNONE masks, BBC/BBS by register")
    func registerBranches() throws {
        let run = try AssemblyRun("""
            movi a2, -1
            movi a3, 1
            movi a4, 0xF0
            movi a5, 0x30
            movi a6, 31
            movi a7, 0
            blt a2, a3, 1f
            j .Lexit
            1: addi a7, a7, 1
            bltu a3, a2, 1f
            j .Lexit
            1: addi a7, a7, 1
            bge a3, a2, 1f
            j .Lexit
            1: addi a7, a7, 1
            bgeu a2, a3, 1f
            j .Lexit
            1: addi a7, a7, 1
            ball a4, a5, 1f
            j .Lexit
            1: addi a7, a7, 1
            bnall a5, a4, 1f
            j .Lexit
            1: addi a7, a7, 1
            bany a4, a5, 1f
            j .Lexit
            1: addi a7, a7, 1
            bnone a3, a4, 1f
            j .Lexit
            1: addi a7, a7, 1
            bbs a2, a6, 1f
            j .Lexit
            1: addi a7, a7, 1
            bbc a3, a6, 1f
            j .Lexit
            1: addi a7, a7, 1
            bne a2, a2, .Lexit
            beq a2, a3, .Lexit
            addi a7, a7, 1
            """)
        #expect(run[7] == 11)
    }

    @Test("L32R reads 256 KiB below (PC+3)&~3 (offset field 0) and just below it")
    func literalRange() throws {
        let run = try AssemblyRun("""
            movi a9, .Lfar
            jx a9
            .align 4
            .Lfar_literal:
            .word 0xCAFEF00D
            .fill 262136, 1, 0
            .Lnear_literal:
            .word 0x600DF00D
            .Lfar:
            _l32r a4, .Lfar_literal
            _l32r a3, .Lnear_literal
            """)
        #expect(run.outcome == .exited(0))
        #expect(run[3] == 0x600D_F00D)
        #expect(run[4] == 0xCAFE_F00D)
        #expect(word(run, run[9]) >> 8 == 0, "offset field 0 means −262144")
    }

    @Test("with LITBASE enabled, L32R reads below LITBASE instead of PC")
    func literalBase() throws {
        let run = try AssemblyRun("""
            movi a2, 0x3FFE8FFC
            movi a3, 0x5EED1234
            s32i a3, a2, 0
            addi a4, a2, 5      # LITBASE 0x3FFE9000, enable bit set
            wsr a4, litbase
            isync
            .byte 0x51, 0xff, 0xff   # l32r a5, [LITBASE − 4]
            movi a6, 0
            wsr a6, litbase
            isync
            """)
        #expect(run[5] == 0x5EED_1234)
    }
}

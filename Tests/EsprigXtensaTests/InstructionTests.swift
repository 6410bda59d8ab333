import Testing

/// Hand-written assembly per instruction group, assembled by Debian's xtensa-lx106-elf-as (which
/// encodes the LX106 configuration), with expected values worked out from the Xtensa ISA
/// reference's definitions rather than taken from the core.
@Suite("LX106 instructions", .enabled(if: CrossToolchain.isAvailable, "xtensa-lx106-elf-as not found: apt-get install binutils-xtensa-lx106"))
struct InstructionTests {
    @Test("SAR set by SSL/SSR/WSR; SLL, SRL, SRA and SRC by 0 and by 32")
    func shiftsByZeroAndThirtyTwo() throws {
        let run = try AssemblyRun("""
            movi a3, 0x12345678
            movi a4, 0
            ssl a4              # SAR = 32 - 0
            sll a5, a3          # shifts left by 32 - SAR = 0
            ssr a4              # SAR = 0
            sll a6, a3          # left by 32: nothing left
            srl a7, a3          # right by 0
            movi a8, 32
            wsr a8, sar
            srl a9, a3          # right by 32
            movi a10, 0x80000000
            sra a11, a10        # sign fills all 32 bits
            src a12, a3, a10    # (a3:a10) >> 32 = a3
            rsr a13, sar
            """)
        #expect(run.outcome == .exited(run[2]))
        #expect(run[5] == 0x1234_5678)
        #expect(run[6] == 0)
        #expect(run[7] == 0x1234_5678)
        #expect(run[9] == 0)
        #expect(run[11] == 0xFFFF_FFFF)
        #expect(run[12] == 0x1234_5678)
        #expect(run[13] == 32)
    }

    @Test("SRC funnel shifts via SSA8L/SSA8B/SSAI; SLLI, SRAI, SRLI and EXTUI at their limits")
    func funnelAndImmediateShifts() throws {
        let run = try AssemblyRun("""
            movi a2, 0x11223344
            movi a3, 0xAABBCCDD
            movi a4, 1
            ssa8l a4            # SAR = 8
            src a5, a2, a3
            ssa8b a4            # SAR = 32 - 8
            src a6, a2, a3
            ssai 31
            src a7, a2, a3
            slli a8, a3, 31
            slli a9, a3, 1
            srai a10, a3, 31
            srai a11, a3, 0
            srli a12, a3, 15
            extui a13, a3, 28, 4
            extui a14, a3, 0, 16
            extui a15, a3, 31, 1
            """)
        #expect(run[5] == 0x44AA_BBCC)
        #expect(run[6] == 0x2233_44AA)
        #expect(run[7] == 0x2244_6689)
        #expect(run[8] == 0x8000_0000)
        #expect(run[9] == 0x5577_99BA)
        #expect(run[10] == 0xFFFF_FFFF)
        #expect(run[11] == 0xAABB_CCDD)
        #expect(run[12] == 0x1_5577)
        #expect(run[13] == 0xA)
        #expect(run[14] == 0xCCDD)
        #expect(run[15] == 1)
    }

    @Test("MUL16U, MUL16S and MULL at the extremes (only the low 16 bits of MUL16 operands count)")
    func multiplies() throws {
        let run = try AssemblyRun("""
            movi a2, 0xFFFF
            movi a3, 0x8000
            mul16u a4, a2, a2
            mul16s a5, a2, a2
            mul16s a6, a3, a3
            mul16s a7, a2, a3
            movi a8, 0xFFFFFFFF
            mull a9, a8, a8
            movi a10, 0x10001
            mull a11, a10, a10
            movi a12, 0x12340003
            mul16u a13, a12, a12
            mul16s a14, a8, a3
            """)
        #expect(run[4] == 0xFFFE_0001)       // 65535²
        #expect(run[5] == 1)                 // (−1)·(−1)
        #expect(run[6] == 0x4000_0000)       // (−32768)²
        #expect(run[7] == 0x8000)            // (−1)·(−32768)
        #expect(run[9] == 1)                 // (2³²−1)² mod 2³²
        #expect(run[11] == 0x2_0001)         // 0x1_0002_0001 mod 2³²
        #expect(run[13] == 9)
        #expect(run[14] == 0x8000)
    }

    /// RST2 encodings (op0 0, op1 2) of options the LX106 lacks (core-isa.h: MUL32_HIGH 0, DIV32 0),
    /// so `QUOS` of INT_MIN/−1 or `MULUH` of large values cannot happen: each is IllegalInstruction.
    @Test("MULUH, MULSH, QUOU, QUOS, REMU and REMS raise IllegalInstruction (0) at their address",
          arguments: [("muluh", 10), ("mulsh", 11), ("quou", 12), ("quos", 13), ("remu", 14), ("rems", 15)] as [(String, UInt32)])
    func missingOptions(name: String, op2: UInt32) throws {
        let word = op2 << 20 | 2 << 16 | 2 << 12 | 3 << 8 | 4 << 4   // NAME a2, a3, a4
        let bytes = [word & 0xFF, (word >> 8) & 0xFF, word >> 16].map { "0x" + String($0, radix: 16) }
        let run = try AssemblyRun("""
            _movi a2, 7
            movi a3, 0x80000000
            _movi a4, -1
            .Lbad: .byte \(bytes.joined(separator: ", "))
            """)
        guard case .exception(_, let cause, let pc, _) = run.outcome else {
            Issue.record("\(name) did not raise: \(run.outcome)")
            return
        }
        #expect(cause == 0)
        #expect(pc == run.start + 9)   // after three 3-byte MOVIs
        #expect(run[2] == 7, "\(name) must not write its result")
    }

    @Test("NSA and NSAU at 0, ±1 and the sign boundary")
    func normalizationShifts() throws {
        let run = try AssemblyRun("""
            movi a2, 0
            movi a3, 1
            movi a4, 0x80000000
            movi a5, -1
            movi a6, 0x40000000
            movi a7, 0xC0000000
            nsau a8, a2
            nsau a9, a3
            nsau a10, a4
            nsa a11, a2
            nsa a12, a5
            nsa a13, a3
            nsa a14, a6
            nsa a15, a7
            """)
        #expect(run[8] == 32)
        #expect(run[9] == 31)
        #expect(run[10] == 0)
        #expect(run[11] == 31)
        #expect(run[12] == 31)
        #expect(run[13] == 30)
        #expect(run[14] == 0)
        #expect(run[15] == 1)
    }

    @Test("ADDX/SUBX, NEG, ABS of INT_MIN, ADDMI and the conditional moves")
    func arithmeticGroup() throws {
        let run = try AssemblyRun("""
            movi a2, 5
            movi a3, 0x80000000
            addx2 a4, a2, a2        # 15
            addx8 a5, a2, a3        # 0x80000028
            subx4 a6, a2, a3        # 20 - 0x80000000
            neg a7, a2
            abs a8, a3              # INT_MIN stays INT_MIN
            abs a9, a7
            addmi a10, a2, -32768   # 5 - 0x8000
            movi a11, 111
            movi a12, 0
            moveqz a11, a2, a12     # taken
            movi a13, 222
            movnez a13, a2, a12     # not taken
            movi a14, 333
            movltz a14, a2, a3      # taken: a3 < 0
            movi a15, 444
            movgez a15, a2, a3      # not taken
            """)
        #expect(run[4] == 15)
        #expect(run[5] == 0x8000_0028)
        #expect(run[6] == 0x8000_0014)
        #expect(run[7] == 0xFFFF_FFFB)
        #expect(run[8] == 0x8000_0000)
        #expect(run[9] == 5)
        #expect(run[10] == 0xFFFF_8005)
        #expect(run[11] == 5)
        #expect(run[13] == 222)
        #expect(run[14] == 5)
        #expect(run[15] == 444)
    }

    @Test("density forms: MOVI.N −32 and 95, ADDI.N −1, MOV.N, ADD.N, L32I.N/S32I.N, RET.N")
    func densityForms() throws {
        let run = try AssemblyRun("""
            movi.n a2, -32
            movi.n a3, 95
            addi.n a4, a3, -1
            mov.n a5, a2
            add.n a6, a2, a3
            movi a7, 0x3FFE8000
            s32i.n a3, a7, 60
            l32i.n a8, a7, 60
            _call0 .Lleaf
            movi.n a10, 1
            j .Lexit
            .align 4
            .Lleaf:
            movi.n a9, 9
            ret.n
            """)
        #expect(run[2] == 0xFFFF_FFE0)
        #expect(run[3] == 95)
        #expect(run[4] == 94)
        #expect(run[5] == 0xFFFF_FFE0)
        #expect(run[6] == 63)
        #expect(run[8] == 95)
        #expect(run[9] == 9)
        #expect(run[10] == 1)
    }

    @Test("CALL0 and CALLX0 link a0 to the next instruction; JX and RET jump to a register")
    func callsAndJumps() throws {
        let run = try AssemblyRun("""
            movi a4, 0
            _call0 .Lf          # a0 = .Lback1
            .Lback1:
            movi a3, .Lf
            _callx0 a3          # a0 = .Lback2
            .Lback2:
            movi a6, .Lskip
            jx a6
            movi a4, 99         # skipped
            .align 4
            .Lskip:
            movi a7, .Lback1
            movi a8, .Lback2
            j .Lexit
            .align 4
            .Lf:
            addi a4, a4, 1
            mov a5, a0
            bnez a2, .Lsecond
            movi a2, 1
            mov a9, a0
            ret
            .Lsecond:
            mov a10, a0
            ret
            """)
        #expect(run[4] == 2)
        #expect(run[9] == run[7])
        #expect(run[10] == run[8])
    }

    @Test("loads and stores of every width with their largest offsets; L16SI sign-extends")
    func loadsAndStores() throws {
        let run = try AssemblyRun("""
            movi a2, 0x3FFE8000
            movi a3, 0x89ABCDEF
            s32i a3, a2, 1020
            s16i a3, a2, 510
            s8i a3, a2, 255
            l32i a4, a2, 1020
            l16ui a5, a2, 510
            l16si a6, a2, 510
            l8ui a7, a2, 255
            addmi a15, a2, 768
            l8ui a8, a15, 255
            l16ui a9, a15, 254
            addi a10, a2, -128
            addi a11, a2, 127
            """)
        #expect(run[4] == 0x89AB_CDEF)
        #expect(run[5] == 0xCDEF)
        #expect(run[6] == 0xFFFF_CDEF)
        #expect(run[7] == 0xEF)
        #expect(run[8] == 0x89)
        #expect(run[9] == 0x89AB)
        #expect(run[10] == 0x3FFE_7F80)
        #expect(run[11] == 0x3FFE_807F)
    }

    @Test("a misaligned 16- or 32-bit access raises LoadStoreAlignment (9) with EXCVADDR",
          arguments: ["l16ui a3, a2, 0", "l16si a3, a2, 0", "l32i a3, a2, 0", "s16i a3, a2, 0", "s32i a3, a2, 0", "l32i.n a3, a2, 0"])
    func misaligned(instruction: String) throws {
        let run = try AssemblyRun("""
            movi a2, 0x3FFE8003
            \(instruction)
            """)
        guard case .exception(let vector, let cause, _, let vaddr) = run.outcome else {
            Issue.record("\(instruction): \(run.outcome)")
            return
        }
        #expect(cause == 9)
        #expect(vaddr == 0x3FFE_8003)
        #expect(vector == 0x4000_0030, "PS.UM is 0: the kernel vector")
    }

    @Test("8- and 16-bit access to instruction RAM raises LoadStoreError (3); 32-bit works",
          arguments: ["l8ui a3, a2, 0", "l16ui a3, a2, 0", "l16si a3, a2, 2", "s8i a3, a2, 0", "s16i a3, a2, 0"])
    func instructionRAMIsWordOnly(instruction: String) throws {
        let run = try AssemblyRun("""
            movi a2, 0x40100000
            l32i a4, a2, 0
            \(instruction)
            """)
        guard case .exception(_, let cause, _, let vaddr) = run.outcome else {
            Issue.record("\(instruction): \(run.outcome)")
            return
        }
        #expect(cause == 3)
        #expect(vaddr == 0x4010_0000 + (instruction.hasSuffix("2") ? 2 : 0))
        #expect(run[4] == 0x4000_0104, "the 32-bit load read the literal pool")
    }

    @Test("unmapped loads and stores raise LoadProhibited (28) / StoreProhibited (29); a store to ROM is LoadStoreError (3)",
          arguments: [("l32i a3, a2, 0", 0x0000_0000, 28), ("s32i a3, a2, 0", 0x0000_0000, 29),
                      ("l8ui a3, a2, 0", 0x5000_0000, 28), ("s32i a3, a2, 0", 0x4000_1000, 3)] as [(String, UInt32, UInt32)])
    func prohibitedAccess(instruction: String, address: UInt32, expected: UInt32) throws {
        let run = try AssemblyRun("""
            movi a2, 0x\(String(address, radix: 16))
            \(instruction)
            """)
        guard case .exception(_, let cause, _, let vaddr) = run.outcome else {
            Issue.record("\(instruction): \(run.outcome)")
            return
        }
        #expect(cause == expected)
        #expect(vaddr == address)
    }

    @Test("illegal encodings raise IllegalInstruction (0) at their own address",
          arguments: ["0x00, 0x00, 0x00", "0x6d, 0xf0", "0x36, 0x21, 0x00", "0x90, 0x00, 0x00", "0x0e, 0x00",
                      "0x0f, 0x00", "0x76, 0x82, 0x04", "0x32, 0xe2, 0x00", "0x1d, 0xf0", "0x00, 0x10, 0x00"])
    func illegalEncodings(bytes: String) throws {
        // ILL, ILL.N, ENTRY a1 (windows), RETW, op0 14 and 15, LOOP, S32C1I, RETW.N, MOVSP.
        let run = try AssemblyRun("""
            _movi a2, 0
            .byte \(bytes)
            """)
        guard case .exception(let vector, let cause, let pc, _) = run.outcome else {
            Issue.record("\(bytes): \(run.outcome)")
            return
        }
        #expect(cause == 0)
        #expect(pc == run.start + 3)
        #expect(vector == 0x4000_0030)
    }

    @Test("SYSCALL: EPC1 at the instruction, EXCCAUSE 1; PS.UM picks the user vector; with EXCM set it is a double exception")
    func exceptionEntry() throws {
        let kernel = try AssemblyRun("""
            _nop
            syscall
            """)
        #expect(kernel.outcome == .exception(vector: 0x4000_0030, cause: 1, pc: kernel.start + 3, vaddr: 0))
        #expect(kernel.machine.core.ps & 0x10 != 0, "EXCM set on entry")

        let user = try AssemblyRun("""
            movi a2, 0x20
            wsr a2, ps
            rsync
            syscall
            """)
        guard case .exception(let vector, 1, _, _) = user.outcome else { Issue.record("\(user.outcome)"); return }
        #expect(vector == 0x4000_0050)

        let double = try AssemblyRun("""
            _movi a2, 0x10
            wsr a2, ps
            rsync
            syscall
            """)
        guard case .exception(let vector, 1, let depc, _) = double.outcome else { Issue.record("\(double.outcome)"); return }
        #expect(vector == 0x4000_0070)
        #expect(depc == double.start + 9)
    }

    @Test("exceptions go through a relocated VECBASE; RFE returns to EPC1 and clears EXCM; RSIL returns the old PS")
    func vectorsAndReturn() throws {
        let run = try AssemblyRun("""
            movi a2, .Lvectors
            wsr a2, vecbase
            rsil a3, 3          # a3 = old PS (0), level 3
            rsil a4, 0          # a4 = 3
            movi a8, 0
            syscall
            addi a8, a8, 1      # reached after RFE
            rsr a9, ps
            """, tail: """
            .balign 1024
            .Lvectors:
            .fill 0x30, 1, 0
            .Lkernel:
            rsr a6, exccause
            rsr a7, epc1
            addi a7, a7, 3
            wsr a7, epc1
            rsr a10, ps
            rfe
            """)
        #expect(run.outcome == .exited(run[2]))
        #expect(run[3] == 0)
        #expect(run[4] == 3)
        #expect(run[6] == 1)
        #expect(run[8] == 1)
        #expect(run[9] & 0x10 == 0, "RFE cleared EXCM")
        #expect(run[10] & 0x10 != 0, "the handler ran with EXCM set")
        #expect(run[2] & 0x3FF == 0 && run[2] == run.machine.core.vecbase)
    }

    @Test("CCOMPARE0 raises interrupt 6 when CCOUNT reaches it: WAITI sleeps until then, the handler sees cause 4")
    func timerInterrupt() throws {
        let run = try AssemblyRun("""
            movi a2, .Lvectors
            wsr a2, vecbase
            movi a12, 0
            rsr a3, ccount
            addi a3, a3, 100
            wsr a3, ccompare0
            movi a4, 0x40
            wsr a4, intenable
            rsync
            waiti 0
            rsr a13, ccount
            rsr a14, interrupt
            """, tail: """
            .balign 1024
            .Lvectors:
            .fill 0x30, 1, 0
            .Lkernel:
            rsr a9, exccause
            rsr a10, interrupt
            movi a11, 0
            wsr a11, ccompare0  # acknowledges the timer
            addi a12, a12, 1
            rfe
            """)
        #expect(run.outcome == .exited(run[2]))
        #expect(run[9] == 4)
        #expect(run[10] & 0x40 != 0)
        #expect(run[12] == 1)
        #expect(run[14] & 0x40 == 0)
        let late = run[13] &- run[3]
        #expect(late > 0 && late < 20, "woke \(late) cycles after CCOMPARE0")
    }

    @Test("WAITI with no interrupt enabled idles; a masked timer does not wake the core")
    func idle() throws {
        let nothing = try AssemblyRun("waiti 0")
        #expect(nothing.outcome == .idle)
        let masked = try AssemblyRun("""
            rsr a3, ccount
            addi a3, a3, 50
            wsr a3, ccompare0
            movi a4, 0x40
            wsr a4, intenable
            waiti 1
            """)
        #expect(masked.outcome == .idle)
        #expect(masked.machine.core.interrupt & 0x40 != 0, "the timer is pending but masked at level 1")
    }

    @Test("INTSET raises the software interrupt (7) at once when enabled; INTCLEAR clears it")
    func softwareInterrupt() throws {
        let run = try AssemblyRun("""
            movi a2, .Lvectors
            wsr a2, vecbase
            movi a4, 0x80
            wsr a4, intenable
            wsr a4, intset
            rsync
            movi a5, 5
            """, tail: """
            .balign 1024
            .Lvectors:
            .fill 0x30, 1, 0
            rsr a9, exccause
            rsr a10, interrupt
            movi a11, 0x80
            wsr a11, intclear
            rsr a12, interrupt
            rfe
            """)
        #expect(run.outcome == .exited(run[2]))
        #expect(run[9] == 4)
        #expect(run[10] == 0x80)
        #expect(run[12] == 0)
        #expect(run[5] == 5)
    }

    @Test("CCOUNT advances one per instruction (the core's timing model)")
    func cycleCount() throws {
        let run = try AssemblyRun("""
            rsr a3, ccount
            nop
            nop
            nop
            rsr a4, ccount
            """)
        #expect(run[4] &- run[3] == 4)
    }

    @Test("I/O loads and stores reach the bus with their widths")
    func busAccess() throws {
        let run = try AssemblyRun("""
            movi a2, 0x60000000
            movi a3, 0x1234
            s32i a3, a2, 0
            l32i a4, a2, 0
            l8ui a5, a2, 0
            s16i a3, a2, 0
            """)
        #expect(run[4] == 0x1234)
        #expect(run[5] == 0x34, "a byte load keeps only the low byte of what the bus answered")
        #expect(run.machine.ioLog == ["store 4 0x1234", "load 4", "load 1", "store 2 0x1234"])
    }
}

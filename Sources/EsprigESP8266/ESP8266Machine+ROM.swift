import EsprigXtensa

/// The mask ROM, written in Swift: the core stops when it fetches from the ROM, and this runs
/// the function at that address with call0's conventions (arguments in a2…a7 then on the stack,
/// results in a2/a3, return to a0), or reports what the ROM does at an exception vector.
extension ESP8266Machine {
    /// The exception and interrupt vectors at VECBASE's reset value: debug, NMI, kernel, user, double.
    static let romVectors: [UInt32: String] = [
        0x4000_0010: "debug", 0x4000_0020: "NMI", 0x4000_0030: "kernel", 0x4000_0050: "user", 0x4000_0070: "double",
    ]

    func handleTrap(_ pc: UInt32) {
        if Self.romVectors[pc] != nil {
            fatalException(vector: pc)
            return
        }
        guard let function = ROMFunction.byAddress[pc] else {
            let name = UnsimulatedROMSymbols.byAddress[pc].map { "ROM function \($0)" } ?? "ROM address"
            stop("the firmware called \(name) at \(Self.hex(pc)) (return address \(Self.hex(core[register: 0]))), which the simulator does not implement")
            return
        }
        call(function)
        if status == .running { core.pc = core[register: 0] }
    }

    /// What the ROM prints for an exception nothing handles; then the chip hangs until the watchdog bites.
    private func fatalException(vector: UInt32) {
        let cause = vector == 0x4000_0010 ? core.epc2 : core.exccause
        let line = "Fatal exception (\(vector == 0x4000_0010 ? 0 : cause)): \n"
            + "epc1=\(Self.hex(core.epc1)), epc2=\(Self.hex(core.epc2)), epc3=\(Self.hex(core.epc3)), "
            + "excvaddr=\(Self.hex(core.excvaddr)), depc=\(Self.hex(core.depc))\n"
        transmit(Self.consoleLineEndings(Array(line.utf8)))
        status = .idle
    }

    // MARK: Arguments

    /// The n-th 32-bit argument: a2…a7, then the caller's outgoing stack area at a1.
    func argument(_ n: Int) -> UInt32 {
        if n < 6 { return core[register: 2 + n] }
        return core.readWord(core[register: 1] &+ UInt32(4 * (n - 6))) ?? 0
    }

    private func argument64(_ n: Int) -> UInt64 { UInt64(argument(n)) | UInt64(argument(n + 1)) << 32 }
    private func float(_ n: Int) -> Float { Float(bitPattern: argument(n)) }
    private func double(_ n: Int) -> Double { Double(bitPattern: argument64(n)) }
    private func result(_ value: UInt32) { core[register: 2] = value }
    private func result64(_ value: UInt64) {
        core[register: 2] = UInt32(truncatingIfNeeded: value)
        core[register: 3] = UInt32(truncatingIfNeeded: value >> 32)
    }
    private func result(float value: Float) { result(value.bitPattern) }
    private func result(double value: Double) { result64(value.bitPattern) }

    /// The ROM's console writes LF as CR LF (its boot text is CR LF throughout).
    static func consoleLineEndings(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        for byte in bytes {
            if byte == 0x0A { out.append(0x0D) }
            out.append(byte)
        }
        return out
    }

    // MARK: The functions

    // One switch, one row per ROM entry point.
    private func call(_ function: ROMFunction) {
        switch function {
        case .etsPrintf:
            let format = core.readCString(argument(0)) ?? []
            let text = ROMPrintf.format(format, argument: { self.argument($0 + 1) },
                                        string: { self.core.readCString($0) ?? Array("(null)".utf8) })
            transmit(Self.consoleLineEndings(text))
            result(UInt32(text.count))
        case .etsPutc:
            transmit(Self.consoleLineEndings([UInt8(truncatingIfNeeded: argument(0))]))
        case .uartTxOneChar:
            transmit([UInt8(truncatingIfNeeded: argument(0))])
            result(0)
        case .uartDivModify:
            if argument(0) == 0 && argument(1) & 0xF_FFFF > 0 {
                peripherals.clockDivider = argument(1) & 0xF_FFFF
                changeDivider(to: peripherals.clockDivider)
            }
        case .etsDelayUs:
            spend(cycles: UInt64(argument(0)) * UInt64(configuration.cpuHz / 1_000_000))
        case .etsGetCPUFrequency:
            result(UInt32(configuration.cpuHz / 1_000_000))
        case .etsUpdateCPUFrequency:
            break
        case .etsWdtDisable:
            peripherals.watchdogEnabled = false
        case .etsWdtEnable:
            peripherals.watchdogEnabled = true
            watchdogDeadline = time + configuration.watchdogTimeout
        case .etsIntrLock:
            core.ps = (core.ps & ~0xF) | 3
        case .etsIntrUnlock:
            core.ps = core.ps & ~0xF
        case .xthalGetCCount:
            result(core.ccount)
        case .softwareReset:
            reset(.software)
        case .rtcGetResetReason:
            result(configuration.resetCause)
        case .etsRun:
            // The app returned to the ROM: its task loop has nothing to run.
            status = .idle
        case .spiRead:
            let (address, destination, size) = (Int(argument(0)), argument(1), Int(argument(2)))
            guard let bytes = flash.read(address, count: size), core.writeBytes(bytes, at: destination) else { result(1); return }
            result(0)
        case .spiWrite:
            let (address, source, size) = (Int(argument(0)), argument(1), Int(argument(2)))
            guard let bytes = core.readBytes(source, count: size), flash.program(bytes, at: address) else { result(1); return }
            result(0)
        case .spiEraseSector:
            result(flash.erase(sector: Int(argument(0))) ? 0 : 1)
        case .spiEraseBlock:
            let first = Int(argument(0)) * 16
            result((first..<first + 16).allSatisfy { flash.erase(sector: $0) } ? 0 : 1)
        case .cacheReadEnable:
            // (odd_even, mb_count, …): which 2 MB half, then which MB of it, appears at 0x40200000.
            let megabyte = Int(argument(0) & 0xFF) * 2 + Int(argument(1) & 0xFF)
            let start = megabyte * Int(MemoryMap.flashWindowSize)
            let count = max(0, min(Int(MemoryMap.flashWindowSize), flash.size - start))
            var window = flash.read(start, count: count) ?? []
            window += [UInt8](repeating: 0xFF, count: Int(MemoryMap.flashWindowSize) - window.count)
            core.fill(flashWindow, with: window)
            core.setEnabled(flashWindow, true)
        case .cacheReadDisable:
            core.setEnabled(flashWindow, false)
        case .memcpy, .etsMemcpy, .memmove, .etsMemmove:
            let (destination, source, count) = (argument(0), argument(1), Int(argument(2)))
            if let bytes = core.readBytes(source, count: count) { core.writeBytes(bytes, at: destination) }
            result(destination)
        case .memset, .etsMemset:
            let destination = argument(0)
            core.writeBytes([UInt8](repeating: UInt8(truncatingIfNeeded: argument(1)), count: Int(argument(2))), at: destination)
            result(destination)
        case .bzero, .etsBzero:
            core.writeBytes([UInt8](repeating: 0, count: Int(argument(1))), at: argument(0))
        case .memcmp, .etsMemcmp:
            let count = Int(argument(2))
            let a = core.readBytes(argument(0), count: count) ?? []
            let b = core.readBytes(argument(1), count: count) ?? []
            result(Self.compare(a, b, limit: count))
        case .strlen, .etsStrlen:
            result(UInt32(core.readCString(argument(0), limit: 1 << 20)?.count ?? 0))
        case .strcmp, .etsStrcmp:
            result(Self.compare((core.readCString(argument(0)) ?? []) + [0], (core.readCString(argument(1)) ?? []) + [0], limit: .max))
        case .strncmp, .etsStrncmp:
            let limit = Int(argument(2))
            result(Self.compare((core.readCString(argument(0), limit: limit) ?? []) + [0],
                                (core.readCString(argument(1), limit: limit) ?? []) + [0], limit: limit))
        case .strcpy, .etsStrcpy:
            let destination = argument(0)
            core.writeBytes((core.readCString(argument(1), limit: 1 << 20) ?? []) + [0], at: destination)
            result(destination)
        case .divsi3:
            let (a, b) = (Int32(bitPattern: argument(0)), Int32(bitPattern: argument(1)))
            result(b == 0 ? 0 : UInt32(bitPattern: a.dividedReportingOverflow(by: b).partialValue))
        case .udivsi3:
            result(argument(1) == 0 ? 0 : argument(0) / argument(1))
        case .umodsi3:
            result(argument(1) == 0 ? 0 : argument(0) % argument(1))
        case .muldi3:
            result64(argument64(0) &* argument64(2))
        case .divdi3:
            let (a, b) = (Int64(bitPattern: argument64(0)), Int64(bitPattern: argument64(2)))
            result64(b == 0 ? 0 : UInt64(bitPattern: a.dividedReportingOverflow(by: b).partialValue))
        case .udivdi3:
            result64(argument64(2) == 0 ? 0 : argument64(0) / argument64(2))
        case .umoddi3:
            result64(argument64(2) == 0 ? 0 : argument64(0) % argument64(2))
        case .umulsidi3:
            result64(UInt64(argument(0)) * UInt64(argument(1)))
        case .addsf3: result(float: float(0) + float(1))
        case .subsf3: result(float: float(0) - float(1))
        case .mulsf3: result(float: float(0) * float(1))
        case .adddf3: result(double: double(0) + double(2))
        case .subdf3: result(double: double(0) - double(2))
        case .muldf3: result(double: double(0) * double(2))
        case .divdf3: result(double: double(0) / double(2))
        case .fixdfsi: result(UInt32(bitPattern: Self.saturating(double(0), Int32.self)))
        case .fixunsdfsi: result(Self.saturating(double(0), UInt32.self))
        case .fixunssfsi: result(Self.saturating(Double(float(0)), UInt32.self))
        case .floatsidf: result(double: Double(Int32(bitPattern: argument(0))))
        case .floatsisf: result(float: Float(Int32(bitPattern: argument(0))))
        case .floatunsidf: result(double: Double(argument(0)))
        case .floatunsisf: result(float: Float(argument(0)))
        case .extendsfdf2: result(double: Double(float(0)))
        case .truncdfsf2: result(float: Float(double(0)))
        }
    }

    /// memcmp's sign: the first differing byte decides.
    private static func compare(_ a: [UInt8], _ b: [UInt8], limit: Int) -> UInt32 {
        for i in 0..<min(limit, min(a.count, b.count)) where a[i] != b[i] {
            return UInt32(bitPattern: Int32(a[i]) - Int32(b[i]))
        }
        return 0
    }

    /// C's conversion is undefined out of range; libgcc's truncates toward zero, and NaN and
    /// overflow saturate here rather than trap the simulator.
    private static func saturating<T: FixedWidthInteger>(_ value: Double, _: T.Type) -> T {
        guard value.isFinite else { return value.isNaN ? 0 : (value > 0 ? .max : .min) }
        if value >= Double(T.max) { return .max }
        if value <= Double(T.min) { return .min }
        return T(value.rounded(.towardZero))
    }
}

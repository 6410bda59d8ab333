import EsprigProtocol

extension Connection {
    /// Uploads the stub to RAM (MEM_BEGIN/MEM_DATA per segment, MEM_END with the entry) and
    /// waits for its `OHAI` greeting.
    ///
    /// A noisy line garbles frames: a block the ROM rejects is sent again; anything else (a lost
    /// reply, a garbled MEM_BEGIN or MEM_END, no greeting) re-syncs and restarts the upload from
    /// MEM_BEGIN with smaller blocks, up to `attempts` times. A re-sync that finds the stub
    /// answering means it started and only its greeting was lost.
    public func runStub(_ stub: FlasherStub, attempts: Int = 6) throws(LoaderError) {
        guard let spec = chip else { throw LoaderError(.invalidRequest, "chip unknown before stub upload") }
        var lastError: LoaderError?
        for attempt in 0..<max(1, attempts) {
            let blockSize = [spec.ramBlockSize, 1024, 256][min(attempt, 2)]
            do throws(LoaderError) {
                try sendToRAM(stub.segments, blockSize: blockSize)
                try startStub(stub)
                return
            } catch {
                if error.isDisconnect { throw error }
                lastError = error
            }
            do throws(LoaderError) {
                if try resync() {
                    mode = .stub
                    return
                }
            } catch {
                if error.isDisconnect { throw error }
                lastError = error
            }
        }
        throw LoaderError(.stub, "failed to upload the flasher stub after \(max(1, attempts)) attempts: \(lastError?.message ?? "unknown error")",
                          hint: "check the cable; retry with --no-stub (slower) if the line stays noisy")
    }

    private func startStub(_ stub: FlasherStub) throws(LoaderError) {
        // MEM_END flag 0 = jump to entry. The ROM may not answer before jumping.
        try sendFrame(CommandPacket(.memEnd, data: .le(0, stub.entry)).encoded())
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(3)
        while clock.now < deadline {
            guard let frame = try readFrame(timeout: deadline - clock.now) else { break }
            if frame == Array("OHAI".utf8) {
                mode = .stub
                return
            }
            // The MEM_END reply comes first; a refusal means the ROM did not jump (a garbled frame).
            if let r = ResponsePacket(frame: frame), r.opcode == Opcode.memEnd.rawValue {
                let parsed = ParsedResponse(r, expectedResultLength: 0)
                if !parsed.status.isSuccess {
                    throw LoaderError(.commandFailed, "MEM_END failed (\(parsed.status))", opcode: .memEnd, status: parsed.status)
                }
                continue
            }
            throw LoaderError(.stub, "failed to start the flasher stub: unexpected reply \(frame.prefix(16).map { hex2($0) }.joined())",
                              hint: "reset the board and retry, or use --no-stub")
        }
        throw LoaderError(.stub, "failed to start the flasher stub: no greeting from \(stub.origin)",
                          hint: "reset the board and retry, or use --no-stub")
    }
}

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
                try uploadSegments(stub, blockSize: blockSize)
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

    private func uploadSegments(_ stub: FlasherStub, blockSize block: Int) throws(LoaderError) {
        for (start, bytes) in [(stub.textStart, stub.text), (stub.dataStart, stub.data)] where !bytes.isEmpty {
            let blocks = (bytes.count + block - 1) / block
            try command(.memBegin, .le(UInt32(bytes.count), UInt32(blocks), UInt32(block), start))
            for seq in 0..<blocks {
                let chunk = Array(bytes[(seq * block)..<min(bytes.count, (seq + 1) * block)])
                try sendMemBlock(seq: seq, chunk)
            }
        }
    }

    /// One MEM_DATA block. Only a reply to this block saying it was refused (bad checksum or
    /// length, or the garbled-opcode "invalid message") proves the ROM did not take it, so only
    /// then is it sent again; after silence the ROM may hold it already, so the caller restarts.
    private func sendMemBlock(seq: Int, _ chunk: [UInt8]) throws(LoaderError) {
        var refusals = 0
        while true {
            do throws(LoaderError) {
                try dataBlock(.memData, seq: seq, chunk, timeout: timeouts.standard)
                return
            } catch {
                let refused = error.code == .commandFailed || error.code == .unsupported
                refusals += 1
                guard refused, refusals < 8 else { throw error }
                try flushInput()
            }
        }
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

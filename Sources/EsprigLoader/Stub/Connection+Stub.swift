import EsprigProtocol

extension Connection {
    /// Uploads the stub to RAM (MEM_BEGIN/MEM_DATA per segment, MEM_END with the entry) and
    /// waits for its `OHAI` greeting.
    public func runStub(_ stub: FlasherStub) throws(LoaderError) {
        guard let spec = chip else { throw LoaderError(.invalidRequest, "chip unknown before stub upload") }
        // A noisy line garbles big frames; each failed upload retries with smaller blocks.
        var lastError: LoaderError?
        for blockSize in [spec.ramBlockSize, 1024, 256] {
            do throws(LoaderError) {
                try uploadSegments(stub, blockSize: blockSize)
                lastError = nil
                break
            } catch {
                if error.isDisconnect { throw error }
                lastError = error
                try flushInput()
            }
        }
        if let lastError {
            throw LoaderError(.stub, "failed to upload the flasher stub: \(lastError.message)",
                              hint: "check the cable; retry with --no-stub (slower) if the line stays noisy")
        }
        try startStub(stub)
    }

    private func uploadSegments(_ stub: FlasherStub, blockSize block: Int) throws(LoaderError) {
        for (start, bytes) in [(stub.textStart, stub.text), (stub.dataStart, stub.data)] where !bytes.isEmpty {
            let blocks = (bytes.count + block - 1) / block
            try retrying(3) { () throws(LoaderError) in
                try command(.memBegin, .le(UInt32(bytes.count), UInt32(blocks), UInt32(block), start))
            }
            for seq in 0..<blocks {
                let chunk = Array(bytes[(seq * block)..<min(bytes.count, (seq + 1) * block)])
                try retrying(8) { () throws(LoaderError) in try dataBlock(.memData, seq: seq, chunk, timeout: timeouts.standard) }
            }
        }
    }


    private func startStub(_ stub: FlasherStub) throws(LoaderError) {
        // MEM_END flag 0 = jump to entry. The ROM may not answer before jumping; errors are ignored.
        try sendFrame(CommandPacket(.memEnd, data: .le(0, stub.entry)).encoded())
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(3)
        while clock.now < deadline {
            guard let frame = try readFrame(timeout: deadline - clock.now) else { break }
            if frame == Array("OHAI".utf8) {
                mode = .stub
                return
            }
            // The MEM_END reply (or an echo of it) comes first; anything else is unexpected.
            if let r = ResponsePacket(frame: frame), r.opcode == Opcode.memEnd.rawValue { continue }
            throw LoaderError(.stub, "failed to start the flasher stub: unexpected reply \(frame.prefix(16).map { hex2($0) }.joined())",
                              hint: "reset the board and retry, or use --no-stub")
        }
        throw LoaderError(.stub, "failed to start the flasher stub: no greeting from \(stub.origin)",
                          hint: "reset the board and retry, or use --no-stub")
    }
}

import EsprigProtocol

/// One piece of code or data to download to the chip's RAM.
public struct RAMSegment: Sendable, Equatable {
    public var address: UInt32
    public var data: [UInt8]

    public init(address: UInt32, data: [UInt8]) {
        self.address = address
        self.data = data
    }

    var range: Range<UInt64> { UInt64(address)..<UInt64(address) + UInt64(data.count) }
}

extension Connection {
    /// MEM_BEGIN(size, blocks, block size, address) and the MEM_DATA blocks of each segment: the
    /// download both the stub upload and `load-ram` make (esptool `mem_begin`/`mem_block`).
    func sendToRAM(_ segments: [RAMSegment], blockSize block: Int, willSend: (RAMSegment) -> Void = { _ in }) throws(LoaderError) {
        for segment in segments where !segment.data.isEmpty {
            willSend(segment)
            let bytes = segment.data
            let blocks = (bytes.count + block - 1) / block
            try command(.memBegin, .le(UInt32(bytes.count), UInt32(blocks), UInt32(block), segment.address))
            for seq in 0..<blocks {
                try sendMemBlock(seq: seq, Array(bytes[(seq * block)..<min(bytes.count, (seq + 1) * block)]))
            }
        }
    }

    /// One MEM_DATA block. Only a reply to this block saying it was refused (bad checksum or
    /// length, or the garbled-opcode "invalid message") proves the loader did not take it, so
    /// only then is it sent again; after silence it may hold it already, so the caller restarts.
    func sendMemBlock(seq: Int, _ chunk: [UInt8]) throws(LoaderError) {
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

    /// esptool `load_ram`: downloads the segments in the chip's RAM block size, then MEM_END
    /// (flag 0, `entry`) so the chip jumps there. A ROM may jump before its reply is out (the
    /// code may reset the UART), so from the ROM a missing or garbled reply is not an error, as
    /// in esptool's `mem_finish`; the stub answers first, so there it is.
    public func loadRAM(_ segments: [RAMSegment], entry: UInt32, willSend: (RAMSegment) -> Void = { _ in }) throws(LoaderError) {
        guard let spec = chip else { throw LoaderError(.invalidRequest, "chip unknown before a RAM download") }
        try sendToRAM(segments, blockSize: spec.ramBlockSize, willSend: willSend)
        let fromStub = isStub
        do throws(LoaderError) {
            try command(.memEnd, .le(entry == 0 ? 1 : 0, entry), timeout: fromStub ? timeouts.standard : .milliseconds(200))
        } catch {
            if fromStub || error.isDisconnect { throw error }
        }
    }
}

import EsprigProtocol
import EsprigCodecs

extension Connection {
    /// The stub's READ_FLASH: it streams packets, the host acknowledges the running total after
    /// each, and a final frame carries the MD5 of everything sent.
    ///
    /// A garbled packet (wrong length) does not stop the exchange: it is acknowledged as if whole
    /// so the stub finishes its stream and the line is clean for the next request, and the read
    /// then fails. Only silence leaves the stub in an unknown state (the caller re-syncs).
    func readFlashStreaming(address: Int, size: Int, packetSize: Int = 0x1000, events: FlashEventHandler) throws(LoaderError) -> [UInt8] {
        try command(.readFlash, .le(UInt32(address), UInt32(size), UInt32(packetSize), 64))
        var data: [UInt8] = []
        data.reserveCapacity(size)
        var sent = 0
        var problem: LoaderError?
        let perPacket = timeouts.standard + wireTime(bytes: packetSize * 2, baud: baud)
        while sent < size {
            guard let frame = try readFrame(timeout: perPacket) else {
                throw LoaderError(.timeout, String(format: "read-flash stalled at 0x%08x (%d of %d bytes)", address + sent, sent, size),
                                  hint: "lower --baud and retry")
            }
            // Every packet but the last is exactly packetSize long: anything else was garbled or cut.
            let expected = min(packetSize, size - sent)
            if frame.count != expected {
                problem = problem ?? LoaderError(.protocolViolation, String(format: "corrupt data at 0x%08x: expected a 0x%x-byte READ_FLASH packet but received 0x%x bytes", address + sent, expected, frame.count))
            } else if problem == nil {
                data += frame
            }
            sent += expected
            try sendFrame(.le(UInt32(sent)))
            events(.bytesRead(done: sent, total: size))
        }
        guard let digest = try readFrame(timeout: perPacket), digest.count == 16 else {
            throw problem ?? LoaderError(.protocolViolation, "read-flash ended without its MD5 frame")
        }
        if let problem { throw problem }
        let local = MD5.digest(data)
        guard digest == local else {
            throw LoaderError(.verifyFailed, "digest mismatch after read-flash: expected \(local.map { hex2($0) }.joined()), got \(digest.map { hex2($0) }.joined())",
                              hint: "the line corrupted data; lower --baud and retry")
        }
        return data
    }

    /// ESP32-family ROM READ_FLASH_SLOW: 64 bytes a command.
    func readFlashSlow(address: Int, size: Int, events: FlashEventHandler) throws(LoaderError) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(size)
        while data.count < size {
            let n = min(64, size - data.count)
            let reply = try command(.readFlashSlow, .le(UInt32(address + data.count), UInt32(n)), resultLength: 64)
            data += reply.result.prefix(n)
            events(.bytesRead(done: data.count, total: size))
        }
        return data
    }
}

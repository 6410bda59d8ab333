import EsprigProtocol
import EsprigCodecs

extension Connection {
    /// The stub's READ_FLASH: it streams packets, the host acknowledges the running total after
    /// each, and a final frame carries the MD5 of everything sent.
    func readFlashStreaming(address: Int, size: Int, events: FlashEventHandler) throws(LoaderError) -> [UInt8] {
        let packetSize = 0x1000
        try command(.readFlash, .le(UInt32(address), UInt32(size), UInt32(packetSize), 64))
        var data: [UInt8] = []
        data.reserveCapacity(size)
        let perPacket = timeouts.standard + wireTime(bytes: packetSize * 2, baud: baud)
        while data.count < size {
            guard let frame = try readFrame(timeout: perPacket) else {
                throw LoaderError(.timeout, String(format: "read-flash stalled at 0x%08x (%d of %d bytes)", address + data.count, data.count, size),
                                  hint: "lower --baud and retry")
            }
            if frame.count < packetSize && data.count + frame.count < size {
                throw LoaderError(.protocolViolation, "corrupt data: expected 0x\(String(packetSize, radix: 16)) bytes but received 0x\(String(frame.count, radix: 16))")
            }
            data += frame
            if data.count > size { throw LoaderError(.protocolViolation, "read more than expected") }
            try sendFrame(.le(UInt32(data.count)))
            events(.bytesRead(done: data.count, total: size))
        }
        guard let digest = try readFrame(timeout: perPacket), digest.count == 16 else {
            throw LoaderError(.protocolViolation, "read-flash ended without its MD5 frame")
        }
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

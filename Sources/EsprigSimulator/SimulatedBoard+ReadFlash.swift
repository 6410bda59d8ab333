import EsprigCodecs
import EsprigFraming
import EsprigProtocol

/// Stub READ_FLASH (0xD2): after the normal reply the stub sends raw frames of `packet_size`
/// bytes; the host acks each with a 4-byte frame holding the total received so far. One packet
/// is in flight (the legacy stub's effective behaviour, which esptool relies on). After the last
/// ack comes one 16-byte frame with the MD5 of everything read.
struct ReadFlashStream {
    let offset: Int
    let length: Int
    let packetSize: Int
    var sent = 0
    var md5 = MD5()
    var isFinished = false
}

extension SimulatedBoard {
    func startReadFlash(_ command: CommandPacket) -> Reply {
        let d = command.data
        guard d.count == 16, let offset = d.u32LE(at: 0), let length = d.u32LE(at: 4),
              let packetSize = d.u32LE(at: 8), packetSize > 0, packetSize <= 0x1000 else {
            return .fail(StubError.badDataLength)
        }
        guard nor.contains(Int(offset), count: Int(length)) else { return .fail(StubError.failedSPIOperation) }
        var stream = ReadFlashStream(offset: Int(offset), length: Int(length), packetSize: Int(packetSize))
        var reply = Reply(readyAt: flashReady())
        reply.followUp = [nextReadFlashOutput(&stream)]
        readStream = stream.isFinished ? nil : stream
        return reply
    }

    /// The next data packet, or the digest once everything was sent (then the stream ends).
    private func nextReadFlashOutput(_ stream: inout ReadFlashStream) -> BoardOutput {
        guard stream.sent < stream.length else {
            stream.isFinished = true
            return .bytes(SLIP.encode(stream.md5.finalize()), notBefore: nil)
        }
        let count = min(stream.packetSize, stream.length - stream.sent)
        let chunk = nor.read(stream.offset + stream.sent, count: count)
        stream.md5.update(chunk)
        stream.sent += count
        readPacketsSent += 1
        if readPacketsSent == options.replyFaults.loseReadPacketAt { return .bytes([], notBefore: nil) }
        let frame = SLIP.encode(chunk)
        return .bytes(readPacketsSent == options.replyFaults.repeatReadPacketAt ? frame + frame : frame, notBefore: nil)
    }

    /// A frame received while streaming: the ack for the packet in flight. Anything else ends the
    /// stream early (the stub then sends the digest of what it read and drops that frame).
    func handleReadFlashAck(_ frame: [UInt8], into out: inout [BoardOutput]) {
        guard var stream = readStream else { return }
        guard frame.count == 4, let acked = frame.u32LE(at: 0) else {
            out.append(.bytes(SLIP.encode(stream.md5.finalize()), notBefore: nil))
            readStream = nil
            return
        }
        // A stale or corrupted ack: keep waiting for the right one (esptool resends nothing, so
        // its own timeout reports the problem).
        guard Int(acked) == stream.sent else { return }
        out.append(nextReadFlashOutput(&stream))
        readStream = stream.isFinished ? nil : stream
    }
}

import CZlib

public struct ZlibError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { "zlib error \(code): \(message)" }
}

public enum Zlib {
    /// A complete zlib stream (78 DA header at level 9, Adler-32 trailer), as esptool's
    /// `zlib.compress(data, 9)` makes it.
    public static func compress(_ input: [UInt8], level: Int32 = 9) throws(ZlibError) -> [UInt8] {
        var destLen = compressBound(uLong(input.count))
        var out = [UInt8](repeating: 0, count: Int(destLen))
        let rc = out.withUnsafeMutableBufferPointer { dst in
            input.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &destLen, src.baseAddress, uLong(input.count), level)
            }
        }
        guard rc == Z_OK else { throw ZlibError(code: rc, message: "compress2 failed") }
        out.removeSubrange(Int(destLen)...)
        return out
    }

    /// Inflates a whole stream at once.
    public static func decompress(_ input: [UInt8]) throws(ZlibError) -> [UInt8] {
        let inflater = Inflater()
        var out = try inflater.feed(input)
        guard inflater.isFinished else { throw ZlibError(code: Z_BUF_ERROR, message: "stream truncated") }
        out.reserveCapacity(out.count)
        return out
    }
}

/// Incremental inflate: feed compressed chunks as they arrive (FLASH_DEFL_DATA blocks).
public final class Inflater {
    private var stream = z_stream()
    private var initialised = false
    public private(set) var isFinished = false
    public private(set) var totalOut = 0

    public init() {}

    deinit { if initialised { inflateEnd(&stream) } }

    public func feed(_ chunk: [UInt8]) throws(ZlibError) -> [UInt8] {
        if !initialised {
            let rc = inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else { throw ZlibError(code: rc, message: "inflateInit failed") }
            initialised = true
        }
        if isFinished {
            if chunk.isEmpty { return [] }
            throw ZlibError(code: Z_DATA_ERROR, message: "data after the end of the stream")
        }
        var output: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        var input = chunk
        var failure: ZlibError?
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            repeat {
                let produced: Int = scratch.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    let rc = inflate(&stream, Z_NO_FLUSH)
                    switch rc {
                    case Z_OK, Z_BUF_ERROR: break
                    case Z_STREAM_END: isFinished = true
                    default:
                        let msg = stream.msg.map { String(cString: $0) } ?? "inflate failed"
                        failure = ZlibError(code: rc, message: msg)
                    }
                    return outBuf.count - Int(stream.avail_out)
                }
                output.append(contentsOf: scratch[0..<produced])
                if failure != nil || isFinished || produced == 0 { break }
            } while stream.avail_in > 0 || stream.avail_out == 0
            if isFinished && stream.avail_in > 0 && failure == nil {
                failure = ZlibError(code: Z_DATA_ERROR, message: "data after the end of the stream")
            }
            stream.next_in = nil
        }
        if let failure { throw failure }
        totalOut += output.count
        return output
    }
}

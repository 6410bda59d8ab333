import Foundation

/// SLIP framing as the Espressif loaders use it (RFC 1055 with a delimiter on both sides
/// of every frame): 0xC0 ends a frame, 0xDB escapes 0xC0 (DB DC) and 0xDB (DB DD).
public enum SLIP {
    public static let end: UInt8 = 0xC0
    public static let escape: UInt8 = 0xDB
    public static let escapedEnd: UInt8 = 0xDC
    public static let escapedEscape: UInt8 = 0xDD

    /// One frame with its leading and trailing delimiter.
    public static func encode<C: Collection>(_ payload: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + payload.count / 32 + 2)
        out.append(end)
        for byte in payload {
            switch byte {
            case end: out.append(escape); out.append(escapedEnd)
            case escape: out.append(escape); out.append(escapedEscape)
            default: out.append(byte)
            }
        }
        out.append(end)
        return out
    }
}

public struct SLIPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// 0xDB followed by something other than DC/DD.
        case invalidEscape(UInt8)
        /// A frame grew past the decoder's limit without an end delimiter.
        case frameTooLarge(limit: Int)
    }
    public var code: Code
    public init(_ code: Code) { self.code = code }

    public var description: String {
        switch code {
        case .invalidEscape(let b):
            return String(format: "Invalid SLIP escape (0xdb, 0x%02x): possible serial noise or corruption.", b)
        case .frameTooLarge(let limit):
            return "SLIP frame larger than \(limit) bytes: possible serial noise or a missing frame end."
        }
    }
}

/// Streaming SLIP decoder: feed it chunks as they arrive, get back the frames they complete.
///
/// Bytes outside a frame are not frames; the decoder counts them in `bytesOutsideFrames` and
/// keeps the most recent ones in `recentNoise` so the connection layer can decide whether they
/// are a tolerable boot log or a protocol error (esptool treats them as fatal once connected).
public struct SLIPDecoder: Sendable {
    public let maxFrameSize: Int
    private var buffer: [UInt8] = []
    private var inFrame = false
    private var pendingEscape = false
    public private(set) var bytesOutsideFrames = 0
    public private(set) var recentNoise: [UInt8] = []
    private static let noiseKept = 256

    public init(maxFrameSize: Int = 0x4000 + 64) {
        self.maxFrameSize = maxFrameSize
    }

    /// True while bytes of an unfinished frame are buffered.
    public var isInsideFrame: Bool { inFrame && (!buffer.isEmpty || pendingEscape) }

    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        inFrame = false
        pendingEscape = false
        bytesOutsideFrames = 0
        recentNoise.removeAll()
    }

    /// Forgets noise seen so far (the caller has dealt with it).
    public mutating func clearNoise() {
        bytesOutsideFrames = 0
        recentNoise.removeAll()
    }

    /// Decodes `chunk`; returns complete, non-empty frames. An empty `C0 C0` frame is not
    /// returned: it is the boundary between two delimited frames.
    public mutating func feed<C: Collection>(_ chunk: C) throws(SLIPError) -> [[UInt8]] where C.Element == UInt8 {
        var frames: [[UInt8]] = []
        for byte in chunk {
            if !inFrame {
                if byte == SLIP.end {
                    inFrame = true
                    buffer.removeAll(keepingCapacity: true)
                } else {
                    bytesOutsideFrames += 1
                    recentNoise.append(byte)
                    if recentNoise.count > Self.noiseKept { recentNoise.removeFirst(recentNoise.count - Self.noiseKept) }
                }
                continue
            }
            if pendingEscape {
                pendingEscape = false
                switch byte {
                case SLIP.escapedEnd: buffer.append(SLIP.end)
                case SLIP.escapedEscape: buffer.append(SLIP.escape)
                default:
                    inFrame = false
                    buffer.removeAll(keepingCapacity: true)
                    throw SLIPError(.invalidEscape(byte))
                }
            } else if byte == SLIP.escape {
                pendingEscape = true
                continue
            } else if byte == SLIP.end {
                if buffer.isEmpty {
                    // Back-to-back delimiters: stay in frame, this C0 opens the next one.
                    continue
                }
                frames.append(buffer)
                buffer.removeAll(keepingCapacity: true)
                inFrame = false
                continue
            } else {
                buffer.append(byte)
            }
            if buffer.count > maxFrameSize {
                inFrame = false
                buffer.removeAll(keepingCapacity: true)
                throw SLIPError(.frameTooLarge(limit: maxFrameSize))
            }
        }
        return frames
    }
}

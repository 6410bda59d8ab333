/// Faults on what the device sends: seeded random ones per transmitted run (a frame, a boot
/// banner) and per byte, and aimed one-shot ones that hit one named reply, packet or header field.
public struct ReplyFaultOptions: Sendable, Equatable {
    /// Per byte sent: one bit flips / the byte is lost.
    public var corruptProbability = 0.0
    public var dropProbability = 0.0
    /// Per run sent: it is lost whole / sent twice / held back by `delay`.
    public var frameDropProbability = 0.0
    public var duplicateProbability = 0.0
    public var delayProbability = 0.0
    public var delay: Duration = .milliseconds(800)
    /// The Nth reply (1-based, counted over the session) has its first status byte inverted
    /// between success and failure.
    public var flipStatusAt: Int?
    /// The Nth SPI_FLASH_MD5 reply carries a digest with one byte changed.
    public var alterMD5At: Int?
    /// The Nth READ_FLASH data packet is never sent / is sent twice.
    public var loseReadPacketAt: Int?
    public var repeatReadPacketAt: Int?
    /// After this many bytes sent the cable is pulled: the frame in progress is cut off and the
    /// board says nothing more.
    public var unplugAfterBytes: Int?
    /// One bit of a command header field is flipped as the device receives it (those fields are
    /// not covered by the data checksum).
    public var headerFault: HeaderFault?

    public init() {}

    var isRandomActive: Bool {
        corruptProbability > 0 || dropProbability > 0 || frameDropProbability > 0 || duplicateProbability > 0 || delayProbability > 0
    }
}

/// A header word the host sends that no checksum protects.
public struct HeaderFault: Sendable, Equatable {
    public enum Field: String, Sendable, CaseIterable {
        /// FLASH_BEGIN/FLASH_DEFL_BEGIN words 0–3 of the first write (size ≠ 0).
        case beginSize = "begin-size", beginBlocks = "begin-blocks", beginAddress = "begin-address"
        /// The sequence word of the second FLASH_DATA/FLASH_DEFL_DATA block.
        case dataSequence = "data-seq"
    }
    public var field: Field
    public var bit: Int

    public init(field: Field, bit: Int) {
        self.field = field
        self.bit = bit
    }

    /// `field` or `field:bit` (bit 0–31; default: bit 16, one 64 KiB block away for an address).
    init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard let first = parts.first, let field = Field(rawValue: String(first)), parts.count <= 2 else { return nil }
        let bit = parts.count == 2 ? Int(parts[1]) : 16
        guard let bit, (0..<32).contains(bit) else { return nil }
        self.init(field: field, bit: bit)
    }
}

/// The random part: per run and per byte, from its own seeded stream.
struct ReplyFaultInjector {
    let options: ReplyFaultOptions
    private var rng: SplitMix64
    private var bytes: FaultInjector

    init(seed: UInt64, options: ReplyFaultOptions) {
        self.options = options
        self.rng = SplitMix64(seed: seed ^ 0x5EED_0F_2E91_1E5)
        self.bytes = FaultInjector(seed: seed ^ 0xB17E_5_0F_2E91, dropProbability: options.dropProbability,
                                   corruptProbability: options.corruptProbability)
    }

    mutating func apply(_ outputs: [BoardOutput], now: Duration) -> [BoardOutput] {
        guard options.isRandomActive else { return outputs }
        var out: [BoardOutput] = []
        for output in outputs {
            guard case .bytes(let sent, var notBefore) = output else { out.append(output); continue }
            // Three draws per run, always, so the stream does not depend on which faults are on.
            let dropDraw = rng.nextUnit(), duplicateDraw = rng.nextUnit(), delayDraw = rng.nextUnit()
            if dropDraw < options.frameDropProbability { continue }
            if delayDraw < options.delayProbability { notBefore = max(notBefore ?? now, now) + options.delay }
            let heard = bytes.apply(sent)
            out.append(.bytes(heard, notBefore: notBefore))
            if duplicateDraw < options.duplicateProbability { out.append(.bytes(heard, notBefore: notBefore)) }
        }
        return out
    }
}

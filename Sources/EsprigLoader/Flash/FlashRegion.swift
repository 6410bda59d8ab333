import Foundation
import EsprigCodecs
import EsprigProtocol

/// A span of flash and where its bytes came from.
public struct FlashRegion: Sendable, Hashable, CustomStringConvertible {
    public var address: Int
    public var size: Int
    /// A file name or another label for messages.
    public var source: String

    public init(address: Int, size: Int, source: String) {
        self.address = address
        self.size = size
        self.source = source
    }
    public var end: Int { address + size }
    public var description: String { String(format: "0x%08x..0x%08x (%@)", address, end, source) }
}

/// A region with the bytes to write there.
public struct FlashWrite: Sendable {
    public var region: FlashRegion
    public var data: [UInt8]

    public init(address: Int, data: [UInt8], source: String) {
        self.region = FlashRegion(address: address, size: data.count, source: source)
        self.data = data
    }
}

/// `--flash-mode/--flash-freq/--flash-size` choices (esptool `keep`/`detect`).
public struct FlashParameters: Sendable, Hashable {
    public enum Size: Sendable, Hashable { case keep, detect, fixed(String) }
    public var mode: FlashMode?       // nil = keep
    public var frequency: String?     // nil = keep
    public var size: Size = .keep

    public init(mode: FlashMode? = nil, frequency: String? = nil, size: Size = .keep) {
        self.mode = mode
        self.frequency = frequency
        self.size = size
    }
    public var keepsAll: Bool {
        if case .keep = size { return mode == nil && frequency == nil }
        return false
    }
}

public enum WritePlanning {
    /// Sorts the writes and checks them before any byte is sent: sector-aligned starts, no
    /// overlaps, everything inside the flash. Each file is padded to 4 bytes with 0xFF as the
    /// loaders need.
    public static func plan(_ writes: [FlashWrite], flashSize: Int?) throws(LoaderError) -> [FlashWrite] {
        var sorted = writes.sorted { $0.region.address < $1.region.address }
        for i in sorted.indices {
            let w = sorted[i].region
            if w.address % FlashGeometry.sectorSize != 0 {
                throw LoaderError(.invalidRequest, String(format: "%@ starts at 0x%08x, which is not a multiple of 0x1000 (4 KiB sector)", w.source, w.address),
                                  hint: String(format: "write it at 0x%08x or 0x%08x", FlashGeometry.alignDown(w.address), FlashGeometry.alignUp(w.address)))
            }
            if sorted[i].data.isEmpty {
                throw LoaderError(.invalidRequest, "\(w.source) is empty", hint: "check the file path")
            }
            let padded = (sorted[i].data.count + 3) / 4 * 4
            if padded != sorted[i].data.count {
                sorted[i].data += [UInt8](repeating: 0xFF, count: padded - sorted[i].data.count)
                sorted[i].region.size = padded
            }
            if let flashSize, sorted[i].region.end > flashSize {
                throw LoaderError(.invalidRequest, String(format: "%@ (%d bytes at 0x%08x) will not fit in %d bytes of flash", w.source, w.size, w.address, flashSize),
                                  hint: "check the address, or --flash-size")
            }
            if i > 0 {
                let prev = sorted[i - 1].region
                // Two files overlap when they share a sector: each write erases whole sectors.
                if FlashGeometry.alignUp(prev.end) > w.address {
                    throw LoaderError(.invalidRequest, String(format: "%@ at 0x%08x overlaps %@ (0x%08x..0x%08x, erased up to 0x%08x)", w.source, w.address, prev.source, prev.address, prev.end, FlashGeometry.alignUp(prev.end)),
                                      hint: "move one of them; regions must not share a 4 KiB sector")
                }
            }
        }
        return sorted
    }

    /// Patches bytes 2–3 of an image written at the bootloader offset (esptool
    /// `_update_image_flash_params`): mode in byte 2, size (high nibble) | frequency (low nibble)
    /// in byte 3. Returns nil when the data is not an image or nothing changes.
    public static func patchedHeader(_ data: [UInt8], parameters: FlashParameters, spec: ChipSpec,
                                     detectedSize: Int?) throws(LoaderError) -> [UInt8]? {
        guard !parameters.keepsAll, data.count >= 8, data[0] == 0xE9 else { return nil }
        var out = data
        if let mode = parameters.mode { out[2] = mode.code }
        if let freq = parameters.frequency {
            guard let code = spec.flashFrequencies[freq] else {
                throw LoaderError(.invalidRequest, "flash frequency '\(freq)' is not valid for \(spec.displayName)",
                                  hint: "choose one of " + spec.flashFrequencies.keys.sorted().joined(separator: ", "))
            }
            out[3] = (out[3] & 0xF0) | code
        }
        var sizeName: String?
        switch parameters.size {
        case .keep: break
        case .detect: sizeName = detectedSize.flatMap(FlashGeometry.name(forSize:)) ?? "4MB"
        case .fixed(let name): sizeName = name
        }
        if let sizeName {
            guard let code = spec.flashSizes[sizeName] else {
                throw LoaderError(.invalidRequest, "flash size '\(sizeName)' is not valid for \(spec.displayName)",
                                  hint: "choose one of " + spec.flashSizes.keys.sorted().joined(separator: ", "))
            }
            out[3] = (out[3] & 0x0F) | code
        }
        if out == data { return nil }
        if spec.imageHasAppendedDigest { refreshAppendedDigest(&out) }
        return out
    }

    /// ESP32-family images may end in a SHA-256 of everything up to the checksum (extended
    /// header byte 23 = 1); the ROM checks it, so a patched header needs a new digest, as esptool
    /// computes one. Layout: 8-byte header, 16-byte extended header, segments (8-byte header +
    /// data), padding so the checksum byte ends a 16-byte block, then the 32-byte digest.
    static func refreshAppendedDigest(_ image: inout [UInt8]) {
        guard image.count > 24, image[23] == 1 else { return }
        var offset = 24
        for _ in 0..<Int(image[1]) {
            guard let length = image.u32LE(at: offset + 4) else { return }
            offset += 8 + Int(length)
        }
        let checksumEnd = (offset / 16 + 1) * 16
        guard checksumEnd + 32 <= image.count else { return }
        image.replaceSubrange(checksumEnd..<checksumEnd + 32, with: SHA256.digest(Array(image[0..<checksumEnd])))
    }
}

import CZlib

/// The standard CRC-32 (zlib's `crc32`, Python's `binascii.crc32`), continued from `seed`.
public enum CRC32 {
    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            // zlib's length parameter is uInt: feed large inputs in chunks it can take.
            var crc = uLong(seed)
            var offset = 0
            let chunk = Int(Int32.max)
            while offset < buffer.count {
                let count = min(chunk, buffer.count - offset)
                crc = crc32(crc, buffer.baseAddress! + offset, uInt(count))
                offset += count
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}

/// Small ESP8266 v1 images for simulator and monitor tests.
public enum TestImages {
    /// A v1 image with segments of the given lengths (data = a fixed pattern) and a correct checksum.
    public static func esp8266(_ segments: [(address: UInt32, length: Int)]) -> [UInt8] {
        var bytes: [UInt8] = [0xE9, UInt8(segments.count), 0x02, 0x40, 0x04, 0x00, 0x10, 0x40]
        var checksum: UInt8 = 0xEF
        for (address, length) in segments {
            bytes += withUnsafeBytes(of: address.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: UInt32(length).littleEndian, Array.init)
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            for b in data { checksum ^= b }
            bytes += data
        }
        while bytes.count % 16 != 15 { bytes.append(0) }
        return bytes + [checksum]
    }
}

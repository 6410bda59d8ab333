import Foundation
import Testing
import EsprigCodecs
import EsprigTestSupport

@Suite("zlib and MD5")
struct CodecTests {
    @Test("MD5 matches RFC 1321 test vectors")
    func md5Vectors() {
        #expect(MD5.hex(Array("".utf8)) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex(Array("message digest".utf8)) == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(MD5.hex(Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8)) == "57edf4a22be3c955ac49da2e2107b67a")
    }

    @Test("MD5 is the same fed at once or in pieces, across block boundaries")
    func md5Incremental() {
        var rng = SeededRandom(seed: 7)
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 127, 128, 1000, 4096] {
            let data = rng.bytes(length)
            var md5 = MD5()
            var i = 0
            while i < data.count { let n = rng.int(1...70); md5.update(data[i..<min(data.count, i + n)]); i += n }
            #expect(md5.finalize() == MD5.digest(data))
        }
    }

    @Test("compressed data inflates back, whole and in chunks")
    func zlibRoundTrip() throws {
        var rng = SeededRandom(seed: 9)
        for length in [1, 100, 70_000] {
            let data = rng.bytes(length, biasedTowards: [0, 0xFF])
            let z = try Zlib.compress(data)
            #expect(z.prefix(2) == [0x78, 0xDA])
            #expect(try Zlib.decompress(z) == data)
            let inflater = Inflater()
            var out: [UInt8] = []
            var i = 0
            while i < z.count { out += try inflater.feed(Array(z[i..<min(z.count, i + 1000)])); i += 1000 }
            #expect(out == data)
            #expect(inflater.isFinished)
        }
    }

    @Test("a corrupted stream is an error, not a crash")
    func zlibCorrupt() throws {
        var z = try Zlib.compress([UInt8](repeating: 7, count: 5000))
        z[z.count / 2] ^= 0xFF
        z[z.count - 1] ^= 0xFF
        #expect(throws: ZlibError.self) { try Zlib.decompress(z) }
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test("matches FIPS 180-4 test vectors")
    func vectors() {
        let hex: ([UInt8]) -> String = { $0.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.digest([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.digest(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}

import EsprigProtocol
import EsprigCodecs

/// Writes one region through a loader, resuming after failures with smaller blocks, and
/// verifies it. Success is only reported after the MD5 matched (or, where the loader cannot
/// hash, with an explicit "unverified" outcome).
struct RegionWriter {
    let session: FlashSession
    let options: FlashOptions
    let events: FlashEventHandler

    func write(_ write: FlashWrite) throws(LoaderError) -> RegionResult {
        let region = write.region
        let expected = MD5.digest(write.data)
        if options.skipUnchanged, let current = try? session.connection.flashMD5(address: region.address, size: region.size), current == expected {
            events(.regionSkipped(region))
            return .skipped
        }
        var offset = 0
        var lastError: LoaderError?
        var blockLimit = Int.max
        // Attempts are bounded twice: in total, and by how many in a row make no progress.
        var attempts = 0
        var stalled = 0
        var best = 0
        while attempts < options.regionAttempts && stalled < options.stalledAttempts {
            attempts += 1
            do throws(LoaderError) {
                try transfer(write, from: offset, blockLimit: blockLimit, resumePoint: &offset)
                guard options.verify else { return .unverified("verification turned off") }
                guard let actual = try session.connection.flashMD5(address: region.address, size: region.size) else {
                    let why = "the \(try session.connection.spec.displayName) ROM loader cannot compute MD5; the flasher stub is needed to verify"
                    events(.regionUnverified(region, reason: why))
                    return .unverified(why)
                }
                if actual == expected {
                    events(.regionVerified(region, md5: expected.map { hex2($0) }.joined()))
                    return .verified
                }
                offset = region.size
                throw LoaderError(.verifyFailed, "MD5 of \(region.source) does not match the flash (expected \(expected.map { hex2($0) }.joined()), flash has \(actual.map { hex2($0) }.joined()))")
            } catch {
                if error.isDisconnect { throw error }
                lastError = error
                guard attempts < options.regionAttempts else { break }
                // Smaller blocks get through a noisy line more often.
                blockLimit = max(256, min(blockLimit, try session.connection.flashBlockSize) / 4)
                events(.regionRetry(region, attempt: attempts + 1, reason: error.message))
                do throws(LoaderError) { try session.recover() } catch {
                    if error.isDisconnect { throw error }
                    lastError = error
                    break
                }
                // A block that slipped past the 8-bit checksum corrupts what follows it, and the
                // stub reports inflate errors late: trust only the prefix whose MD5 matches.
                offset = verifiedPrefix(write, upTo: offset)
                if offset > best { best = offset; stalled = 0 } else { stalled += 1 }
            }
        }
        throw LoaderError(.writeFailed, "could not write \(region) after \(attempts) attempts: \(lastError?.message ?? "unknown error")",
                          hint: "check the cable and power; lower --baud; then run the same command again (unchanged regions are skipped)")
    }

    /// Sends the region from `offset` on. `resumePoint` advances to the last sector the device
    /// has certainly written, so a failed transfer resumes there instead of from the start.
    private func transfer(_ write: FlashWrite, from offset: Int, blockLimit: Int, resumePoint: inout Int) throws(LoaderError) {
        let connection = session.connection
        let spec = try connection.spec
        let address = write.region.address + offset
        let data = Array(write.data[offset...])
        let block = min(try connection.flashBlockSize, blockLimit)
        let compressed = try compressedPayload(data)
        events(.regionStarted(write.region, compressed: compressed != nil, wireBytes: compressed?.count ?? data.count))

        if let compressed {
            let blocks = (compressed.count + block - 1) / block
            // A ROM wants the uncompressed size rounded up to its block size; a stub the exact size.
            let size = connection.isStub ? data.count : (data.count + block - 1) / block * block
            let beginTimeout = connection.isStub ? connection.timeouts.standard
                : connection.timeouts.perMiB(connection.timeouts.eraseRegionPerMiB, bytes: size)
            try connection.command(.flashDeflBegin, connection.beginPayload(UInt32(size), UInt32(blocks), UInt32(block), UInt32(address)), timeout: beginTimeout)
            // Where each compressed block ends in the uncompressed stream, for progress and resuming.
            let produced = try Self.inflatedBoundaries(compressed, block: block)
            // Each block's reply may wait for the erase and write of what the previous block
            // inflated to (the stub double-buffers), so the timeout follows that size (esptool rule).
            func blockTimeout(_ seq: Int) -> Duration {
                let inflated = seq == 0 ? 0 : produced[seq - 1] - (seq >= 2 ? produced[seq - 2] : 0)
                return connection.timeouts.perMiB(connection.timeouts.eraseWritePerMiB, bytes: inflated + 0x10000)
            }
            for seq in 0..<blocks {
                let chunk = Array(compressed[(seq * block)..<min(compressed.count, (seq + 1) * block)])
                try sendBlock(.flashDeflData, seq: seq, chunk, timeout: blockTimeout(seq))
                // The stub reports a failed write of block n with block n+1, so only blocks before
                // the one just acknowledged are certainly in flash.
                if seq > 0 { resumePoint = offset + FlashGeometry.alignDown(produced[seq - 1]) }
                events(.bytesWritten(write.region, done: offset + produced[seq], total: write.region.size))
            }
            if connection.isStub {
                try connection.command(.flashDeflEnd, .le(1), timeout: blockTimeout(blocks))
            }
        } else {
            let blocks = (data.count + block - 1) / block
            let eraseSize = !connection.isStub && spec.hasROMEraseSizeBug
                ? FlashGeometry.esp8266ROMEraseSize(offset: address, size: data.count) : data.count
            let beginTimeout = connection.isStub ? connection.timeouts.standard
                : connection.timeouts.perMiB(connection.timeouts.eraseRegionPerMiB, bytes: data.count)
            try connection.command(.flashBegin, connection.beginPayload(UInt32(eraseSize), UInt32(blocks), UInt32(block), UInt32(address)), timeout: beginTimeout)
            for seq in 0..<blocks {
                var chunk = Array(data[(seq * block)..<min(data.count, (seq + 1) * block)])
                if chunk.count < block { chunk += [UInt8](repeating: 0xFF, count: block - chunk.count) }
                try sendBlock(.flashData, seq: seq, chunk, timeout: connection.timeouts.standard)
                if seq > 0 { resumePoint = offset + FlashGeometry.alignDown(seq * block) }
                events(.bytesWritten(write.region, done: offset + min(data.count, (seq + 1) * block), total: write.region.size))
            }
            if connection.isStub {
                try connection.command(.flashEnd, .le(1))
            }
        }
        resumePoint = write.region.size
    }

    /// The longest sector-aligned prefix of the region (at most `limit` bytes) that flash
    /// already holds, found by bisecting with SPI_FLASH_MD5. Where the loader cannot hash (ESP8266
    /// ROM, which writes synchronously and reports errors at once) the caller's point stands.
    private func verifiedPrefix(_ write: FlashWrite, upTo limit: Int) -> Int {
        let connection = session.connection
        guard (try? connection.supports(.md5)) == true else { return limit }
        let sector = FlashGeometry.sectorSize
        var good = 0
        var bad = (min(limit, write.region.size) + sector - 1) / sector + 1
        while bad - good > 1 {
            let mid = (good + bad) / 2
            let length = min(mid * sector, write.region.size)
            guard let digest = try? connection.flashMD5(address: write.region.address, size: length) else { return good * sector }
            if digest == MD5.digest(write.data[0..<length]) { good = mid } else { bad = mid }
        }
        return min(good * sector, write.region.size)
    }

    private func sendBlock(_ opcode: Opcode, seq: Int, _ chunk: [UInt8], timeout: Duration) throws(LoaderError) {
        let connection = session.connection
        try connection.retrying(options.blockRetries) { () throws(LoaderError) in
            try connection.dataBlock(opcode, seq: seq, chunk, timeout: timeout)
        }
    }

    /// The zlib stream to send, or nil for a plain write: the loader cannot inflate, the user
    /// said no, or compression would not shrink the data.
    private func compressedPayload(_ data: [UInt8]) throws(LoaderError) -> [UInt8]? {
        guard options.compression != .never, try session.connection.supports(.compressedWrite) else {
            if options.compression == .always {
                throw LoaderError(.notInROM, "the \(try session.connection.spec.displayName) ROM loader cannot write compressed data",
                                  hint: "drop --no-stub, or drop --compress")
            }
            return nil
        }
        let compressed: [UInt8]
        do { compressed = try Zlib.compress(data, level: 9) } catch {
            throw LoaderError(.invalidRequest, "compression failed: \(error)")
        }
        if options.compression == .auto && compressed.count >= data.count { return nil }
        return compressed
    }

    /// For each compressed block, how many uncompressed bytes the stream has yielded by its end.
    static func inflatedBoundaries(_ compressed: [UInt8], block: Int) throws(LoaderError) -> [Int] {
        let inflater = Inflater()
        var out: [Int] = []
        var start = 0
        while start < compressed.count {
            let end = min(compressed.count, start + block)
            do { _ = try inflater.feed(Array(compressed[start..<end])) } catch {
                throw LoaderError(.invalidRequest, "internal: own zlib stream did not inflate: \(error)")
            }
            out.append(inflater.totalOut)
            start = end
        }
        return out
    }
}

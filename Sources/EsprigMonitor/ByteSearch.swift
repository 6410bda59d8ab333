#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// Whether the UTF-8 of `needle` occurs in this string, by memchr/memcmp over the bytes:
    /// the generic substring search costs more than everything else done per line of a fast
    /// stream.
    func containsBytes(_ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard count > 0 else { return true }
        var copy = self
        return copy.withUTF8 { haystack in
            guard var cursor = haystack.baseAddress, haystack.count >= count else { return false }
            let end = cursor + haystack.count
            let first = Int32(needle.utf8Start.pointee)
            while end - cursor >= count {
                guard let hit = memchr(cursor, first, end - cursor - count + 1) else { return false }
                let found = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(found, needle.utf8Start, count) == 0 { return true }
                cursor = found + 1
            }
            return false
        }
    }
}

import Foundation
import Testing
import EsprigProfiles
import EsprigTestSupport

/// Crashes found by fuzzing the shipped profiles. The mutation fuzzer itself is not in CI: toml++
/// (inside TOMLKit) still aborts on other malformed inputs, which kills the test process.
@Suite("TOML profiles: fuzz findings")
struct ProfileFuzzTests {
    /// Found by mutating the shipped profiles (seed 0x7031): a table header starting with a non-ASCII character made
    /// toml++ abort the whole process on an assertion; now it is a syntax error at that line.
    @Test("a table name starting with a non-ASCII character is a syntax error, not an abort")
    func nonASCIITableName() {
        for text in ["[\u{FFFD}onfig.set]\nx = 1\n", "a = 1\n  [[ é ]]\n"] {
            #expect(throws: ProfileError.self) { _ = try ProfileFile(parsing: text, name: "p", path: "/p/p.toml") }
            do { _ = try ProfileFile(parsing: text, name: "p", path: "/p/p.toml") } catch {
                #expect(error.code == .syntax && (error.location?.line ?? 0) >= 1)
            }
        }
    }
}

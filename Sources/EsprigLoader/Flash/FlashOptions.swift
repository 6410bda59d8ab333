/// How `write-flash` treats each region.
public struct FlashOptions: Sendable {
    public enum Compression: Sendable { case auto, always, never }
    public var compression: Compression = .auto
    public var verify = true
    /// Skip regions whose MD5 already matches (esprig default; `--no-skip` turns it off).
    public var skipUnchanged = true
    public var parameters = FlashParameters()
    /// Erase the whole chip before writing (`--erase-all`).
    public var eraseAll = false
    /// Region attempts before giving up; each later attempt resumes from the last sector
    /// certainly written, with smaller blocks.
    public var regionAttempts = 20
    /// Consecutive attempts that make no progress before giving up.
    public var stalledAttempts = 4
    /// Tries of one data block before the region is resumed with smaller blocks.
    public var blockRetries = 8
    /// Hash the flash outside the regions before and after writing and fail if it changed: the
    /// FLASH_BEGIN address and size are not covered by any checksum, so a garbled header can send
    /// an erase or data elsewhere while the region itself ends verified. Costs two MD5 passes over
    /// the rest of the flash (seconds on a 4 MB chip); needs the stub or an ROM with MD5.
    public var checkOutsideRegions = false
    /// Write even when flash encryption or secure boot is enabled (`--force`).
    public var force = false

    public init() {}
}

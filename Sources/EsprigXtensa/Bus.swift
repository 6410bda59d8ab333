/// What a core reaches outside its own memories: device registers. Loads and stores that fall in
/// a range mapped with `LX106Core.mapIO` come here; everything else is plain memory inside the core.
///
/// Called from the interpreter's loop, so implementations should answer quickly and never block.
public protocol Bus: AnyObject {
    /// A load of `size` bytes (1, 2 or 4) at `address`; nil when nothing answers there, which the
    /// core raises as a load error.
    func load(_ address: UInt32, size: Int) -> UInt32?
    /// A store of the low `size` bytes of `value`; false when nothing answers there.
    func store(_ address: UInt32, value: UInt32, size: Int) -> Bool
}

/// How the core may touch a range of memory.
public struct MemoryAccess: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = MemoryAccess(rawValue: 1)
    public static let write = MemoryAccess(rawValue: 2)
    public static let execute = MemoryAccess(rawValue: 4)
    /// Only 32-bit loads and stores work (instruction RAM, the flash cache, the ROM): an 8- or
    /// 16-bit access raises LoadStoreError, as on the chip.
    public static let wordOnly = MemoryAccess(rawValue: 8)
    /// Fetching an instruction here stops `run` with `.trap(pc)` instead of executing: the host
    /// implements the code at that address (a mask ROM written in Swift).
    public static let trapOnFetch = MemoryAccess(rawValue: 16)
}

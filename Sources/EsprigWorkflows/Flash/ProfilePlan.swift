import EsprigFirmware
import EsprigLoader

/// Every region a profile writes, where, and why — checked before any board is touched.
public struct ProfilePlan: Sendable {
    /// One region to write: its bytes and address, its role, and why it goes there.
    public struct Region: Sendable {
        public var write: FlashWrite
        public var role: FlashLayoutPlan.Item.Role
        /// The role as a table shows it.
        public var label: String
        /// One phrase a person can check against the firmware or the SDK docs.
        public var why: String
    }

    /// Sectors nothing may write (the firmware's saved settings), shown with the plan.
    public struct Reserved: Sendable, Codable {
        public var address: Int
        public var size: Int
        public var why: String
    }

    public var flashSize: Int?
    public var flashSizeName: String?
    /// The SDK size map the plan was checked against (profile or compiled), if any.
    public var sizeMap: CompiledSizeMap?
    public var regions: [Region]
    public var reserved: [Reserved]

    public var writes: [FlashWrite] { regions.map(\.write) }

    /// The plan as `--json` shows it.
    public var report: Report {
        Report(regions: regions.map { region in
                   let r = region.write.region
                   return .init(address: r.address, size: r.size, end: r.end, source: r.source, role: region.label, why: region.why)
               },
               reserved: reserved, flashSize: flashSize, flashSizeName: flashSizeName,
               sizeMap: sizeMap.map { .init(number: $0.layout.sizeMap.rawValue, source: $0.source) })
    }

    /// What a script reads of a plan.
    public struct Report: Sendable, Codable {
        /// A region as plain fields.
        public struct Region: Sendable, Codable {
            public var address: Int
            public var size: Int
            public var end: Int
            public var source: String
            public var role: String
            public var why: String
        }
        /// The SDK size map number and where it came from (profile or compiled firmware).
        public struct SizeMap: Sendable, Codable {
            public var number: Int
            public var source: String
        }
        public var regions: [Region]
        public var reserved: [Reserved]
        public var flashSize: Int?
        public var flashSizeName: String?
        public var sizeMap: SizeMap?
    }
}

import Foundation
import EsprigCore
import EsprigLoader
import EsprigProtocol

/// Steps 6–9 of `flash` on one board: connect, add the regions that depend on the board itself
/// (its own certificate, made once its MAC is known), write what changed (each region checked
/// by MD5), reset. `flash` runs it once, `bench` once per port.
public struct BoardFlash {
    public let portName: String
    public let options: SessionOptions
    public let after: AfterAction
    /// False when the caller resets the board itself afterwards (the monitor does).
    public var announceReset = true
    /// `--erase-all`: erase the whole chip after connecting, before anything is written.
    public var eraseAll = false
    public let observer: WorkflowObserver
    public var opener = BoardOpener()
    /// How each step runs: plainly for `flash`; `bench` also records it in the ledger.
    var steps: any BoardStepRunning = PlainSteps()

    /// `portName`: any address `BoardOpener` takes; `after`: what to do once written and verified.
    public init(portName: String, options: SessionOptions, after: AfterAction, announceReset: Bool = true,
                observer: @escaping WorkflowObserver, opener: BoardOpener = BoardOpener()) {
        self.portName = portName
        self.options = options
        self.after = after
        self.announceReset = announceReset
        self.observer = observer
        self.opener = opener
    }

    /// What the board run did; `opened` is still open for the caller.
    public struct Outcome {
        public var info: ChipInfo
        public var isStub: Bool
        public var writes: [FlashWrite]
        public var results: [FlashRegion: RegionResult]
        /// Still open, so the monitor can read the board's first words after the reset; the
        /// caller closes it (which saves a simulated board's state).
        public var opened: OpenedPort

        /// "N regions NOT verified (addresses: reason; ...)", one reason once; nil when all were checked.
        public var unverifiedSummary: String? { Self.unverifiedSummary(writes, results) }

        static func unverifiedSummary(_ writes: [FlashWrite], _ results: [FlashRegion: RegionResult]) -> String? {
            var reasons: [(why: String, addresses: [String])] = []
            for write in writes {
                guard case .unverified(let why) = results[write.region] else { continue }
                if let index = reasons.firstIndex(where: { $0.why == why }) {
                    reasons[index].addresses.append(hexAddress(write.region.address))
                } else {
                    reasons.append((why, [hexAddress(write.region.address)]))
                }
            }
            let count = reasons.reduce(0) { $0 + $1.addresses.count }
            guard count > 0 else { return nil }
            return "\(count) region\(count == 1 ? "" : "s") NOT verified ("
                + reasons.map { "\($0.addresses.joined(separator: ", ")): \($0.why)" }.joined(separator: "; ") + ")"
        }

        public var report: BoardReport {
            BoardReport(chip: info.chip.rawValue, mac: info.macString, stub: isStub, regions: writes.map { write in
                let state: String
                switch results[write.region] {
                case .verified: state = "verified"
                case .skipped: state = "skipped"
                case .unverified: state = "unverified"
                case nil: state = "unknown"
                }
                return .init(address: write.region.address, size: write.region.size, source: write.region.source, result: state)
            })
        }
    }

    /// `boardWrites` gets the connected chip and returns extra regions for this board; together
    /// with `planned` they are checked again (alignment, overlaps, flash size) before writing.
    public func run(planned: [FlashWrite], flashSize: Int?,
                    boardWrites: (ChipInfo) throws -> [FlashWrite] = { _ in [] }) throws -> Outcome {
        let opened = try steps.run("connect", kind: .input) { try opener.open(portName, baud: min(options.baud, options.romBaud)) }
        var handedOver = false
        defer { if !handedOver { try? opened.close() } }
        let observer = self.observer
        let session = try steps.run("connect", kind: .device) {
            try FlashSession(port: opened.port, options: options.adapted(to: opened), stubSource: options.useStub ? EsptoolStubSource.locate() : nil,
                             events: { observer(.loader($0)) }, reopen: opened.reopen)
        }
        observer(.boardConnected(chip: session.info.chip, port: portName, mac: session.info.macString, stub: session.connection.isStub))

        let extra = try steps.run("identity", kind: .input) { try boardWrites(session.info) }
        let writes = extra.isEmpty ? planned : try steps.run("plan", kind: .input) { try WritePlanning.plan(planned + extra, flashSize: flashSize) }

        if eraseAll {
            try steps.run("erase", kind: .device) { try session.eraseFlash() }
            observer(.erasedChip(bytes: flashSize))
        }
        // Each region is checked by MD5 as it is written (the verify step).
        let results = try steps.run("write", kind: .device) { try session.writeFlash(writes, options: FlashOptions()) }
        let skipped = writes.filter { results[$0.region] == .skipped }.count
        let verified = writes.filter { results[$0.region] == .verified }.count
        observer(.written(written: writes.count - skipped, skipped: skipped))
        if let unverified = Outcome.unverifiedSummary(writes, results) {
            observer(.unverified(unverified))
        } else {
            observer(.verified(verified: verified, unchanged: skipped))
        }

        try steps.run("reset", kind: .device) { try session.finish(after) }
        if announceReset { observer(.reset(after)) }
        handedOver = true
        return Outcome(info: session.info, isStub: session.connection.isStub, writes: writes, results: results, opened: opened)
    }
}

/// Runs one named step of BoardFlash; errors become a StepFailure naming the step.
protocol BoardStepRunning {
    func run<T>(_ name: String, kind: FailureKind, _ body: () throws -> T) throws -> T
}

struct PlainSteps: BoardStepRunning {
    func run<T>(_ name: String, kind: FailureKind, _ body: () throws -> T) throws -> T {
        try runStep(name, kind: kind, body)
    }
}

/// A failure setting up a simulator endpoint.
public struct SimulatorHostError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

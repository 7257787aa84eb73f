import CellwatchModel

/// A known cell identity heard on a channel, or with a BSIC/PCI, it has never used: a clone.
public struct CGIChannelMismatchRule: Rule {
    public let id = "CGI_ON_OTHER_CHANNEL_OR_CODE"
    public let reason = "A known cell identity appears on another channel or with another BSIC/PCI."
    public let inputs = ["identity", "channel", "identity.bsic", "identity.pci", "baseline"]
    public let weight = 0.25
    public let knownFalsePositiveCauses = [
        "Frequency re-planning or refarming (900 MHz GSM carriers moved for LTE), BSIC/PCI re-planning.",
        "A learned baseline that has not yet seen all of a cell's configurations.",
        "Sources without channels (OpenCellID) leave the check silent.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let key = CellKey(o), let known = context.baseline[key] else { return nil }
        var parts: [String] = []
        if !known.channels.isEmpty, !known.channels.contains(o.channel) {
            let list = known.channels.map(\.description).sorted().joined(separator: ", ")
            parts.append("on \(o.channel), known on \(list)")
        }
        let code = o.identity.bsic ?? o.identity.pci
        if let code, !known.physicalCodes.isEmpty, !known.physicalCodes.contains(code) {
            let name = o.identity.bsic != nil ? "BSIC" : "PCI"
            let list = known.physicalCodes.sorted().map(String.init).joined(separator: ", ")
            parts.append("with \(name) \(code), known with \(list)")
        }
        guard !parts.isEmpty else { return nil }
        return finding("known cell \(o.identity) heard " + parts.joined(separator: " and "))
    }
}

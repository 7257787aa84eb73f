import CellwatchModel

/// An empty BCCH allocation in SI2: a real cell almost always lists its neighbours; a fake one lists
/// none so that phones have nowhere else to go.
public struct NeighbourListEmptyRule: Rule {
    public let id = "GSM_NEIGHBOUR_LIST_EMPTY"
    public let reason = "The cell lists no neighbour cells."
    public let inputs = ["neighbourARFCNs"]
    public let weight = 0.20
    public let knownFalsePositiveCauses = [
        "Isolated single-cell sites (remote rural, tunnels, indoor systems).",
        "Neighbours listed only in SI2bis/SI2ter/SI2quater that were not decoded: the receiver must report nil, not an empty list, when SI2 was not decoded.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .gsm, let list = o.neighbourARFCNs, list.isEmpty else { return nil }
        return finding("neighbour list (SI2 BA) is empty")
    }
}

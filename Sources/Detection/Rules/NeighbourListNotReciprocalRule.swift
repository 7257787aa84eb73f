import CellwatchModel

/// A cell lists real cells as its neighbours, but none of them, heard at the same time, lists it back. A
/// fake cell copies the real neighbour list to look plausible; the real network does not know its channel.
public struct NeighbourListNotReciprocalRule: Rule {
    public let id = "GSM_NEIGHBOUR_LIST_NOT_RECIPROCAL"
    public let reason = "The cell lists neighbours that, heard at the same time, do not list its channel back."
    public let inputs = ["neighbourARFCNs", "channel", "history.recent (neighbours' lists)", "baseline",
                         "configuration.neighbourhoodWindowSeconds", "configuration.reciprocityMinimumNeighbours"]
    public let weight = 0.20
    public let knownFalsePositiveCauses = [
        "Neighbour relations are not always symmetric (an umbrella cell lists microcells that do not list it back): silent for a cell the baseline knows on this channel, and only when none of at least two listed neighbours lists it.",
        "Neighbours whose SI2/SI2bis/SI2ter were only partly decoded: only neighbours with a decoded non-empty list count.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .gsm, case let .arfcn(own) = o.channel, let list = o.neighbourARFCNs, !list.isEmpty,
              let key = CellKey(o) else { return nil }
        if let known = context.baseline[key], known.channels.contains(o.channel) { return nil }
        let listed = Set(list)
        let c = context.configuration
        var checked: [Int: Bool] = [:]   // neighbour ARFCN → lists us
        for r in context.history.cellsAround(o, window: c.neighbourhoodWindowSeconds, radiusMeters: c.neighbourhoodRadiusMeters) {
            guard r.rat == .gsm, case let .arfcn(a) = r.channel, a != own, listed.contains(a),
                  let theirs = r.neighbourARFCNs, !theirs.isEmpty,
                  r.identity.mcc == o.identity.mcc, r.identity.mnc == o.identity.mnc else { continue }
            checked[a.value] = (checked[a.value] ?? false) || theirs.contains(own)
        }
        guard checked.count >= c.reciprocityMinimumNeighbours, !checked.values.contains(true) else { return nil }
        let names = checked.keys.sorted().map(String.init).joined(separator: ", ")
        return finding("lists ARFCN \(names), heard nearby, none of which lists ARFCN \(own.value) back")
    }
}

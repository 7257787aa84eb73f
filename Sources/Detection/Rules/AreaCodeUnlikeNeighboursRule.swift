import CellwatchModel

/// A cell whose LAC/TAC differs from that of every cell of the same operator heard around it at the
/// same time. Location areas span many sites; a fake cell picks an area code of its own so that phones
/// camping on it perform a location update (and reveal their IMSI).
public struct AreaCodeUnlikeNeighboursRule: Rule {
    public let id = "AREA_CODE_UNLIKE_NEIGHBOURS"
    public let reason = "The cell's location/tracking area code matches none of the same operator's cells heard around it."
    public let inputs = ["identity", "history.recent (cells heard together)", "baseline cells of the area",
                         "configuration.neighbourhoodWindowSeconds", "configuration.neighbourhoodRadiusMeters",
                         "configuration.areaCodeMinimumNeighbours"]
    public let weight = 0.25
    public let knownFalsePositiveCauses = [
        "A cell at the border of two location areas, where the sensor mostly hears the other area's cells: silent when the baseline knows another cell in the cell's own area.",
        "Few cells heard (a weak sensor): at least three same-operator cells heard together are required.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let key = CellKey(o) else { return nil }
        let c = context.configuration
        var neighbours: [CellKey: Int] = [:]
        for r in context.history.cellsAround(o, window: c.neighbourhoodWindowSeconds, radiusMeters: c.neighbourhoodRadiusMeters) {
            guard let k = CellKey(r), k.rat == key.rat, k.mcc == key.mcc, k.mnc == key.mnc, k.cellId != key.cellId else { continue }
            neighbours[k] = k.areaCode
        }
        guard neighbours.count >= c.areaCodeMinimumNeighbours, !neighbours.values.contains(key.areaCode) else { return nil }
        let known = context.baseline.cells(inArea: key.areaCode, of: .init(rat: key.rat, mcc: key.mcc, mnc: key.mnc))
        guard known.allSatisfy({ $0.key.cellId == key.cellId }) else { return nil }
        let name = key.rat == .lte ? "TAC" : "LAC"
        let others = Set(neighbours.values).sorted().map(String.init).joined(separator: ", ")
        return finding("\(name) \(key.areaCode) unlike all \(neighbours.count) \(o.identity.mcc)-\(o.identity.mnc) cells heard around it (\(name) \(others))")
    }
}

import CellwatchModel

/// A location/tracking area in which only one cell is ever seen. Real LACs hold tens of cells; a fake
/// cell invents its own LAC to force a location update.
public struct SingleCellAreaRule: Rule {
    public let id = "AREA_WITH_SINGLE_CELL"
    public let reason = "Only one cell is ever seen in this location/tracking area."
    public let inputs = ["identity", "history.areaCells", "baseline cells of the area",
                         "configuration.singleCellAreaMinimumObservations"]
    public let weight = 0.15
    public let knownFalsePositiveCauses = [
        "Rural or private areas with a single cell.",
        "A fixed sensor that hears only one cell of a large area: the baseline must not know another cell of the area either.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let key = CellKey(o) else { return nil }
        let area = ObservationHistory.AreaKey(rat: key.rat, mcc: key.mcc, mnc: key.mnc, areaCode: key.areaCode)
        let n = context.history.areaObservations[area] ?? 0
        guard n >= context.configuration.singleCellAreaMinimumObservations,
              context.history.areaCells[area] == [key.cellId] else { return nil }
        let known = context.baseline.cells(inArea: key.areaCode, of: .init(rat: key.rat, mcc: key.mcc, mnc: key.mnc))
        guard known.allSatisfy({ $0.key.cellId == key.cellId }) else { return nil }
        let name = key.rat == .lte ? "TAC" : "LAC"
        return finding("\(name) \(key.areaCode) of \(o.identity.mcc)-\(o.identity.mnc) shows only cell \(key.cellId) in \(n) observations")
    }
}

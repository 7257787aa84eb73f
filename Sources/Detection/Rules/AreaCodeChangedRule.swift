import CellwatchModel

/// A known cell identity under another LAC/TAC. IMSI catchers clone a real cell's identity and change
/// the LAC so that phones perform a location update with them.
public struct AreaCodeChangedRule: Rule {
    public let id = "AREA_CODE_CHANGED"
    public let reason = "A known cell now announces a different location/tracking area code."
    public let inputs = ["identity", "position", "baseline"]
    public let weight = 0.30
    public let knownFalsePositiveCauses = [
        "The operator re-planned its location areas.",
        "GSM CIs are unique only within a LAC (TS 23.003 §4.3.1): the same CI under another LAC far away is another cell. For GSM the rule fires only when the sensor is inside the known cell's range plus margin; LTE ECIs are unique in the PLMN.",
        "A stale baseline entry.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let key = CellKey(o), context.baseline[key] == nil else { return nil }
        let others = context.baseline.cells(sameCellIdAs: key)
        let relevant = others.filter { known in
            if key.rat == .lte { return true }
            guard let fix = o.position, let d = known.distanceMeters(to: fix), let r = known.rangeMeters else { return false }
            return d <= r + context.configuration.areaMarginMeters
        }
        guard !relevant.isEmpty else { return nil }
        let areas = relevant.map { String($0.key.areaCode) }.joined(separator: ", ")
        let name = key.rat == .lte ? "TAC" : "LAC"
        return finding("cell \(key.cellId) known in \(name) \(areas) announces \(name) \(key.areaCode)")
    }
}

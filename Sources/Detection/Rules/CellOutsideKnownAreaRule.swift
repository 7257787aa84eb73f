import CellwatchModel

/// A known cell heard far beyond where it is known to be heard (ECOSYSTEM.md §5: strong evidence,
/// unlike an unknown identity).
public struct CellOutsideKnownAreaRule: Rule {
    public let id = "CELL_OUTSIDE_KNOWN_AREA"
    public let reason = "A known cell is heard far outside the area where it is known to be."
    public let inputs = ["identity", "position", "baseline position and range", "configuration.areaMarginMeters"]
    public let weight = 0.45
    /// An OpenCellID-only position from few samples may be wrong: weaker evidence.
    public let weakPositionWeight = 0.25
    public let knownFalsePositiveCauses = [
        "OpenCellID positions computed from few samples are sometimes kilometres off; such entries (OpenCellID only, < 10 samples) give a weaker finding.",
        "Unusual propagation (over water, ducting, a sensor on a hill or a tall building).",
        "A bad GPS fix: the fix's own accuracy is added to the allowance.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let key = CellKey(o), let known = context.baseline[key], let fix = o.position,
              let d = known.distanceMeters(to: fix), let range = known.rangeMeters else { return nil }
        let allowed = range + context.configuration.areaMarginMeters + fix.horizontalAccuracyMeters
        guard d > allowed else { return nil }
        let weak = known.sources == [.openCellID] && known.samples < 10
        return finding("cell \(o.identity) known within \(Text.km(range)) of its position is heard \(Text.km(d)) away (allowed \(Text.km(allowed)))",
                       weight: weak ? weakPositionWeight : weight)
    }
}

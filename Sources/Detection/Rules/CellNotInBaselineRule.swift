import CellwatchModel

/// A cell identity the baseline does not know. Weak: baselines are never complete (ECOSYSTEM.md §5,
/// AIMSICD's "cell not in OCID" was its users' main source of false alarms).
public struct CellNotInBaselineRule: Rule {
    public let id = "CELL_NOT_IN_BASELINE"
    public let reason = "The cell identity is not in the baseline of the real network."
    public let inputs = ["identity", "baseline"]
    public let weight = 0.10
    public let knownFalsePositiveCauses = [
        "New or re-planned cells the baseline has not learned yet.",
        "Gaps in OpenCellID or in the learned baseline (a new area): the rule stays silent when the baseline is empty or holds no cell of this operator and RAT.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        let b = context.baseline
        guard !b.isEmpty, let key = CellKey(o), b[key] == nil,
              b.covers(.init(rat: key.rat, mcc: key.mcc, mnc: key.mnc)) else { return nil }
        return finding("cell \(o.identity) is not among the \(b.count) known cells")
    }
}

import CellwatchModel

/// A large C2 bonus with no temporary penalty. TS 45.008 §6.4: during PENALTY_TIME (20 s × (n+1))
/// the bonus is reduced by TEMPORARY_OFFSET (10 dB × n) so that phones passing by do not reselect at
/// once. TEMPORARY_OFFSET 0 makes a large bonus act immediately, which is what a fake cell wants.
public struct ImmediateReselectBonusRule: Rule {
    public let id = "GSM_C2_IMMEDIATE_BONUS"
    public let reason = "A large reselection bonus applies immediately (TEMPORARY_OFFSET 0)."
    public let inputs = ["cellReselectOffset", "temporaryOffset", "penaltyTime", "configuration.immediateBonusCellReselectOffset"]
    public let weight = 0.10
    public let knownFalsePositiveCauses = [
        "Operators steering traffic to hot-spot microcells may give an immediate bonus; the weight is small for that reason.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .gsm, let cro = o.cellReselectOffset, let to = o.temporaryOffset, let pt = o.penaltyTime,
              pt != 31, to == 0, cro >= context.configuration.immediateBonusCellReselectOffset else { return nil }
        return finding("CELL_RESELECT_OFFSET \(cro) (\(2 * cro) dB) with TEMPORARY_OFFSET 0 during PENALTY_TIME \(pt) (\(20 * (pt + 1)) s): no penalty")
    }
}

import CellwatchModel

/// CELL_RESELECT_OFFSET is the C2 bonus a cell gives itself (TS 45.008 §6.4; 0–63 in 2 dB steps, §9).
/// A fake cell sets it high so that phones prefer it over every real cell.
public struct CellReselectOffsetRule: Rule {
    public let id = "GSM_CELL_RESELECT_OFFSET_HIGH"
    public let reason = "The cell gives itself an abnormally large reselection bonus (CELL_RESELECT_OFFSET)."
    public let inputs = ["cellReselectOffset", "penaltyTime", "configuration.cellReselectOffsetLimit"]
    public let weight = 0.35
    public let knownFalsePositiveCauses = [
        "Operators steering phones to a layer (a DCS 1800 microcell layer, an indoor system) use large offsets, rarely above 40 (80 dB).",
        "With PENALTY_TIME 31 the offset is subtracted, not added (TS 45.008 §6.4): the rule stays silent.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .gsm, let cro = o.cellReselectOffset, o.penaltyTime != 31 else { return nil }
        let limit = context.configuration.cellReselectOffsetLimit
        guard cro > limit else { return nil }
        return finding("CELL_RESELECT_OFFSET \(cro) (\(2 * cro) dB) above \(limit)")
    }
}

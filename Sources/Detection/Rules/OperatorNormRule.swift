import CellwatchModel

/// Broadcast parameters and power far from what the operator's cells normally show (learned per operator
/// in `Baseline.norms`). A fake cell configured by hand or with its software's defaults differs from a
/// network planned as a whole.
public struct OperatorNormRule: Rule {
    public let id = "PARAMETERS_OFF_OPERATOR_NORM"
    public let reason = "Broadcast parameters or power lie far outside what the operator's cells normally show."
    public let inputs = ["cellReselectOffset", "t3212DeciHours", "neighbourARFCNs (count)", "powerDBm",
                         "baseline.norms", "configuration.normMinimumSamples", "configuration.normQuantile",
                         "configuration.normMargins"]
    public let weight = 0.15
    /// Weight when two or more parameters are off.
    public let strongWeight = 0.25
    public let knownFalsePositiveCauses = [
        "Special cells (indoor systems, highway or rail cells, a layer the operator steers to) with their own settings: each value must lie beyond the 1st–99th percentile of at least 50 observations plus a margin, and one parameter alone is weak evidence.",
        "Power near a real mast is high: power counts only when 6 dB above the operator's 99th percentile.",
        "A norm learned from few places: the margins are provisional; relearn after the fleet has covered the area.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let mcc = o.identity.mccValue, let mnc = o.identity.mncValue else { return nil }
        let plmn = Baseline.PLMN(rat: o.rat, mcc: mcc, mnc: mnc)
        let norms = context.baseline.norms
        let c = context.configuration
        var off: [String] = []
        let values = OperatorNorms.values(o)
        // BS_PA_MFRMS has its own rule (GSM_PAGING_GROUPS_UNUSUAL).
        for parameter in [OperatorNorms.Parameter.cellReselectOffset, .t3212, .neighbourCount, .powerDBm] {
            guard let v = values[parameter], norms.samples(plmn, parameter) >= c.normMinimumSamples,
                  let lo = norms.quantile(plmn, parameter, c.normQuantile),
                  let hi = norms.quantile(plmn, parameter, 1 - c.normQuantile) else { continue }
            let margin = c.normMargins[parameter] ?? 0
            let low = parameter != .powerDBm && v < lo - margin
            if low || v > hi + margin {
                let usual = lo == hi ? "\(lo)" : "\(lo)…\(hi)"
                off.append("\(parameter.rawValue) \(v) (operator's usual \(usual))")
            }
        }
        guard !off.isEmpty else { return nil }
        return finding(off.joined(separator: ", ") + " for \(o.identity.mcc)-\(o.identity.mnc)",
                       weight: off.count >= 2 ? strongWeight : weight)
    }
}

import CellwatchModel

/// BS_PA_MFRMS sets how many 51-multiframes separate the paging blocks of one paging group, and with
/// CCCH_CONF and BS_AG_BLKS_RES how many paging groups a cell has (TS 45.002 §6.5.2–6.5.3). An operator
/// sets it network-wide; a fake cell's value, often its software's default, stands out.
public struct PagingGroupsRule: Rule {
    public let id = "GSM_PAGING_GROUPS_UNUSUAL"
    public let reason = "The cell's BS_PA_MFRMS (paging-group spacing) is one the operator's cells do not use."
    public let inputs = ["bsPaMfrms", "baseline.norms (BS_PA_MFRMS per operator)", "configuration.normMinimumSamples",
                         "configuration.normQuantile"]
    public let weight = 0.15
    public let knownFalsePositiveCauses = [
        "An operator tuning paging in one area (a stadium, a business district): the value must lie outside the norm's 1st–99th percentiles of at least 50 observations.",
        "No norm for the operator yet: silent.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .gsm, let v = o.bsPaMfrms, let mcc = o.identity.mccValue, let mnc = o.identity.mncValue else { return nil }
        let plmn = Baseline.PLMN(rat: .gsm, mcc: mcc, mnc: mnc)
        let norms = context.baseline.norms
        let c = context.configuration
        let n = norms.samples(plmn, .bsPaMfrms)
        guard n >= c.normMinimumSamples, let lo = norms.quantile(plmn, .bsPaMfrms, c.normQuantile),
              let hi = norms.quantile(plmn, .bsPaMfrms, 1 - c.normQuantile), v < lo || v > hi else { return nil }
        let usual = lo == hi ? "\(lo + 2)" : "\(lo + 2)–\(hi + 2)"
        return finding("BS_PA_MFRMS \(v) (\(v + 2) multiframes between paging blocks), the operator's cells use \(usual) in \(n) observations")
    }
}

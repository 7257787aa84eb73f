import CellwatchModel

/// T3212, the periodic location update timer (TS 44.018 §10.5.2.11, deci-hours; 0 = no periodic
/// update). Fake cells set it short to make phones report again and again, or 0 so that phones that
/// camp on them stay silent.
public struct T3212Rule: Rule {
    public let id = "GSM_T3212_LOW"
    public let reason = "The periodic location update timer is unusually short, or periodic updates are off."
    public let inputs = ["t3212DeciHours", "configuration.t3212LowLimitDeciHours"]
    public let weight = 0.25
    /// T3212 0 is used by some real networks too: weaker.
    public let zeroWeight = 0.20
    public let knownFalsePositiveCauses = [
        "Some operators use short timers (30–50 minutes) in high-mobility areas; the limit is configurable.",
        "T3212 0 is found in some private and test networks.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .gsm, let t = o.t3212DeciHours else { return nil }
        if t == 0 { return finding("T3212 0: no periodic location update", weight: zeroWeight) }
        let limit = context.configuration.t3212LowLimitDeciHours
        guard t < limit else { return nil }
        return finding("T3212 \(t) (\(t * 6) min) below \(limit) (\(limit * 6) min)")
    }
}

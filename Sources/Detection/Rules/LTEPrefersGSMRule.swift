import CellwatchModel

/// An LTE cell whose idle-mode reselection settings send phones down to GSM: the "lure on LTE, push to
/// a fake GSM cell" catcher (issue 9). Idle-mode reselection between E-UTRA and GERAN is priority based
/// (TS 36.304 §5.2.4.1): SIB3 gives the serving frequency's cellReselectionPriority, SIB7 each GERAN
/// carrier group's (TS 36.331 §6.3.1). Then (TS 36.304 §5.2.4.5):
/// - to a **higher**-priority RAT the UE reselects as soon as a cell there has Srxlev > ThreshX,HighP
///   (for TreselectionRAT), however good the serving LTE cell is, and it measures such RATs all the time
///   (§5.2.4.2). A real network ranks LTE above GSM; GERAN above the serving E-UTRA frequency makes every
///   phone leave LTE for any GSM cell it can hear — the fake one next to it.
/// - to a **lower**-priority RAT only when the serving cell has Srxlev < ThreshServing,LowP. A
///   threshServingLow of 62 dB (31) makes almost every serving cell "low", so the priority order is
///   defeated the same way; weaker evidence, real networks use high values at coverage edges.
/// - equal priorities between RATs are not supported (§5.2.4.1): a cell that sends them is misconfigured
///   or not a real network's; weak evidence.
public struct LTEPrefersGSMRule: Rule {
    public let id = "LTE_PREFERS_GSM"
    public let reason = "An LTE cell's broadcast reselection settings push phones from LTE down to GSM (GERAN priority above the serving LTE frequency, or a serving threshold no real cell reaches)."
    public let inputs = ["rat", "servingReselectionPriority (SIB3)", "threshServingLow (SIB3)", "geranPriorities (SIB7)",
                         "geranThreshXHigh", "geranThreshXLow", "eutraNeighbourPriorities (SIB5)", "utraPriorities (SIB6)",
                         "configuration.lteThreshServingLowLimit"]
    public let weight = 0.45
    /// GERAN above the serving frequency but an E-UTRA or UTRA neighbour ranked higher still: phones
    /// near such a neighbour go there first.
    public let partialWeight = 0.30
    /// A serving threshold so high that the lower-priority GERAN is used almost always.
    public let servingLowWeight = 0.25
    /// Equal E-UTRA and GERAN priorities.
    public let equalPriorityWeight = 0.15
    public let knownFalsePositiveCauses = [
        "Networks switching LTE off on a carrier (refarming) or with thin LTE coverage may rank GSM higher for a time: the finding says which priorities and needs other rules to raise an alert.",
        "Coverage-edge cells use high threshServingLow values on purpose (to leave a weak LTE layer early): only values at or above lteThreshServingLowLimit count, with a lower weight, and only when GERAN is listed with a priority.",
        "SIB7 groups without a cellReselectionPriority take no part in priority reselection and are ignored; without SIB3 (serving priority not decoded) the rule stays silent rather than guess.",
        "Dedicated priorities (RRC Connection Release) override the broadcast ones; a broadcast check cannot see them — that makes misses, not false alarms.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .lte, let serving = o.servingReselectionPriority, let geran = o.geranPriorities,
              let top = geran.max() else { return nil }
        let others = (o.eutraNeighbourPriorities ?? []) + (o.utraPriorities ?? [])
        let high = o.geranThreshXHigh.map { " once a GSM cell is \(2 * $0) dB above its minimum level (threshX-High \($0))" } ?? ""
        if top > serving {
            if let better = others.max(), better >= top {
                return finding("SIB7 ranks GSM (priority \(top)) above this LTE frequency (SIB3 priority \(serving))\(high); a neighbour LTE/UMTS frequency ranks \(better)",
                               weight: partialWeight)
            }
            return finding("SIB7 ranks GSM (priority \(top)) above this LTE frequency (SIB3 priority \(serving)) and every other RAT: phones leave LTE for GSM\(high)")
        }
        if let low = o.threshServingLow, low >= context.configuration.lteThreshServingLowLimit {
            let xLow = o.geranThreshXLow.map { ", GSM accepted \(2 * $0) dB above its minimum (threshX-Low \($0))" } ?? ""
            return finding("threshServingLow \(low) (\(2 * low) dB): the serving LTE cell counts as weak almost everywhere, so phones reselect to GSM (priority \(top), LTE \(serving))\(xLow)",
                           weight: servingLowWeight)
        }
        if top == serving {
            return finding("SIB7 gives GSM the same priority (\(top)) as this LTE frequency; equal priorities between RATs are not supported (TS 36.304 §5.2.4.1)",
                           weight: equalPriorityWeight)
        }
        return nil
    }
}

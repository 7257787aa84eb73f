import CellwatchModel

/// A GSM cell on a channel its operator does not hold. Operators transmit only in their licensed blocks;
/// a fake cell claiming an operator's identity is often put on any free channel.
public struct ChannelOutsideOperatorRangeRule: Rule {
    public let id = "GSM_CHANNEL_OUTSIDE_OPERATOR_RANGE"
    public let reason = "The cell transmits on a channel outside its operator's licensed GSM blocks."
    public let inputs = ["channel", "identity (MCC, MNC)", "configuration.operatorGSMChannels"]
    public let weight = 0.30
    public let knownFalsePositiveCauses = [
        "Spectrum re-allocation, a new licence or network sharing that the configured ranges do not yet show: the ranges are data (`operatorGSMChannels`) to update.",
        "Roaming partners across a border: operators not in the table are not checked.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .gsm, case let .arfcn(a) = o.channel, let mcc = o.identity.mccValue, let mnc = o.identity.mncValue,
              let ranges = context.configuration.operatorGSMChannels[PLMNCode(mcc: mcc, mnc: mnc)],
              !ranges.contains(where: { $0.contains(a.value) }) else { return nil }
        let plmn = "\(o.identity.mcc)-\(o.identity.mnc)"
        if ranges.isEmpty { return finding("GSM cell of \(plmn) on ARFCN \(a.value): the operator runs no GSM network") }
        let held = ranges.sorted { $0.lowerBound < $1.lowerBound }.map { "\($0.lowerBound)–\($0.upperBound)" }.joined(separator: ", ")
        return finding("ARFCN \(a.value) is outside \(plmn)'s GSM channels (\(held))")
    }
}

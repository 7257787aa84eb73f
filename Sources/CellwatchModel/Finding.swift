/// One piece of evidence: a rule fired on an observation. The reason names the concrete values so an
/// officer reading an alert sees why, e.g. "CELL_RESELECT_OFFSET 63 (126 dB) above 40".
public struct Finding: Hashable, Sendable, Codable {
    /// The rule's stable identifier, e.g. "GSM_CELL_RESELECT_OFFSET_HIGH".
    public var ruleID: String
    /// Strength of the evidence, 0–1 (the probability-like weight the scorer combines).
    public var weight: Double
    /// Plain-language reason with the observed values.
    public var reason: String

    public init(ruleID: String, weight: Double, reason: String) {
        self.ruleID = ruleID
        self.weight = weight
        self.reason = reason
    }
}

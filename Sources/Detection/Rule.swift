import CellwatchModel

/// A check on one observation. Each rule says what it looks at, why it matters and when it is wrong,
/// so that an alert can be explained and its false alarms understood.
public protocol Rule: Sendable {
    /// Stable identifier, upper snake case, e.g. "GSM_T3212_LOW".
    var id: String { get }
    /// What the rule detects, in plain language.
    var reason: String { get }
    /// The observation fields and context it reads.
    var inputs: [String] { get }
    /// Nominal weight 0–1 of its finding (a finding may carry less when the evidence is weaker).
    var weight: Double { get }
    /// Legitimate situations that make it fire, and what the rule does about them.
    var knownFalsePositiveCauses: [String] { get }
    /// A finding with the concrete values, or nil when the observation gives no evidence.
    func evaluate(_ observation: CellObservation, in context: RuleContext) -> Finding?
}

/// A check on energy measured on a channel (`ChannelMeasurement`), for what shows before or without a
/// decoded cell. Documented like `Rule`.
public protocol ChannelRule: Sendable {
    var id: String { get }
    var reason: String { get }
    var inputs: [String] { get }
    var weight: Double { get }
    var knownFalsePositiveCauses: [String] { get }
    /// A finding with the concrete values, or nil. The history already holds the measurement.
    func evaluate(_ measurement: ChannelMeasurement, in context: RuleContext) -> Finding?
}

extension ChannelRule {
    func finding(_ text: String, weight: Double? = nil) -> Finding {
        Finding(ruleID: id, weight: weight ?? self.weight, reason: text)
    }
}

extension Rule {
    func finding(_ text: String, weight: Double? = nil) -> Finding {
        Finding(ruleID: id, weight: weight ?? self.weight, reason: text)
    }
}

/// What a rule may consult besides the observation: the baseline, the thresholds, and what was seen
/// recently (the history already includes the observation being evaluated).
public struct RuleContext: Sendable {
    public var baseline: Baseline
    public var configuration: DetectionConfiguration
    public var history: ObservationHistory

    public init(baseline: Baseline, configuration: DetectionConfiguration = DetectionConfiguration(),
                history: ObservationHistory = ObservationHistory()) {
        self.baseline = baseline
        self.configuration = configuration
        self.history = history
    }
}

/// Formatting helpers for reasons: fixed decimals without Foundation's locale-dependent formatters.
enum Text {
    static func signed(_ x: Double, _ digits: Int) -> String { (x >= 0 ? "+" : "") + x.fixed(digits) }
    static func km(_ meters: Double) -> String { (meters / 1000).fixed(1) + " km" }
}

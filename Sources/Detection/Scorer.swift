import CellwatchModel

/// Combines findings into a suspicion score and decides, with hysteresis, whether an alert is raised.
///
/// The score is 100 · (1 − ∏(1 − wᵢ)) over the strongest finding of each rule (a noisy-OR): each
/// finding is read as an independent chance that the cell is fake. Weak evidence stays weak (one
/// 0.10 finding scores 10), independent pieces add up without ever passing 100, and one rule firing
/// on many observations counts once.
public struct Scorer: Sendable {
    public struct Thresholds: Sendable {
        /// An alert is raised when the score reaches this.
        public var raiseAt = 60.0
        /// A raised alert is cleared only when the score falls below this, so a suspect hovering
        /// around the raise threshold does not flap.
        public var clearBelow = 40.0
        /// A raised alert with at least this score is high severity.
        public var highAt = 80.0
        public init() {}
    }

    public var thresholds: Thresholds
    public init(thresholds: Thresholds = Thresholds()) { self.thresholds = thresholds }

    public func score(_ findings: [Finding]) -> Double {
        var strongest: [String: Double] = [:]
        for f in findings { strongest[f.ruleID] = max(strongest[f.ruleID] ?? 0, min(1, max(0, f.weight))) }
        let clear = strongest.values.reduce(1.0) { $0 * (1 - $1) }
        return 100 * (1 - clear)
    }

    /// Whether the alert is raised after a new score, given whether it was raised before.
    public func raised(score: Double, wasRaised: Bool) -> Bool {
        wasRaised ? score >= thresholds.clearBelow : score >= thresholds.raiseAt
    }

    public func severity(score: Double, raised: Bool) -> Severity {
        if raised { return score >= thresholds.highAt ? .high : .medium }
        return score > 0 ? .low : .none
    }
}

import CellwatchModel
import Foundation

/// A cell that has just appeared where a sensor had been listening for hours without hearing it. Real
/// cells run for months; a fake base station is switched on for minutes or hours and then gone.
public struct NewCellInWatchedAreaRule: Rule {
    public let id = "CELL_SHORT_LIVED"
    public let reason = "The cell appeared only minutes ago at a place a sensor had watched for hours without hearing it."
    public let inputs = ["identity", "channel", "history.appearances", "history.watch", "baseline",
                         "configuration.newCellMaximumAgeSeconds", "configuration.newCellWatchedBeforeSeconds",
                         "configuration.newCellMaximumGapSeconds"]
    public let weight = 0.15
    public let knownFalsePositiveCauses = [
        "A real cell newly put into service or back from maintenance: silent for any cell the baseline knows.",
        "A cell heard only at times (at the edge of coverage, behind moving obstacles): the sensor must have been decoding cells at the same place right up to the appearance.",
        "A mobile operator site (events, emergencies): the weight is low; other rules must agree.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let key = CellKey(o), context.baseline[key] == nil else { return nil }
        let emitter = EmitterKey(key, o.channel)
        guard let a = context.history.appearances[emitter], let gap = a.gapBefore else { return nil }
        let c = context.configuration
        let age = o.time.timeIntervalSince(a.firstSeen)
        guard age >= 0, age <= c.newCellMaximumAgeSeconds, a.watchedBefore >= c.newCellWatchedBeforeSeconds,
              gap <= c.newCellMaximumGapSeconds else { return nil }
        return finding("first heard \((age / 60).fixed(0)) min ago by \(a.sensorID), which had decoded cells at that place for \((a.watchedBefore / 3600).fixed(1)) h without hearing it")
    }
}

import CellwatchModel
import Foundation

/// The cell is suddenly far stronger than it has been at the same place, and stronger than every other
/// cell heard: a fake base station cloning a real cell, or switched on near the sensor, overpowers the
/// network so that phones pick it.
public struct PowerJumpRule: Rule {
    public let id = "POWER_JUMP_ABOVE_ALL"
    public let reason = "The cell is far stronger than its own history at this place and stronger than every other cell heard."
    public let inputs = ["powerDBm (or powerDBFS from the same sensor)", "position", "history.powerHistory",
                         "history.recent", "configuration.powerJumpDB", "configuration.powerHistoryRadiusMeters",
                         "configuration.powerHistoryMinimumSamples", "configuration.powerAboveOthersDB"]
    public let weight = 0.25
    public let knownFalsePositiveCauses = [
        "A sensor driving towards a real mast: history only from the same sensor within 300 m of the present position counts.",
        "Gain changes of an uncalibrated sensor: dBFS is compared only within one sensor, and a gain step shifts every cell, so the cell must also beat every other cell heard.",
        "A cell back from a power reduction (night-time energy saving): weight moderate; the history median over at least five samples.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard let key = CellKey(o), let (power, calibrated) = ObservationHistory.power(o), let here = o.position else { return nil }
        let c = context.configuration
        let earlier = (context.history.powerHistory[EmitterKey(key, o.channel)] ?? []).filter {
            $0.sensorID == o.sensorID && $0.calibrated == calibrated && $0.time < o.time
                && ($0.fix.map { $0.distanceMeters(to: here) <= c.powerHistoryRadiusMeters } ?? false)
        }.map(\.power).sorted()
        guard earlier.count >= c.powerHistoryMinimumSamples else { return nil }
        let median = earlier.count % 2 == 1 ? earlier[earlier.count / 2]
            : (earlier[earlier.count / 2 - 1] + earlier[earlier.count / 2]) / 2
        guard power - median >= c.powerJumpDB else { return nil }
        let others = context.history.cellsAround(o, window: c.neighbourhoodWindowSeconds, radiusMeters: 0)
            .filter { $0.sensorID == o.sensorID }
            .compactMap { r -> Double? in
                guard let (p, cal) = ObservationHistory.power(r), cal == calibrated else { return nil }
                return p
            }
        guard let strongestOther = others.max(), power - strongestOther >= c.powerAboveOthersDB else { return nil }
        let unit = calibrated ? "dBm" : "dBFS"
        return finding("\(power.fixed(1)) \(unit), \(Text.signed(power - median, 1)) dB over its median of \(earlier.count) earlier readings here and \(Text.signed(power - strongestOther, 1)) dB over the strongest of \(others.count) other cells")
    }
}

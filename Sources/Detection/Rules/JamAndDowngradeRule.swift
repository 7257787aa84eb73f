import CellwatchModel
import Foundation

/// A GSM cell appears while the LTE channels around it fill with noise: the jam-and-downgrade attack,
/// where LTE is jammed so that phones fall back to GSM and camp on the fake cell.
public struct JamAndDowngradeRule: Rule {
    public let id = "JAM_AND_DOWNGRADE"
    public let reason = "A GSM cell appeared while LTE channels heard by the same sensor rose far above their usual power."
    public let inputs = ["rat", "history.appearances", "history.channelMeasurements (LTE band power)",
                         "configuration.jamRiseDB", "configuration.jamMinimumHistory", "configuration.jamWindowSeconds"]
    public let weight = 0.40
    public let knownFalsePositiveCauses = [
        "LTE load peaks raise band power a few dB: the rise must reach 10 dB over the channel's own median.",
        "A sensor moving close to an LTE site: only the same sensor's earlier measurements count, and the rise must coincide (within 2 min) with the GSM cell's first appearance.",
        "A real GSM cell first heard by chance during interference: the weight needs other rules to raise an alert.",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        guard o.rat == .gsm, let key = CellKey(o), let a = context.history.appearances[EmitterKey(key, o.channel)] else { return nil }
        let c = context.configuration
        guard o.time.timeIntervalSince(a.firstSeen) <= c.jamWindowSeconds else { return nil }
        var worst: (channel: RadioChannel, rise: Double, usual: Double)? = nil
        for (k, list) in context.history.channelMeasurements where k.sensorID == o.sensorID && k.channel.rat == .lte {
            let before = list.filter { $0.time < a.firstSeen.addingTimeInterval(-c.jamWindowSeconds) }.map(\.bandPowerDBFS.value).sorted()
            guard before.count >= c.jamMinimumHistory else { continue }
            let usual = before[before.count / 2]
            let during = list.filter { abs($0.time.timeIntervalSince(a.firstSeen)) <= c.jamWindowSeconds }.map(\.bandPowerDBFS.value)
            guard let peak = during.max(), peak - usual >= c.jamRiseDB else { continue }
            if worst == nil || peak - usual > worst!.rise { worst = (k.channel, peak - usual, usual) }
        }
        guard let w = worst else { return nil }
        return finding("GSM cell appeared while \(w.channel) rose \(w.rise.fixed(1)) dB above its usual \(w.usual.fixed(1)) dBFS")
    }
}

import CellwatchModel
import Foundation

/// A strong, continuous carrier on which no cell decodes, again and again. A BCCH carrier is on all the
/// time and a receiver that strong always finds its FCCH/SCH; a jammer, or a fake cell broadcasting
/// malformed system information, is not decodable.
public struct UndecodedCarrierRule: ChannelRule {
    public let id = "UNDECODED_STRONG_CARRIER"
    public let reason = "Strong continuous energy on a channel where no cell decodes."
    public let inputs = ["ChannelMeasurement.bandPowerDBFS", "noiseFloorDBFS", "decoded", "continuous",
                         "history.channelMeasurements", "configuration.undecodedMinimumSNR",
                         "configuration.undecodedMinimumCount", "configuration.undecodedMinimumSpanSeconds"]
    public let weight = 0.15
    public let knownFalsePositiveCauses = [
        "Traffic carriers of real cells (no FCCH/SCH) are bursty: only carriers measured as continuous count.",
        "A fully loaded traffic carrier is continuous too: low weight; needs other evidence.",
        "Co-channel interference between two real cells makes both undecodable: needs 20 dB SNR and repeated failures over a minute.",
    ]
    public init() {}

    public func evaluate(_ m: ChannelMeasurement, in context: RuleContext) -> Finding? {
        guard !m.decoded, m.continuous == true, let snr = m.snrDB, snr >= context.configuration.undecodedMinimumSNR else { return nil }
        let c = context.configuration
        let list = context.history.channelMeasurements[.init(sensorID: m.sensorID, channel: m.channel)] ?? []
        let failures = list.filter { !$0.decoded && $0.continuous == true && ($0.snrDB ?? 0) >= c.undecodedMinimumSNR && $0.time <= m.time }
        // Any decode on the channel since the first failure clears it.
        guard let first = failures.map(\.time).min(),
              !list.contains(where: { $0.decoded && $0.time >= first && $0.time <= m.time }),
              failures.count >= c.undecodedMinimumCount,
              m.time.timeIntervalSince(first) >= c.undecodedMinimumSpanSeconds else { return nil }
        return finding("\(m.channel): \(snr.fixed(1)) dB above the noise floor, continuous, no cell decoded in \(failures.count) measurements over \(m.time.timeIntervalSince(first).fixed(0)) s")
    }
}

import CellwatchModel
import Foundation

/// The ground truth of a scenario: where every transmitter is at any time, and what a sensor should
/// see — each transmitter's received power and in-channel SNR, and whether a receiver should decode it.
/// Uses the same link budget as the renderer (mean power, without the multipath taps' ripple).
public struct ScenarioTimeline: Sendable {
    public let scenario: Scenario
    public let link: LinkBudget
    /// In-channel SNR at and above which a cell counts as decodable (GSM BCCH needs about 9 dB).
    public var decodableSNR: Double
    /// Noise bandwidth of one GSM channel, hertz.
    public static let gsmChannelBandwidth = 200_000.0
    /// The centre six PRB of an LTE carrier, all an LTE cell search and PBCH decoder need.
    public static let lteCentreBandwidth = 1_080_000.0

    public init(scenario: Scenario, decodableSNR: Double = 9) {
        self.scenario = scenario
        link = LinkBudget(scenario: scenario)
        self.decodableSNR = decodableSNR
    }

    public var transmitters: [Transmitter] { link.transmitters }

    /// Where transmitter `id` is at scenario time `t`, or nil for an unknown id.
    public func position(of id: String, at t: Double) -> GeoPoint? {
        guard let tx = transmitters.first(where: { $0.id == id }) else { return nil }
        return tx.trajectory.point(at: t, in: link.frame)
    }

    /// Where sensor `id` is at scenario time `t`.
    public func sensorPosition(_ id: String, at t: Double) -> GeoPoint? {
        scenario.sensor(id)?.trajectory.point(at: t, in: link.frame)
    }

    /// What one sensor should see of one transmitter.
    public struct Visibility: Sendable, Equatable {
        public var transmitterID: String
        public var role: Transmitter.Role
        public var rat: RAT
        public var frequency: Hertz
        public var arfcn: ARFCN?
        public var active: Bool
        /// Whether the tuned window holds the carrier.
        public var inTunedWindow: Bool
        public var rendered: Bool
        public var distanceMeters: Double
        public var powerDBm: Double
        public var powerDBFS: Double
        /// Signal to noise plus co-channel interference in one channel, dB.
        public var snrDB: Double
        /// Active, rendered, inside the tuned window and with enough SNR.
        public var decodable: Bool
        /// Everything in the tuned window together comes within 3 dB of the ADC's full scale: samples
        /// clip, and weaker carriers may be lost under intermodulation (not counted in `decodable`).
        public var clipping: Bool
    }

    /// Every transmitter as sensor `sensorID` sees it at time `t`, tuned to `tuning` (default: the
    /// sensor's own tuning at that time). Sorted strongest first.
    public func visibility(sensor sensorID: String, at t: Double, tuning: Hertz? = nil) -> [Visibility] {
        guard let s = scenario.sensor(sensorID) else { return [] }
        let fe = FrontEnd(s.receiver)
        let centre = (tuning ?? s.receiver.tuning(at: t)).value
        let halfSpan = s.receiver.sampleRate / 2
        // The receiver's anti-alias filter, as the renderer applies it.
        let filter = ReceiveFilter(sampleRate: s.receiver.sampleRate)
        let links = transmitters.indices.map { link.link($0, receiver: s.trajectory, at: t) }
        let noise = pow(10, fe.noiseDBm(bandwidth: Self.gsmChannelBandwidth) / 10)
        // Total power reaching the ADC: noise plus every carrier the window holds, through the filter
        // (a GSM carrier at its centre's response; the LTE lure's subcarriers each at their own).
        var windowPower = pow(10, fe.noiseFloorDBFS / 10)
        for (j, tx) in transmitters.enumerated() where tx.rendered && tx.isActive(at: t) {
            let offset = tx.frequency.value - centre
            let passed = tx.rat == .lte
                ? filter.powerFraction(offset: offset, bandwidth: Double(Transmitter.lteResourceBlocks) * 180_000)
                : pow(filter.gain(offset: offset, bandwidth: Self.gsmChannelBandwidth), 2)
            windowPower += passed * pow(10, fe.dBFS(fromDBm: links[j].powerDBm) / 10)
        }
        let clipping = 10 * log10(windowPower) > -3
        var out: [Visibility] = []
        for (i, tx) in transmitters.enumerated() {
            let active = tx.isActive(at: t)
            let f = tx.frequency.value
            // A GSM carrier needs its ±100 kHz inside the window (less 5 % at the filter edges) and its
            // centre in the receive filter's flat passband (the renderer scales it by the response
            // there, so its power is the link budget's only inside); an LTE cell its centre six PRB
            // (±540 kHz: PSS, SSS, PBCH) inside the flat passband (its subcarriers are weighted by the
            // response at each), and its SNR is per resource element (the power is that of a fully
            // loaded carrier, so noise counts over the whole bandwidth).
            let isLTE = tx.rat == .lte
            let needed = isLTE ? Self.lteCentreBandwidth : Self.gsmChannelBandwidth
            let inWindow = isLTE
                ? abs(f - centre) + needed / 2 <= filter.passbandEdge
                : abs(f - centre) + needed / 2 <= halfSpan * 0.95 && abs(f - centre) <= filter.passbandEdge
            var interference = 0.0
            for (j, other) in transmitters.enumerated() where j != i && other.rendered && other.isActive(at: t)
                && abs(other.frequency.value - f) < needed / 2 + 100_000 {
                interference += pow(10, links[j].powerDBm / 10)
            }
            let ownNoise = isLTE ? pow(10, fe.noiseDBm(bandwidth: Double(Transmitter.lteResourceBlocks) * 180_000) / 10) : noise
            let snr = links[i].powerDBm - 10 * log10(ownNoise + interference)
            out.append(Visibility(transmitterID: tx.id, role: tx.role, rat: tx.rat, frequency: tx.frequency, arfcn: tx.arfcn,
                                  active: active, inTunedWindow: inWindow, rendered: tx.rendered,
                                  distanceMeters: links[i].distance, powerDBm: links[i].powerDBm,
                                  powerDBFS: fe.dBFS(fromDBm: links[i].powerDBm), snrDB: snr,
                                  decodable: active && tx.rendered && inWindow && snr >= decodableSNR, clipping: clipping))
        }
        return out.sorted { $0.powerDBm > $1.powerDBm }
    }

    /// The ids of the transmitters sensor `sensorID` should decode at time `t`.
    public func decodable(sensor sensorID: String, at t: Double, tuning: Hertz? = nil) -> [String] {
        visibility(sensor: sensorID, at: t, tuning: tuning).filter(\.decodable).map(\.transmitterID)
    }
}

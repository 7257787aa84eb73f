import CellwatchModel
import DSP
import Foundation
import Localization
import Simulation
import TestSupport

/// The power sightings the sensors of a simulated scenario make of one emitter, from the simulator's own
/// scene model (no IQ is rendered): for each sensor dwell in which the timeline says the emitter is
/// decodable (tuned window, on the air, SNR ≥ 9 dB), the power the sensor measures over the dwell —
///
/// - the link budget's mean power (log-distance path loss plus the emitter's correlated shadowing field
///   at the sensor's position), averaged in linear power over the dwell as both move,
/// - times the in-channel gain of the emitter→sensor multipath taps the renderer uses (mean of |H(f)|²
///   over the 200 kHz GSM channel at the emitter's offset from the sensor's tuning),
/// - plus the receiver's noise in that channel,
/// - plus seeded white estimation noise (`measurementNoiseDB`), in dBFS as the sensor reports it,
///
/// at the sensor's true position at mid-dwell (the simulated GPS is exact).
struct ScenarioSightings {
    let scenario: Scenario
    let timeline: ScenarioTimeline
    let emitterID: String
    /// A sensor with a fixed tuning reports once per this many seconds.
    var fixedTuningInterval = 4.0
    var measurementNoiseDB = 1.0
    /// Scenario seconds to cover.
    var span: ClosedRange<Double>

    init(scenario: Scenario, emitterID: String, span: ClosedRange<Double>? = nil) {
        self.scenario = scenario
        timeline = ScenarioTimeline(scenario: scenario)
        self.emitterID = emitterID
        self.span = span ?? 0...scenario.duration
    }

    func date(_ t: Double) -> Date { scenario.startTime.addingTimeInterval(t) }

    /// What trilateration would need to know and never does: the emitter's true power at 1 m in the
    /// sensors' dBFS (transmit power, free-space loss at 1 m, receiver gain) and the scene's exponent.
    var truthModel: FixedPathLossModel {
        let tx = timeline.transmitters.first { $0.id == emitterID }!
        let gain = scenario.sensors.first?.receiver.gain ?? 0
        return FixedPathLossModel(referencePowerDBm: tx.powerDBm - scenario.propagation.pathLoss(distance: 1, frequency: tx.frequency.value) + gain,
                                  referenceDistanceMeters: 1, pathLossExponent: scenario.propagation.pathLossExponent)
    }

    /// The emitter's true position at scenario time `t`.
    func truth(at t: Double) -> GeoPoint { timeline.position(of: emitterID, at: t)! }

    func sightings(seed: UInt64) throws -> [PowerSighting] {
        var rng = SeededGenerator(seed: seed)
        guard let txIndex = timeline.transmitters.firstIndex(where: { $0.id == emitterID }) else { return [] }
        let tx = timeline.transmitters[txIndex]
        var out: [PowerSighting] = []
        for s in scenario.sensors {
            let renderer = try SceneRenderer(scenario: scenario, sensorID: s.id, maxBlock: 256)
            let taps = renderer.multipath(of: emitterID)
            let fe = FrontEnd(s.receiver)
            let noise = pow(10, fe.noiseDBm(bandwidth: ScenarioTimeline.gsmChannelBandwidth) / 10)
            let dwell = s.receiver.tuning.count > 1 ? s.receiver.dwell : fixedTuningInterval
            var k = Int((span.lowerBound / dwell).rounded(.down))
            while Double(k + 1) * dwell <= span.upperBound {
                let t0 = Double(k) * dwell, mid = t0 + dwell / 2
                k += 1
                guard t0 >= span.lowerBound,
                      let v = timeline.visibility(sensor: s.id, at: mid).first(where: { $0.transmitterID == emitterID }),
                      v.decodable, tx.isActive(at: t0 + 0.05), tx.isActive(at: t0 + dwell - 0.05) else { continue }
                var linear = 0.0
                for j in 0..<8 {
                    let t = t0 + (Double(j) + 0.5) * dwell / 8
                    linear += pow(10, timeline.link.link(txIndex, receiver: s.trajectory, at: t).powerDBm / 10) / 8
                }
                let offset = tx.frequency.value - s.receiver.tuning(at: mid).value
                let gain = taps.map { Self.channelGain($0, offset: offset, sampleRate: s.receiver.sampleRate) } ?? 1
                let dBm = 10 * log10(linear * gain + noise) + measurementNoiseDB * rng.normal()
                let p = timeline.sensorPosition(s.id, at: mid)!
                out.append(PowerSighting(latitudeDegrees: p.latitude, longitudeDegrees: p.longitude, time: date(mid),
                                         rssiDBm: fe.dBFS(fromDBm: dBm), sensorID: s.id))
            }
        }
        return out.sorted { ($0.time, $0.sensorID) < ($1.time, $1.sensorID) }
    }

    /// Mean of |H(f)|² over a GSM channel centred `offset` hertz from the tuning.
    static func channelGain(_ c: MultipathChannel, offset: Double, sampleRate: Double) -> Double {
        let points = 41
        var sum = 0.0
        for i in 0..<points {
            let f = offset + (Double(i) / Double(points - 1) - 0.5) * ScenarioTimeline.gsmChannelBandwidth
            var re = 0.0, im = 0.0
            for (k, d) in c.delays.enumerated() {
                let g = c.gains[k], ph = -2 * Double.pi * f * Double(d) / sampleRate
                re += Double(g.real) * cos(ph) - Double(g.imag) * sin(ph)
                im += Double(g.real) * sin(ph) + Double(g.imag) * cos(ph)
            }
            sum += re * re + im * im
        }
        return sum / Double(points)
    }
}

extension SeededGenerator {
    /// A standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300), u2 = Double(next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Order statistic for the error tables.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let s = values.sorted()
    let k = min(max(Int((p * Double(s.count - 1)).rounded()), 0), s.count - 1)
    return s[k]
}

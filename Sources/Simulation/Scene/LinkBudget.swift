import CellwatchModel
import Foundation

/// The mean radio link between each transmitter of a scenario and any receiver position: distance,
/// log-distance path loss, the transmitter's shadowing field and the Doppler of relative motion. The
/// renderer and the ground truth both use it, so what is drawn and what is declared visible agree.
public struct LinkBudget: Sendable {
    public let scenario: Scenario
    public let transmitters: [Transmitter]
    public let frame: LocalFrame
    let shadowing: [ShadowingField]

    public init(scenario: Scenario) {
        self.scenario = scenario
        transmitters = scenario.transmitters
        frame = scenario.frame
        shadowing = transmitters.indices.map { i in
            ShadowingField(sigma: scenario.propagation.shadowingSigma,
                           correlationDistance: scenario.propagation.shadowingCorrelationDistance,
                           seed: scenario.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
        }
    }

    /// Height of a transmitting antenna above a receiving one, metres: the shortest possible path.
    public static let heightDifference = 10.0

    public struct Link: Sendable {
        public var distance: Double
        public var pathLoss: Double
        public var shadowing: Double
        /// Mean received power (before multipath), dBm.
        public var powerDBm: Double
        /// Doppler shift of the carrier, hertz (0 when the scenario turns Doppler off).
        public var doppler: Double
    }

    /// Carrier as transmitted: nominal frequency plus the transmitter's own error.
    public func transmittedFrequency(_ index: Int) -> Double {
        let t = transmitters[index]
        return t.frequency.value * (1 + t.frequencyErrorPPM * 1e-6)
    }

    /// The link from transmitter `index` to a receiver following `receiver` at scenario time `t`.
    public func link(_ index: Int, receiver: Trajectory, at t: Double) -> Link {
        let tx = transmitters[index]
        let rx = receiver.position(at: t, in: frame)
        let p = tx.trajectory.position(at: t, in: frame)
        let d = (p.distance(to: rx) * p.distance(to: rx) + Self.heightDifference * Self.heightDifference).squareRoot()
        let f = tx.frequency.value
        let pl = scenario.propagation.pathLoss(distance: d, frequency: f)
        let sh = shadowing[index].value(at: rx)
        var doppler = 0.0
        if scenario.propagation.doppler, !(tx.trajectory.isFixed && receiver.isFixed) {
            let dt = 0.05
            let a = tx.trajectory.position(at: t - dt, in: frame).distance(to: receiver.position(at: t - dt, in: frame))
            let b = tx.trajectory.position(at: t + dt, in: frame).distance(to: receiver.position(at: t + dt, in: frame))
            doppler = -(b - a) / (2 * dt) / PropagationSettings.speedOfLight * f
        }
        return Link(distance: d, pathLoss: pl, shadowing: sh, powerDBm: tx.powerDBm - pl + sh, doppler: doppler)
    }
}

/// Noise and scale of a receiver front end: kTB thermal noise (−174 dBm/Hz + NF + 10·log10 B), the gain
/// that maps dBm to dBFS, and the ADC's quantisation noise.
public struct FrontEnd: Sendable {
    public let settings: ReceiverSettings

    public init(_ settings: ReceiverSettings) { self.settings = settings }

    /// Thermal noise in dBm over `bandwidth` hertz, referred to the input.
    public func thermalNoiseDBm(bandwidth: Double) -> Double {
        -174 + settings.noiseFigure + 10 * log10(bandwidth)
    }

    /// Thermal noise over the whole sample rate, in dBFS at the ADC.
    public var noiseFloorDBFS: Double { thermalNoiseDBm(bandwidth: settings.sampleRate) + settings.gain }

    /// Quantisation noise power of the ADC (complex, both rails), relative to full scale: Δ²/12 per rail.
    public var quantisationNoisePower: Double {
        switch settings.adc {
        case .cu8: 2 * pow(1 / 127.5, 2) / 12
        case .cs8: 2 * pow(1 / 128.0, 2) / 12
        case .cf32: 0
        }
    }

    /// All noise in `bandwidth` hertz, dBm referred to the input (thermal plus quantisation).
    public func noiseDBm(bandwidth: Double) -> Double {
        let thermal = pow(10, thermalNoiseDBm(bandwidth: bandwidth) / 10)
        let quant = quantisationNoisePower * bandwidth / settings.sampleRate / pow(10, settings.gain / 10)
        return 10 * log10(thermal + quant)
    }

    public func dBFS(fromDBm p: Double) -> Double { p + settings.gain }
}

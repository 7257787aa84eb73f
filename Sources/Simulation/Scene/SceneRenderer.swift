import CellwatchModel
import DSP
import Foundation

/// Makes the waveform of each transmitter the scene renders. `nil` leaves a transmitter silent.
public struct WaveformFactory: Sendable {
    public let make: @Sendable (Transmitter, _ seed: UInt64) -> (any EmitterWaveform)?

    public init(_ make: @escaping @Sendable (Transmitter, UInt64) -> (any EmitterWaveform)?) {
        self.make = make
    }

    /// Every rendered transmitter as an unmodulated carrier.
    public static let tones = WaveformFactory { tx, seed in
        tx.rendered ? ToneWaveform(initialPhase: Double(seed % 6283) / 1000) : nil
    }
}

/// Why a scene cannot be set up.
public enum SimulationError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownSensor(scenario: String, sensor: String, known: [String])
    case scenario(ScenarioError)
    case output(path: String, problem: String)

    public var description: String {
        switch self {
        case .unknownSensor(let s, let id, let known):
            "\(s): no sensor '\(id)' (sensors: \(known.joined(separator: ", ")))"
        case .scenario(let e): e.description
        case .output(let path, let problem): "\(path): \(problem)"
        }
    }
}

/// Renders the IQ one sensor receives: for each block, every transmitter inside the tuned window at its
/// mean received power for the sensor's position and the time, through its multipath taps, offset by
/// its frequency error, the receiver's LO error and Doppler; then thermal noise, gain, clipping and the
/// ADC's quantisation. Allocates its buffers once; `render` allocates nothing.
public final class SceneRenderer {
    public let link: LinkBudget
    public let sensor: SensorSpec
    public let frontEnd: FrontEnd
    /// Largest block `render` handles in one pass (longer requests are split).
    public let maxBlock: Int

    private final class Emitter {
        let index: Int
        var waveform: any EmitterWaveform
        let channel: MultipathChannel
        let bandwidth: Double
        init(index: Int, waveform: any EmitterWaveform, channel: MultipathChannel) {
            self.index = index
            self.waveform = waveform
            self.channel = channel
            bandwidth = waveform.occupiedBandwidth
        }
    }

    private var emitters: [Emitter] = []
    private let scratch: UnsafeMutableBufferPointer<ComplexFloat>
    private var noise: GaussianNoise

    public init(scenario: Scenario, sensorID: String, waveforms: WaveformFactory = .tones, maxBlock: Int = 1 << 16) throws(SimulationError) {
        guard let s = scenario.sensor(sensorID) else {
            throw .unknownSensor(scenario: scenario.source, sensor: sensorID, known: scenario.sensors.map(\.id))
        }
        sensor = s
        link = LinkBudget(scenario: scenario)
        frontEnd = FrontEnd(s.receiver)
        self.maxBlock = maxBlock
        let sensorIndex = UInt64(scenario.sensors.firstIndex { $0.id == sensorID }!)
        var maxDelay = 0
        for (i, tx) in link.transmitters.enumerated() where tx.rendered {
            let seed = scenario.seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15
            guard let w = waveforms.make(tx, seed) else { continue }
            // Taps differ per transmitter and per sensor (different streets, different echoes).
            let ch = MultipathChannel(taps: scenario.propagation.multipathTaps, delaySpread: scenario.propagation.delaySpread,
                                      sampleRate: s.receiver.sampleRate, seed: seed ^ (sensorIndex &* 0xD6E8_FEB8_6659_FD93))
            maxDelay = max(maxDelay, ch.maxDelay)
            emitters.append(Emitter(index: i, waveform: w, channel: ch))
        }
        scratch = .allocate(capacity: maxBlock + maxDelay)
        scratch.initialize(repeating: .zero)
        noise = GaussianNoise(seed: scenario.seed ^ 0x5EED_0000 ^ (sensorIndex &+ 1) &* 0xA076_1D64_78BD_642F)
    }

    deinit { scratch.deallocate() }

    /// The multipath taps from transmitter `id` to this sensor; nil when it is not rendered. (For
    /// studies that need what the sensor measures without rendering IQ, e.g. localization benchmarks.)
    public func multipath(of transmitterID: String) -> MultipathChannel? {
        emitters.first { link.transmitters[$0.index].id == transmitterID }?.channel
    }

    /// Sample rate the sensor's clock really runs at (its crystal error included).
    public var trueSampleRate: Double { sensor.receiver.sampleRate * (1 + sensor.receiver.clockErrorPPM * 1e-6) }

    /// Overwrites `output` with the samples taken from scenario time `startTime` on, tuned to `tuning`.
    /// Returns the scenario time just after the last sample.
    @discardableResult
    public func render(into output: UnsafeMutableBufferPointer<ComplexFloat>, startTime: Double, tuning: Hertz) -> Double {
        var done = 0
        var t = startTime
        let fs = trueSampleRate
        while done < output.count {
            let n = min(maxBlock, output.count - done)
            let part = UnsafeMutableBufferPointer(rebasing: output[done..<(done + n)])
            renderBlock(part, startTime: t, tuning: tuning)
            done += n
            t = startTime + Double(done) / fs
        }
        return t
    }

    private func renderBlock(_ out: UnsafeMutableBufferPointer<ComplexFloat>, startTime: Double, tuning: Hertz) {
        let n = out.count
        out.update(repeating: .zero)
        let rx = sensor.receiver
        let fs = trueSampleRate
        let lo = tuning.value * (1 + rx.clockErrorPPM * 1e-6)
        let tMid = startTime + Double(n) / 2 / fs
        let halfSpan = rx.sampleRate / 2
        for e in emitters {
            let tx = link.transmitters[e.index]
            let offset0 = link.transmittedFrequency(e.index) - lo
            if abs(offset0) - e.bandwidth / 2 > halfSpan { continue }
            // The samples during which it is on.
            var a = 0, b = n
            if let intervals = tx.activeIntervals {
                guard let iv = intervals.first(where: { $0.upperBound > startTime && $0.lowerBound < startTime + Double(n) / fs }) else { continue }
                a = max(0, Int(((iv.lowerBound - startTime) * fs).rounded(.up)))
                b = min(n, Int(((iv.upperBound - startTime) * fs).rounded(.up)))
                if b <= a { continue }
            }
            let l = link.link(e.index, receiver: sensor.trajectory, at: tMid)
            let amplitude = Float(pow(10, frontEnd.dBFS(fromDBm: l.powerDBm) / 20))
            let offset = offset0 + l.doppler
            let t0 = startTime + Double(a) / fs
            let m = b - a
            if e.channel.delays.count == 1 {
                e.waveform.render(into: UnsafeMutableBufferPointer(rebasing: out[a..<b]), startTime: t0, sampleRate: fs,
                                  frequencyOffset: offset, amplitude: amplitude)
                continue
            }
            // Render once with a lead-in of the longest delay, then sum the delayed, weighted copies.
            let d = e.channel.maxDelay
            let s = UnsafeMutableBufferPointer(rebasing: scratch[0..<(m + d)])
            s.update(repeating: .zero)
            e.waveform.render(into: s, startTime: t0 - Double(d) / fs, sampleRate: fs, frequencyOffset: offset, amplitude: amplitude)
            let o = UnsafeMutableBufferPointer(rebasing: out[a..<b])
            if e.channel.delays.count == 3 {
                // The usual case in one pass over the output.
                let g0 = e.channel.gains[0], g1 = e.channel.gains[1], g2 = e.channel.gains[2]
                let b0 = d - e.channel.delays[0], b1 = d - e.channel.delays[1], b2 = d - e.channel.delays[2]
                // Two complex samples per SIMD4: x·g = x·gr + swap(x)·(−gi, gi, −gi, gi).
                let src = UnsafeRawPointer(s.baseAddress!), dst = UnsafeMutableRawPointer(o.baseAddress!)
                let r0 = SIMD4<Float>(repeating: g0.real), q0 = SIMD4<Float>(-g0.imag, g0.imag, -g0.imag, g0.imag)
                let r1 = SIMD4<Float>(repeating: g1.real), q1 = SIMD4<Float>(-g1.imag, g1.imag, -g1.imag, g1.imag)
                let r2 = SIMD4<Float>(repeating: g2.real), q2 = SIMD4<Float>(-g2.imag, g2.imag, -g2.imag, g2.imag)
                let pairs = m / 2
                for j in 0..<pairs {
                    let i = 2 * j
                    let x0 = src.loadUnaligned(fromByteOffset: (b0 + i) * 8, as: SIMD4<Float>.self)
                    let x1 = src.loadUnaligned(fromByteOffset: (b1 + i) * 8, as: SIMD4<Float>.self)
                    let x2 = src.loadUnaligned(fromByteOffset: (b2 + i) * 8, as: SIMD4<Float>.self)
                    var acc = dst.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Float>.self)
                    acc += x0 * r0 + SIMD4(x0[1], x0[0], x0[3], x0[2]) * q0
                    acc += x1 * r1 + SIMD4(x1[1], x1[0], x1[3], x1[2]) * q1
                    acc += x2 * r2 + SIMD4(x2[1], x2[0], x2[3], x2[2]) * q2
                    dst.storeBytes(of: acc, toByteOffset: i * 8, as: SIMD4<Float>.self)
                }
                for i in (2 * pairs)..<m {
                    let x0 = s[b0 + i], x1 = s[b1 + i], x2 = s[b2 + i]
                    o[i].real += x0.real * g0.real - x0.imag * g0.imag + x1.real * g1.real - x1.imag * g1.imag
                        + x2.real * g2.real - x2.imag * g2.imag
                    o[i].imag += x0.real * g0.imag + x0.imag * g0.real + x1.real * g1.imag + x1.imag * g1.real
                        + x2.real * g2.imag + x2.imag * g2.real
                }
                continue
            }
            for (k, delay) in e.channel.delays.enumerated() {
                let g = e.channel.gains[k]
                let base = d - delay
                for i in 0..<m {
                    let x = s[base + i]
                    o[i].real += x.real * g.real - x.imag * g.imag
                    o[i].imag += x.real * g.imag + x.imag * g.real
                }
            }
        }
        // Thermal noise over the sample rate, at the ADC.
        let sigma = Float((pow(10, frontEnd.noiseFloorDBFS / 10) / 2).squareRoot())
        noise.add(to: out, sigma: sigma)
        quantise(out)
    }

    /// Clipping at full scale and the ADC's rounding, as the samples would come off the device and be
    /// converted to floats by `SampleConverter`.
    private func quantise(_ out: UnsafeMutableBufferPointer<ComplexFloat>) {
        switch sensor.receiver.adc {
        // Rounding by truncating a non-negative value plus one half: no libm call, so the loop vectorises.
        case .cu8:
            for i in out.indices {
                let r = Float(Int32(min(max(out[i].real * 127.5 + 127.5, 0), 255) + 0.5))
                let q = Float(Int32(min(max(out[i].imag * 127.5 + 127.5, 0), 255) + 0.5))
                out[i] = ComplexFloat((min(r, 255) - 127.5) / 127.5, (min(q, 255) - 127.5) / 127.5)
            }
        case .cs8:
            for i in out.indices {
                let r = Float(Int32(min(max(out[i].real * 128 + 128, 0), 255) + 0.5)) - 128
                let q = Float(Int32(min(max(out[i].imag * 128 + 128, 0), 255) + 0.5)) - 128
                out[i] = ComplexFloat(min(r, 127) / 128, min(q, 127) / 128)
            }
        case .cf32:
            guard sensor.receiver.clipping else { return }
            for i in out.indices {
                out[i] = ComplexFloat(min(max(out[i].real, -1), 1), min(max(out[i].imag, -1), 1))
            }
        }
    }
}

/// Complex white Gaussian noise from a seeded xoshiro128+ generator (Box–Muller, one pair per sample;
/// the uniform phase is taken from a 4096-entry table, whose steps are far finer than noise can show).
struct GaussianNoise {
    private var s0: UInt32, s1: UInt32, s2: UInt32, s3: UInt32
    private static let phases: [ComplexFloat] = (0..<4096).map {
        let th = 2 * Double.pi * (Double($0) + 0.5) / 4096
        return ComplexFloat(Float(cos(th)), Float(sin(th)))
    }

    init(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let a = g.next(), b = g.next()
        s0 = UInt32(truncatingIfNeeded: a)
        s1 = UInt32(truncatingIfNeeded: a >> 32) | 1
        s2 = UInt32(truncatingIfNeeded: b)
        s3 = UInt32(truncatingIfNeeded: b >> 32)
    }

    @inline(__always)
    private mutating func next() -> UInt32 {
        let result = s0 &+ s3
        let t = s1 << 9
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 11) | (s3 >> 21)
        return result
    }

    /// Adds noise of standard deviation `sigma` per rail.
    mutating func add(to out: UnsafeMutableBufferPointer<ComplexFloat>, sigma: Float) {
        guard sigma > 0 else { return }
        Self.phases.withUnsafeBufferPointer { table in
            for i in out.indices {
                let u1 = (Float(next() >> 8) + 0.5) * 0x1p-24
                let p = table[Int(next() >> 20)]
                let r = sigma * (-2 * logf(u1)).squareRoot()
                out[i].real += r * p.real
                out[i].imag += r * p.imag
            }
        }
    }
}

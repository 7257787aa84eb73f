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

/// Renders the IQ one sensor receives: every transmitter inside the tuned window at its mean received
/// power for the sensor's position and the time, through its multipath taps, offset by its frequency
/// error, the receiver's LO error and Doppler, and through the receiver's anti-alias filter
/// (`ReceiveFilter`: a gain per emitter from the filter's response at its instantaneous offset, and
/// nothing that would land at or beyond ±fs/2 and wrap); then thermal noise, gain, clipping and the
/// ADC's quantisation. Allocates its buffers once; `render` allocates nothing (a waveform that shapes
/// its own spectrum by the filter may allocate when a retune changes its offset).
///
/// Consecutive calls form one stream (a call that starts where the last one ended continues it), and
/// the stream does not depend on how it is cut into calls: sample i of the stream is the same whether
/// rendered in one call or in many. Where the link changes with time (a moving sensor or transmitter),
/// power and Doppler are evaluated per control interval of about a millisecond on a grid fixed to the
/// stream, and the Doppler phase is integrated across intervals and calls, so the carrier phase is
/// continuous. The waveform itself is rendered at the fixed nominal offset and unit amplitude, which
/// makes it a pure function of time: the multipath echoes of a call's first samples are rendered again
/// from the waveform (a lead-in of the longest delay) and are exactly what the previous call sent.
public final class SceneRenderer {
    public let link: LinkBudget
    public let sensor: SensorSpec
    public let frontEnd: FrontEnd
    /// The receiver's anti-alias filter, at the sample rate its clock really runs at.
    public let receiveFilter: ReceiveFilter
    /// Largest block `render` handles in one pass (longer requests are split).
    public let maxBlock: Int

    private final class Emitter {
        let index: Int
        var waveform: any EmitterWaveform
        let channel: MultipathChannel
        let bandwidth: Double
        /// The link changes with time (either end moves): power and Doppler per control interval.
        let moving: Bool
        /// Taps in the form the moving path's SIMD loop uses, two complex samples per SIMD4:
        /// x·g = x·(gr, gr, gr, gr) + swap(x)·(−gi, gi, −gi, gi); `tapOffset` = maxDelay − delay.
        let tapRe: UnsafeMutableBufferPointer<SIMD4<Float>>
        let tapIm: UnsafeMutableBufferPointer<SIMD4<Float>>
        let tapOffset: UnsafeMutableBufferPointer<Int>
        /// Control interval the fields below describe (`Int.min`: none yet).
        var interval = Int.min
        /// Doppler phase at the interval's first sample, cycles in [0, 1); integrated across intervals.
        var intervalPhase = 0.0
        var intervalDoppler = 0.0
        var intervalAmplitude = 0.0
        /// Nominal offset the waveform was last asked to shape itself for (NaN: never), and whether it
        /// does (then the renderer applies no filter gain of its own).
        var shapedOffset = Double.nan
        var selfShaped = false

        init(index: Int, waveform: any EmitterWaveform, channel: MultipathChannel, moving: Bool) {
            self.index = index
            self.waveform = waveform
            self.channel = channel
            self.moving = moving
            bandwidth = waveform.occupiedBandwidth
            let k = channel.delays.count
            tapRe = .allocate(capacity: k)
            tapIm = .allocate(capacity: k)
            tapOffset = .allocate(capacity: k)
            for (i, (g, d)) in zip(channel.gains, channel.delays).enumerated() {
                tapRe[i] = SIMD4(repeating: g.real)
                tapIm[i] = SIMD4(-g.imag, g.imag, -g.imag, g.imag)
                tapOffset[i] = channel.maxDelay - d
            }
        }

        deinit {
            tapRe.deallocate()
            tapIm.deallocate()
            tapOffset.deallocate()
        }
    }

    private var emitters: [Emitter] = []
    private let scratch: UnsafeMutableBufferPointer<ComplexFloat>
    private var noise: GaussianNoise
    /// The stream: scenario time of its sample 0, and how many samples have been rendered since.
    private var streamStart = 0.0
    private var streamSamples = 0
    private var streaming = false
    /// Samples per control interval (a multiple of `Self.anchorSpacing`, about 1 ms).
    private let intervalLength: Int
    /// The Doppler phasor is recomputed from the phase every this many samples (on the stream's grid):
    /// its single-precision recursion stays exact to ~10⁻⁵ in between.
    private static let anchorSpacing = 1024

    public init(scenario: Scenario, sensorID: String, waveforms: WaveformFactory = .tones, maxBlock: Int = 1 << 16) throws(SimulationError) {
        guard let s = scenario.sensor(sensorID) else {
            throw .unknownSensor(scenario: scenario.source, sensor: sensorID, known: scenario.sensors.map(\.id))
        }
        sensor = s
        link = LinkBudget(scenario: scenario)
        frontEnd = FrontEnd(s.receiver)
        receiveFilter = ReceiveFilter(sampleRate: s.receiver.sampleRate * (1 + s.receiver.clockErrorPPM * 1e-6))
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
            emitters.append(Emitter(index: i, waveform: w, channel: ch, moving: !(tx.trajectory.isFixed && s.trajectory.isFixed)))
        }
        intervalLength = Self.anchorSpacing * max(1, Int((s.receiver.sampleRate * 1e-3 / Double(Self.anchorSpacing)).rounded()))
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
    /// Returns the scenario time just after the last sample; a call that starts there continues the
    /// stream (see the type's notes), any other start time begins a new one.
    @discardableResult
    public func render(into output: UnsafeMutableBufferPointer<ComplexFloat>, startTime: Double, tuning: Hertz) -> Double {
        let fs = trueSampleRate
        if !streaming || abs(startTime - (streamStart + Double(streamSamples) / fs)) * fs > 0.5 {
            streaming = true
            streamStart = startTime
            streamSamples = 0
            for e in emitters { e.interval = Int.min }
        }
        var done = 0
        while done < output.count {
            let n = min(maxBlock, output.count - done)
            let part = UnsafeMutableBufferPointer(rebasing: output[done..<(done + n)])
            renderBlock(part, first: streamSamples, tuning: tuning)
            done += n
            streamSamples += n
        }
        return streamStart + Double(streamSamples) / fs
    }

    /// Renders stream samples `first ..< first + out.count`.
    private func renderBlock(_ out: UnsafeMutableBufferPointer<ComplexFloat>, first: Int, tuning: Hertz) {
        let n = out.count
        out.update(repeating: .zero)
        let rx = sensor.receiver
        let fs = trueSampleRate
        let lo = tuning.value * (1 + rx.clockErrorPPM * 1e-6)
        let startTime = streamStart + Double(first) / fs
        for e in emitters {
            let tx = link.transmitters[e.index]
            let offset0 = link.transmittedFrequency(e.index) - lo
            // Entirely outside the span: nothing of it passes the receive filter.
            if abs(offset0) - e.bandwidth / 2 >= receiveFilter.nyquist { continue }
            if e.shapedOffset != offset0 {
                e.shapedOffset = offset0
                e.selfShaped = e.waveform.shape(to: receiveFilter, offset: offset0)
            }
            // One gain for the whole emitter: none where part of its band would wrap (the Doppler of
            // a moving end, ≲ 100 Hz, is added per control interval in `renderMoving`).
            if !e.selfShaped && receiveFilter.gain(offset: offset0, bandwidth: e.bandwidth) == 0 { continue }
            // The samples during which it is on, as stream indices (so the edges do not depend on how
            // the stream is cut into blocks).
            guard let intervals = tx.activeIntervals else {
                renderEmitter(e, into: out, first: first, range: first..<(first + n), offset0: offset0)
                continue
            }
            for iv in intervals where iv.upperBound > startTime && iv.lowerBound < startTime + Double(n) / fs {
                let a = max(first, Int(((iv.lowerBound - streamStart) * fs).rounded(.up)))
                let b = min(first + n, Int(((iv.upperBound - streamStart) * fs).rounded(.up)))
                if b > a { renderEmitter(e, into: out, first: first, range: a..<b, offset0: offset0) }
            }
        }
        // Thermal noise over the sample rate, at the ADC.
        let sigma = Float((pow(10, frontEnd.noiseFloorDBFS / 10) / 2).squareRoot())
        noise.add(to: out, sigma: sigma)
        quantise(out)
    }

    /// Adds emitter `e` over stream samples `range` into `out` (which holds the samples from `first`).
    private func renderEmitter(_ e: Emitter, into out: UnsafeMutableBufferPointer<ComplexFloat>, first: Int,
                               range: Range<Int>, offset0: Double) {
        let fs = trueSampleRate
        if e.moving {
            renderMoving(e, into: out, first: first, range: range, offset0: offset0)
            return
        }
        let a = range.lowerBound - first, b = range.upperBound - first
        // Neither end moves: the link is the same at every instant.
        let l = link.link(e.index, receiver: sensor.trajectory, at: streamStart + Double(range.lowerBound) / fs)
        let offset = offset0 + l.doppler
        let gain = filterGain(e, offset: offset)
        guard gain > 0 else { return }
        let amplitude = Float(pow(10, frontEnd.dBFS(fromDBm: l.powerDBm) / 20) * gain)
        let t0 = streamStart + Double(range.lowerBound) / fs
        let m = b - a
        if e.channel.delays.count == 1 {
            e.waveform.render(into: UnsafeMutableBufferPointer(rebasing: out[a..<b]), startTime: t0, sampleRate: fs,
                              frequencyOffset: offset, amplitude: amplitude)
            return
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
            return
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

    /// A moving emitter: the waveform at the nominal offset and unit amplitude, through the taps, then
    /// times A·e^(j2πφ(t)), with A and the Doppler frequency per control interval and φ their integral.
    private func renderMoving(_ e: Emitter, into out: UnsafeMutableBufferPointer<ComplexFloat>, first: Int,
                              range: Range<Int>, offset0: Double) {
        let fs = trueSampleRate
        let d = e.channel.maxDelay
        let m = range.count
        // The waveform with a lead-in of the longest delay: s[d + i] is stream sample range.lowerBound + i.
        let s = UnsafeMutableBufferPointer(rebasing: scratch[0..<(m + d)])
        s.update(repeating: .zero)
        e.waveform.render(into: s, startTime: streamStart + Double(range.lowerBound - d) / fs, sampleRate: fs,
                          frequencyOffset: offset0, amplitude: 1)
        let src = UnsafeRawPointer(s.baseAddress!)
        let dst = UnsafeMutableRawPointer(out.baseAddress!)
        let taps = e.channel.delays.count
        let tapRe = UnsafePointer(e.tapRe.baseAddress!), tapIm = UnsafePointer(e.tapIm.baseAddress!)
        let tapOffset = UnsafePointer(e.tapOffset.baseAddress!)
        let spacing = Self.anchorSpacing
        var p = range.lowerBound
        while p < range.upperBound {
            // Pieces end at the block's end and on the anchor grid (intervals are whole anchors).
            let q = min(range.upperBound, (p / spacing + 1) * spacing)
            let c = p / intervalLength
            advance(e, to: c)
            let w = e.intervalDoppler / fs  // cycles per sample
            var phase = e.intervalPhase + w * Double(p - c * intervalLength)
            phase -= phase.rounded(.down)
            // Through the receive filter at this interval's offset (taken here, not in `advance`, so
            // a retune inside an interval takes effect at once).
            let amp = e.intervalAmplitude * filterGain(e, offset: offset0 + e.intervalDoppler)
            let z0r = amp * cos(2 * Double.pi * phase), z0i = amp * sin(2 * Double.pi * phase)
            let c1 = cos(2 * Double.pi * w), s1 = sin(2 * Double.pi * w)
            // The phasors of two consecutive samples, (z0, z1) interleaved, and the step by two samples.
            var z = SIMD4<Float>(Float(z0r), Float(z0i), Float(z0r * c1 - z0i * s1), Float(z0r * s1 + z0i * c1))
            let c2 = Float(cos(4 * Double.pi * w)), s2 = Float(sin(4 * Double.pi * w))
            let stepRe = SIMD4<Float>(repeating: c2), stepIm = SIMD4<Float>(-s2, s2, -s2, s2)
            var i = p - range.lowerBound      // index into the waveform (after the lead-in)
            let end = q - range.lowerBound
            let o = p - first                 // index into `out`
            var k = 0
            while i + 1 < end {
                var y = SIMD4<Float>()
                for t in 0..<taps {
                    let x = src.loadUnaligned(fromByteOffset: (tapOffset[t] + i) * 8, as: SIMD4<Float>.self)
                    y += x * tapRe[t] + SIMD4(x[1], x[0], x[3], x[2]) * tapIm[t]
                }
                let zr = SIMD4<Float>(z[0], z[0], z[2], z[2]), zi = SIMD4<Float>(-z[1], z[1], -z[3], z[3])
                let at = (o + k) * 8
                var acc = dst.loadUnaligned(fromByteOffset: at, as: SIMD4<Float>.self)
                acc += y * zr + SIMD4(y[1], y[0], y[3], y[2]) * zi
                dst.storeBytes(of: acc, toByteOffset: at, as: SIMD4<Float>.self)
                z = z * stepRe + SIMD4(z[1], z[0], z[3], z[2]) * stepIm
                i += 2
                k += 2
            }
            if i < end {  // an odd piece: its last sample, with the first phasor of the pair
                var yr: Float = 0, yi: Float = 0
                for t in 0..<taps {
                    let x = s[tapOffset[t] + i]
                    let g = e.channel.gains[t]
                    yr += x.real * g.real - x.imag * g.imag
                    yi += x.real * g.imag + x.imag * g.real
                }
                out[o + k].real += yr * z[0] - yi * z[1]
                out[o + k].imag += yr * z[1] + yi * z[0]
            }
            p = q
        }
    }

    /// The receive filter's amplitude gain for emitter `e` at instantaneous offset `offset` (1 when
    /// the waveform shapes its own spectrum).
    @inline(__always)
    private func filterGain(_ e: Emitter, offset: Double) -> Double {
        e.selfShaped ? 1 : receiveFilter.gain(offset: offset, bandwidth: e.bandwidth)
    }

    /// Brings `e`'s control-interval state to interval `c`: the phase carried on from interval c − 1
    /// (or started at 0 when the emitter was not rendered there), power and Doppler at the middle of c.
    private func advance(_ e: Emitter, to c: Int) {
        guard e.interval != c else { return }
        let fs = trueSampleRate
        if e.interval != Int.min, e.interval == c - 1 {
            let phase = e.intervalPhase + e.intervalDoppler * Double(intervalLength) / fs
            e.intervalPhase = phase - phase.rounded(.down)
        } else {
            e.intervalPhase = 0
        }
        let l = link.link(e.index, receiver: sensor.trajectory, at: streamStart + (Double(c * intervalLength) + Double(intervalLength) / 2) / fs)
        e.intervalDoppler = l.doppler
        e.intervalAmplitude = pow(10, frontEnd.dBFS(fromDBm: l.powerDBm) / 20)
        e.interval = c
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

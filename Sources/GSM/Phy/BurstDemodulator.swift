import DSP
#if canImport(Glibc)
import Glibc
#endif

/// One burst, demodulated: soft bits for all 148 bit positions and what the training sequence said.
public struct DemodulatedBurst: Sendable {
    /// Soft bits (positive = 1), index = bit position in the burst (TS 45.002 §5.2).
    public var softBits: [SoftBit]
    /// Sample index (4 samples per symbol) of bit 0 as the training sequence placed it.
    public var start: Int
    /// Mean power of the burst's samples (full-scale units).
    public var power: Double
    /// Signal-to-noise ratio measured on the training sequence (linear).
    public var snr: Double
    /// Phase of the channel's strongest tap (radians), for frequency tracking between bursts.
    public var channelPhase: Double

    /// Hard decisions.
    public var bits: [UInt8] { softBits.map { $0 > 0 ? 1 : 0 } }
    /// The 114 data bits of a normal burst (stealing flags excluded), as the xCCH decoder takes them.
    public var normalData: [SoftBit] {
        Array(softBits[NormalBurst.firstHalf]) + Array(softBits[NormalBurst.secondHalf])
    }
    /// The 78 data bits of a synchronisation burst.
    public var syncData: [SoftBit] {
        Array(softBits[SynchronizationBurst.firstHalf]) + Array(softBits[SynchronizationBurst.secondHalf])
    }
}

/// GMSK burst demodulator: timing and channel estimate from the training sequence, then a
/// maximum-likelihood sequence estimator (max-log-MAP over a 2^(L−1)-state trellis) giving soft bits.
///
/// GMSK is treated through Laurent's approximation: derotating the samples by j^−n turns the signal
/// into real symbols c_n = 1 − 2·d_n (GSM's differential precoding, TS 45.004 §2.3, makes c follow the
/// data bits d directly) passed through a short complex channel (the C0 pulse, filters and multipath),
/// which the training sequence measures.
public final class BurstDemodulator {
    /// Channel taps at symbol spacing.
    public let taps: Int
    private let states: Int
    private var observations = [ComplexFloat](repeating: .zero, count: BurstFormat.burstBits)
    private var predicted: [ComplexFloat]
    private var forward: [Float]
    private var backward: [Float]
    private var known = [Int8](repeating: 0, count: BurstFormat.burstBits)
    private var branches: [Float]

    public init(taps: Int = 5) {
        precondition((2...7).contains(taps))
        self.taps = taps
        states = 1 << (taps - 1)
        predicted = [ComplexFloat](repeating: .zero, count: 2 << (taps - 1))
        forward = [Float](repeating: 0, count: (BurstFormat.burstBits + 1) * (1 << (taps - 1)))
        backward = [Float](repeating: 0, count: (BurstFormat.burstBits + 1) * (1 << (taps - 1)))
        branches = [Float](repeating: 0, count: BurstFormat.burstBits * (2 << (taps - 1)))
    }

    /// Demodulates the burst whose bit 0 should be near sample `expectedStart` of `samples` (4 samples
    /// per symbol), searching ± `searchSymbols` for the training sequence `training` (bits) that starts
    /// at burst bit `trainingStart`. Nil when the samples do not reach far enough.
    public func demodulate(_ samples: UnsafeBufferPointer<ComplexFloat>, expectedStart: Int, searchSymbols: Int,
                           training: [UInt8], trainingStart: Int) -> DemodulatedBurst? {
        let sps = BurstFormat.samplesPerSymbol
        let margin = (searchSymbols + taps + 4) * sps
        guard expectedStart - margin >= 0, expectedStart + BurstFormat.burstBits * sps + margin < samples.count else { return nil }

        // Correlate the middle of the training sequence (its ends are cyclic extensions, TS 45.002 §5.2.3)
        // at every sample offset and lag, keep the offset whose best L-tap window holds the most energy.
        let c = training.map { Float(1 - 2 * Int($0)) }
        let used = training.count == 26 ? 5..<21 : 0..<training.count
        let lags = -2...(taps + 1)
        var best = (energy: -1.0, start: expectedStart, shift: 0, h: [ComplexFloat](repeating: .zero, count: taps))
        var h = [ComplexFloat](repeating: .zero, count: lags.count)
        for q in (expectedStart - searchSymbols * sps)...(expectedStart + searchSymbols * sps) {
            for (li, lag) in lags.enumerated() {
                var acc = ComplexFloat.zero
                for m in used {
                    let n = trainingStart + m + lag
                    acc = acc + Self.derotated(samples[q + n * sps], n) * c[m]
                }
                h[li] = acc * (1 / Float(used.count))
            }
            for s in 0...(lags.count - taps) {
                var e = 0.0
                for j in 0..<taps { e += Double(h[s + j].magnitudeSquared) }
                if e > best.energy { best = (e, q, lags.lowerBound + s, Array(h[s..<(s + taps)])) }
            }
        }
        let q = best.start, s = best.shift, channel = best.h

        // Observations o_n = z_{n+s}: o_n depends on c_n … c_{n−L+1} through channel[0 …].
        var power = 0.0
        for n in 0..<BurstFormat.burstBits {
            observations[n] = Self.derotated(samples[q + (n + s) * sps], n + s)
            power += Double(samples[q + n * sps].magnitudeSquared)
        }
        power /= Double(BurstFormat.burstBits)

        // Predicted output for every state (c_{n−1} … c_{n−L+1}) and new symbol c_n. State bit k set
        // means c_{n−1−k} = −1; symbol bit set means c_n = −1.
        for st in 0..<states {
            for sym in 0..<2 {
                var y = channel[0] * (sym == 1 ? -1 : 1)
                for k in 0..<(taps - 1) { y = y + channel[k + 1] * ((st >> k) & 1 == 1 ? -1 : 1) }
                predicted[st << 1 | sym] = y
            }
        }

        // Noise from the residual over the training sequence (all of it: its symbols are known).
        var residual = 0.0, count = 0
        for m in (taps - 1)..<training.count {
            let n = trainingStart + m
            var y = ComplexFloat.zero
            for k in 0..<taps { y = y + channel[k] * c[m - k] }
            residual += Double((observations[n] - y).magnitudeSquared)
            count += 1
        }
        let noise = max(residual / Double(max(count, 1)), 1e-12)
        let signal = best.energy
        let scale = Float(1 / noise)

        // Known symbols: tail bits (0 → c = +1) and the training sequence.
        for n in 0..<BurstFormat.burstBits { known[n] = 0 }
        for n in [0, 1, 2, 145, 146, 147] { known[n] = 1 }
        for (m, bit) in training.enumerated() { known[trainingStart + m] = bit == 0 ? 1 : -1 }

        let strongest = channel.max { $0.magnitudeSquared < $1.magnitudeSquared }!
        return DemodulatedBurst(softBits: maxLogMAP(scale: scale), start: q, power: power, snr: signal / noise,
                                channelPhase: Double(atan2f(strongest.imag, strongest.real)))
    }

    /// z_n = r_n · (−j)^n.
    @inline(__always)
    static func derotated(_ x: ComplexFloat, _ n: Int) -> ComplexFloat {
        switch ((n % 4) + 4) % 4 {
        case 0: x
        case 1: ComplexFloat(x.imag, -x.real)
        case 2: ComplexFloat(-x.real, -x.imag)
        default: ComplexFloat(-x.imag, x.real)
        }
    }

    /// Forward–backward over the trellis with min-sum metrics; soft bit = (best metric with c_n = +1) −
    /// (best with c_n = −1), scaled by 1/noise, so positive means bit 1. Branch metrics are computed once
    /// into `branches`; the loops run on unsafe pointers into buffers allocated at `init`.
    private func maxLogMAP(scale: Float) -> [SoftBit] {
        let n = BurstFormat.burstBits
        let big: Float = 1e30
        let states = self.states, mask = states - 1
        var soft = [SoftBit](repeating: 0, count: n)
        observations.withUnsafeBufferPointer { obs in
        predicted.withUnsafeBufferPointer { pred in
        known.withUnsafeBufferPointer { kn in
        branches.withUnsafeMutableBufferPointer { br in
        forward.withUnsafeMutableBufferPointer { fw in
        backward.withUnsafeMutableBufferPointer { bw in
            // γ[t][state][symbol]; forbidden symbols (tail bits, training) cost `big`.
            for t in 0..<n {
                let k = kn[t], o = obs[t]
                for j in 0..<(2 * states) {
                    let sym = j & 1
                    br[t * 2 * states + j] = (k == 1 && sym == 1) || (k == -1 && sym == 0) ? big : (o - pred[j]).magnitudeSquared
                }
            }
            // Before the burst: the previous tail bits, c = +1 (state 0).
            for st in 0..<states { fw[st] = st == 0 ? 0 : big }
            for t in 0..<n {
                let prev = t * states, next = prev + states, g = t * 2 * states
                for st in 0..<states { fw[next + st] = big }
                for st in 0..<states where fw[prev + st] < big {
                    let a = fw[prev + st]
                    let n0 = (st << 1) & mask, n1 = ((st << 1) | 1) & mask
                    let m0 = a + br[g + 2 * st], m1 = a + br[g + 2 * st + 1]
                    if m0 < fw[next + n0] { fw[next + n0] = m0 }
                    if m1 < fw[next + n1] { fw[next + n1] = m1 }
                }
            }
            for st in 0..<states { bw[n * states + st] = 0 }
            for t in stride(from: n - 1, through: 0, by: -1) {
                let cur = t * states, next = cur + states, g = t * 2 * states
                for st in 0..<states {
                    let v0 = br[g + 2 * st] + bw[next + ((st << 1) & mask)]
                    let v1 = br[g + 2 * st + 1] + bw[next + (((st << 1) | 1) & mask)]
                    bw[cur + st] = min(v0, v1)
                }
            }
            for t in 0..<n {
                var best0 = big, best1 = big
                let cur = t * states, next = cur + states, g = t * 2 * states
                for st in 0..<states where fw[cur + st] < big {
                    let a = fw[cur + st]
                    best0 = min(best0, a + br[g + 2 * st] + bw[next + ((st << 1) & mask)])
                    best1 = min(best1, a + br[g + 2 * st + 1] + bw[next + (((st << 1) | 1) & mask)])
                }
                soft[t] = max(-1e6, min(1e6, (best0 - best1) * scale))
            }
        }}}}}}
        return soft
    }
}

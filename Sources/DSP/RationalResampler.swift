/// Changes the sample rate by L/M (up by `interpolation`, down by `decimation`) with a polyphase
/// low-pass filter: one output sample costs `tapsPerPhase` complex multiply-adds whatever L is.
///
/// Streaming: `process(_:into:)` consumes all input and writes the outputs it can; the filter history
/// is kept between calls. All memory is allocated in `init`.
public final class RationalResampler {
    public let interpolation: Int
    public let decimation: Int
    /// Filter length per branch, rounded up to a multiple of 4 (the extra taps are zero) for the
    /// vector loop.
    public let tapsPerPhase: Int
    /// Phase-major taps, each duplicated for the real and imaginary lane: phase p uses
    /// bank[2·p·tapsPerPhase ..< 2·(p+1)·tapsPerPhase], newest sample first.
    private let bank: UnsafeMutableBufferPointer<Float>
    /// Input history, doubled so the newest `tapsPerPhase` samples are always contiguous.
    private let history: UnsafeMutableBufferPointer<ComplexFloat>
    private var head = 0
    /// Position of the next output in units of 1/L input samples, relative to the newest input.
    private var phase = 0

    /// - Parameters:
    ///   - interpolation: L ≥ 1; decimation: M ≥ 1 (reduce the fraction first: 13/12, not 26/24).
    ///   - tapsPerPhase: filter length per polyphase branch (total taps = L × tapsPerPhase).
    ///   - passband: fraction of the output Nyquist band to keep flat (the cutoff is placed there).
    public init(interpolation: Int, decimation: Int, tapsPerPhase: Int = 24, passband: Double = 0.8) throws(DSPError) {
        guard interpolation >= 1, decimation >= 1 else { throw .invalidParameter("resampling ratio \(interpolation)/\(decimation) must be positive") }
        guard interpolation <= 4096 else { throw .invalidParameter("interpolation \(interpolation) is too large (reduce the ratio or resample in stages)") }
        guard tapsPerPhase >= 2 else { throw .invalidParameter("at least 2 taps per phase") }
        self.interpolation = interpolation
        self.decimation = decimation
        let padded = (tapsPerPhase + 3) / 4 * 4
        self.tapsPerPhase = padded
        let total = interpolation * tapsPerPhase
        // Cutoff at the narrower of the input and output Nyquist bands, on the L-times-upsampled grid.
        let cutoff = passband * 0.5 / Double(max(interpolation, decimation))
        let h = FIRDesign.lowPass(taps: total, cutoff: cutoff, gain: Double(interpolation))
        bank = .allocate(capacity: 2 * interpolation * padded)
        bank.initialize(repeating: 0)
        for p in 0..<interpolation {
            for k in 0..<tapsPerPhase {
                let v = h[k * interpolation + p]
                bank[2 * (p * padded + k)] = v
                bank[2 * (p * padded + k) + 1] = v
            }
        }
        history = .allocate(capacity: 2 * padded)
        history.initialize(repeating: .zero)
    }

    deinit {
        bank.deallocate()
        history.deallocate()
    }

    public var ratio: Double { Double(interpolation) / Double(decimation) }

    public func reset() {
        history.update(repeating: .zero)
        head = 0
        phase = 0
    }

    /// Most outputs `process` can write for `inputCount` inputs; size `output` with it.
    public func maximumOutputCount(forInput inputCount: Int) -> Int {
        (inputCount * interpolation) / decimation + 2
    }

    /// Filters `input` and writes the resampled samples to `output`, returning how many were written.
    public func process(_ input: UnsafeBufferPointer<ComplexFloat>, into output: UnsafeMutableBufferPointer<ComplexFloat>) -> Int {
        precondition(output.count >= maximumOutputCount(forInput: input.count), "resampler output buffer too small")
        let t = tapsPerPhase, l = interpolation, m = decimation
        let hist = history.baseAddress!, taps = bank.baseAddress!, out = output.baseAddress!
        var written = 0
        for x in input {
            // Push the sample into both halves of the doubled history.
            head = head == 0 ? t - 1 : head - 1
            hist[head] = x
            hist[head + t] = x
            // Outputs fall at phases 0 ..< L after this input, stepping by M. Four complex taps per step
            // as two 8-lane vectors (re, im interleaved) into independent accumulators, so the adds
            // do not wait on each other.
            let samples = UnsafeRawPointer(hist + head).assumingMemoryBound(to: Float.self)
            while phase < l {
                let coefficients = taps + 2 * phase * t
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
                var k = 0
                while k + 8 <= t {
                    a0 += UnsafeRawPointer(samples + 2 * k).loadUnaligned(as: SIMD8<Float>.self)
                        * UnsafeRawPointer(coefficients + 2 * k).loadUnaligned(as: SIMD8<Float>.self)
                    a1 += UnsafeRawPointer(samples + 2 * k + 8).loadUnaligned(as: SIMD8<Float>.self)
                        * UnsafeRawPointer(coefficients + 2 * k + 8).loadUnaligned(as: SIMD8<Float>.self)
                    k += 8
                }
                if k < t {
                    a0 += UnsafeRawPointer(samples + 2 * k).loadUnaligned(as: SIMD8<Float>.self)
                        * UnsafeRawPointer(coefficients + 2 * k).loadUnaligned(as: SIMD8<Float>.self)
                }
                let sum = a0 + a1
                out[written] = ComplexFloat(sum[0] + sum[2] + sum[4] + sum[6], sum[1] + sum[3] + sum[5] + sum[7])
                written += 1
                phase += m
            }
            phase -= l
        }
        return written
    }
}

extension RationalResampler {
    /// The fraction L/M nearest to `ratio` with L ≤ `maxInterpolation` (continued fractions), e.g.
    /// 1083333.33/1e6 → 13/12, 1083333.33/2.048e6 → 1625/3072.
    public static func fraction(approximating ratio: Double, maxInterpolation: Int = 4096) -> (interpolation: Int, decimation: Int) {
        precondition(ratio > 0 && ratio.isFinite)
        var (h0, h1) = (0, 1), (k0, k1) = (1, 0)
        var x = ratio
        var best = (1, max(1, Int((1 / ratio).rounded())))
        for _ in 0..<40 {
            let a = Int(x.rounded(.down))
            let (h2, k2) = (a * h1 + h0, a * k1 + k0)
            if h2 > maxInterpolation || k2 > 1 << 20 { break }
            best = (h2, k2)
            (h0, h1, k0, k1) = (h1, h2, k1, k2)
            let frac = x - Double(a)
            if frac < 1e-9 || abs(Double(h2) / Double(k2) - ratio) < 1e-12 * ratio { break }
            x = 1 / frac
        }
        if best.0 == 0 { best = (1, max(1, Int((1 / ratio).rounded()))) }
        return best
    }
}

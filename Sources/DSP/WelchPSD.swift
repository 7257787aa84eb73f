import CDSPKernels
import CFFTW

/// Welch's averaged-periodogram power spectral density estimate, streamed.
///
/// Feed blocks of any length with `process(_:)`; every `hop` samples one windowed segment of `size`
/// samples is transformed and its |X|² added to the average. `spectrum(into:)` gives power per bin,
/// DC in the middle (bin i ↔ offset (i − size/2)·rate/size), normalised so that summing bins over a
/// band gives the band's mean power in the units of the samples squared: a full-scale complex tone
/// (|x| = 1) sums to 1 (0 dBFS), white noise of variance σ² gives σ²/size per bin.
///
/// How, for Hann (the default): the periodic Hann window is ½ − ½cos(2πn/N), and multiplying by
/// cos(2πn/N) in time shifts the spectrum by ±1 bin, so the windowed spectrum is a 3-tap circular
/// convolution of the plain one (Harris 1978, §V): Xw[m] = ½X[m] − ¼(X[m−1] + X[m+1]). Each segment is
/// therefore transformed straight from the caller's block (FFTW's new-array execute: no copy, no
/// window pass), and the window is applied in the pass that accumulates |Xw|². The other windows
/// have 7 and 9 taps, where the convolution costs more than it saves; they are applied in time, from
/// the caller's block into the FFT's input. Only a segment that straddles two blocks, or one whose
/// start FFTW cannot use (alignment), is first copied into an aligned buffer.
///
/// The accumulating passes are the C kernels of `CDSPKernels`, compiled twice (baseline SSE2 and
/// x86-64-v3: AVX2, FMA) with the faster one picked when the program loads; on the benchmark machine
/// the PSD went from 0.55–0.65 to 0.68–0.77 of bare FFTW's throughput (median block; Benchmarks/RESULTS.md).
///
/// All memory is allocated in `init`; `process` and `spectrum` never allocate.
public final class WelchPSD {
    public let size: Int
    public let hop: Int
    public let window: Window
    private let plan: fftwf_plan
    /// Aligned FFT input: windowed segments (time-domain windows), segments assembled from two blocks.
    private let input: UnsafeMutablePointer<ComplexFloat>
    /// FFT output with `Self.guardBins` bins of room on either side; for Hann the nearest one holds
    /// the spectrum wrapped around (output[−1] = X[N−1], output[N] = X[0]), so that the convolution
    /// reads its neighbours without index arithmetic.
    private let outputStorage: UnsafeMutablePointer<ComplexFloat>
    private let output: UnsafeMutablePointer<ComplexFloat>
    private static let guardBins = 4
    /// Hann's window is applied in the frequency domain (see the type's notes).
    private let frequencyDomainWindow: Bool
    /// Time-domain windows: each coefficient twice (w0, w0, w1, w1, …), to multiply interleaved I/Q.
    private let windowLanes: UnsafeMutablePointer<Float>
    /// |Xw|² = powerScale · (what the kernels accumulate): 1/16 for Hann, whose kernel sums
    /// X[m−1] + X[m+1] − 2X[m] = −4·Xw[m]; 1 otherwise.
    private let powerScale: Double
    /// FFTW's alignment class of `input`; a caller's segment start must match it to be used in place.
    private let inputAlignment: Int32
    /// Stream samples not yet consumed by a whole segment; `filled` of `size` are valid.
    private let carry: UnsafeMutableBufferPointer<ComplexFloat>
    private var filled = 0
    /// Σ|Xw|² per float lane (real² and imaginary² apart); summed per bin in `spectrum`.
    private let accumulator: UnsafeMutablePointer<Float>
    /// Largest |Xw|² per bin over all segments, when asked for (`peakHold`): short events such as a
    /// GSM frequency-correction burst stand out there, where the average dilutes them.
    private let peak: UnsafeMutablePointer<Float>?
    public private(set) var segmentCount = 0

    /// - Parameters:
    ///   - size: FFT length (bins); powers of two are fastest.
    ///   - window: window shape.
    ///   - overlap: fraction of each segment shared with the next, 0 ≤ overlap < 1 (0.5 is usual).
    ///   - peakHold: also keep the per-bin maximum over segments (`peakSpectrum`).
    ///   - rigor: FFTW planning effort (wisdom is cached per machine, see `FFTPlanner`).
    public init(size: Int, window kind: Window.Kind = .hann, overlap: Double = 0.5, peakHold: Bool = false,
                rigor: FFTPlanner.Rigor = FFTPlanner.defaultRigor) throws(DSPError) {
        guard size >= 2, size <= 1 << 24 else { throw .invalidParameter("PSD size \(size) is outside 2…16777216") }
        guard overlap >= 0, overlap < 1 else { throw .invalidParameter("overlap \(overlap) must be in 0..<1") }
        self.size = size
        hop = max(1, Int((Double(size) * (1 - overlap)).rounded()))
        window = Window(kind, length: size)
        let pad = Self.guardBins
        guard let inRaw = fftwf_alloc_complex(size), let outRaw = fftwf_alloc_complex(size + 2 * pad) else {
            throw .outOfMemory("PSD buffers of \(size) points")
        }
        let planned = FFTPlanner.shared.withPlannerLock {
            fftwf_plan_dft_1d(Int32(size), inRaw, outRaw + pad, FFTW_FORWARD, rigor.flags)
        }
        guard let planned else {
            fftwf_free(inRaw)
            fftwf_free(outRaw)
            throw .planningFailed(size)
        }
        plan = planned
        FFTPlanner.shared.planCreated()
        input = UnsafeMutableRawPointer(inRaw).bindMemory(to: ComplexFloat.self, capacity: size)
        outputStorage = UnsafeMutableRawPointer(outRaw).bindMemory(to: ComplexFloat.self, capacity: size + 2 * pad)
        output = outputStorage + pad
        inputAlignment = fftwf_alignment_of(UnsafeMutableRawPointer(inRaw).assumingMemoryBound(to: Float.self))
        // MEASURE planning scribbles over the arrays.
        input.update(repeating: .zero, count: size)
        outputStorage.update(repeating: .zero, count: size + 2 * pad)

        frequencyDomainWindow = kind == .hann
        powerScale = frequencyDomainWindow ? 1.0 / 16 : 1
        windowLanes = .allocate(capacity: 2 * size)
        for (i, w) in window.coefficients.enumerated() {
            windowLanes[2 * i] = w
            windowLanes[2 * i + 1] = w
        }
        carry = .allocate(capacity: size)
        carry.initialize(repeating: .zero)
        accumulator = .allocate(capacity: 2 * size)
        accumulator.initialize(repeating: 0, count: 2 * size)
        if peakHold {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: size)
            p.initialize(repeating: 0, count: size)
            peak = p
        } else {
            peak = nil
        }
    }

    deinit {
        FFTPlanner.shared.withPlannerLock { fftwf_destroy_plan(plan) }
        fftwf_free(input)
        fftwf_free(outputStorage)
        windowLanes.deallocate()
        carry.deallocate()
        accumulator.deallocate()
        peak?.deallocate()
    }

    /// Clears the average and any partly gathered segment.
    public func reset() {
        filled = 0
        segmentCount = 0
        accumulator.update(repeating: 0, count: 2 * size)
        peak?.update(repeating: 0, count: size)
    }

    /// Adds `samples` to the estimate. Whole segments inside `samples` are transformed (or windowed)
    /// straight from it; only a segment that straddles the previous block's tail is assembled, and
    /// only the tail (less than one segment) is kept.
    public func process(_ samples: UnsafeBufferPointer<ComplexFloat>) {
        guard let source = samples.baseAddress, samples.count > 0 else { return }
        let n = samples.count
        let c = carry.baseAddress!
        // Positions in the virtual stream carry[0 ..< filled] + source[0 ..< n].
        let total = filled + n
        var start = 0
        while start + size <= total {
            if start >= filled {
                transformSegment(source + (start - filled))
            } else {
                let fromCarry = filled - start
                input.update(from: c + start, count: fromCarry)
                (input + fromCarry).update(from: source, count: size - fromCarry)
                transformSegment(UnsafePointer(input))
            }
            start += hop
        }
        // Keep stream positions [start, total) for the next call.
        if start < filled {
            let kept = filled - start
            if start > 0 { c.update(from: c + start, count: kept) }
            (c + kept).update(from: source, count: n)
        } else if start < total {
            c.update(from: source + (start - filled), count: total - start)
        }
        filled = max(0, total - start)
    }

    public func process(_ samples: [ComplexFloat]) {
        samples.withUnsafeBufferPointer { process($0) }
    }

    /// Transforms the `size` samples at `x` (left unchanged; it may be `input`) and adds the
    /// windowed power to the sums.
    @inline(__always)
    private func transformSegment(_ x: UnsafePointer<ComplexFloat>) {
        let lanes = 2 * size
        let o = UnsafeRawPointer(output).assumingMemoryBound(to: Float.self)
        if frequencyDomainWindow {
            var source = UnsafeMutablePointer(mutating: x)
            if fftwf_alignment_of(UnsafeMutableRawPointer(source).assumingMemoryBound(to: Float.self)) != inputAlignment {
                input.update(from: x, count: size)
                source = input
            }
            // Out of place, so FFTW leaves the input alone (FFTW_PRESERVE_INPUT is the c2c default).
            fftwf_execute_dft(plan, UnsafeMutablePointer<fftwf_complex>(OpaquePointer(source)),
                              UnsafeMutablePointer<fftwf_complex>(OpaquePointer(output)))
            output[-1] = output[size - 1]
            output[size] = output[0]
            cw_hann_power_accumulate(o, lanes, accumulator, peak)
        } else {
            let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
            let w = UnsafePointer(windowLanes)
            let inf = UnsafeMutableRawPointer(input).assumingMemoryBound(to: Float.self)
            cw_multiply(xf, w, lanes, inf)
            fftwf_execute_dft(plan, UnsafeMutablePointer<fftwf_complex>(OpaquePointer(input)),
                              UnsafeMutablePointer<fftwf_complex>(OpaquePointer(output)))
            cw_power_accumulate(o, lanes, accumulator, peak)
        }
        segmentCount += 1
    }

    /// Writes the averaged power per bin, DC centred, into `power` (which must hold `size` values).
    /// Returns false (and writes nothing) before the first full segment.
    @discardableResult
    public func spectrum(into power: UnsafeMutableBufferPointer<Float>) -> Bool {
        precondition(power.count >= size, "spectrum buffer holds \(power.count) values, needs \(size)")
        guard segmentCount > 0 else { return false }
        let scale = Float(powerScale / (Double(segmentCount) * Double(size) * window.sumOfSquares))
        let half = size / 2
        let acc = accumulator
        let out = power.baseAddress!
        // FFT order is 0…N−1 with negative frequencies in the upper half; shift DC to the middle.
        for i in 0..<size {
            let src = (i + size - half) % size
            out[i] = (acc[2 * src] + acc[2 * src + 1]) * scale
        }
        return true
    }

    /// The per-bin maximum over segments, DC centred, in the units of `spectrum` (a tone present in
    /// only one segment shows at its full power here). Nil without `peakHold` or before a segment.
    public func peakSpectrum() -> [Float]? {
        guard let peak, segmentCount > 0 else { return nil }
        let scale = Float(powerScale / (Double(size) * window.sumOfSquares))
        let half = size / 2
        return (0..<size).map { peak[($0 + size - half) % size] * scale }
    }

    /// Convenience for set-up and tests; allocates the result.
    public func spectrum() -> [Float]? {
        var result = [Float](repeating: 0, count: size)
        let ok = result.withUnsafeMutableBufferPointer { spectrum(into: $0) }
        return ok ? result : nil
    }
}

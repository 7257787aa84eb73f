/// Welch's averaged-periodogram power spectral density estimate, streamed.
///
/// Feed blocks of any length with `process(_:)`; every `hop` samples one windowed segment of `size`
/// samples is transformed and its |X|² added to the average. `spectrum(into:)` gives power per bin,
/// DC in the middle (bin i ↔ offset (i − size/2)·rate/size), normalised so that summing bins over a
/// band gives the band's mean power in the units of the samples squared: a full-scale complex tone
/// (|x| = 1) sums to 1 (0 dBFS), white noise of variance σ² gives σ²/size per bin.
///
/// All memory is allocated in `init`; `process` and `spectrum` never allocate.
public final class WelchPSD {
    public let size: Int
    public let hop: Int
    public let window: Window
    private let fft: FFT
    /// Samples of the segment being gathered; `filled` of `size` are valid.
    private let segment: UnsafeMutableBufferPointer<ComplexFloat>
    private var filled = 0
    private let accumulator: UnsafeMutableBufferPointer<Float>
    /// Largest |X|² per bin over all segments, when asked for (`peakHold`): short events such as a
    /// GSM frequency-correction burst stand out there, where the average dilutes them.
    private let peak: UnsafeMutableBufferPointer<Float>?
    private let windowCoefficients: UnsafeMutableBufferPointer<Float>
    public private(set) var segmentCount = 0

    /// - Parameters:
    ///   - size: FFT length (bins); powers of two are fastest.
    ///   - window: window shape.
    ///   - overlap: fraction of each segment shared with the next, 0 ≤ overlap < 1 (0.5 is usual).
    ///   - peakHold: also keep the per-bin maximum over segments (`peakSpectrum`).
    public init(size: Int, window kind: Window.Kind = .hann, overlap: Double = 0.5, peakHold: Bool = false) throws(DSPError) {
        guard size >= 2 else { throw .invalidParameter("PSD size \(size) must be at least 2") }
        guard overlap >= 0, overlap < 1 else { throw .invalidParameter("overlap \(overlap) must be in 0..<1") }
        self.size = size
        hop = max(1, Int((Double(size) * (1 - overlap)).rounded()))
        window = Window(kind, length: size)
        fft = try FFT(size: size, direction: .forward)
        segment = .allocate(capacity: size)
        segment.initialize(repeating: .zero)
        accumulator = .allocate(capacity: size)
        accumulator.initialize(repeating: 0)
        windowCoefficients = .allocate(capacity: size)
        _ = windowCoefficients.initialize(from: window.coefficients)
        if peakHold {
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: size)
            p.initialize(repeating: 0)
            peak = p
        } else {
            peak = nil
        }
    }

    deinit {
        segment.deallocate()
        accumulator.deallocate()
        windowCoefficients.deallocate()
        peak?.deallocate()
    }

    /// Clears the average and any partly gathered segment.
    public func reset() {
        filled = 0
        segmentCount = 0
        accumulator.update(repeating: 0)
        peak?.update(repeating: 0)
    }

    /// Adds `samples` to the estimate.
    public func process(_ samples: UnsafeBufferPointer<ComplexFloat>) {
        guard var source = samples.baseAddress else { return }
        var remaining = samples.count
        let seg = segment.baseAddress!
        while remaining > 0 {
            let take = min(size - filled, remaining)
            (seg + filled).update(from: source, count: take)
            filled += take
            source += take
            remaining -= take
            if filled == size {
                transformSegment()
                // Keep the overlapping tail as the start of the next segment.
                let keep = size - hop
                if keep > 0 { seg.update(from: seg + hop, count: keep) }
                filled = keep
            }
        }
    }

    public func process(_ samples: [ComplexFloat]) {
        samples.withUnsafeBufferPointer { process($0) }
    }

    @inline(__always)
    private func transformSegment() {
        let n = size
        let x = segment.baseAddress!
        let w = windowCoefficients.baseAddress!
        let input = fft.unsafeInput.baseAddress!
        for i in 0..<n {
            input[i] = ComplexFloat(x[i].real * w[i], x[i].imag * w[i])
        }
        fft.execute()
        let out = fft.unsafeOutput.baseAddress!
        let acc = accumulator.baseAddress!
        if let peak {
            let pk = peak.baseAddress!
            for i in 0..<n {
                let m = out[i].real * out[i].real + out[i].imag * out[i].imag
                acc[i] += m
                pk[i] = max(pk[i], m)
            }
        } else {
            for i in 0..<n {
                acc[i] += out[i].real * out[i].real + out[i].imag * out[i].imag
            }
        }
        segmentCount += 1
    }

    /// Writes the averaged power per bin, DC centred, into `power` (which must hold `size` values).
    /// Returns false (and writes nothing) before the first full segment.
    @discardableResult
    public func spectrum(into power: UnsafeMutableBufferPointer<Float>) -> Bool {
        precondition(power.count >= size, "spectrum buffer holds \(power.count) values, needs \(size)")
        guard segmentCount > 0 else { return false }
        let scale = Float(1 / (Double(segmentCount) * Double(size) * window.sumOfSquares))
        let half = size / 2
        let acc = accumulator.baseAddress!
        let out = power.baseAddress!
        // FFT order is 0…N−1 with negative frequencies in the upper half; shift DC to the middle.
        for i in 0..<size {
            let src = (i + size - half) % size
            out[i] = acc[src] * scale
        }
        return true
    }

    /// The per-bin maximum over segments, DC centred, in the units of `spectrum` (a tone present in
    /// only one segment shows at its full power here). Nil without `peakHold` or before a segment.
    public func peakSpectrum() -> [Float]? {
        guard let peak, segmentCount > 0 else { return nil }
        let scale = Float(1 / (Double(size) * window.sumOfSquares))
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

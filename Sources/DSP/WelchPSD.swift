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
    /// Stream samples not yet consumed by a whole segment; `filled` of `size` are valid.
    private let carry: UnsafeMutableBufferPointer<ComplexFloat>
    private var filled = 0
    /// A segment that straddles `carry` and a new block is assembled here.
    private let scratch: UnsafeMutableBufferPointer<ComplexFloat>
    /// Σ|X|² per float lane (real² and imaginary² apart); summed per bin in `spectrum`.
    private let accumulator: UnsafeMutableBufferPointer<Float>
    /// Largest |X|² per bin over all segments, when asked for (`peakHold`): short events such as a
    /// GSM frequency-correction burst stand out there, where the average dilutes them.
    private let peak: UnsafeMutableBufferPointer<Float>?
    /// The window with each coefficient twice (w0, w0, w1, w1, …), to multiply interleaved I/Q floats.
    private let windowLanes: UnsafeMutableBufferPointer<Float>
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
        carry = .allocate(capacity: size)
        carry.initialize(repeating: .zero)
        scratch = .allocate(capacity: size)
        scratch.initialize(repeating: .zero)
        accumulator = .allocate(capacity: 2 * size)
        accumulator.initialize(repeating: 0)
        windowLanes = .allocate(capacity: 2 * size)
        for (i, w) in window.coefficients.enumerated() {
            windowLanes[2 * i] = w
            windowLanes[2 * i + 1] = w
        }
        if peakHold {
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: size)
            p.initialize(repeating: 0)
            peak = p
        } else {
            peak = nil
        }
    }

    deinit {
        carry.deallocate()
        scratch.deallocate()
        accumulator.deallocate()
        windowLanes.deallocate()
        peak?.deallocate()
    }

    /// Clears the average and any partly gathered segment.
    public func reset() {
        filled = 0
        segmentCount = 0
        accumulator.update(repeating: 0)
        peak?.update(repeating: 0)
    }

    /// Adds `samples` to the estimate. Whole segments inside `samples` are windowed straight from it;
    /// only a segment that straddles the previous block's tail is assembled, and only the tail (less
    /// than one segment) is kept.
    public func process(_ samples: UnsafeBufferPointer<ComplexFloat>) {
        guard let input = samples.baseAddress, samples.count > 0 else { return }
        let n = samples.count
        let c = carry.baseAddress!, sc = scratch.baseAddress!
        // Positions in the virtual stream carry[0 ..< filled] + input[0 ..< n].
        let total = filled + n
        var start = 0
        while start + size <= total {
            if start >= filled {
                transformSegment(input + (start - filled))
            } else {
                let fromCarry = filled - start
                sc.update(from: c + start, count: fromCarry)
                (sc + fromCarry).update(from: input, count: size - fromCarry)
                transformSegment(sc)
            }
            start += hop
        }
        // Keep stream positions [start, total) for the next call.
        if start < filled {
            let kept = filled - start
            if start > 0 { c.update(from: c + start, count: kept) }
            (c + kept).update(from: input, count: n)
        } else if start < total {
            c.update(from: input + (start - filled), count: total - start)
        }
        filled = max(0, total - start)
    }

    public func process(_ samples: [ComplexFloat]) {
        samples.withUnsafeBufferPointer { process($0) }
    }

    @inline(__always)
    private func transformSegment(_ x: UnsafePointer<ComplexFloat>) {
        let lanes = 2 * size
        let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
        let w = UnsafePointer(windowLanes.baseAddress!)
        let input = UnsafeMutableRawPointer(fft.unsafeInput.baseAddress!).assumingMemoryBound(to: Float.self)
        for j in 0..<lanes { input[j] = xf[j] * w[j] }
        fft.execute()
        let out = UnsafeRawPointer(fft.unsafeOutput.baseAddress!).assumingMemoryBound(to: Float.self)
        let acc = accumulator.baseAddress!
        for j in 0..<lanes { acc[j] += out[j] * out[j] }
        if let peak {
            let pk = peak.baseAddress!
            for i in 0..<size {
                pk[i] = max(pk[i], out[2 * i] * out[2 * i] + out[2 * i + 1] * out[2 * i + 1])
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
            out[i] = (acc[2 * src] + acc[2 * src + 1]) * scale
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

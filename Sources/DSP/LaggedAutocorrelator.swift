/// Lagged autocorrelation x(n)·x*(n+lag), folded modulo a (possibly fractional) period and summed.
///
/// The cyclic-prefix detector for OFDM: an LTE symbol's cyclic prefix repeats the samples one useful
/// symbol time T_u = 1/15 kHz later (TS 36.211 §6.12), so at lag T_u·rate the products add coherently
/// at the prefix positions, which recur every 0.5 ms slot; noise, GSM bursts and other signals don't.
/// Folding over the slot turns a whole recording into one profile whose peaks mark the prefixes.
///
/// `init` allocates; `process(_:)` does not.
public final class LaggedAutocorrelator {
    public let lag: Int
    public let period: Double
    public let bins: Int
    private let history: UnsafeMutableBufferPointer<ComplexFloat>
    private var historyIndex = 0
    private var historyFilled = 0
    private var phase = 0.0
    private let correlation: UnsafeMutableBufferPointer<ComplexDouble>
    private let energy: UnsafeMutableBufferPointer<Double>
    public private(set) var productCount = 0

    public init(lag: Int, period: Double) throws(DSPError) {
        guard lag > 0 else { throw .invalidParameter("lag \(lag) must be positive") }
        guard period >= 1 else { throw .invalidParameter("fold period \(period) must be at least one sample") }
        self.lag = lag
        self.period = period
        bins = Int(period.rounded(.up))
        history = .allocate(capacity: lag)
        history.initialize(repeating: .zero)
        correlation = .allocate(capacity: bins)
        correlation.initialize(repeating: ComplexDouble())
        energy = .allocate(capacity: bins)
        energy.initialize(repeating: 0)
    }

    deinit {
        history.deallocate()
        correlation.deallocate()
        energy.deallocate()
    }

    public func reset() {
        historyIndex = 0
        historyFilled = 0
        phase = 0
        productCount = 0
        correlation.update(repeating: ComplexDouble())
        energy.update(repeating: 0)
    }

    public func process(_ samples: UnsafeBufferPointer<ComplexFloat>) {
        let h = history.baseAddress!
        let c = correlation.baseAddress!
        let e = energy.baseAddress!
        for x in samples {
            if historyFilled == lag {
                // Product of the sample `lag` ago (at fold position `phase`) with the conjugate of this one.
                let old = h[historyIndex]
                let k = Int(phase)
                c[k].real += Double(old.real * x.real + old.imag * x.imag)
                c[k].imag += Double(old.imag * x.real - old.real * x.imag)
                e[k] += Double(old.magnitudeSquared + x.magnitudeSquared) * 0.5
                productCount += 1
                phase += 1
                if phase >= period { phase -= period }
            } else {
                historyFilled += 1
            }
            h[historyIndex] = x
            historyIndex += 1
            if historyIndex == lag { historyIndex = 0 }
        }
    }

    /// Normalised correlation |Σc| / Σe over a circular window of `window` fold bins starting at
    /// each bin; 0 … 1, 1 for exact repetition. Allocates the result (once per analysis, not per block).
    public func profile(window: Int) -> [Double] {
        let w = max(1, min(window, bins))
        var out = [Double](repeating: 0, count: bins)
        for start in 0..<bins {
            var re = 0.0, im = 0.0, en = 0.0
            for j in 0..<w {
                let k = (start + j) % bins
                re += correlation[k].real
                im += correlation[k].imag
                en += energy[k]
            }
            out[start] = en > 0 ? (re * re + im * im).squareRoot() / en : 0
        }
        return out
    }

    /// Phase (radians) of the summed correlation over the window starting at `start`: −2π·Δf·lag/rate,
    /// which gives the fractional carrier offset of an OFDM signal.
    public func phase(window: Int, start: Int) -> Double {
        var re = 0.0, im = 0.0
        for j in 0..<max(1, window) {
            let k = (start + j) % bins
            re += correlation[k].real
            im += correlation[k].imag
        }
        return atan2Double(im, re)
    }
}

/// Double-precision accumulator for correlations.
public struct ComplexDouble: Sendable {
    public var real = 0.0
    public var imag = 0.0
    public init() {}
}

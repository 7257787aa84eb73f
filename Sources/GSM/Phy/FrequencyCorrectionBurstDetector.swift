#if canImport(Glibc)
import Glibc
#endif
import DSP

/// A frequency correction burst found in the stream.
public struct FrequencyCorrectionBurst: Sendable, Equatable {
    /// Sample index (4 samples per symbol) of the burst's bit 0, to within a few symbols.
    public var start: Int
    /// Carrier frequency offset measured on the tone: its frequency minus the nominal +67.7 kHz.
    public var frequencyOffset: Double
}

/// Finds FCCH bursts: 148 zero bits, which GMSK sends as a pure tone a quarter of the symbol rate
/// above the carrier (TS 45.002 §5.2.4). Over a window of 128 symbols the lag-one products
/// x_n·x*_{n−1} of a tone all point the same way, at +π/8 per sample plus the carrier offset; modulated
/// data swings ±π/8 and averages near zero angle, noise averages to nothing.
///
/// Streaming: feed consecutive samples with `process`; all state is kept between calls.
public final class FrequencyCorrectionBurstDetector {
    public let window = 128 * BurstFormat.samplesPerSymbol
    private var qualities: [Float] = []
    private var products: [ComplexFloat]
    private var energies: [Float]
    private var ring = 0
    private var sum = ComplexDouble()
    private var energy = 0.0
    /// The last `lag` samples.
    private var history = [ComplexFloat](repeating: .zero, count: BurstFormat.samplesPerSymbol)
    private var historyIndex = 0
    private var index = 0
    private var run: (first: Int, last: Int, bestSum: ComplexDouble, bestQuality: Double)?
    private var lastFound = Int.min / 2

    public init() {
        products = [ComplexFloat](repeating: .zero, count: window)
        qualities.reserveCapacity(8192)
        energies = [Float](repeating: 0, count: window)
    }

    public func reset() {
        for i in 0..<window { products[i] = .zero; energies[i] = 0 }
        ring = 0; sum = ComplexDouble(); energy = 0; index = 0; run = nil; lastFound = Int.min / 2
        for i in history.indices { history[i] = .zero }
        historyIndex = 0
    }

    /// Index of the next sample `process` expects (samples seen so far).
    public var position: Int { index }

    /// Processes `samples`, which continue the stream at sample `position`, and returns the bursts
    /// whose tone ended inside them.
    public func process(_ samples: UnsafeBufferPointer<ComplexFloat>) -> [FrequencyCorrectionBurst] {
        var found: [FrequencyCorrectionBurst] = []
        let lag = BurstFormat.samplesPerSymbol
        let nominal = 2 * Double.pi * BurstFormat.fcchToneOffset * Double(lag) / BurstFormat.sampleRate  // π/2
        for x in samples {
            let z = x * history[historyIndex].conjugate
            history[historyIndex] = x
            historyIndex += 1
            if historyIndex == lag { historyIndex = 0 }
            let e = x.magnitudeSquared
            sum.real += Double(z.real - products[ring].real)
            sum.imag += Double(z.imag - products[ring].imag)
            energy += Double(e - energies[ring])
            products[ring] = z
            energies[ring] = e
            ring += 1
            if ring == window { ring = 0 }
            index += 1
            guard index >= window else { continue }

            let magnitude = (sum.real * sum.real + sum.imag * sum.imag).squareRoot()
            let quality = energy > 0 ? magnitude / energy : 0
            let angle = atan2(sum.imag, sum.real)
            // Within ±0.75 rad of π/2 allows a carrier offset of about ±32 kHz (±34 ppm at 900 MHz).
            // Hysteresis: a run starts at quality 0.8 and carries on down to 0.6, so noise does not cut
            // one burst into several.
            let isTone = quality > (run == nil ? 0.8 : 0.6) && abs(angle - nominal) < 0.75
            if isTone {
                if var r = run {
                    r.last = index - 1
                    if quality > r.bestQuality { r.bestQuality = quality; r.bestSum = sum }
                    run = r
                } else {
                    run = (index - 1, index - 1, sum, quality)
                    qualities.removeAll(keepingCapacity: true)
                }
                if qualities.count < qualities.capacity { qualities.append(Float(quality)) }
            } else if let r = run {
                run = nil
                // Windows lying wholly inside the 148-bit tone end between bit 0 + W − 1 and bit 0 + 591;
                // a real burst gives a run of about 148·4 − W samples.
                let length = r.last - r.first + 1
                if length >= 64, r.first - lastFound > 2000 {
                    lastFound = r.first
                    // The windows wholly inside the tone form a plateau of top quality; its middle is the
                    // middle of the burst, whatever the edges of the run did.
                    let top = Float(r.bestQuality) * 0.98
                    let firstTop = qualities.firstIndex { $0 >= top } ?? 0
                    let lastTop = qualities.lastIndex { $0 >= top } ?? (qualities.count - 1)
                    let centre = Double(r.first) + Double(firstTop + lastTop) / 2
                    let start = Int((centre - Double(window - 1 + 591) / 2).rounded())
                    let offset = (atan2(r.bestSum.imag, r.bestSum.real) - nominal) * BurstFormat.sampleRate / (2 * .pi * Double(lag))
                    found.append(FrequencyCorrectionBurst(start: start, frequencyOffset: offset))
                }
            }
        }
        return found
    }
}

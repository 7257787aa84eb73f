#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numerically controlled oscillator mixer: multiplies samples by e^{j2π f n / rate}, shifting the
/// spectrum by +f. The phasor is advanced by complex multiplication and renormalised every block, so
/// it neither drifts in amplitude nor needs a sine table.
public final class Mixer {
    public private(set) var frequency: Double
    public let sampleRate: Double
    private var phasor = ComplexFloatDouble(re: 1, im: 0)
    private var step = ComplexFloatDouble(re: 1, im: 0)

    public init(frequency: Double, sampleRate: Double) {
        self.frequency = frequency
        self.sampleRate = sampleRate
        retune(frequency)
    }

    public func retune(_ f: Double) {
        frequency = f
        let w = 2 * Double.pi * f / sampleRate
        step = ComplexFloatDouble(re: cos(w), im: sin(w))
    }

    public func reset() { phasor = ComplexFloatDouble(re: 1, im: 0) }

    /// In place.
    public func process(_ samples: UnsafeMutableBufferPointer<ComplexFloat>) {
        var p = phasor
        let s = step
        for i in samples.indices {
            let x = samples[i]
            let pr = Float(p.re), pi = Float(p.im)
            samples[i] = ComplexFloat(x.real * pr - x.imag * pi, x.real * pi + x.imag * pr)
            p = ComplexFloatDouble(re: p.re * s.re - p.im * s.im, im: p.re * s.im + p.im * s.re)
        }
        let mag = (p.re * p.re + p.im * p.im).squareRoot()
        phasor = ComplexFloatDouble(re: p.re / mag, im: p.im / mag)
    }
}

struct ComplexFloatDouble {
    var re: Double
    var im: Double
}

import DSP
import Foundation

/// An unmodulated carrier: the simplest real emitter ("energy on a channel where no cell decodes"),
/// and the scene's test signal. Its phase is a function of absolute scenario time, so any stretch
/// rendered in any order joins up.
public struct ToneWaveform: EmitterWaveform {
    public var occupiedBandwidth: Double { 1_000 }
    /// Phase at scenario time 0, radians.
    public var initialPhase: Double

    public init(initialPhase: Double = 0) {
        self.initialPhase = initialPhase
    }

    public mutating func render(into output: UnsafeMutableBufferPointer<ComplexFloat>, startTime: Double,
                                sampleRate: Double, frequencyOffset: Double, amplitude: Float) {
        guard !output.isEmpty, amplitude > 0 else { return }
        // Phase in cycles at the block start, reduced before it loses precision.
        let cycles = (frequencyOffset * startTime).truncatingRemainder(dividingBy: 1)
        let phase0 = 2 * Double.pi * cycles + initialPhase
        let w = 2 * Double.pi * frequencyOffset / sampleRate
        var pr = cos(phase0), pi = sin(phase0)
        let sr = cos(w), si = sin(w)
        let a = Double(amplitude)
        var i = 0
        let n = output.count
        while i < n {
            // Re-anchor every 4096 samples so the recursion's rounding never accumulates.
            let end = min(n, i + 4096)
            let ph = phase0 + w * Double(i)
            pr = cos(ph)
            pi = sin(ph)
            while i < end {
                output[i].real += Float(a * pr)
                output[i].imag += Float(a * pi)
                let nr = pr * sr - pi * si
                pi = pr * si + pi * sr
                pr = nr
                i += 1
            }
        }
    }
}

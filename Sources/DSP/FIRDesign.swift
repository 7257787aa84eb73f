#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Windowed-sinc FIR design.
public enum FIRDesign {
    /// Low-pass taps with cutoff `cutoff` (cycles per sample, 0 … 0.5) and unity gain at DC, shaped by a
    /// Blackman window (−74 dB stop band, transition ≈ 5.5/taps cycles per sample).
    public static func lowPass(taps: Int, cutoff: Double, gain: Double = 1) -> [Float] {
        precondition(taps > 0 && cutoff > 0 && cutoff <= 0.5)
        let m = Double(taps - 1) / 2
        var h = [Double](repeating: 0, count: taps)
        for n in 0..<taps {
            let x = Double(n) - m
            let sinc = x == 0 ? 2 * cutoff : sin(2 * .pi * cutoff * x) / (.pi * x)
            let w = taps == 1 ? 1 : 0.42 - 0.5 * cos(2 * .pi * Double(n) / Double(taps - 1)) + 0.08 * cos(4 * .pi * Double(n) / Double(taps - 1))
            h[n] = sinc * w
        }
        let sum = h.reduce(0, +)
        return h.map { Float($0 / sum * gain) }
    }
}

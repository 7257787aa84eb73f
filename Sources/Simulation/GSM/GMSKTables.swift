import DSP
import Foundation

/// Tables of the GMSK modulator (TS 45.004 §2.4–2.6: BT = 0.3, modulation index ½), shared by all
/// carriers and valid at every sample rate.
///
/// The phase is φ(t) = Σᵢ aᵢ · (π/2) · q(t − tᵢ), with aᵢ = ±1 the differentially encoded symbols and
/// q the integral of the frequency pulse g = h ∗ rect(t/T), h Gaussian with δ = √(ln 2)/(2π·BT). q is
/// truncated to ±3 symbol periods (the Gaussian's weight beyond is below 10⁻⁶) and renormalised to
/// rise from 0 to 1. A sample at τ symbol periods sees the full contribution of every symbol more than
/// 3 periods before it (a running sum) plus six partial ones, read from `phasePulse`.
enum GMSKTables {
    /// Half-width of the truncated phase pulse, symbol periods.
    static let halfWidth = 3
    /// Fractional positions per symbol period in `phasePulse` (2^resolutionBits).
    static let resolutionBits = 10
    static let resolution = 1 << resolutionBits
    /// Row r (symbol fraction (r + ½)/resolution) holds q(frac + 2 − k) for k = 0 … 5, in units of a
    /// quarter turn (π/2).
    static let phasePulse: [Float] = {
        let bt = 0.3
        let delta = (log(2.0)).squareRoot() / (2 * Double.pi * bt)
        let c = 2.0.squareRoot() * delta
        // G(y) = ∫₀ʸ erf(u/c) du
        func bigG(_ y: Double) -> Double { c * ((y / c) * erf(y / c) + (exp(-(y / c) * (y / c)) - 1) / Double.pi.squareRoot()) }
        // q(x) = ∫₋∞ˣ g, g(x) = ½[erf((x + ½)/c) − erf((x − ½)/c)] in symbol units
        func q(_ x: Double) -> Double { 0.5 + 0.5 * (bigG(x + 0.5) - bigG(x - 0.5)) }
        let k = Double(halfWidth)
        let low = q(-k), high = q(k)
        func qTruncated(_ x: Double) -> Double { x <= -k ? 0 : x >= k ? 1 : (q(x) - low) / (high - low) }
        var table = [Float](repeating: 0, count: resolution * 2 * halfWidth)
        for r in 0..<resolution {
            let frac = (Double(r) + 0.5) / Double(resolution)
            for j in 0..<(2 * halfWidth) {
                table[r * 2 * halfWidth + j] = Float(qTruncated(frac + Double(halfWidth - 1 - j)))
            }
        }
        return table
    }()

    /// log2 of the entries of `unitCircle`.
    static let circleBits = 13
    /// e^{2πi·n/2¹³}: the phase (a 32-bit fraction of a turn) to a unit phasor by its top 13 bits.
    static let unitCircle: [ComplexFloat] = (0..<(1 << circleBits)).map { n in
        let a = 2 * Double.pi * Double(n) / Double(1 << circleBits)
        return ComplexFloat(Float(cos(a)), Float(sin(a)))
    }
}

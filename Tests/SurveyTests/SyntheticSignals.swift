import DSP
import Foundation
import TestSupport

/// Test signals whose content is known exactly: GMSK carriers like GSM's (BT 0.3, 270.833 kbit/s),
/// OFDM like LTE's (15 kHz subcarriers, normal cyclic prefix), and complex white noise.
enum SyntheticSignals {
    /// GMSK at `offset` Hz from the centre with mean power `power` (linear, full scale = 1).
    static func gmsk(rate: Double, count: Int, offset: Double, power: Double, seed: UInt64) -> [ComplexFloat] {
        var rng = SeededGenerator(seed: seed)
        let sps = rate / (1625e3 / 6)
        let symbols = Int(Double(count) / sps) + 2
        let bits = (0..<symbols).map { _ in Bool.random(using: &rng) ? 1.0 : -1.0 }
        // Gaussian pulse, BT = 0.3: σ = √(ln 2) / (2π BT) symbol periods (TS 45.004 §2.4).
        let sigma = log(2.0).squareRoot() / (2 * .pi * 0.3) * sps
        let half = Int((3 * sigma).rounded(.up))
        var taps = (-half...half).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = taps.reduce(0, +)
        taps = taps.map { $0 / sum }
        let nrz = (0..<(count + 2 * half)).map { bits[min(symbols - 1, Int(Double(max(0, $0 - half)) / sps))] }
        var phase = 0.0
        let amplitude = power.squareRoot()
        var out = [ComplexFloat](repeating: .zero, count: count)
        for n in 0..<count {
            var m = 0.0
            for (j, t) in taps.enumerated() { m += t * nrz[n + j] }
            // Modulation index 1/2: π/2 of phase per symbol.
            phase += .pi / 2 * m / sps + 2 * .pi * offset / rate
            out[n] = ComplexFloat(Float(amplitude * cos(phase)), Float(amplitude * sin(phase)))
        }
        return out
    }

    /// OFDM with `subcarriers` occupied 15 kHz subcarriers around DC (DC itself empty, as in LTE),
    /// normal cyclic prefix; `rate` must be a multiple of 1.92 MS/s.
    static func ofdm(rate: Double, count: Int, subcarriers: Int, power: Double, seed: UInt64) throws -> [ComplexFloat] {
        var rng = SeededGenerator(seed: seed)
        let n = Int((rate / 15e3).rounded())
        let ifft = try FFT(size: n, direction: .inverse)
        let cpFirst = n * 160 / 2048, cp = n * 144 / 2048
        var out: [ComplexFloat] = []
        out.reserveCapacity(count + 2 * n)
        let scale = Float((power / Double(subcarriers)).squareRoot())
        var symbol = 0
        while out.count < count {
            for k in 0..<n { ifft.unsafeInput[k] = .zero }
            for s in 1...(subcarriers / 2) {
                for k in [s, n - s] {
                    let qpsk = ComplexFloat(Bool.random(using: &rng) ? 0.7071 : -0.7071, Bool.random(using: &rng) ? 0.7071 : -0.7071)
                    ifft.unsafeInput[k] = qpsk * scale
                }
            }
            ifft.execute()
            let body = Array(ifft.unsafeOutput)
            let prefix = symbol % 7 == 0 ? cpFirst : cp
            out += body[(n - prefix)...] + body
            symbol += 1
        }
        return Array(out.prefix(count))
    }

    static func noise(count: Int, power: Double, seed: UInt64) -> [ComplexFloat] {
        var rng = SeededGenerator(seed: seed)
        let s = (power / 2).squareRoot()
        return (0..<count).map { _ in ComplexFloat(Float(rng.gaussian() * s), Float(rng.gaussian() * s)) }
    }

    static func sum(_ parts: [[ComplexFloat]]) -> [ComplexFloat] {
        var out = parts[0]
        for p in parts.dropFirst() { for i in out.indices { out[i] = out[i] + p[i] } }
        return out
    }
}

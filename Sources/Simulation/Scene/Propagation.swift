import CellwatchModel
import DSP
import Foundation

/// Spatially correlated log-normal shadowing of one transmitter (Gudmundson's model: correlation falls
/// to 1/e at the correlation distance). A Gaussian random field: independent unit normals on a square
/// grid, drawn from a hash of (seed, grid node) so the field needs no memory and is the same on every
/// run, interpolated bilinearly and renormalised so every point has the full variance.
public struct ShadowingField: Sendable {
    public let sigma: Double
    public let correlationDistance: Double
    public let seed: UInt64
    /// Grid spacing: for bilinear interpolation of independent nodes the mean correlation along an axis
    /// is 1 − 1.5x² + 0.75|x|³ at a lag of x grid cells, which is 1/e at x ≈ 0.86.
    let spacing: Double

    public init(sigma: Double, correlationDistance: Double, seed: UInt64) {
        self.sigma = sigma
        self.correlationDistance = correlationDistance
        self.seed = seed
        spacing = correlationDistance / 0.86
    }

    /// Shadowing in dB at a point (positive = stronger than the path-loss mean).
    public func value(at p: ENU) -> Double {
        guard sigma > 0 else { return 0 }
        let gx = p.east / spacing, gy = p.north / spacing
        let ix = Int(gx.rounded(.down)), iy = Int(gy.rounded(.down))
        let fx = gx - Double(ix), fy = gy - Double(iy)
        let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
        let v = w00 * node(ix, iy) + w10 * node(ix + 1, iy) + w01 * node(ix, iy + 1) + w11 * node(ix + 1, iy + 1)
        let norm = (w00 * w00 + w10 * w10 + w01 * w01 + w11 * w11).squareRoot()
        return sigma * v / norm
    }

    /// A unit normal for grid node (i, j).
    func node(_ i: Int, _ j: Int) -> Double {
        var g = SplitMix64(seed: seed ^ (UInt64(bitPattern: Int64(i)) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(bitPattern: Int64(j)) &* 0xC2B2_AE3D_27D4_EB4F))
        _ = g.next()
        let u1 = max(Double(g.next() >> 11) * 0x1p-53, 1e-300)
        let u2 = Double(g.next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// A static tapped-delay-line channel: taps at whole-sample delays with an exponential power profile
/// and Rayleigh-distributed complex gains drawn from the seed, normalised to unit total power so the
/// mean received power is what path loss and shadowing say.
public struct MultipathChannel: Sendable {
    public let delays: [Int]
    public let gains: [ComplexFloat]
    public var maxDelay: Int { delays.last ?? 0 }

    public init(taps: Int, delaySpread: Double, sampleRate: Double, seed: UInt64) {
        guard taps > 1 else {
            delays = [0]
            gains = [ComplexFloat(1, 0)]
            return
        }
        var rng = SplitMix64(seed: seed)
        let step = max(1, Int((delaySpread * sampleRate).rounded()))
        var d: [Int] = [], g: [ComplexFloat] = []
        var total = 0.0
        for k in 0..<taps {
            d.append(k * step)
            let mean = exp(-Double(k))
            // The first tap is the line-of-sight-ish one: fixed part plus scatter; later taps pure scatter.
            let u1 = max(Double(rng.next() >> 11) * 0x1p-53, 1e-300), u2 = Double(rng.next() >> 11) * 0x1p-53
            let r = (-log(u1)).squareRoot(), th = 2 * Double.pi * u2
            var re = r * cos(th) * mean.squareRoot(), im = r * sin(th) * mean.squareRoot()
            if k == 0 { re += 1.5; im += 0 }
            total += re * re + im * im
            g.append(ComplexFloat(Float(re), Float(im)))
        }
        let s = Float(1 / total.squareRoot())
        delays = d
        gains = g.map { $0 * s }
    }
}

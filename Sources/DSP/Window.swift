#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A spectral-analysis window of fixed length, with the sums that calibrate power measurements.
///
/// Windows are DFT-even ("periodic"), the form for spectral analysis (Harris 1978): the window of
/// length N is the first N points of the symmetric window of length N+1.
public struct Window: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Hann: good all-round, −31 dB first sidelobe, 1.5 bins ENBW.
        case hann
        /// 4-term Blackman-Harris (−92 dB sidelobes): weak carriers next to strong ones.
        case blackmanHarris
        /// Flat-top (five terms): amplitude accurate to ~0.01 dB wherever a tone falls in a bin.
        case flatTop

        /// Cosine-sum coefficients a0, a1, …: w(n) = Σ (−1)^k a_k cos(2πkn/N).
        var coefficients: [Double] {
            switch self {
            case .hann: [0.5, 0.5]
            case .blackmanHarris: [0.35875, 0.48829, 0.14128, 0.01168]
            case .flatTop: [0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368]
            }
        }
    }

    public let kind: Kind
    public let coefficients: [Float]
    /// Σ w(n): the coherent gain times N (scales a tone's amplitude).
    public let sum: Double
    /// Σ w(n)²: scales noise power.
    public let sumOfSquares: Double

    public init(_ kind: Kind, length: Int) {
        precondition(length > 0, "window length must be positive")
        self.kind = kind
        let a = kind.coefficients
        var w = [Float](repeating: 0, count: length)
        var s = 0.0, s2 = 0.0
        for n in 0..<length {
            var v = 0.0
            for (k, ak) in a.enumerated() {
                let sign = k % 2 == 0 ? 1.0 : -1.0
                v += sign * ak * cos(2 * Double.pi * Double(k) * Double(n) / Double(length))
            }
            w[n] = Float(v)
            s += v
            s2 += v * v
        }
        coefficients = w
        sum = s
        sumOfSquares = s2
    }

    public var length: Int { coefficients.count }

    /// Equivalent noise bandwidth in bins: N Σw² / (Σw)².
    public var equivalentNoiseBandwidthBins: Double { Double(length) * sumOfSquares / (sum * sum) }
}

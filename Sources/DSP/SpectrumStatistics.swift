/// Measurements on a power spectrum (linear power per bin, as `WelchPSD.spectrum` gives it).
/// These run once per analysed spectrum, not per block; they may allocate.
public enum SpectrumStatistics {
    /// Noise power per bin, estimated from the quietest fifth of the bins in `range`.
    ///
    /// Carriers and the skirts of strong carriers fill much of a span, so a median or mean would be
    /// pulled up by them; noise-only bins are the lowest ones. After averaging `averages` Welch
    /// segments each noise bin is close to Gaussian around the true level with relative spread
    /// ≈ 1/√averages, so the 20th percentile sits 0.84 spreads low; that bias is divided out.
    /// (For `averages` below 10 the spread is far from Gaussian and the median is used.)
    public static func noiseFloor(_ power: [Float], in range: Range<Int>, averages: Int = 1_000_000) -> Double {
        precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= power.count)
        var values = Array(power[range])
        values.sort()
        guard averages >= 10 else {
            let mid = values.count / 2
            return values.count % 2 == 1 ? Double(values[mid]) : (Double(values[mid - 1]) + Double(values[mid])) / 2
        }
        let p20 = Double(values[values.count / 5])
        return p20 / max(0.5, 1 - 0.8416 / Double(averages).squareRoot())
    }

    /// Sum of the bins in `range`: the band power in the units `WelchPSD` defines.
    public static func bandPower(_ power: [Float], in range: Range<Int>) -> Double {
        var s = 0.0
        for i in range.clamped(to: 0..<power.count) { s += Double(power[i]) }
        return s
    }

    /// Index of the strongest bin in `range`.
    public static func peak(_ power: [Float], in range: Range<Int>) -> Int {
        var best = range.lowerBound
        for i in range where power[i] > power[best] { best = i }
        return best
    }

    /// The smallest band inside `range` that holds `fraction` of the power above the noise floor
    /// there (the ITU-R SM.328 β/2 rule: (1 − fraction)/2 of the excess power lies on each side).
    /// Returned as fractional bin positions, lower edge … upper edge.
    public static func occupiedBandwidth(_ power: [Float], in range: Range<Int>, noiseFloor: Double,
                                         fraction: Double = 0.99) -> ClosedRange<Double> {
        var excess = [Double](repeating: 0, count: range.count)
        var total = 0.0
        for (j, i) in range.enumerated() {
            let v = max(0, Double(power[i]) - noiseFloor)
            excess[j] = v
            total += v
        }
        guard total > 0 else { return Double(range.lowerBound)...Double(range.upperBound) }
        let tail = total * (1 - fraction) / 2
        var acc = 0.0
        var lower = Double(range.lowerBound)
        for (j, v) in excess.enumerated() {
            if acc + v >= tail { lower = Double(range.lowerBound + j) + (v > 0 ? (tail - acc) / v : 0); break }
            acc += v
        }
        acc = 0
        var upper = Double(range.upperBound)
        for (j, v) in excess.enumerated().reversed() {
            if acc + v >= tail { upper = Double(range.lowerBound + j + 1) - (v > 0 ? (tail - acc) / v : 0); break }
            acc += v
        }
        return lower...max(lower, upper)
    }
}

/// Measurements on a power spectrum (linear power per bin, as `WelchPSD.spectrum` gives it).
/// These run once per analysed spectrum, not per block; they may allocate.
public enum SpectrumStatistics {
    /// Noise power per bin: the median of the bins in `range`. With a few carriers in the span, most
    /// bins hold only noise, and the median ignores the carriers where a mean would not. Welch
    /// averaging makes each bin's estimate nearly Gaussian, so the median is close to the mean.
    public static func noiseFloor(_ power: [Float], in range: Range<Int>) -> Double {
        precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= power.count)
        var values = Array(power[range])
        let mid = values.count / 2
        values.sort()
        if values.count % 2 == 1 { return Double(values[mid]) }
        return (Double(values[mid - 1]) + Double(values[mid])) / 2
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

import DSP
import Foundation
import Testing
import TestSupport

@Suite struct WelchPSDTests {
    static func tone(amplitude: Double, cyclesPerSample: Double, count: Int) -> [ComplexFloat] {
        (0..<count).map { i in
            let ph = 2 * Double.pi * cyclesPerSample * Double(i)
            return ComplexFloat(Float(amplitude * cos(ph)), Float(amplitude * sin(ph)))
        }
    }

    @Test(arguments: Window.Kind.allCases)
    func toneSumsToItsPowerAtTheRightOffset(window: Window.Kind) throws {
        // A 0.5-amplitude tone (−6.02 dBFS) at +0.1·rate, between bins.
        let n = 1024
        let psd = try WelchPSD(size: n, window: window)
        psd.process(Self.tone(amplitude: 0.5, cyclesPerSample: 0.1003, count: 50_000))
        let p = try #require(psd.spectrum())
        let peak = SpectrumStatistics.peak(p, in: 0..<n)
        #expect(abs(Double(peak - n / 2) / Double(n) - 0.1003) < 1.5 / Double(n))
        let total = SpectrumStatistics.bandPower(p, in: (peak - 8)..<(peak + 9))
        #expect(abs(decibels(power: total) - decibels(power: 0.25)) < 0.05)
    }

    @Test func whiteNoiseGivesVariancePerBinOverN() throws {
        var rng = SeededGenerator(seed: 7)
        let n = 512, sigma2 = 0.01
        let s = (sigma2 / 2).squareRoot()
        let x = (0..<200_000).map { _ in ComplexFloat(Float(rng.gaussian() * s), Float(rng.gaussian() * s)) }
        let psd = try WelchPSD(size: n)
        psd.process(x)
        let p = try #require(psd.spectrum())
        let floor = SpectrumStatistics.noiseFloor(p, in: 0..<n, averages: psd.segmentCount)
        #expect(abs(decibels(power: floor * Double(n)) - decibels(power: sigma2)) < 0.2)
        #expect(abs(decibels(power: SpectrumStatistics.bandPower(p, in: 0..<n)) - decibels(power: sigma2)) < 0.1)
    }

    @Test func blockBoundariesDoNotChangeTheResult() throws {
        var rng = SeededGenerator(seed: 3)
        let x = (0..<10_000).map { _ in ComplexFloat(Float(rng.gaussian()), Float(rng.gaussian())) }
        let whole = try WelchPSD(size: 256), pieces = try WelchPSD(size: 256)
        whole.process(x)
        var i = 0
        for size in [1, 7, 255, 256, 257, 1000, 3] + Array(repeating: 999, count: 20) where i < x.count {
            let end = min(x.count, i + size)
            pieces.process(Array(x[i..<end]))
            i = end
        }
        #expect(whole.segmentCount == pieces.segmentCount)
        let a = try #require(whole.spectrum()), b = try #require(pieces.spectrum())
        for k in 0..<256 { #expect(abs(a[k] - b[k]) <= 1e-6 * max(a[k], 1e-12)) }
    }

    @Test func noSpectrumBeforeOneSegmentAndResetClears() throws {
        let psd = try WelchPSD(size: 128)
        psd.process(Self.tone(amplitude: 1, cyclesPerSample: 0.2, count: 100))
        #expect(psd.spectrum() == nil)
        psd.process(Self.tone(amplitude: 1, cyclesPerSample: 0.2, count: 100))
        #expect(psd.spectrum() != nil)
        psd.reset()
        #expect(psd.segmentCount == 0 && psd.spectrum() == nil)
    }

    @Test func occupiedBandwidthOfFlatBand() {
        // 100 bins of floor 1, a flat block of 40 bins at 101: excess 100 per bin, 99 % within ~39.6 bins.
        var p = [Float](repeating: 1, count: 100)
        for i in 30..<70 { p[i] = 101 }
        let obw = SpectrumStatistics.occupiedBandwidth(p, in: 0..<100, noiseFloor: 1)
        #expect(abs(obw.lowerBound - 30.2) < 1e-6)
        #expect(abs(obw.upperBound - 69.8) < 1e-6)
        #expect(abs(SpectrumStatistics.noiseFloor(p, in: 0..<100) - 1) < 1e-3)
        #expect(SpectrumStatistics.noiseFloor(p, in: 0..<100, averages: 4) == 1)
    }
}

@Suite struct LaggedAutocorrelatorTests {
    /// An OFDM-like signal: random symbols of 128 samples, each preceded by a copy of its last 9
    /// (LTE's normal cyclic prefix at 1.92 MS/s), 7 symbols per 960-sample slot with the first prefix 10.
    static func ofdmLike(slots: Int, noise: Double, seed: UInt64) -> [ComplexFloat] {
        var rng = SeededGenerator(seed: seed)
        var out: [ComplexFloat] = []
        for _ in 0..<slots {
            for s in 0..<7 {
                let body = (0..<128).map { _ in ComplexFloat(Float(rng.gaussian()), Float(rng.gaussian())) }
                let cp = s == 0 ? 10 : 9
                out += body[(128 - cp)...] + body
            }
        }
        return out.map { $0 + ComplexFloat(Float(rng.gaussian() * noise), Float(rng.gaussian() * noise)) }
    }

    @Test func cyclicPrefixStandsOut() throws {
        let c = try LaggedAutocorrelator(lag: 128, period: 960)
        Self.ofdmLike(slots: 40, noise: 0.3, seed: 1).withUnsafeBufferPointer { c.process($0) }
        let profile = c.profile(window: 9)
        let peak = profile.max()!
        let median = profile.sorted()[profile.count / 2]
        #expect(peak > 0.8)
        #expect(peak / median > 5)
    }

    @Test func noiseDoesNotCorrelate() throws {
        var rng = SeededGenerator(seed: 5)
        let x = (0..<38_400).map { _ in ComplexFloat(Float(rng.gaussian()), Float(rng.gaussian())) }
        let c = try LaggedAutocorrelator(lag: 128, period: 960)
        x.withUnsafeBufferPointer { c.process($0) }
        #expect(c.profile(window: 9).max()! < 0.15)
    }
}

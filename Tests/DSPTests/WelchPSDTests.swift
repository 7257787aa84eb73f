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

    /// The definition, computed the slow way in Double: every `hop` samples a segment of `size`,
    /// multiplied by the window in time, a direct DFT, |X|² averaged and the per-bin maximum kept;
    /// DC-centred and scaled as `WelchPSD` documents.
    static func reference(_ x: [ComplexFloat], size: Int, hop: Int, window: Window.Kind) -> (mean: [Double], peak: [Double], segments: Int) {
        // Cosine-sum coefficients (Harris 1978; the flat-top as in `Window`), periodic form.
        let a: [Double] = switch window {
        case .hann: [0.5, 0.5]
        case .blackmanHarris: [0.35875, 0.48829, 0.14128, 0.01168]
        case .flatTop: [0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368]
        }
        var w = [Double](repeating: 0, count: size)
        for n in 0..<size {
            for (k, ak) in a.enumerated() {
                let sign: Double = k % 2 == 0 ? 1 : -1
                w[n] += sign * ak * cos(2 * Double.pi * Double(k * n) / Double(size))
            }
        }
        let cosT = (0..<size).map { cos(2 * Double.pi * Double($0) / Double(size)) }
        let sinT = (0..<size).map { sin(2 * Double.pi * Double($0) / Double(size)) }
        var sum = [Double](repeating: 0, count: size), peak = sum
        var segments = 0
        var start = 0
        while start + size <= x.count {
            for m in 0..<size {
                var re = 0.0, im = 0.0
                for n in 0..<size {
                    let xr = Double(x[start + n].real) * w[n], xi = Double(x[start + n].imag) * w[n]
                    let t = (m * n) % size  // e^{−i2πmn/N}
                    re += xr * cosT[t] + xi * sinT[t]
                    im += xi * cosT[t] - xr * sinT[t]
                }
                sum[m] += re * re + im * im
                peak[m] = max(peak[m], re * re + im * im)
            }
            segments += 1
            start += hop
        }
        let s2 = w.reduce(0) { $0 + $1 * $1 }
        let half = size / 2
        let mean = (0..<size).map { sum[($0 + size - half) % size] / (Double(max(segments, 1)) * Double(size) * s2) }
        let pk = (0..<size).map { peak[($0 + size - half) % size] / (Double(size) * s2) }
        return (mean, pk, segments)
    }

    /// A strong tone between bins, a weak one, and noise 60 dB down: the window's sidelobes matter.
    static func testSignal(count: Int, seed: UInt64) -> [ComplexFloat] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            let p1 = 2 * Double.pi * 0.1234 * Double(i), p2 = 2 * Double.pi * -0.31 * Double(i)
            return ComplexFloat(Float(cos(p1) + 1e-2 * cos(p2) + 1e-3 * rng.gaussian()),
                                Float(sin(p1) + 1e-2 * sin(p2) + 1e-3 * rng.gaussian()))
        }
    }

    /// Blocks of awkward lengths (not multiples of the hop, shorter than a segment, one sample),
    /// starting at element 1 of an array so that FFTW's alignment differs from the planned buffer.
    static func feed(_ psd: WelchPSD, _ x: [ComplexFloat], blocks: [Int], misaligned: Bool) {
        let padded = misaligned ? [.zero] + x : x
        padded.withUnsafeBufferPointer { all in
            var i = misaligned ? 1 : 0
            var b = 0
            while i < all.count {
                let end = min(all.count, i + blocks[b % blocks.count])
                psd.process(UnsafeBufferPointer(rebasing: all[i..<end]))
                i = end
                b += 1
            }
        }
    }

    @Test(arguments: Window.Kind.allCases, [(size: 64, overlap: 0.5), (size: 45, overlap: 0.5), (size: 100, overlap: 0.37), (size: 128, overlap: 0.75)])
    func matchesTheDefinitionForEveryWindow(window: Window.Kind, shape: (size: Int, overlap: Double)) throws {
        let x = Self.testSignal(count: 1_500, seed: 11)
        let ref = Self.reference(x, size: shape.size, hop: try WelchPSD(size: shape.size, overlap: shape.overlap).hop, window: window)
        let refTotal = ref.mean.reduce(0, +)
        for (blocks, misaligned) in [([x.count], false), ([1, 7, 333, 64, 65, 2, 99], false), ([37, 1, 200], true)] {
            let psd = try WelchPSD(size: shape.size, window: window, overlap: shape.overlap, peakHold: true)
            let plain = try WelchPSD(size: shape.size, window: window, overlap: shape.overlap)  // the other kernel
            Self.feed(psd, x, blocks: blocks, misaligned: misaligned)
            Self.feed(plain, x, blocks: blocks, misaligned: misaligned)
            #expect(psd.segmentCount == ref.segments && plain.segmentCount == ref.segments)
            let p = try #require(psd.spectrum()), pk = try #require(psd.peakSpectrum()), q = try #require(plain.spectrum())
            // Float arithmetic against Double: each bin to 1e-5 relative, with a floor of 1e-9 of
            // the total power (−90 dB, below the Blackman-Harris sidelobes this checks).
            var worst = 0.0
            for k in 0..<shape.size {
                let e = abs(Double(p[k]) - ref.mean[k]) / (1e-5 * ref.mean[k] + 1e-9 * refTotal)
                let ep = abs(Double(pk[k]) - ref.peak[k]) / (1e-5 * ref.peak[k] + 1e-9 * refTotal)
                let eq = abs(Double(q[k]) - ref.mean[k]) / (1e-5 * ref.mean[k] + 1e-9 * refTotal)
                worst = max(worst, e, ep, eq)
            }
            #expect(worst <= 1, "\(window) N=\(shape.size) blocks \(blocks): error \(worst) of tolerance")
        }
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

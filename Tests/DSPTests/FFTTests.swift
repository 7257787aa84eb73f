import DSP
import Foundation
import Testing

@Suite struct FFTTests {
    @Test func toneLandsInItsBinWithFullAmplitude() throws {
        let n = 256, k = 37
        let fft = try FFT(size: n)
        for i in 0..<n {
            let ph = 2 * Double.pi * Double(k * i) / Double(n)
            fft.unsafeInput[i] = ComplexFloat(Float(cos(ph)), Float(sin(ph)))
        }
        fft.execute()
        var peak = 0
        for i in 0..<n where fft.unsafeOutput[i].magnitudeSquared > fft.unsafeOutput[peak].magnitudeSquared { peak = i }
        #expect(peak == k)
        #expect(abs(fft.unsafeOutput[k].real - Float(n)) < 1e-3)
    }

    @Test func inverseUndoesForwardUpToScale() throws {
        var rng = SystemRandomNumberGenerator()
        let n = 1000
        let fwd = try FFT(size: n), inv = try FFT(size: n, direction: .inverse)
        var x = [ComplexFloat]()
        for _ in 0..<n { x.append(ComplexFloat(Float.random(in: -1...1, using: &rng), Float.random(in: -1...1, using: &rng))) }
        for i in 0..<n { fwd.unsafeInput[i] = x[i] }
        fwd.execute()
        for i in 0..<n { inv.unsafeInput[i] = fwd.unsafeOutput[i] }
        inv.execute()
        for i in 0..<n {
            let y = inv.unsafeOutput[i] * (1 / Float(n))
            #expect(abs(y.real - x[i].real) < 1e-5 && abs(y.imag - x[i].imag) < 1e-5)
        }
    }

    @Test func rejectsNonsenseSizes() {
        #expect(throws: DSPError.self) { try FFT(size: 0) }
        #expect(throws: DSPError.self) { try WelchPSD(size: 1) }
        #expect(throws: DSPError.self) { try WelchPSD(size: 64, overlap: 1) }
    }

    @Test func plansFromManyThreadsAtOnce() async throws {
        // FFTW's planner is not thread-safe; FFTPlanner serialises it.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for size in [96, 128, 160, 192, 250, 384, 500, 640] {
                group.addTask {
                    let f = try FFT(size: size)
                    f.unsafeInput[1] = ComplexFloat(1, 0)
                    f.execute()
                    #expect(abs(f.unsafeOutput[0].real - 1) < 1e-6)
                }
            }
            try await group.waitForAll()
        }
    }
}

@Suite struct WindowTests {
    /// Equivalent noise bandwidths from Harris (1978), Table 1: Hann 1.50, 4-term Blackman-Harris
    /// (−92 dB) 2.00; the five-term flat-top is about 3.77 bins.
    @Test(arguments: [(Window.Kind.hann, 1.5, 0.001), (.blackmanHarris, 2.0044, 0.001), (.flatTop, 3.77, 0.01)])
    func equivalentNoiseBandwidth(kind: Window.Kind, bins: Double, tolerance: Double) {
        let w = Window(kind, length: 4096)
        #expect(abs(w.equivalentNoiseBandwidthBins - bins) < tolerance)
    }

    @Test func hannIsPeriodic() {
        let w = Window(.hann, length: 8)
        #expect(w.coefficients[0] == 0)
        #expect(abs(w.coefficients[4] - 1) < 1e-6)
        #expect(abs(w.coefficients[1] - w.coefficients[7]) < 1e-6)
    }
}

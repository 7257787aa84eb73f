import DSP
import Foundation
import Testing

@Suite struct ResamplerTests {
    @Test(arguments: [(1083333.3333333333 / 1e6, 13, 12), (1083333.3333333333 / 4e6, 13, 48),
                      (1083333.3333333333 / 2.048e6, 1625, 3072), (1083333.3333333333 / 20e6, 13, 240), (1.0, 1, 1)])
    func fractionsOfTheGSMRate(ratio: Double, l: Int, m: Int) {
        let f = RationalResampler.fraction(approximating: ratio)
        #expect(f.interpolation == l && f.decimation == m)
    }

    @Test func toneKeepsItsFrequencyAndAmplitude() throws {
        // 50 kHz tone at 1 MS/s → 13/12 → same tone at 1.0833 MS/s, unit amplitude in the passband.
        let r = try RationalResampler(interpolation: 13, decimation: 12)
        let n = 12_000
        let x = (0..<n).map { i in ComplexFloat(Float(cos(2 * .pi * 0.05 * Double(i))), Float(sin(2 * .pi * 0.05 * Double(i)))) }
        var y = [ComplexFloat](repeating: .zero, count: r.maximumOutputCount(forInput: n))
        let written = x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { r.process(xb, into: $0) } }
        #expect(abs(written - 13_000) <= 1)
        // After the filter's delay: amplitude 1, phase advancing 2π·50e3/1.0833e6 per sample.
        let step = 2 * Double.pi * 50e3 / (1e6 * 13 / 12)
        for i in 500..<12_000 {
            #expect(abs(Double(y[i].magnitudeSquared).squareRoot() - 1) < 0.01)
            let z = y[i] * y[i - 1].conjugate
            #expect(abs(atan2(Double(z.imag), Double(z.real)) - step) < 1e-3)
        }
    }

    @Test func streamingInPiecesEqualsOneGo() throws {
        let a = try RationalResampler(interpolation: 13, decimation: 48), b = try RationalResampler(interpolation: 13, decimation: 48)
        let x = (0..<5000).map { ComplexFloat(Float($0 % 17) - 8, Float($0 % 5)) }
        var ya = [ComplexFloat](repeating: .zero, count: a.maximumOutputCount(forInput: 5000))
        let na = x.withUnsafeBufferPointer { xb in ya.withUnsafeMutableBufferPointer { a.process(xb, into: $0) } }
        var yb: [ComplexFloat] = []
        var i = 0
        for size in [1, 2, 100, 47, 999, 3, 3848] {
            let piece = Array(x[i..<(i + size)])
            var out = [ComplexFloat](repeating: .zero, count: b.maximumOutputCount(forInput: size))
            let n = piece.withUnsafeBufferPointer { pb in out.withUnsafeMutableBufferPointer { b.process(pb, into: $0) } }
            yb += out[0..<n]
            i += size
        }
        #expect(na == yb.count)
        #expect(Array(ya[0..<na]) == yb)
    }

    @Test func mixerShiftsATone() {
        let m = Mixer(frequency: -100e3, sampleRate: 1e6)
        var x = (0..<10_000).map { i in ComplexFloat(Float(cos(2 * .pi * 0.1 * Double(i))), Float(sin(2 * .pi * 0.1 * Double(i)))) }
        x.withUnsafeMutableBufferPointer { m.process($0) }
        for i in 0..<10_000 { #expect(abs(x[i].real - 1) < 1e-3 && abs(x[i].imag) < 1e-3) }
    }
}

import CellwatchModel
import DSP
import Foundation
import LTE
import Simulation
import Testing

/// The LTE eNodeB waveform, checked by our own LTE receiver (cell search, PBCH/MIB) and for continuity.
@Suite struct LTEWaveformTests {
    /// Renders `seconds` of the given cells, in chunks of `chunk` samples, plus seeded white noise of
    /// power `noisePower` (relative to full scale).
    static func render(_ cells: inout [LTECellWaveform], offsets: [Double], amplitudes: [Float], start: Double,
                       seconds: Double, rate: Double, chunk: Int = 65_536, noisePower: Float = 0) -> [ComplexFloat] {
        let total = Int((seconds * rate).rounded())
        var x = [ComplexFloat](repeating: .zero, count: total)
        x.withUnsafeMutableBufferPointer { out in
            var done = 0
            while done < total {
                let n = min(chunk, total - done)
                let view = UnsafeMutableBufferPointer(rebasing: out[done..<(done + n)])
                for c in cells.indices {
                    cells[c].render(into: view, startTime: start + Double(done) / rate, sampleRate: rate,
                                    frequencyOffset: offsets[c], amplitude: amplitudes[c])
                }
                done += n
            }
        }
        if noisePower > 0 {
            var rng = SplitMix64(seed: 0x17E)
            let sigma = (noisePower / 2).squareRoot()
            for i in x.indices {
                // Box–Muller from the seeded generator.
                let u1 = max(Float(rng.next() >> 40) / Float(1 << 24), 1e-7), u2 = Float(rng.next() >> 40) / Float(1 << 24)
                let r = sigma * (-2 * log(u1)).squareRoot()
                x[i].real += r * cos(2 * .pi * u2)
                x[i].imag += r * sin(2 * .pi * u2)
            }
        }
        return x
    }

    /// SFN of the first frame that starts at or after `start` (what `LTECellReport.sfn` reports).
    static func firstCompleteSFN(_ w: LTECellWaveform, start: Double) -> Int {
        w.sfn(at: w.nextFrameStart(after: start) + 1e-4)
    }

    @Test func receiverFindsTheCellAt1920kSps() throws {
        let p = LTECellParameters(pci: 137, ports: 1, prb: 6, firstSFN: 100, frameTimingOffset: 0.0031)
        var cells = [try LTECellWaveform(parameters: p)]
        let start = 0.5173
        let x = Self.render(&cells, offsets: [0], amplitudes: [0.3], start: start, seconds: 0.1, rate: 1_920_000,
                            noisePower: 0.009)
        let reports = try LTEReceiver().decode(x, sampleRate: 1_920_000)
        let r = try #require(reports.first { $0.pci == 137 })
        #expect(reports.count == 1)
        #expect(r.duplex == .fdd)
        #expect(r.detection.normalCP)
        #expect(r.ports == 1)
        #expect(r.prb == 6)
        #expect(r.mib?.phichResource == .one && r.mib?.phichDuration == .normal)
        #expect(r.sfn == Self.firstCompleteSFN(cells[0], start: start))
        #expect(abs(r.carrierOffset.value) < 100)
    }

    @Test func receiverFindsTwoPortCellAt2MSpsWithCarrierOffset() throws {
        let p = LTECellParameters(pci: 401, ports: 2, prb: 25, firstSFN: 1021, frameTimingOffset: 0.0077)
        var cells = [try LTECellWaveform(parameters: p)]
        let start = 12.3456
        let x = Self.render(&cells, offsets: [3_700], amplitudes: [0.3], start: start, seconds: 0.1, rate: 2_000_000,
                            chunk: 10_007, noisePower: 0.002) // per-RE SNR ≈ 12 dB, as in the 6 PRB test
        let reports = try LTEReceiver().decode(x, sampleRate: 2_000_000)
        let r = try #require(reports.first { $0.pci == 401 })
        #expect(r.duplex == .fdd)
        #expect(r.ports == 2)
        #expect(r.prb == 25)
        #expect(r.sfn == Self.firstCompleteSFN(cells[0], start: start))
        #expect(abs(r.carrierOffset.value - 3_700) < 150)
    }

    @Test func twoCellsOnOneCarrierAreBothFound() throws {
        var cells = [try LTECellWaveform(parameters: LTECellParameters(pci: 10, ports: 1, prb: 15, firstSFN: 40, frameTimingOffset: 0.0012)),
                     try LTECellWaveform(parameters: LTECellParameters(pci: 251, ports: 2, prb: 6, firstSFN: 513, frameTimingOffset: 0.0064))]
        let start = 3.21
        let x = Self.render(&cells, offsets: [-2_100, 1_800], amplitudes: [0.3, 0.2], start: start, seconds: 0.1,
                            rate: 2_000_000, noisePower: 0.002)
        let reports = try LTEReceiver().decode(x, sampleRate: 2_000_000)
        let a = try #require(reports.first { $0.pci == 10 })
        let b = try #require(reports.first { $0.pci == 251 })
        #expect(a.prb == 15 && a.ports == 1)
        #expect(b.prb == 6 && b.ports == 2)
        #expect(a.sfn == Self.firstCompleteSFN(cells[0], start: start))
        #expect(b.sfn == Self.firstCompleteSFN(cells[1], start: start))
    }

    @Test func manySmallCallsEqualOneCall() throws {
        let p = LTECellParameters(pci: 55, ports: 2, prb: 50, firstSFN: 3, frameTimingOffset: 0.0049)
        let rate = 2_000_000.0, start = 7.001, total = 100_000 // 50 ms: crosses frame and 40 ms boundaries
        var one = [try LTECellWaveform(parameters: p)]
        let whole = Self.render(&one, offsets: [1_234.5], amplitudes: [0.5], start: start, seconds: Double(total) / rate, rate: rate,
                                chunk: total)
        var many = [try LTECellWaveform(parameters: p)]
        var pieces = [ComplexFloat](repeating: .zero, count: total)
        var rng = SplitMix64(seed: 99)
        pieces.withUnsafeMutableBufferPointer { out in
            var done = 0
            while done < total {
                let n = min(total - done, 1 + Int(rng.next() % 3000))
                many[0].render(into: UnsafeMutableBufferPointer(rebasing: out[done..<(done + n)]), startTime: start + Double(done) / rate,
                               sampleRate: rate, frequencyOffset: 1_234.5, amplitude: 0.5)
                done += n
            }
        }
        var worst: Float = 0, power: Float = 0
        for i in 0..<total {
            let d = whole[i] - pieces[i]
            worst = max(worst, d.real * d.real + d.imag * d.imag)
            power += whole[i].real * whole[i].real + whole[i].imag * whole[i].imag
        }
        #expect(power / Float(total) > 1e-3) // there is a signal
        #expect(worst == 0)

        // A fresh waveform asked for the second half alone (phase and position from the time) agrees closely.
        var fresh = [try LTECellWaveform(parameters: p)]
        let half = Self.render(&fresh, offsets: [1_234.5], amplitudes: [0.5], start: start + Double(total / 2) / rate,
                               seconds: Double(total / 2) / rate, rate: rate)
        var err: Float = 0
        for i in 0..<(total / 2) {
            let d = half[i] - whole[total / 2 + i]
            err = max(err, d.real * d.real + d.imag * d.imag)
        }
        #expect(err < 1e-6)
    }

    @Test func sfnFollowsAbsoluteTime() throws {
        let w = try LTECellWaveform(parameters: LTECellParameters(pci: 1, firstSFN: 1020, frameTimingOffset: 0.002))
        #expect(w.sfn(at: 0.0025) == 1020)
        #expect(w.sfn(at: 0.0425) == 0)
        #expect(w.sfn(at: 0.0015) == 1019)
        #expect(w.sfn(at: 10.2425) == (1020 + 1024) % 1024)
    }

    @Test func mibBitsFollowTS36331() {
        let p = LTECellParameters(pci: 0, prb: 25, phichDuration: .extended, phichResource: .half)
        let bits = p.mibBits(sfnHigh: 0xA5)
        let mib = MasterInformationBlock(bits: bits)
        #expect(mib?.downlinkPRB == 25)
        #expect(mib?.phichDuration == .extended)
        #expect(mib?.phichResource == .half)
        #expect(mib?.sfnHigh == 0xA5)
        let expected: String = "010" + "1" + "01" + "10100101" + "0000000000"
        let sent: String = bits.map { $0 == 0 ? "0" : "1" }.joined()
        #expect(sent == expected)
    }

    @Test func impossibleCellsAreRefused() {
        #expect(throws: LTEWaveformError.self) { try LTECellWaveform(parameters: LTECellParameters(pci: 504)) }
        #expect(throws: LTEWaveformError.self) { try LTECellWaveform(parameters: LTECellParameters(pci: 1, ports: 4)) }
        #expect(throws: LTEWaveformError.self) { try LTECellWaveform(parameters: LTECellParameters(pci: 1, prb: 7)) }
    }
}

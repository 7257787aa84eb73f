import DSP
import Foundation
import LTE
import Testing
import TestSupport

/// The receiver on the shared recordings, against what srsRAN and LTE-Cell-Scanner say is in them.
@Suite(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
struct LTEReceiverRealTests {
    @Test func srsranVectorPCI150() throws {
        let (x, rate) = try #require(try LTEFixtures.samples("lte/srsran_1_92M.sigmf-meta"))
        let cells = try LTEReceiver().decode(x, sampleRate: rate)
        #expect(cells.count == 1)
        let c = try #require(cells.first)
        #expect(c.pci == 150 && c.duplex == .fdd && c.detection.normalCP)
        #expect(c.ports == 2 && c.prb == 50 && c.sfn == 28)
        #expect(c.mib?.bits == LTECodingTests.srsranMIB)
        #expect(c.mib?.phichDuration == .normal && c.mib?.phichResource == .one)
        #expect(c.pbch?.frameOffset == 0)
        #expect(abs(c.carrierOffset.value) < 1000)
        #expect(c.rsrp != nil)
    }

    @Test func amarisoftVectorPCI1() throws {
        let (x, rate) = try #require(try LTEFixtures.samples("lte/srsran_1_92M_amar.sigmf-meta"))
        let cells = try LTEReceiver().decode(x, sampleRate: rate)
        #expect(cells.map(\.pci) == [1])
        let c = try #require(cells.first)
        #expect(c.duplex == .fdd && c.ports == 1 && c.prb == 6)
    }

    /// RTL-SDR capture at 739 MHz: PCI 277 strongest at about +35 kHz; every cell we report must have a
    /// MIB that passed its CRC, and be one LTE-Cell-Scanner lists at 739 MHz.
    @Test func rtlsdrCapture739MHz() throws {
        let (x, rate) = try #require(try LTEFixtures.samples("lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta"))
        let cells = try LTEReceiver().decode(x, sampleRate: rate)
        let c = try #require(cells.first)
        #expect(c.pci == 277 && c.duplex == .fdd && c.ports == 2 && c.prb == 50)
        #expect(c.carrierOffset.value > 33_000 && c.carrierOffset.value < 37_000)
        for other in cells {
            #expect(other.mib != nil, "PCI \(other.pci) reported without a MIB")
            #expect([277, 271, 256, 259].contains(other.pci), "PCI \(other.pci)")
        }
        let c271 = try #require(cells.first { $0.pci == 271 })
        // Both cells reach us through the same dongle oscillator: their offsets agree to eNodeB accuracy.
        #expect(abs(c271.carrierOffset.value - c.carrierOffset.value) < 100)
    }

    /// The same vector moved by +20 kHz (a dongle's crystal error) with noise: still PCI 150, offset seen.
    @Test func offsetAndNoiseAreTolerated() throws {
        let (x, rate) = try #require(try LTEFixtures.samples("lte/srsran_1_92M_amar.sigmf-meta"))
        var rng = SeededGenerator(seed: 3)
        let shifted = CellSearcher.mix(x, offsetHz: -20_000)
        let p = x.reduce(0.0) { $0 + Double($1.magnitudeSquared) } / Double(x.count)
        let sigma = Float((p / 2).squareRoot()) // SNR 0 dB over the whole 1.92 MHz
        let noisy = shifted.map { $0 + ComplexFloat(sigma * Float(rng.gaussian()), sigma * Float(rng.gaussian())) }
        let receiver = try LTEReceiver()
        let reference = try #require(try receiver.decode(x, sampleRate: rate).first)
        let cells = try receiver.decode(noisy, sampleRate: rate)
        let c = try #require(cells.first)
        #expect(cells.count == 1 && c.pci == 1 && c.prb == 6)
        #expect(abs(c.carrierOffset.value - 20_000 - reference.carrierOffset.value) < 300)
    }

    /// Why the SSS thresholds keep false cells out: with the gates open, every candidate that is not a
    /// real cell scores below 0.45 on the three recordings, real cells score above 0.8.
    @Test func sssThresholdMargins() throws {
        var cfg = CellSearchConfiguration()
        cfg.pssThreshold = 3; cfg.sssThreshold = -1; cfg.sssMargin = -1; cfg.peaksPerRoot = 6
        let searcher = try CellSearcher(configuration: cfg)
        let real: [String: Set<Int>] = ["lte/srsran_1_92M.sigmf-meta": [150], "lte/srsran_1_92M_amar.sigmf-meta": [1],
                                        "lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta": [277, 271]]
        for (file, pcis) in real {
            let (x, _) = try #require(try LTEFixtures.samples(file))
            for c in try searcher.search(x) {
                if pcis.contains(c.pci) && c.sssScore > 0.6 {
                    #expect(c.sssScore > 0.8 && c.sssScore - c.sssRunnerUp > 0.4, "\(file) PCI \(c.pci)")
                } else {
                    #expect(c.sssScore < 0.45, "\(file) candidate PCI \(c.pci) SSS \(c.sssScore)")
                }
            }
        }
    }
}

/// Garbage in: typed errors or no cell, never a crash and never an invented cell.
@Suite struct LTEReceiverRobustnessTests {
    @Test func noiseGivesNoCell() throws {
        var rng = SeededGenerator(seed: 11)
        let receiver = try LTEReceiver()
        for n in [1920, 5000, 20_000, 60_000] {
            for _ in 0..<3 {
                let scale = Float.random(in: 1e-4...10, using: &rng)
                let x = (0..<n).map { _ in ComplexFloat(scale * Float(rng.gaussian()), scale * Float(rng.gaussian())) }
                #expect(try receiver.decode(x, sampleRate: LTEReceiver.sampleRate).isEmpty)
            }
        }
    }

    @Test func degenerateInputs() throws {
        let receiver = try LTEReceiver()
        #expect(throws: LTEError.tooShort(samples: 0)) { try receiver.decode([], sampleRate: LTEReceiver.sampleRate) }
        #expect(throws: LTEError.tooShort(samples: 100)) {
            try receiver.decode([ComplexFloat](repeating: .zero, count: 100), sampleRate: LTEReceiver.sampleRate)
        }
        #expect(throws: LTEError.unsupportedSampleRate(0)) { try receiver.decode([], sampleRate: 0) }
        #expect(try receiver.decode([ComplexFloat](repeating: .zero, count: 20_000), sampleRate: LTEReceiver.sampleRate).isEmpty)
        let tone = (0..<20_000).map { ComplexFloat(Float(cos(0.3 * Double($0))), Float(sin(0.3 * Double($0)))) }
        #expect(try receiver.decode(tone, sampleRate: LTEReceiver.sampleRate).isEmpty)
        var bad = [ComplexFloat](repeating: ComplexFloat(0.1, -0.1), count: 20_000)
        bad[500] = ComplexFloat(.nan, .infinity)
        #expect(try receiver.decode(bad, sampleRate: LTEReceiver.sampleRate).isEmpty)
    }

    /// Every prefix of a real vector: either the right cell or none, never another.
    @Test(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
    func truncatedRecording() throws {
        let (x, rate) = try #require(try LTEFixtures.samples("lte/srsran_1_92M.sigmf-meta"))
        let receiver = try LTEReceiver()
        for n in [1920, 2500, 4000, 6000, 8000, 9000] {
            let cells = try receiver.decode(Array(x[0..<n]), sampleRate: rate)
            #expect(cells.allSatisfy { $0.pci == 150 }, "\(n) samples")
        }
        // The whole vector still gives the cell, so the loop above is not passing on empty results alone.
        #expect(try receiver.decode(x, sampleRate: rate).map(\.pci) == [150])
    }
}

import CellwatchModel
import DSP
import Foundation
import Radio
import Survey
import Testing
import TestSupport

@Suite struct SpectrumScannerTests {
    /// Writes `samples` as a cf32 SigMF recording with one capture per (start, frequency) pair.
    func recording(_ samples: [ComplexFloat], rate: Double, captures: [(Int, Double)], in dir: URL, name: String = "scene") -> String {
        let caps = captures.map { #"{"core:sample_start":\#($0.0),"core:frequency":\#($0.1)}"# }.joined(separator: ",")
        let meta = #"{"global":{"core:datatype":"cf32_le","core:sample_rate":\#(rate),"core:version":"1.2.5"},"captures":[\#(caps)]}"#
        return TestSupport.writeSigMF(in: dir, name: name, meta: meta, data: TestSupport.cf32Bytes(samples.map { ($0.real, $0.imag) }))
    }

    func scan(_ path: String, bands: [Band] = []) throws -> ScanReport {
        var config = ScanConfiguration()
        config.bands = bands
        let device = try FileDevice(path: path)
        return try SpectrumScanner(configuration: config, sampleRate: device.sampleRate).scan(device, source: path)
    }

    @Test func gsmCarriersOnTheirARFCNsWithTheirPowers() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Centre 947.3 MHz at 2 MS/s: ARFCN 60 (947.0, −10 dBFS), 61 (947.2, −13 dBFS, adjacent),
        // 63 (947.6, −30 dBFS), noise −50 dBFS over the whole 2 MHz (−60 dBFS per 200 kHz).
        let rate = 2e6, n = 400_000
        let x = SyntheticSignals.sum([
            SyntheticSignals.gmsk(rate: rate, count: n, offset: -300e3, power: 0.1, seed: 1),
            SyntheticSignals.gmsk(rate: rate, count: n, offset: -100e3, power: 0.05, seed: 2),
            SyntheticSignals.gmsk(rate: rate, count: n, offset: 300e3, power: 0.001, seed: 3),
            SyntheticSignals.noise(count: n, power: 1e-5, seed: 4),
        ])
        let report = try scan(recording(x, rate: rate, captures: [(0, 947.3e6)], in: dir))
        #expect(report.carriers.map(\.channel) == [60, 61, 63])
        #expect(report.carriers.allSatisfy { $0.rat == .gsm && $0.band == .gsm(.egsm900) })
        // Random data carries no frequency-correction burst, and none may be claimed.
        #expect(!report.carriers.contains { $0.evidence.contains("FCCH") })
        let powers = report.carriers.map(\.powerDBFS.value)
        // Channel power inside ±90 kHz holds ~99 % of a GMSK carrier, plus a little of its neighbour.
        #expect(abs(powers[0] - -10) < 0.7)
        #expect(abs(powers[1] - -13) < 0.7)
        #expect(abs(powers[2] - -30) < 0.7)
        for c in report.carriers {
            let f = try #require(c.frequency)
            #expect(abs(f.value - GSMBand.egsm900.downlink(ARFCN(c.channel!))!.value) < 3e3)
            #expect(c.bandwidth.value > 150e3 && c.bandwidth.value < 300e3)
        }
        // SNR against −60 dBFS noise per 200 kHz (−60.5 in 180 kHz).
        #expect(abs(report.carriers[2].snr.value - 30.5) < 1.5)
        #expect(abs(report.spectra[0].noiseFloorPer200kHzDBFS.value - -60) < 0.5)
        // All ARFCNs and the central 1.08 MHz of EARFCNs inside the span have a channel power.
        #expect(report.channels.contains { $0.band == .gsm(.egsm900) && $0.channel == 62 })
    }

    @Test func lteCarrierFoundByItsShapeAndItsCyclicPrefix() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 6 PRB LTE (72 subcarriers, 1.08 MHz) at 1842.5 MHz (LTE-B3 EARFCN 1575, inside DCS 1800 too).
        let rate = 3.84e6, n = 384_000
        let x = SyntheticSignals.sum([
            try SyntheticSignals.ofdm(rate: rate, count: n, subcarriers: 72, power: 0.05, seed: 9),
            SyntheticSignals.noise(count: n, power: 1e-5, seed: 10),
        ])
        let report = try scan(recording(x, rate: rate, captures: [(0, 1842.5e6)], in: dir))
        try #require(report.carriers.count == 1, "\(report.carriers)")
        let c = report.carriers[0]
        #expect(c.rat == .lte)
        #expect(c.band == .lte(LTEBand.band(3)!))
        #expect(c.channel == 1575)
        #expect(abs(c.bandwidth.value - 1.08e6) < 60e3)
        #expect(!c.exceedsSpan)
        #expect(c.evidence.contains("cyclic prefix"))
        #expect(report.spectra[0].ofdmCorrelation > 0.5)
    }

    @Test func lteFillingTheWholeSpanIsStillFound() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 10 MHz LTE seen through a 1.92 MS/s window: every bin is the carrier, there is no floor to see.
        let rate = 1.92e6, n = 192_000
        let x = SyntheticSignals.sum([
            try SyntheticSignals.ofdm(rate: rate, count: n, subcarriers: 126, power: 0.05, seed: 11),
            SyntheticSignals.noise(count: n, power: 0.005, seed: 12),
        ])
        let report = try scan(recording(x, rate: rate, captures: [(0, 739e6)], in: dir))
        try #require(report.carriers.count == 1)
        #expect(report.carriers[0].rat == .lte && report.carriers[0].exceedsSpan)
        #expect(report.carriers[0].channel == 5110)
        // SNR 10 dB in the data; the prefix correlation gives it back within a couple of dB.
        #expect(abs(report.carriers[0].snr.value - 10) < 2.5)
    }

    @Test func noiseAloneHasNoCarriers() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let x = SyntheticSignals.noise(count: 300_000, power: 1e-3, seed: 13)
        let report = try scan(recording(x, rate: 1.92e6, captures: [(0, 1842.5e6)], in: dir))
        #expect(report.carriers.isEmpty)
        #expect(report.spectra[0].ofdmCorrelation < 0.1)
    }

    @Test func everyCaptureIsItsOwnSpectrum() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rate = 1.92e6, n = 200_000
        let gsm = SyntheticSignals.sum([SyntheticSignals.gmsk(rate: rate, count: n, offset: 200e3, power: 0.1, seed: 14),
                                        SyntheticSignals.noise(count: n, power: 1e-5, seed: 15)])
        let lte = SyntheticSignals.sum([try SyntheticSignals.ofdm(rate: rate, count: n, subcarriers: 72, power: 0.05, seed: 16),
                                        SyntheticSignals.noise(count: n, power: 1e-5, seed: 17)])
        // Tuned to DCS 1800 first (ARFCN 600 at 1822.8 MHz), then to LTE-B40 at 2360 MHz.
        let path = recording(gsm + lte, rate: rate, captures: [(0, 1822.6e6), (n, 2360e6)], in: dir)
        let report = try scan(path)
        #expect(report.spectra.count == 2)
        #expect(report.carriers.map(\.segment) == [0, 1])
        #expect(report.carriers.map(\.rat) == [.gsm, .lte])
        #expect(report.carriers.map(\.channel) == [600, 39250])
        #expect(report.carriers.map(\.band) == [.gsm(.dcs1800), .lte(LTEBand.band(40)!)])

        // Naming a band leaves out what is not in it.
        let only = try scan(path, bands: [.lte(LTEBand.band(40)!), .gsm(.pcs1900)])
        #expect(only.carriers.map(\.channel) == [39250])
    }

    @Test func recordingOutsideEveryBandIsAnError() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = recording(SyntheticSignals.noise(count: 10_000, power: 1e-3, seed: 1), rate: 2e6,
                             captures: [(0, 100e6)], in: dir, name: "fm")
        #expect {
            try scan(path)
        } throws: { e in
            "\(e)".contains("fm.sigmf-meta: the recording spans 99.0–101.0 MHz, which lies outside every GSM and LTE downlink band")
        }
        let gsm = recording(SyntheticSignals.noise(count: 10_000, power: 1e-3, seed: 1), rate: 2e6,
                            captures: [(0, 947e6)], in: dir, name: "gsm")
        #expect {
            try scan(gsm, bands: [.gsm(.dcs1800)])
        } throws: { e in
            "\(e)".contains("outside every band asked for (DCS1800)")
        }
    }

    @Test func tooShortForOneSpectrum() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = recording(SyntheticSignals.noise(count: 100, power: 1e-3, seed: 1), rate: 2e6, captures: [(0, 947e6)], in: dir)
        #expect { try scan(path) } throws: { "\($0)".contains("only 100 samples, fewer than the 512 one spectrum needs") }
    }
}

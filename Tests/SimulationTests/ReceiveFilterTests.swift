import CellwatchModel
import DSP
import Foundation
@testable import Simulation
import Testing

/// The receiver's anti-alias filter: a carrier near or beyond ±fs/2 must not wrap around to the other
/// edge of the span, where nothing transmits.
@Suite struct ReceiveFilterTests {
    /// One GSM cell on ARFCN 18 (938.6 MHz) and a control cell on ARFCN 14 (937.8 MHz), 300 m from the
    /// sensor; `sensor` is the sensor's YAML (position or path) and receiver.
    static func scenario(sensor: String) throws -> Scenario {
        let text = """
            name: Alias test
            seed: 7
            start: 2026-11-29T08:00:00Z
            duration: 60
            area:
              origin: {lat: 26.08, lon: 119.30}
            propagation:
              path_loss_exponent: 3.5
              shadowing_sigma_db: 0
              multipath_taps: 1
              doppler: true
            operators:
              - name: China Mobile
                mcc: "460"
                mnc: "00"
                bands: [E-GSM900]
                lacs: [22001]
            cells:
              - id: EDGE
                operator: China Mobile
                position: {x_m: 0, y_m: 0}
                arfcn: 18
                bsic: 23
                lac: 22001
                ci: 1001
                power_dbm: 43
              - id: INSIDE
                operator: China Mobile
                position: {x_m: 0, y_m: 50}
                arfcn: 14
                bsic: 17
                lac: 22001
                ci: 1002
                power_dbm: 40
            sensors:
            \(sensor)
            """
        return try ScenarioReader.parse(text, file: "alias.yaml")
    }

    static let receiver = """
            receiver:
              sample_rate: 2e6
              centre_arfcn: 14
              noise_figure_db: 6
              gain_db: 50
              adc: cf32
        """
    static let fixedSensor = """
          - id: S
            kind: fixed
            position: {x_m: 300, y_m: 0}
        """ + "\n" + receiver
    static let movingSensor = """
          - id: S
            kind: vehicle
            path:
              waypoints: [{x_m: 300, y_m: 0, t: 0}, {x_m: 300, y_m: 600, t: 60}]
        """ + "\n" + receiver

    struct Measured {
        /// Power in the alias's band, dB above the noise floor's power in the same band.
        var aliasAboveFloorDB: Double
        /// The control carrier's channel power, dB above the floor in its channel.
        var controlAboveFloorDB: Double
        /// The control carrier's channel power against what the link budget says, dB.
        var controlErrorDB: Double
    }

    /// Renders 2^17 samples tuned `edgeOffset` hertz below the EDGE cell (which lies at +edgeOffset),
    /// and measures a Welch PSD: power where that cell's part beyond +fs/2 would land after wrapping
    /// (offset − fs), against the median noise floor.
    static func measure(sensor: String, edgeOffset: Double) throws -> Measured {
        let s = try scenario(sensor: sensor)
        let r = try SceneRenderer(scenario: s, sensorID: "S", waveforms: .standard)
        let link = r.link
        let edge = link.transmitters.firstIndex { $0.id == "EDGE" }!, inside = link.transmitters.firstIndex { $0.id == "INSIDE" }!
        let tuning = Hertz(link.transmitters[edge].frequency.value - edgeOffset)
        let n = 1 << 17
        let t0 = 20.0
        var x = [ComplexFloat](repeating: .zero, count: n)
        x.withUnsafeMutableBufferPointer { _ = r.render(into: $0, startTime: t0, tuning: tuning) }
        let fs = r.sensor.receiver.sampleRate
        let size = 512
        let psd = try WelchPSD(size: size)
        psd.process(x)
        let p = try #require(psd.spectrum()).map(Double.init)
        let bin = fs / Double(size)
        func power(_ lo: Double, _ hi: Double) -> (Double, Int) {
            let a = max(0, Int((lo / bin).rounded(.up)) + size / 2), b = min(size - 1, Int((hi / bin).rounded(.down)) + size / 2)
            return ((a...b).reduce(0) { $0 + p[$1] }, b - a + 1)
        }
        let floor = p.sorted()[size / 2]  // ~500 segments averaged: the median is the mean
        // The EDGE cell's band (±100 kHz) beyond +fs/2, wrapped to the negative edge.
        let c = link.transmittedFrequency(edge) - tuning.value
        let alias = power(max(fs / 2, c - 100e3) - fs, c + 100e3 - fs)
        let control = power(link.transmittedFrequency(inside) - tuning.value - 90e3, link.transmittedFrequency(inside) - tuning.value + 90e3)
        let l = link.link(inside, receiver: r.sensor.trajectory, at: t0 + Double(n) / 2 / fs)
        let expected = pow(10, (l.powerDBm + r.sensor.receiver.gain) / 10)
        return Measured(aliasAboveFloorDB: 10 * log10(alias.0 / (floor * Double(alias.1))),
                        controlAboveFloorDB: 10 * log10(control.0 / (floor * Double(control.1))),
                        controlErrorDB: 10 * log10((control.0 - floor * Double(control.1)) / expected))
    }

    /// A GSM carrier straddling +fs/2 (centre 1.05 MHz off at 2 MS/s, band 0.95–1.15 MHz; fixed
    /// sensor) or just outside it (1.09 MHz, band 0.99–1.19 MHz; moving sensor, Doppler on): nothing of
    /// it may appear at the other edge, while a carrier inside the passband keeps its power. Without
    /// the receive filter the wrapped part stood 38.2 dB (straddling) and 35.4 dB (outside) above the
    /// floor; with it, −0.1 dB (noise only).
    @Test(arguments: [(1.05e6, "fixed"), (1.09e6, "moving")])
    func carrierBeyondHalfTheSampleRateDoesNotWrap(edgeOffset: Double, sensor: String) throws {
        let m = try Self.measure(sensor: sensor == "fixed" ? Self.fixedSensor : Self.movingSensor, edgeOffset: edgeOffset)
        print("alias test \(edgeOffset) Hz, \(sensor) sensor: alias \(m.aliasAboveFloorDB) dB above the floor; control \(m.controlAboveFloorDB) dB above, \(m.controlErrorDB) dB off the link budget")
        #expect(m.controlAboveFloorDB > 30, "control carrier \(m.controlAboveFloorDB) dB above the floor")
        #expect(abs(m.controlErrorDB) < 0.5, "control carrier \(m.controlErrorDB) dB off its link budget")
        #expect(m.aliasAboveFloorDB < 1, "wrapped carrier \(m.aliasAboveFloorDB) dB above the noise floor at the opposite edge")
    }

    /// The filter's figures at 2 MS/s: flat to 0.8·fs/2, −6 dB at 0.9·fs/2, at least 60 dB down from
    /// fs/2 on (nothing rendered there), and an emitter whose band would reach past fs/2 not rendered.
    @Test func filterResponseAtTwoMegasamples() {
        let f = ReceiveFilter(sampleRate: 2e6)
        #expect(f.nyquist == 1e6 && f.passbandEdge == 800e3)
        for offset in [0.0, 300e3, -600e3, 800e3, -800e3] { #expect(f.amplitude(at: offset) == 1) }
        #expect(abs(f.responseDB(at: 900e3) - 20 * log10(0.5)) < 1e-9)
        #expect(abs(f.responseDB(at: -850e3) - 20 * log10(0.5 + 0.5 * cos(Double.pi / 4))) < 1e-9)
        #expect(f.responseDB(at: 997e3) < -ReceiveFilter.stopbandRejectionDB)
        for offset in [1e6, -1e6, 1.2e6] { #expect(f.amplitude(at: offset) == 0) }
        // Monotone through the transition.
        var last = 1.0
        for k in 0...200 {
            let a = f.amplitude(at: 800e3 + Double(k) * 1e3)
            #expect(a <= last)
            last = a
        }
        #expect(f.gain(offset: 900e3, bandwidth: 200e3) == 0.5)
        #expect(f.gain(offset: 950e3, bandwidth: 200e3) == 0)
        #expect(f.gain(offset: -901e3, bandwidth: 200e3) == 0)
        #expect(abs(f.powerFraction(offset: 0, bandwidth: 1.6e6) - 1) < 1e-12)
    }

    /// A tone in the transition band comes out scaled by the filter's response there, for a fixed and
    /// a moving sensor; one in the passband at its link-budget power.
    @Test(arguments: ["fixed", "moving"])
    func toneInTheTransitionBandIsAttenuatedByTheResponse(sensor: String) throws {
        let s = try Self.scenario(sensor: sensor == "fixed" ? Self.fixedSensor : Self.movingSensor)
        let r = try SceneRenderer(scenario: s, sensorID: "S", waveforms: .tones)
        let link = r.link
        let edge = link.transmitters.firstIndex { $0.id == "EDGE" }!
        let fs = r.sensor.receiver.sampleRate
        let n = 1 << 15
        for target in [600e3, 860e3, 920e3] {
            let tuning = Hertz(link.transmitters[edge].frequency.value - target)
            var x = [ComplexFloat](repeating: .zero, count: n)
            x.withUnsafeMutableBufferPointer { _ = r.render(into: $0, startTime: 20, tuning: tuning) }
            let offset = link.transmittedFrequency(edge) - tuning.value
            let l = link.link(edge, receiver: r.sensor.trajectory, at: 20 + Double(n) / 2 / fs)
            let expected = l.powerDBm + r.sensor.receiver.gain + r.receiveFilter.responseDB(at: offset + l.doppler)
            let p = Measure.dB(Measure.tonePower(x, frequency: offset + l.doppler, sampleRate: fs))
            #expect(abs(p - expected) < 0.2, "\(sensor), \(target) Hz: \(p) dBFS vs \(expected)")
        }
    }

    /// The LTE lure tuned 250 kHz off its centre at 2 MS/s: its subcarriers are weighted by the filter,
    /// so the PSD falls by the response towards both edges (the same on both sides, nothing wrapped),
    /// and the ground truth counts its centre six PRB in the window only inside the flat passband.
    @Test func lteLureIsShapedByTheFilterAndNothingWraps() throws {
        let text = ScenarioFixture.text.replacingOccurrences(of: """
                profile: sms_blaster
                operator: China Mobile
                arfcn: 12
            """, with: """
                profile: lte_downgrade
                operator: China Mobile
                earfcn: 1300
                power_dbm: 70
            """)
        let s = try ScenarioReader.parse(text, file: "lte.yaml")
        let r = try SceneRenderer(scenario: s, sensorID: "CAR", waveforms: .standard)
        let lure = s.transmitters.first { $0.id == "BLASTER" }!
        let fs = 2e6, n = 1 << 17, size = 256
        var x = [ComplexFloat](repeating: .zero, count: n)
        let tuning = Hertz(lure.frequency.value - 250e3)
        x.withUnsafeMutableBufferPointer { _ = r.render(into: $0, startTime: 20, tuning: tuning) }
        let psd = try WelchPSD(size: size)
        psd.process(x)
        let p = try #require(psd.spectrum()).map(Double.init)
        let bin = fs / Double(size)
        func level(_ f: Double) -> Double {  // mean over ±3 bins around f, dB
            let c = Int((f / bin).rounded()) + size / 2
            return Measure.dB((c - 3...c + 3).reduce(0) { $0 + p[$1] } / 7)
        }
        // Outside the centre six PRB (PSS, SSS, PBCH: lure centre ± 540 kHz) only the reference signals:
        // a flat level in the passband, falling by the filter's response towards both edges.
        let ref = level(-600e3)
        let noisePerBin = FrontEnd(r.sensor.receiver).noiseFloorDBFS - Measure.dB(Double(size))
        #expect(ref - noisePerBin > 20, "lure \(ref - noisePerBin) dB above the noise per bin")
        for f in [-900e3, 900e3] {
            let expected = r.receiveFilter.responseDB(at: f)
            #expect(abs(level(f) - ref - expected) < 1.5, "\(f) Hz: \(level(f) - ref) dB vs \(expected)")
        }
        let truth = ScenarioTimeline(scenario: s)
        #expect(truth.visibility(sensor: "CAR", at: 20, tuning: tuning).first { $0.transmitterID == "BLASTER" }!.inTunedWindow)
        #expect(!truth.visibility(sensor: "CAR", at: 20, tuning: Hertz(lure.frequency.value - 270e3)).first { $0.transmitterID == "BLASTER" }!.inTunedWindow)
    }
}
